package graph_test

// The foundation mutations end to end: the unit tree, enterprises, users,
// posts and re-parenting, each validation error with its code and with
// nothing written.

import (
	"encoding/json"
	"fmt"
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
	createUnitQ = `mutation($in: CreateUnitInput!) { createUnit(input: $in) {
		id kind name code depth sector supervisedSectors parentID } }`
	updateUnitQ = `mutation($id: ID!, $in: UpdateUnitInput!) { updateUnit(id: $id, input: $in) {
		id kind name code depth sector parentID } }`
	createEnterpriseQ = `mutation($in: CreateEnterpriseInput!) { createEnterprise(input: $in) {
		id name creditCode sector scale employeeCount townID unitID } }`
	updateEnterpriseQ = `mutation($id: ID!, $in: UpdateEnterpriseInput!) { updateEnterprise(id: $id, input: $in) {
		id name creditCode scale address employeeCount keySites safetyManager } }`
	createUserQ = `mutation($in: CreateUserInput!) { createUser(input: $in) { id username displayName status unitID } }`
	updateUserQ = `mutation($id: ID!, $in: UpdateUserInput!) { updateUser(id: $id, input: $in) { id username status phone unitID } }`
	createPostQ = `mutation($in: CreatePostInput!) { createPost(input: $in) {
		id role sectors title validFrom validTo unitID userID } }`
	updatePostQ = `mutation($id: ID!, $in: UpdatePostInput!) { updatePost(id: $id, input: $in) { id title validFrom validTo } }`
	endPostQ    = `mutation($id: ID!) { endPost(id: $id) { id validTo } }`
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
	return map[string]any{"id": id, "in": in(kv...)}
}

