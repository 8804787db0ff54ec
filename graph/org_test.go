package graph_test

// The foundation mutations end to end: the unit tree, enterprises, users,
// posts and re-parenting, each validation error with its code and with
// nothing written.

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/seed"
)

const (
	// The payloads select scalars only; TestMutationPayloadsResolveEdges
	// checks their edges, so that one bug there does not hide the rest.
	createUnitQ = `mutation($in: CreateUnitInput!) { createUnit(input: $in) { unit {
		id kind name code depth sector supervisedSectors parentID } } }`
	updateUnitQ = `mutation($in: UpdateUnitInput!) { updateUnit(input: $in) { unit {
		id kind name code depth sector parentID } } }`
	createEnterpriseQ = `mutation($in: CreateEnterpriseInput!) { createEnterprise(input: $in) { enterprise {
		id name creditCode sector scale employeeCount townID unitID } } }`
	updateEnterpriseQ = `mutation($in: UpdateEnterpriseInput!) { updateEnterprise(input: $in) { enterprise {
		id name creditCode scale address employeeCount keySites safetyManager } } }`
	createUserQ = `mutation($in: CreateUserInput!) { createUser(input: $in) { user { id username displayName status unitID } } }`
	updateUserQ = `mutation($in: UpdateUserInput!) { updateUser(input: $in) { user { id username status phone unitID } } }`
	createPostQ = `mutation($in: CreatePostInput!) { createPost(input: $in) { post {
		id role sectors title validFrom validTo unitID userID } } }`
	updatePostQ = `mutation($in: UpdatePostInput!) { updatePost(input: $in) { post { id title validFrom validTo } } }`
	endPostQ    = `mutation($id: ID!) { endPost(input: {id: $id}) { post { id validTo } } }`
	loginQ      = `mutation($in: LoginInput!) { login(input: $in) { accessToken refreshToken } }`
)

// refusal is a mutation that must fail with one of codes and write nothing.
type refusal struct {
	name  string
	user  string
	query string
	vars  map[string]any
	codes []string
	// field, when set, is the expected extensions.field.
	field string
}

func runRefusals(t *testing.T, s *apitest.Server, cases []refusal) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, s)
			r := gq(t, s, tokenFor(s, c.user), c.query, c.vars)
			if len(c.codes) == 1 {
				requireCode(t, r, c.codes[0])
			} else {
				requireOneOf(t, r, c.codes...)
			}
			if c.field != "" {
				require.Equal(t, c.field, r.Errors[0].Extensions["field"], "extensions.field of %+v", r.Errors[0])
			}
			requireUnchanged(t, s, before)
		})
	}
}

func in(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func input(kv ...any) map[string]any { return map[string]any{"in": in(kv...)} }

func idInput(id string, kv ...any) map[string]any {
	return map[string]any{"in": in(append([]any{"id", id}, kv...)...)}
}

// decodeAt decodes the data at a dotted path (createUnit.unit) into v.
func decodeAt(t testing.TB, r *apitest.Response, path string, v any) {
	t.Helper()
	raw := json.RawMessage(r.Data)
	for _, name := range strings.Split(path, ".") {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &m), "data %s", r.Data)
		raw = m[name]
	}
	require.NoError(t, json.Unmarshal(raw, v), "data %s", r.Data)
}

// validCredit returns a valid unified social credit code whose body ends in
// the 9-character entity identifier id.
func validCredit(t testing.TB, region, id string) string {
	t.Helper()
	c, err := domain.CreditCodeWithCheck("91" + region + id)
	require.NoError(t, err)
	return c
}