// decodeAt decodes the root field name of r into v.
func decodeAt(t testing.TB, r *apitest.Response, name string, v any) {
	t.Helper()
	var m map[string]json.RawMessage
	r.Decode(t, &m)
	require.NoError(t, json.Unmarshal(m[name], v), "data %s", r.Data)
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
			decodeAt(t, gqOK(t, s, tokenFor(s, user), createUnitQ, vars), "createUnit", &u)
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
				vars: input("kind", "TEAM", "name", "x", "code", "TEAM-X4", "parentID", mech), codes: []string{"BAD_USER_INPUT"}, field: "parentID"},
			{name: "a workshop under a town is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: ws("WS-X5", chengguan), codes: []string{"BAD_USER_INPUT"}, field: "parentID"},
			{name: "a town under a town is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "x", "code", "TOWN-X6", "parentID", chengguan), codes: []string{"BAD_USER_INPUT"}, field: "parentID"},
			{name: "a department under a town is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "DEPARTMENT", "name", "x", "code", "DEPT-X7", "parentID", chengguan), codes: []string{"BAD_USER_INPUT"}, field: "parentID"},
			{name: "a workshop under a workshop is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: ws("WS-X8", kiln), codes: []string{"BAD_USER_INPUT"}, field: "parentID"},
			{name: "a duplicate code is CONFLICT", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "重名镇", "code", seed.CodeTownChengguan, "parentID", county), codes: []string{"CONFLICT"}, field: "code"},
			{name: "a code taken by a unit outside the caller's jurisdiction is CONFLICT too", user: "chengguan.admin", query: createUnitQ,
				vars: ws(seed.CodeCementKiln, mech), codes: []string{"CONFLICT"}, field: "code"},
			{name: "an empty name is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "", "code", "TOWN-X9", "parentID", county), codes: []string{"BAD_USER_INPUT"}, field: "name"},
			{name: "a blank name is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "  \t ", "code", "TOWN-X10", "parentID", county), codes: []string{"BAD_USER_INPUT"}, field: "name"},
			{name: "a malformed code is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "TOWN", "name", "x", "code", "has space", "parentID", county), codes: []string{"BAD_USER_INPUT"}, field: "code"},
			{name: "an ENTERPRISE through createUnit is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "ENTERPRISE", "name", "x", "code", "ENT-X11", "parentID", chengguan), codes: []string{"BAD_USER_INPUT"}, field: "kind"},
			{name: "a second COUNTY is BAD_USER_INPUT", user: "admin", query: createUnitQ,
				vars: input("kind", "COUNTY", "name", "x", "code", "COUNTY-2", "parentID", county), codes: []string{"BAD_USER_INPUT"}, field: "kind"},
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
				"townID", qiaotou, "creditCode", credit1, "sector", "FUEL", "employeeCount", 9)), "createEnterprise", &station)
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
				"townID", xihe, "creditCode", " "+toLower(code)+" ", "sector", "COMMERCE")), "createEnterprise", &e)
			require.Equal(t, code, e.CreditCode)
			require.Equal(t, "BELOW_SCALE", e.Scale, "the default scale")
		})
		t.Run("explicit supervising departments replace the sector default", func(t *testing.T) {
			var e entOut
			decodeAt(t, gqOK(t, s, admin, createEnterpriseQ, input("name", "示范县应急监管试点企业", "code", "ENT-EMERG",
				"townID", xihe, "creditCode", validCredit(t, "341199", "MA2TEXT02"), "sector", "INDUSTRY",
				"supervisingDepartmentIDs", []string{emergency})), "createEnterprise", &e)
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
				vars: create("creditCode", bad), codes: []string{"BAD_USER_INPUT"}, field: "creditCode"},
			{name: "a credit code of the wrong length is BAD_USER_INPUT on creditCode", user: "admin", query: createEnterpriseQ,
				vars: create("creditCode", "91341199MA2TEXT0"), codes: []string{"BAD_USER_INPUT"}, field: "creditCode"},
			{name: "a credit code with a letter outside the alphabet is BAD_USER_INPUT on creditCode", user: "admin", query: createEnterpriseQ,
				vars: create("creditCode", "91341199MA2TEXTO1X"), codes: []string{"BAD_USER_INPUT"}, field: "creditCode"},
			{name: "a duplicate credit code is CONFLICT on creditCode", user: "admin", query: createEnterpriseQ,
				vars: create("creditCode", cementCredit.Node.CreditCode), codes: []string{"CONFLICT"}, field: "creditCode"},
			{name: "a duplicate credit code in lower case is CONFLICT too", user: "admin", query: createEnterpriseQ,
				vars: create("creditCode", toLower(cementCredit.Node.CreditCode)), codes: []string{"CONFLICT"}, field: "creditCode"},
			{name: "a duplicate credit code outside the caller's jurisdiction is CONFLICT", user: "chengguan.admin", query: createEnterpriseQ,
				vars: create("townID", chengguan, "creditCode", cementCredit.Node.CreditCode), codes: []string{"CONFLICT"}, field: "creditCode"},
			{name: "a duplicate unit code is CONFLICT on code", user: "admin", query: createEnterpriseQ,
				vars: create("code", seed.CodeCement), codes: []string{"CONFLICT"}, field: "code"},
			{name: "a department as town is BAD_USER_INPUT on townID", user: "admin", query: createEnterpriseQ,
				vars: create("townID", dept), codes: []string{"BAD_USER_INPUT"}, field: "townID"},
			{name: "a town of the other tenant is NOT_FOUND", user: "admin", query: createEnterpriseQ,
				vars: create("townID", nbTown), codes: []string{"NOT_FOUND"}},
			{name: "a town as supervising department is BAD_USER_INPUT", user: "admin", query: createEnterpriseQ,
				vars: create("supervisingDepartmentIDs", []string{qiaotou}), codes: []string{"BAD_USER_INPUT"}, field: "supervisingDepartmentIDs"},
			{name: "an empty name is BAD_USER_INPUT", user: "admin", query: createEnterpriseQ,
				vars: create("name", " "), codes: []string{"BAD_USER_INPUT"}, field: "name"},
			{name: "a negative employee count is BAD_USER_INPUT", user: "admin", query: createEnterpriseQ,
				vars: create("employeeCount", -1), codes: []string{"BAD_USER_INPUT"}, field: "employeeCount"},
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
				"scale", "BELOW_SCALE", "creditCode", newCredit)), "updateEnterprise", &p)
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
			decodeAt(t, gqOK(t, s, s.As("cement.principal"), updateEnterpriseQ, idInput(cement, "safetyManager", "刘志强（新任）")), "updateEnterprise", &p)
			require.Equal(t, "刘志强（新任）", p.SafetyManager)
		})
		t.Run("removing every supervising department takes the station out of bureau.fuel's view", func(t *testing.T) {
			var p profile
			decodeAt(t, gqOK(t, s, admin, updateEnterpriseQ, idInput(station.ID, "supervisingDepartmentIDs", []string{})), "updateEnterprise", &p)
			require.Empty(t, viewEnterprise(t, s, admin, station.ID).departments())
			require.NotContains(t, names(s, s.As("bureau.fuel"), "enterprises", ""), "示范县桥头新区综合能源站")
			require.Contains(t, names(s, s.As("qiaotou.head"), "enterprises", ""), "示范县桥头新区综合能源站", "the town still has it")
		})
		runRefusals(t, s, []refusal{
			{name: "updating to another enterprise's credit code is CONFLICT", user: "admin", query: updateEnterpriseQ,
				vars: idInput(paper, "creditCode", cementCredit.Node.CreditCode), codes: []string{"CONFLICT"}, field: "creditCode"},
			{name: "updating to an invalid credit code is BAD_USER_INPUT", user: "admin", query: updateEnterpriseQ,
				vars: idInput(paper, "creditCode", bad), codes: []string{"BAD_USER_INPUT"}, field: "creditCode"},
			{name: "updating to a negative employee count is BAD_USER_INPUT", user: "admin", query: updateEnterpriseQ,
				vars: idInput(paper, "employeeCount", -5), codes: []string{"BAD_USER_INPUT"}, field: "employeeCount"},
			{name: "updating to an empty name is BAD_USER_INPUT", user: "admin", query: updateEnterpriseQ,
				vars: idInput(paper, "name", ""), codes: []string{"BAD_USER_INPUT"}, field: "name"},
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

func TestUsersAndPosts(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, cgAdmin := s.As("admin"), s.As("chengguan.admin")
		county := unitID(t, s, admin, seed.CodeCounty)
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		xihe := unitID(t, s, admin, seed.CodeTownXihe)
		cementUnit := unitID(t, s, admin, seed.CodeCement)
		xiheHead := userID(t, s, admin, "xihe.head")
		headPost := postID(t, s, admin, "县长")
		nb := s.As(seed.NeighborSecretary)
		nbTown := unitID(t, s, nb, seed.CodeNeighborTownHekou)
		nbUser := userID(t, s, nb, "neighbor.head")

		type userOut struct {
			ID, Username, DisplayName, Status, UnitID string
		}
		type postOut struct {
			ID, Role, Title, UnitID, UserID string
			Sectors                         []string
			ValidFrom                       string
			ValidTo                         *string
		}
		var clerk userOut
		var clerkTok string
		t.Run("admin creates a user who can then log in and sees only the directory", func(t *testing.T) {
			decodeAt(t, gqOK(t, s, admin, createUserQ, input("username", "cg.clerk", "displayName", "城关镇办事员",
				"password", seed.DemoPassword, "unitID", chengguan, "phone", "13800001111")), "createUser", &clerk)
			require.Equal(t, "cg.clerk", clerk.Username)
			require.Equal(t, "ACTIVE", clerk.Status)
			require.Equal(t, chengguan, clerk.UnitID)
			clerkTok = s.Login("demo", "cg.clerk")
			require.Zero(t, totalCount(t, s, clerkTok, "enterprises", ""))
			require.Zero(t, totalCount(t, s, clerkTok, "users", ""))
			require.Equal(t, 9, totalCount(t, s, clerkTok, "units", ""), "the 9 government units of the directory")
			r := gqOK(t, s, clerkTok, `{ me { user { username } posts { id } scope { unitsByKind { kind } roles } } }`, nil)
			require.JSONEq(t, `{"me": {"user": {"username": "cg.clerk"}, "posts": [], "scope": {"unitsByKind": [], "roles": []}}}`, string(r.Data))
			require.Contains(t, names(s, s.As("chengguan.head"), "users", ""), "cg.clerk")
			require.NotContains(t, names(s, s.As("xihe.head"), "users", ""), "cg.clerk")
		})
		t.Run("a username of the other tenant is free here", func(t *testing.T) {
			gqOK(t, s, admin, createUserQ, input("username", "neighbor.head", "displayName", "同名用户",
				"password", seed.DemoPassword, "unitID", xihe))
			tok := s.Login("demo", "neighbor.head")
			require.Zero(t, totalCount(t, s, tok, "enterprises", ""))
			require.NotContains(t, names(s, tok, "units", ""), "邻县")
		})
		user := func(kv ...any) map[string]any {
			base := []any{"username", "new.user", "displayName", "新用户", "password", seed.DemoPassword, "unitID", chengguan}
			return input(append(base, kv...)...)
		}
		runRefusals(t, s, []refusal{
			{name: "a duplicate username is CONFLICT", user: "admin", query: createUserQ,
				vars: user("username", "chengguan.head"), codes: []string{"CONFLICT"}, field: "username"},
			{name: "a username taken outside the caller's jurisdiction is CONFLICT too", user: "chengguan.admin", query: createUserQ,
				vars: user("username", "xihe.head"), codes: []string{"CONFLICT"}, field: "username"},
			{name: "a short password is BAD_USER_INPUT", user: "admin", query: createUserQ,
				vars: user("password", "short"), codes: []string{"BAD_USER_INPUT"}, field: "password"},
			{name: "a malformed username is BAD_USER_INPUT", user: "admin", query: createUserQ,
				vars: user("username", "Bad Name"), codes: []string{"BAD_USER_INPUT"}, field: "username"},
			{name: "an empty display name is BAD_USER_INPUT", user: "admin", query: createUserQ,
				vars: user("displayName", ""), codes: []string{"BAD_USER_INPUT"}, field: "displayName"},
			{name: "an unknown home unit is NOT_FOUND", user: "admin", query: createUserQ,
				vars: user("unitID", gid.Encode(8<<32+999_999)), codes: []string{"NOT_FOUND"}},
			{name: "a home unit of the other tenant is NOT_FOUND", user: "admin", query: createUserQ,
				vars: user("unitID", nbTown), codes: []string{"NOT_FOUND"}},
			{name: "chengguan.admin cannot create a user at 西河镇", user: "chengguan.admin", query: createUserQ,
				vars: user("unitID", xihe), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot create a user at an enterprise of another town", user: "chengguan.admin", query: createUserQ,
				vars: user("unitID", cementUnit), codes: []string{"NOT_FOUND"}},
		})

		var deputyPost postOut
		t.Run("a post takes effect on the next request with the same token", func(t *testing.T) {
			decodeAt(t, gqOK(t, s, admin, createPostQ, input("userID", clerk.ID, "unitID", chengguan, "role", "DEPUTY",
				"sectors", []string{"COMMERCE"}, "title", "城关镇商贸办主任")), "createPost", &deputyPost)
			require.Equal(t, "DEPUTY", deputyPost.Role)
			require.Equal(t, []string{"COMMERCE"}, deputyPost.Sectors)
			require.Equal(t, chengguan, deputyPost.UnitID)
			require.Equal(t, clerk.ID, deputyPost.UserID)
			require.Nil(t, deputyPost.ValidTo)
			require.Equal(t, sorted([]string{nameSupermarket, nameHotel}), names(s, clerkTok, "enterprises", ""))
		})
		post := func(kv ...any) map[string]any {
			base := []any{"userID", clerk.ID, "unitID", chengguan, "role", "DEPUTY"}
			return input(append(base, kv...)...)
		}
		runRefusals(t, s, []refusal{
			{name: "an overlapping duplicate post is CONFLICT", user: "admin", query: createPostQ,
				vars: post("sectors", []string{"INDUSTRY"}), codes: []string{"CONFLICT"}},
			{name: "a future post overlapping the open-ended one is CONFLICT", user: "admin", query: createPostQ,
				vars: post("validFrom", "2030-01-01T00:00:00Z", "validTo", "2031-01-01T00:00:00Z"), codes: []string{"CONFLICT"}},
			{name: "a validity window that ends before it starts is BAD_USER_INPUT", user: "admin", query: createPostQ,
				vars: post("role", "INSPECTOR", "validFrom", "2021-01-01T00:00:00Z", "validTo", "2020-01-01T00:00:00Z"), codes: []string{"BAD_USER_INPUT"}, field: "validTo"},
			{name: "sectors on a post at an enterprise are BAD_USER_INPUT", user: "admin", query: createPostQ,
				vars: post("unitID", cementUnit, "role", "SAFETY_OFFICER", "sectors", []string{"INDUSTRY"}), codes: []string{"BAD_USER_INPUT"}, field: "sectors"},
			{name: "an unknown user is NOT_FOUND", user: "admin", query: createPostQ,
				vars: post("userID", gid.Encode(9<<32+999_999), "role", "INSPECTOR"), codes: []string{"NOT_FOUND"}},
			{name: "a user of the other tenant is NOT_FOUND", user: "admin", query: createPostQ,
				vars: post("userID", nbUser, "role", "INSPECTOR"), codes: []string{"NOT_FOUND"}},
			{name: "chengguan.admin cannot grant a post at the county", user: "chengguan.admin", query: createPostQ,
				vars: post("unitID", county, "role", "INSPECTOR"), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot grant a post at another town", user: "chengguan.admin", query: createPostQ,
				vars: post("unitID", xihe, "role", "INSPECTOR"), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot grant an ADMIN post above its own unit", user: "chengguan.admin", query: createPostQ,
				vars: post("unitID", county, "role", "ADMIN"), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot grant a post to a user of another town", user: "chengguan.admin", query: createPostQ,
				vars: post("userID", xiheHead, "role", "INSPECTOR"), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot change a post at the county", user: "chengguan.admin", query: updatePostQ,
				vars: idInput(headPost, "title", "x"), codes: []string{"NOT_FOUND"}},
			{name: "chengguan.admin cannot end a post at the county", user: "chengguan.admin", query: endPostQ,
				vars: map[string]any{"id": headPost}, codes: []string{"NOT_FOUND"}},
			{name: "chengguan.head may not grant posts", user: "chengguan.head", query: createPostQ,
				vars: post("role", "INSPECTOR"), codes: []string{"FORBIDDEN"}},
		})
		t.Run("a past post that does not overlap is accepted and grants nothing now", func(t *testing.T) {
			var p postOut
			decodeAt(t, gqOK(t, s, admin, createPostQ, post("sectors", []string{"INDUSTRY"}, "title", "城关镇工业办（往届）",
				"validFrom", "2020-01-01T00:00:00Z", "validTo", "2021-01-01T00:00:00Z")), "createPost", &p)
			require.NotNil(t, p.ValidTo)
			require.Equal(t, sorted([]string{nameSupermarket, nameHotel}), names(s, clerkTok, "enterprises", ""))
		})
		t.Run("endPost of the holder's last post ends their sessions at once", func(t *testing.T) {
			var p postOut
			decodeAt(t, gqOK(t, s, admin, endPostQ, map[string]any{"id": deputyPost.ID}), "endPost", &p)
			require.NotNil(t, p.ValidTo)
			r := gq(t, s, clerkTok, `{ me { user { username } } }`, nil)
			requireCode(t, r, "UNAUTHENTICATED")
			require.Equal(t, "TOKEN_REVOKED", r.Errors[0].Extensions["reason"])
			var out struct{ Login struct{ AccessToken string } }
			gqOK(t, s, "", `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`,
				map[string]any{"in": in("tenant", "demo", "username", "cg.clerk", "password", seed.DemoPassword)}).Decode(t, &out)
			clerkTok = out.Login.AccessToken // signed in again, without rights
			require.Zero(t, totalCount(t, s, clerkTok, "enterprises", ""))
			r = gqOK(t, s, clerkTok, `{ me { posts { id } } }`, nil)
			require.JSONEq(t, `{"me": {"posts": []}}`, string(r.Data))
			require.Contains(t, names(s, admin, "posts", ""), "城关镇商贸办主任", "an ended post stays on record")
		})
		t.Run("after endPost the same role can be granted again", func(t *testing.T) {
			gqOK(t, s, admin, createPostQ, post("sectors", []string{"COMMERCE"}, "title", "城关镇商贸办主任（续任）"))
			require.Equal(t, 2, totalCount(t, s, clerkTok, "enterprises", ""))
		})
		t.Run("chengguan.admin grants a post at its own town and the holder sees the whole town", func(t *testing.T) {
			var p postOut
			decodeAt(t, gqOK(t, s, cgAdmin, createPostQ, post("role", "INSPECTOR", "title", "城关镇安监员")), "createPost", &p)
			require.Equal(t, "INSPECTOR", p.Role)
			require.Equal(t, 12, totalCount(t, s, clerkTok, "enterprises", ""))
		})
		t.Run("chengguan.admin may grant an ADMIN post at its own unit", func(t *testing.T) {
			gqOK(t, s, cgAdmin, createPostQ, post("role", "ADMIN", "title", "城关镇副管理员"))
		})
		t.Run("a password reset by the admin replaces the old password", func(t *testing.T) {
			gqOK(t, s, admin, updateUserQ, idInput(clerk.ID, "password", "a-brand-new-password"))
			r := gq(t, s, "", loginQ, map[string]any{"in": in("tenant", "demo", "username", "cg.clerk", "password", seed.DemoPassword)})
			requireCode(t, r, "UNAUTHENTICATED")
			r = gq(t, s, "", loginQ, map[string]any{"in": in("tenant", "demo", "username", "cg.clerk", "password", "a-brand-new-password")})
			require.Empty(t, r.Errors)
		})
		runRefusals(t, s, []refusal{
			{name: "the admin cannot disable their own account", user: "admin", query: updateUserQ,
				vars: idInput(userID(t, s, admin, "admin"), "status", "DISABLED"), codes: []string{"BAD_USER_INPUT"}, field: "status"},
			{name: "a short reset password is BAD_USER_INPUT", user: "admin", query: updateUserQ,
				vars: idInput(clerk.ID, "password", "short"), codes: []string{"BAD_USER_INPUT"}, field: "password"},
			{name: "chengguan.admin cannot update a user of another town", user: "chengguan.admin", query: updateUserQ,
				vars: idInput(xiheHead, "phone", "1"), codes: []string{"NOT_FOUND"}},
			{name: "chengguan.admin cannot move its user to another town", user: "chengguan.admin", query: updateUserQ,
				vars: idInput(clerk.ID, "unitID", xihe), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
		})
		t.Run("disabling a user refuses their next request with the old token", func(t *testing.T) {
			var u userOut
			decodeAt(t, gqOK(t, s, admin, updateUserQ, idInput(clerk.ID, "status", "DISABLED")), "updateUser", &u)
			require.Equal(t, "DISABLED", u.Status)
			requireCode(t, gq(t, s, clerkTok, `{ enterprises { totalCount } }`, nil), "UNAUTHENTICATED")
			requireCode(t, gq(t, s, clerkTok, `{ me { user { username } } }`, nil), "UNAUTHENTICATED")
			r := gq(t, s, "", loginQ, map[string]any{"in": in("tenant", "demo", "username", "cg.clerk", "password", "a-brand-new-password")})
			requireCode(t, r, "UNAUTHENTICATED")
		})
		t.Run("re-enabling the user lets them sign in again", func(t *testing.T) {
			gqOK(t, s, admin, updateUserQ, idInput(clerk.ID, "status", "ACTIVE"))
			r := gq(t, s, "", loginQ, map[string]any{"in": in("tenant", "demo", "username", "cg.clerk", "password", "a-brand-new-password")})
			require.Empty(t, r.Errors)
		})
		t.Run("moving a user's home unit moves who may read them", func(t *testing.T) {
			var u userOut
			decodeAt(t, gqOK(t, s, admin, updateUserQ, idInput(clerk.ID, "unitID", xihe)), "updateUser", &u)
			require.Equal(t, xihe, u.UnitID)
			require.NotContains(t, names(s, s.As("chengguan.head"), "users", ""), "cg.clerk")
			require.Contains(t, names(s, s.As("xihe.head"), "users", ""), "cg.clerk")
		})
	})
}

func TestReparent(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		demo := treeOf(seed.TenantDemo)
		mechUnit := unitID(t, s, admin, "ENT-MECH")
		mechProfile := enterpriseID(t, s, admin, nameMech)
		machining := unitID(t, s, admin, "WS-MECH-MACHINING")
		assembly := unitID(t, s, admin, "WS-MECH-ASSEMBLY")
		team := unitID(t, s, admin, "TEAM-MECH-MACHINING-1")
		county := unitID(t, s, admin, seed.CodeCounty)
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		xihe := unitID(t, s, admin, seed.CodeTownXihe)
		kiln := unitID(t, s, admin, seed.CodeCementKiln)
		cementUnit := unitID(t, s, admin, seed.CodeCement)
		hotelUnit := unitID(t, s, admin, seed.CodeHotel)
		nbTown := unitID(t, s, s.As(seed.NeighborSecretary), seed.CodeNeighborTownHekou)

		// People of the enterprise: a principal at the enterprise and a team
		// leader in one of its teams.
		for _, p := range []struct{ username, unit, title string }{
			{"mech.principal", mechUnit, "宏达机电总经理"},
			{"mech.team.leader", team, "车工班班长"},
		} {
			var u struct{ ID string }
			decodeAt(t, gqOK(t, s, admin, createUserQ, input("username", p.username, "displayName", p.title,
				"password", seed.DemoPassword, "unitID", p.unit)), "createUser", &u)
			gqOK(t, s, admin, createPostQ, input("userID", u.ID, "unitID", p.unit, "role", "PRINCIPAL", "title", p.title))
		}
		var mechSubtree []string
		for _, u := range demo.units {
			if demo.under(u.Code, "ENT-MECH") {
				mechSubtree = append(mechSubtree, u.Name)
			}
		}
		require.Len(t, mechSubtree, 1+2+3)
		people := []string{"mech.principal", "mech.team.leader"}
		titles := []string{"宏达机电总经理", "车工班班长"}
		sees := func(t *testing.T, user string, yes bool) {
			t.Helper()
			tok := tokenFor(s, user)
			check := require.Subset
			if !yes {
				check = require.NotSubset
			}
			ents, units, users, posts := names(s, tok, "enterprises", ""), names(s, tok, "units", ""), names(s, tok, "users", ""), names(s, tok, "posts", "")
			check(t, ents, []string{nameMech}, "%s: enterprises", user)
			for _, n := range mechSubtree {
				check(t, units, []string{n}, "%s: units", user)
			}
			for _, n := range people {
				check(t, users, []string{n}, "%s: users", user)
			}
			for _, n := range titles {
				check(t, posts, []string{n}, "%s: posts", user)
			}
		}
		t.Run("before the move 城关镇 sees the enterprise, its units, people and posts and 西河镇 does not", func(t *testing.T) {
			sees(t, "chengguan.head", true)
			sees(t, "chengguan.secretary", true)
			sees(t, "xihe.head", false)
		})

		runRefusals(t, s, []refusal{
			{name: "moving an enterprise under a workshop is BAD_USER_INPUT", user: "admin", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", kiln), codes: []string{"BAD_USER_INPUT"}, field: "parentID"},
			{name: "a failed move does not keep a rename of the same call", user: "admin", query: updateUnitQ,
				vars: idInput(mechUnit, "name", "改名不应生效", "parentID", kiln), codes: []string{"BAD_USER_INPUT"}},
			{name: "moving an enterprise under the county is BAD_USER_INPUT", user: "admin", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", county), codes: []string{"BAD_USER_INPUT"}, field: "parentID"},
			{name: "moving a workshop under its own team is BAD_USER_INPUT", user: "admin", query: updateUnitQ,
				vars: idInput(machining, "parentID", team), codes: []string{"BAD_USER_INPUT"}},
			{name: "moving a unit under itself is BAD_USER_INPUT", user: "admin", query: updateUnitQ,
				vars: idInput(chengguan, "parentID", chengguan), codes: []string{"BAD_USER_INPUT"}},
			{name: "moving the tenant root is BAD_USER_INPUT", user: "admin", query: updateUnitQ,
				vars: idInput(county, "parentID", chengguan), codes: []string{"BAD_USER_INPUT"}},
			{name: "moving an enterprise to a town of the other tenant is NOT_FOUND", user: "admin", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", nbTown), codes: []string{"NOT_FOUND"}},
			{name: "moving to an unknown parent is NOT_FOUND", user: "admin", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", gid.Encode(8<<32+999_999)), codes: []string{"NOT_FOUND"}},
			{name: "chengguan.admin cannot move its enterprise to another town", user: "chengguan.admin", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", xihe), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "mech.principal cannot move its enterprise", user: "mech.principal", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", xihe), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot move a workshop into an enterprise of another town", user: "chengguan.admin", query: updateUnitQ,
				vars: idInput(assembly, "parentID", cementUnit), codes: []string{"NOT_FOUND", "FORBIDDEN"}},
			{name: "xihe.head cannot take an enterprise of 城关镇", user: "xihe.head", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", xihe), codes: []string{"NOT_FOUND"}},
		})

		t.Run("admin moves the enterprise from 城关镇 to 西河镇", func(t *testing.T) {
			var u struct {
				Name, ParentID string
				Depth          int
			}
			decodeAt(t, gqOK(t, s, admin, updateUnitQ, idInput(mechUnit, "parentID", xihe)), "updateUnit", &u)
			require.Equal(t, nameMech, u.Name)
			require.Equal(t, xihe, u.ParentID)
			require.Equal(t, 2, u.Depth)
		})
		t.Run("afterwards 城关镇 sees nothing of it, with the same tokens", func(t *testing.T) {
			sees(t, "chengguan.head", false)
			sees(t, "chengguan.secretary", false)
			sees(t, "auditor.chengguan", false)
			tok := s.As("chengguan.head")
			require.Equal(t, 11, totalCount(t, s, tok, "enterprises", ""))
			r := gqOK(t, s, tok, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{mechProfile, mechUnit, team}})
			require.JSONEq(t, `{"nodes": [null, null, null]}`, string(r.Data))
		})
		t.Run("afterwards 西河镇's heads see it all", func(t *testing.T) {
			sees(t, "xihe.head", true)
			sees(t, "xihe.secretary", true)
		})
		t.Run("xihe.deputy, restricted to commerce, still does not see the industrial enterprise", func(t *testing.T) {
			require.NotContains(t, names(s, s.As("xihe.deputy"), "enterprises", ""), nameMech)
		})
		t.Run("sector and supervision jurisdictions are unchanged", func(t *testing.T) {
			sees(t, "county.deputy.industry", true)
			require.Contains(t, names(s, s.As("bureau.chief"), "enterprises", ""), nameMech)
			require.Equal(t, 7, totalCount(t, s, s.As("county.deputy.industry"), "enterprises", ""))
		})
		t.Run("the enterprise's own people still see their units", func(t *testing.T) {
			tok := s.Login("demo", "mech.principal")
			require.Equal(t, []string{nameMech}, names(s, tok, "enterprises", ""))
			r := gqOK(t, s, tok, `{ enterprises { edges { node { townID town { name } unit { parent { name } children { totalCount } } } } } }`, nil)
			require.JSONEq(t, fmt.Sprintf(`{"enterprises": {"edges": [{"node": {"townID": %q, "town": {"name": "西河镇"},
				"unit": {"parent": {"name": "西河镇"}, "children": {"totalCount": 2}}}}]}}`, xihe), string(r.Data))
			leader := s.Login("demo", "mech.team.leader")
			r = gqOK(t, s, leader, `query($id: ID!) { node(id: $id) { ... on Unit { name parent { name } } } }`, map[string]any{"id": team})
			require.JSONEq(t, `{"node": {"name": "车工班", "parent": null}}`, string(r.Data))
		})
		t.Run("the whole subtree hangs below 西河镇 for the admin", func(t *testing.T) {
			r := gqOK(t, s, admin, `query($id: ID!) { node(id: $id) { ... on Unit { depth parent { depth parent { depth parent { name } } } } } }`, map[string]any{"id": team})
			require.JSONEq(t, `{"node": {"depth": 4, "parent": {"depth": 3, "parent": {"depth": 2, "parent": {"name": "西河镇"}}}}}`, string(r.Data))
		})

		t.Run("a workshop moved to a commerce enterprise takes its sector and leaves the industrial view", func(t *testing.T) {
			var u struct{ Sector, ParentID string }
			decodeAt(t, gqOK(t, s, admin, updateUnitQ, idInput(assembly, "parentID", hotelUnit)), "updateUnit", &u)
			require.Equal(t, "COMMERCE", u.Sector)
			require.Equal(t, hotelUnit, u.ParentID)
			require.NotContains(t, names(s, s.As("county.deputy.industry"), "units", ""), "装配车间")
			require.Contains(t, names(s, s.As("chengguan.head"), "units", ""), "装配车间")
			require.NotContains(t, names(s, s.As("xihe.head"), "units", ""), "装配车间")
			r := gqOK(t, s, admin, `{ units(where: {code: "TEAM-MECH-ASSEMBLY-1"}) { edges { node { sector parent { parent { name } } } } } }`, nil)
			require.JSONEq(t, fmt.Sprintf(`{"units": {"edges": [{"node": {"sector": "COMMERCE", "parent": {"parent": {"name": %q}}}}]}}`, nameHotel), string(r.Data))
		})
		t.Run("a workshop moved to another enterprise takes its people into that enterprise's jurisdiction", func(t *testing.T) {
			gqOK(t, s, admin, updateUnitQ, idInput(machining, "parentID", cementUnit))
			cp := s.As("cement.principal")
			require.Subset(t, names(s, cp, "units", ""), []string{"机加工车间", "车工班", "铣磨班"})
			require.Contains(t, names(s, cp, "users", ""), "mech.team.leader")
			require.Contains(t, names(s, cp, "posts", ""), "车工班班长")
			mp := s.Login("demo", "mech.principal")
			require.NotContains(t, names(s, mp, "units", ""), "机加工车间")
			require.NotContains(t, names(s, mp, "users", ""), "mech.team.leader")
			require.Contains(t, names(s, s.As("nanshan.head"), "users", ""), "mech.team.leader")
			require.NotContains(t, names(s, s.As("xihe.head"), "users", ""), "mech.team.leader")
		})
	})
}

// enterpriseView is an enterprise with its edges, read after a mutation.
type enterpriseView struct {
	Town struct{ ID, Name string }
	Unit struct {
		ID, Kind, Name, Code, Sector string
		Depth                        int
		Parent                       struct{ Name string }
	}
	SupervisingDepartments []struct{ Name string }
}

func (v enterpriseView) departments() []string {
	out := []string{}
	for _, d := range v.SupervisingDepartments {
		out = append(out, d.Name)
	}
	return out
}

func viewEnterprise(t testing.TB, s *apitest.Server, token, id string) enterpriseView {
	t.Helper()
	var out struct{ Node *enterpriseView }
	gqOK(t, s, token, `query($id: ID!) { node(id: $id) { ... on Enterprise { town { id name }
		unit { id kind name code sector depth parent { name } } supervisingDepartments { name } } } }`,
		map[string]any{"id": id}).Decode(t, &out)
	require.NotNil(t, out.Node, "enterprise %s is not visible", id)
	return *out.Node
}

// TestMutationPayloadsResolveEdges: the object a mutation returns is usable
// like any other — its edges resolve (after the mutation's transaction).
func TestMutationPayloadsResolveEdges(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		county := unitID(t, s, admin, seed.CodeCounty)
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		mech := enterpriseID(t, s, admin, nameMech)
		inspector := userID(t, s, admin, "bureau.inspector1")
		post := postOfUser(t, s, admin, "bureau.inspector2")
		credit := validCredit(t, "341199", "MA2EDGE01")
		steps := []struct {
			name, query string
			vars        map[string]any
			want        string
		}{
			{"createUnit returns its parent", `mutation($in: CreateUnitInput!) { createUnit(input: $in) { parent { name } children { totalCount } } }`,
				input("kind", "TOWN", "name", "边缘镇", "code", "TOWN-EDGE", "parentID", county),
				`{"createUnit": {"parent": {"name": "示范县"}, "children": {"totalCount": 0}}}`},
			{"updateUnit returns its parent", `mutation($id: ID!, $in: UpdateUnitInput!) { updateUnit(id: $id, input: $in) { parent { name } } }`,
				idInput(chengguan, "name", "城关镇"), `{"updateUnit": {"parent": {"name": "示范县"}}}`},
			{"createEnterprise returns its unit and town", `mutation($in: CreateEnterpriseInput!) { createEnterprise(input: $in) { unit { name } town { name } supervisingDepartments { name } } }`,
				input("name", "示范县边缘加油站", "code", "FUEL-EDGE", "townID", chengguan, "creditCode", credit, "sector", "FUEL"),
				`{"createEnterprise": {"unit": {"name": "示范县边缘加油站"}, "town": {"name": "城关镇"}, "supervisingDepartments": [{"name": "县工信商务局"}]}}`},
			{"updateEnterprise returns its unit and town", `mutation($id: ID!, $in: UpdateEnterpriseInput!) { updateEnterprise(id: $id, input: $in) { unit { name } town { name } } }`,
				idInput(mech, "address", "城关镇工业园区纬一路21号"), fmt.Sprintf(`{"updateEnterprise": {"unit": {"name": %q}, "town": {"name": "城关镇"}}}`, nameMech)},
			{"createUser returns its unit", `mutation($in: CreateUserInput!) { createUser(input: $in) { unit { name } posts { totalCount } } }`,
				input("username", "edge.user", "displayName", "边缘用户", "password", seed.DemoPassword, "unitID", chengguan),
				`{"createUser": {"unit": {"name": "城关镇"}, "posts": {"totalCount": 0}}}`},
			{"updateUser returns its unit", `mutation($id: ID!, $in: UpdateUserInput!) { updateUser(id: $id, input: $in) { unit { name } } }`,
				idInput(inspector, "phone", "13800002222"), `{"updateUser": {"unit": {"name": "县工信商务局"}}}`},
			{"createPost returns its unit and user", `mutation($in: CreatePostInput!) { createPost(input: $in) { unit { name } user { username } } }`,
				input("userID", inspector, "unitID", chengguan, "role", "INSPECTOR"),
				`{"createPost": {"unit": {"name": "城关镇"}, "user": {"username": "bureau.inspector1"}}}`},
			{"updatePost returns its unit", `mutation($id: ID!, $in: UpdatePostInput!) { updatePost(id: $id, input: $in) { unit { name } } }`,
				idInput(post, "title", "监管员"), `{"updatePost": {"unit": {"name": "县工信商务局"}}}`},
			{"endPost returns its unit", `mutation($id: ID!) { endPost(id: $id) { unit { name } } }`,
				map[string]any{"id": post}, `{"endPost": {"unit": {"name": "县工信商务局"}}}`},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				r := gqOK(t, s, admin, st.query, st.vars)
				require.JSONEq(t, st.want, string(r.Data))
			})
		}
	})
}