// withBadCheck returns code with a wrong check character.
func withBadCheck(code string) string {
	last := code[len(code)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return code[:len(code)-1] + string(repl)
}

func TestCreateUnit(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		county := unitID(t, s, admin, seed.CodeCounty)
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		mech := unitID(t, s, admin, "ENT-MECH")
		cement := unitID(t, s, admin, seed.CodeCement)
		station := unitID(t, s, admin, seed.CodeCNPCStation)
		kiln := unitID(t, s, admin, seed.CodeCementKiln)
		mechProfile := enterpriseID(t, s, admin, nameMech)
		nbTown := unitID(t, s, s.As(seed.NeighborSecretary), seed.CodeNeighborTownHekou)

		type unitOut struct {
			ID, Kind, Name, Code string
			Depth                int
			Sector               *string
			SupervisedSectors    []string
			ParentID             string
		}
		create := func(t *testing.T, user string, vars map[string]any) unitOut {
			t.Helper()
			var u unitOut
			decodeAt(t, gqOK(t, s, tokenFor(s, user), createUnitQ, vars), "createUnit.unit", &u)
			return u
		}

		var workshop unitOut
		t.Run("admin creates a town under the county that every user's directory lists", func(t *testing.T) {
			u := create(t, "admin", input("kind", "TOWN", "name", "新兴镇", "code", "TOWN-XX", "parentID", county))
			require.Equal(t, "TOWN", u.Kind)
			require.Equal(t, county, u.ParentID)
			require.Equal(t, 1, u.Depth)
			require.Nil(t, u.Sector)
			for _, user := range []string{"cement.kiln.head", "xihe.deputy", "bureau.fuel"} {
				require.Contains(t, names(s, tokenFor(s, user), "units", `{kind: TOWN}`), "新兴镇", user)
			}
		})
		t.Run("admin creates a department under the county with supervised sectors", func(t *testing.T) {
			u := create(t, "admin", input("kind", "DEPARTMENT", "name", "县交通运输局", "code", "DEPT-JT", "parentID", county, "supervisedSectors", []string{"TRANSPORT"}))
			require.Equal(t, []string{"TRANSPORT"}, u.SupervisedSectors)
		})
		t.Run("admin creates a workshop under an enterprise and it inherits the enterprise's sector", func(t *testing.T) {
			workshop = create(t, "admin", input("kind", "WORKSHOP", "name", "试验车间", "code", "WS-MECH-TEST", "parentID", mech))
			require.Equal(t, mech, workshop.ParentID)
			require.Equal(t, 3, workshop.Depth)
			require.NotNil(t, workshop.Sector)
			require.Equal(t, "INDUSTRY", *workshop.Sector)
		})
		t.Run("admin creates a team under that workshop", func(t *testing.T) {
			u := create(t, "admin", input("kind", "TEAM", "name", "试验班", "code", "TEAM-MECH-TEST-1", "parentID", workshop.ID))
			require.Equal(t, workshop.ID, u.ParentID)
			require.Equal(t, 4, u.Depth)
			require.Equal(t, "INDUSTRY", *u.Sector)
		})
		t.Run("the new workshop and team are in 城关镇's jurisdiction and nobody else's town", func(t *testing.T) {
			require.Subset(t, names(s, s.As("chengguan.head"), "units", ""), []string{"试验车间", "试验班"})
			require.Subset(t, names(s, s.As("county.deputy.industry"), "units", ""), []string{"试验车间", "试验班"})
			for _, user := range []string{"xihe.head", "bureau.fuel", "cement.principal"} {
				got := names(s, tokenFor(s, user), "units", "")
				require.NotContains(t, got, "试验车间", user)
				require.NotContains(t, got, "试验班", user)
			}
		})
		t.Run("chengguan.admin creates a workshop under an enterprise of 城关镇", func(t *testing.T) {
			u := create(t, "chengguan.admin", input("kind", "WORKSHOP", "name", "城关试验车间", "code", "WS-MECH-CG", "parentID", mech))
			require.Equal(t, mech, u.ParentID)
		})
		t.Run("cement.principal creates a team in its own enterprise", func(t *testing.T) {
			u := create(t, "cement.principal", input("kind", "TEAM", "name", "烧成丙班", "code", "TEAM-CEMENT-KILN-3", "parentID", kiln))
			require.Equal(t, kiln, u.ParentID)
		})
		t.Run("a code used only by the other tenant is free here", func(t *testing.T) {
			create(t, "admin", input("kind", "TOWN", "name", "河口新区", "code", seed.CodeNeighborTownHekou, "parentID", county))
		})

		ws := func(code, parent string) map[string]any {
			return input("kind", "WORKSHOP", "name", "车间"+code, "code", code, "parentID", parent)
		}
		runRefusals(t, s, []refusal{
			{name: "an unknown parent is NOT_FOUND", user: "admin", query: createUnitQ,
				vars: ws("WS-X1", gid.Encode(8<<32+999_999)), codes: []string{"NOT_FOUND"}},
			{name: "a parent of the other tenant is NOT_FOUND", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "x", "code", "WS-X2", "parentID", nbTown), codes: []string{"NOT_FOUND"}},
			{name: "an enterprise profile's id as parent is NOT_FOUND", user: "admin", query: createUnitQ,
				vars: ws("WS-X3", mechProfile), codes: []string{"NOT_FOUND"}},
			{name: "a team directly under an enterprise is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "TEAM", "name", "x", "code", "TEAM-X4", "parentID", mech), codes: []string{"BAD_USER_INPUT"}, field: "input.parentID"},
			{name: "a workshop under a town is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: ws("WS-X5", chengguan), codes: []string{"BAD_USER_INPUT"}, field: "input.parentID"},
			{name: "a town under a town is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "x", "code", "TOWN-X6", "parentID", chengguan), codes: []string{"BAD_USER_INPUT"}, field: "input.parentID"},
			{name: "a department under a town is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "DEPARTMENT", "name", "x", "code", "DEPT-X7", "parentID", chengguan), codes: []string{"BAD_USER_INPUT"}, field: "input.parentID"},
			{name: "a workshop under a workshop is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: ws("WS-X8", kiln), codes: []string{"BAD_USER_INPUT"}, field: "input.parentID"},
			{name: "a duplicate code is CONFLICT", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "重名镇", "code", seed.CodeTownChengguan, "parentID", county), codes: []string{"CONFLICT"}, field: "input.code"},
			{name: "a code taken by a unit outside the caller's jurisdiction is CONFLICT too", user: "chengguan.admin", query: createUnitQ,
				vars: ws(seed.CodeCementKiln, mech), codes: []string{"CONFLICT"}, field: "input.code"},
			{name: "an empty name is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "", "code", "TOWN-X9", "parentID", county), codes: []string{"BAD_USER_INPUT"}, field: "input.name"},
			{name: "a blank name is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "  \t ", "code", "TOWN-X10", "parentID", county), codes: []string{"BAD_USER_INPUT"}, field: "input.name"},
			{name: "a malformed code is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "x", "code", "has space", "parentID", county), codes: []string{"BAD_USER_INPUT"}, field: "input.code"},
			{name: "an ENTERPRISE through createUnit is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "ENTERPRISE", "name", "x", "code", "ENT-X11", "parentID", chengguan), codes: []string{"BAD_USER_INPUT"}, field: "input.kind"},
			{name: "a second COUNTY is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "COUNTY", "name", "x", "code", "COUNTY-2", "parentID", county), codes: []string{"BAD_USER_INPUT"}, field: "input.kind"},
			{name: "supervised sectors on a town are BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "x", "code", "TOWN-X12", "parentID", county, "supervisedSectors", []string{"FUEL"}), codes: []string{"BAD_USER_INPUT"}},
			{name: "an unknown kind is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "GALAXY", "name", "x", "code", "X13", "parentID", county), codes: []string{"BAD_USER_INPUT"}},
			{name: "chengguan.admin cannot create under an enterprise of another town", user: "chengguan.admin", query: createUnitQ,
				vars: ws("WS-X14", cement), codes: []string{"NOT_FOUND"}},
			{name: "chengguan.admin cannot create a town under the county", user: "chengguan.admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "x", "code", "TOWN-X15", "parentID", county), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "cement.kiln.head cannot create a workshop under its enterprise above it", user: "cement.kiln.head", query: createUnitQ,
				vars: ws("WS-X16", cement), codes: []string{"NOT_FOUND"}},
			{name: "bureau.fuel may read a fuel station but not create units in it", user: "bureau.fuel", query: createUnitQ,
				vars: ws("WS-X17", station), codes: []string{"FORBIDDEN"}},
			{name: "chengguan.head may not create a town beside its own", user: "chengguan.head", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "x", "code", "TOWN-X18", "parentID", county), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
		})
	})
}

func TestCreateAndUpdateEnterprise(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		qiaotou := unitID(t, s, admin, seed.CodeTownQiaotou)
		xihe := unitID(t, s, admin, seed.CodeTownXihe)
		dept := unitID(t, s, admin, seed.CodeDeptIndustryCommerce)
		emergency := unitID(t, s, admin, seed.CodeDeptEmergency)
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		cement := enterpriseID(t, s, admin, nameCement)
		paper := enterpriseID(t, s, admin, namePaper)
		cnpc := enterpriseID(t, s, admin, nameCNPC)
		nb := s.As(seed.NeighborSecretary)
		nbTown := unitID(t, s, nb, seed.CodeNeighborTownHekou)
		nbEnt := enterpriseID(t, s, nb, nameNeighborBld)
		var nbCredit struct {
			Node struct{ CreditCode string }
		}
		gqOK(t, s, nb, `query($id: ID!) { node(id: $id) { ... on Enterprise { creditCode } } }`, map[string]any{"id": nbEnt}).Decode(t, &nbCredit)
		var cementCredit struct {
			Node struct{ CreditCode string }
		}
		gqOK(t, s, admin, `query($id: ID!) { node(id: $id) { ... on Enterprise { creditCode } } }`, map[string]any{"id": cement}).Decode(t, &cementCredit)

		type entOut struct {
			ID, Name, CreditCode, Sector, Scale string
			EmployeeCount                       int
			TownID, UnitID                      string
		}
		credit1 := validCredit(t, "341199", "MA2TEXT01")
		var station entOut
		t.Run("a new fuel station is supervised by 县工信商务局 and bureau.fuel sees it at once", func(t *testing.T) {
			fuel := s.As("bureau.fuel")
			before := totalCount(t, s, fuel, "enterprises", "")
			decodeAt(t, gqOK(t, s, admin, createEnterpriseQ, input("name", "示范县桥头新区加油站", "code", "FUEL-NEW-1",
				"townID", qiaotou, "creditCode", credit1, "sector", "FUEL", "employeeCount", 9)), "createEnterprise.enterprise", &station)
			require.Equal(t, "示范县桥头新区加油站", station.Name)
			require.Equal(t, credit1, station.CreditCode)
			require.Equal(t, "FUEL", station.Sector)
			require.Equal(t, qiaotou, station.TownID)
			v := viewEnterprise(t, s, admin, station.ID)
			require.Equal(t, "桥头镇", v.Town.Name)
			require.Equal(t, station.UnitID, v.Unit.ID)
			require.Equal(t, "ENTERPRISE", v.Unit.Kind)
			require.Equal(t, "FUEL", v.Unit.Sector)
			require.Equal(t, "桥头镇", v.Unit.Parent.Name)
			require.Equal(t, 2, v.Unit.Depth)
			require.Equal(t, []string{"县工信商务局"}, v.departments())
			require.Equal(t, before+1, totalCount(t, s, fuel, "enterprises", ""))
			require.Contains(t, names(s, fuel, "enterprises", ""), "示范县桥头新区加油站")
			require.Contains(t, names(s, s.As("qiaotou.head"), "enterprises", ""), "示范县桥头新区加油站")
			require.Contains(t, names(s, s.As("bureau.chief"), "enterprises", ""), "示范县桥头新区加油站")
			require.NotContains(t, names(s, s.As("chengguan.head"), "enterprises", ""), "示范县桥头新区加油站")
			require.NotContains(t, names(s, s.As("county.deputy.industry"), "enterprises", ""), "示范县桥头新区加油站")
		})
		t.Run("a credit code is normalised to upper case", func(t *testing.T) {
			var e entOut
			code := validCredit(t, "341199", "MA2TEXT0B")
			decodeAt(t, gqOK(t, s, admin, createEnterpriseQ, input("name", "示范县小写代码商店", "code", "ENT-LOWER",
				"townID", xihe, "creditCode", " "+toLower(code)+" ", "sector", "COMMERCE")), "createEnterprise.enterprise", &e)
			require.Equal(t, code, e.CreditCode)
			require.Equal(t, "BELOW_SCALE", e.Scale, "the default scale")
		})
		t.Run("explicit supervising departments replace the sector default", func(t *testing.T) {
			var e entOut
			decodeAt(t, gqOK(t, s, admin, createEnterpriseQ, input("name", "示范县应急监管试点企业", "code", "ENT-EMERG",
				"townID", xihe, "creditCode", validCredit(t, "341199", "MA2TEXT02"), "sector", "INDUSTRY",
				"supervisingDepartmentIDs", []string{emergency})), "createEnterprise.enterprise", &e)
			require.Equal(t, []string{"县应急管理局"}, viewEnterprise(t, s, admin, e.ID).departments())
			require.Contains(t, names(s, s.As("emergency.chief"), "enterprises", ""), "示范县应急监管试点企业")
			require.NotContains(t, names(s, s.As("bureau.chief"), "enterprises", ""), "示范县应急监管试点企业")
			require.Contains(t, names(s, s.As("county.deputy.industry"), "enterprises", ""), "示范县应急监管试点企业")
		})
		t.Run("a credit code used only by the other tenant is free here", func(t *testing.T) {
			gqOK(t, s, admin, createEnterpriseQ, input("name", "示范县同码企业", "code", "ENT-SAMECODE",
				"townID", xihe, "creditCode", nbCredit.Node.CreditCode, "sector", "INDUSTRY"))
		})

		create := func(kv ...any) map[string]any {
			base := []any{"name", "示范县待建企业", "code", "ENT-NEW-X", "townID", qiaotou,
				"creditCode", validCredit(t, "341199", "MA2TEXT09"), "sector", "INDUSTRY"}
			return input(append(base, kv...)...)
		}
		bad := withBadCheck(validCredit(t, "341199", "MA2TEXT03"))
		runRefusals(t, s, []refusal{
			{name: "a credit code with a wrong check digit is BAD_USER_INPUT on creditCode", user: "admin", query: createEnterpriseQ,
				vars: create("creditCode", bad), codes: []string{"BAD_USER_INPUT"}, field: "input.creditCode"},
			{name: "a credit code of the wrong length is BAD_USER_INPUT on creditCode", user: "admin", query: createEnterpriseQ,
				vars: create("creditCode", "91341199MA2TEXT0"), codes: []string{"BAD_USER_INPUT"}, field: "input.creditCode"},
			{name: "a credit code with a letter outside the alphabet is BAD_USER_INPUT on creditCode", user: "admin", query: createEnterpriseQ,
				vars: create("creditCode", "91341199MA2TEXTO1X"), codes: []string{"BAD_USER_INPUT"}, field: "input.creditCode"},
			{name: "a duplicate credit code is CONFLICT on creditCode", user: "admin", query: createEnterpriseQ,
				vars: create("creditCode", cementCredit.Node.CreditCode), codes: []string{"CONFLICT"}, field: "input.creditCode"},
			{name: "a duplicate credit code in lower case is CONFLICT too", user: "admin", query: createEnterpriseQ,
				vars: create("creditCode", toLower(cementCredit.Node.CreditCode)), codes: []string{"CONFLICT"}, field: "input.creditCode"},
			{name: "a duplicate credit code outside the caller's jurisdiction is CONFLICT", user: "chengguan.admin", query: createEnterpriseQ,
				vars: create("townID", chengguan, "creditCode", cementCredit.Node.CreditCode), codes: []string{"CONFLICT"}, field: "input.creditCode"},
			{name: "a duplicate unit code is CONFLICT on code", user: "admin", query: createEnterpriseQ,
				vars: create("code", seed.CodeCement), codes: []string{"CONFLICT"}, field: "input.code"},
			{name: "a department as town is BAD_USER_INPUT on townID", user: "admin", query: createEnterpriseQ,
				vars: create("townID", dept), codes: []string{"BAD_USER_INPUT"}, field: "input.townID"},
			{name: "a town of the other tenant is NOT_FOUND", user: "admin", query: createEnterpriseQ,
				vars: create("townID", nbTown), codes: []string{"NOT_FOUND"}},
			{name: "a town as supervising department is BAD_USER_INPUT", user: "admin", query: createEnterpriseQ,
				vars: create("supervisingDepartmentIDs", []string{qiaotou}), codes: []string{"BAD_USER_INPUT"}, field: "input.supervisingDepartmentIDs"},
			{name: "a department listed twice is BAD_USER_INPUT", user: "admin", query: createEnterpriseQ,
				vars: create("supervisingDepartmentIDs", []string{emergency, emergency}), codes: []string{"BAD_USER_INPUT"}, field: "input.supervisingDepartmentIDs"},
			{name: "an empty name is BAD_USER_INPUT", user: "admin", query: createEnterpriseQ,
				vars: create("name", " "), codes: []string{"BAD_USER_INPUT"}, field: "input.name"},
			{name: "a negative employee count is BAD_USER_INPUT", user: "admin", query: createEnterpriseQ,
				vars: create("employeeCount", -1), codes: []string{"BAD_USER_INPUT"}, field: "input.employeeCount"},
			{name: "chengguan.admin cannot create an enterprise in 西河镇", user: "chengguan.admin", query: createEnterpriseQ,
				vars: create("townID", xihe), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "xihe.deputy may not create enterprises", user: "xihe.deputy", query: createEnterpriseQ,
				vars: create("townID", xihe, "sector", "COMMERCE"), codes: []string{"FORBIDDEN"}},
		})

		type profile struct {
			Name, CreditCode, Scale, Address, SafetyManager string
			EmployeeCount                                   int
			KeySites                                        []string
		}
		t.Run("admin updates an enterprise's profile and its unit follows the new name", func(t *testing.T) {
			var p profile
			newCredit := validCredit(t, "341199", "MA2TEXT04")
			decodeAt(t, gqOK(t, s, admin, updateEnterpriseQ, idInput(station.ID, "name", "示范县桥头新区综合能源站",
				"address", "桥头镇新区纬二路8号", "employeeCount", 12, "keySites", []string{"油罐区", "充电区"},
				"scale", "BELOW_SCALE", "creditCode", newCredit)), "updateEnterprise.enterprise", &p)
			require.Equal(t, "示范县桥头新区综合能源站", p.Name)
			require.Equal(t, "示范县桥头新区综合能源站", viewEnterprise(t, s, admin, station.ID).Unit.Name)
			require.Equal(t, "桥头镇新区纬二路8号", p.Address)
			require.Equal(t, 12, p.EmployeeCount)
			require.Equal(t, []string{"油罐区", "充电区"}, p.KeySites)
			require.Equal(t, "BELOW_SCALE", p.Scale)
			require.Equal(t, newCredit, p.CreditCode)
			require.Contains(t, names(s, s.As("qiaotou.head"), "units", `{kind: ENTERPRISE}`), "示范县桥头新区综合能源站")
		})
		t.Run("cement.principal updates its own enterprise", func(t *testing.T) {
			var p profile
			decodeAt(t, gqOK(t, s, s.As("cement.principal"), updateEnterpriseQ, idInput(cement, "safetyManager", "刘志强（新任）")), "updateEnterprise.enterprise", &p)
			require.Equal(t, "刘志强（新任）", p.SafetyManager)
		})
		t.Run("removing every supervising department takes the station out of bureau.fuel's view", func(t *testing.T) {
			var p profile
			decodeAt(t, gqOK(t, s, admin, updateEnterpriseQ, idInput(station.ID, "supervisingDepartmentIDs", []string{})), "updateEnterprise.enterprise", &p)
			require.Empty(t, viewEnterprise(t, s, admin, station.ID).departments())
			require.NotContains(t, names(s, s.As("bureau.fuel"), "enterprises", ""), "示范县桥头新区综合能源站")
			require.Contains(t, names(s, s.As("qiaotou.head"), "enterprises", ""), "示范县桥头新区综合能源站", "the town still has it")
		})
		runRefusals(t, s, []refusal{
			{name: "updating to another enterprise's credit code is CONFLICT", user: "admin", query: updateEnterpriseQ,
				vars: idInput(paper, "creditCode", cementCredit.Node.CreditCode), codes: []string{"CONFLICT"}, field: "input.creditCode"},
			{name: "updating to an invalid credit code is BAD_USER_INPUT", user: "admin", query: updateEnterpriseQ,
				vars: idInput(paper, "creditCode", bad), codes: []string{"BAD_USER_INPUT"}, field: "input.creditCode"},
			{name: "updating to a negative employee count is BAD_USER_INPUT", user: "admin", query: updateEnterpriseQ,
				vars: idInput(paper, "employeeCount", -5), codes: []string{"BAD_USER_INPUT"}, field: "input.employeeCount"},
			{name: "updating to an empty name is BAD_USER_INPUT", user: "admin", query: updateEnterpriseQ,
				vars: idInput(paper, "name", ""), codes: []string{"BAD_USER_INPUT"}, field: "input.name"},
			{name: "a unit id instead of an enterprise id is NOT_FOUND", user: "admin", query: updateEnterpriseQ,
				vars: idInput(qiaotou, "address", "x"), codes: []string{"NOT_FOUND"}},
			{name: "cement.principal cannot update another enterprise", user: "cement.principal", query: updateEnterpriseQ,
				vars: idInput(paper, "address", "x"), codes: []string{"NOT_FOUND"}},
			{name: "bureau.fuel may read a fuel station but not update it", user: "bureau.fuel", query: updateEnterpriseQ,
				vars: idInput(cnpc, "address", "x"), codes: []string{"FORBIDDEN"}},
			{name: "cement.kiln.head cannot update the enterprise above its workshop", user: "cement.kiln.head", query: updateEnterpriseQ,
				vars: idInput(cement, "address", "x"), codes: []string{"NOT_FOUND"}},
		})
	})
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
