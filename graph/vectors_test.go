package graph_test

// The brief's demo-county test vectors (BRIEF §4), as GraphQL over HTTP on
// every available database: for each demo user, exactly which enterprises,
// units, users and posts they see.

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/seed"
)

// unitRule decides, from the seed's description of a unit, whether it is in
// a viewer's jurisdiction (BRIEF §4: territory and sectors; the government
// directory is added separately).
type unitRule func(u seed.UnitInfo) bool

func anyUnit(seed.UnitInfo) bool { return true }

func below(tr *seedTree, code string) unitRule {
	return func(u seed.UnitInfo) bool { return tr.under(u.Code, code) }
}

// supervisedBy is the supervision territory of a department: every
// enterprise-side unit of a sector the department supervises (the demo's
// supervision edges are the defaults, by sector).
func supervisedBy(tr *seedTree, dept string) unitRule {
	secs := tr.byCode[dept].SupervisedSectors
	return func(u seed.UnitInfo) bool { return !isGov(u) && slices.Contains(secs, u.Sector) }
}

func govOrSector(secs ...domain.Sector) unitRule {
	return func(u seed.UnitInfo) bool { return isGov(u) || slices.Contains(secs, u.Sector) }
}

func anyOf(rs ...unitRule) unitRule {
	return func(u seed.UnitInfo) bool {
		for _, r := range rs {
			if r(u) {
				return true
			}
		}
		return false
	}
}

func allOf(rs ...unitRule) unitRule {
	return func(u seed.UnitInfo) bool {
		for _, r := range rs {
			if !r(u) {
				return false
			}
		}
		return true
	}
}

func sectorIs(s domain.Sector) unitRule {
	return func(u seed.UnitInfo) bool { return u.Sector == s }
}

func inTown(tr *seedTree, town string) unitRule {
	return func(u seed.UnitInfo) bool { return u.Kind == domain.KindEnterprise && u.Parent == town }
}

// vector is one row of the brief's table.
type vector struct {
	user string
	// sees completes the sub-test name: "<user> sees <sees>".
	sees string
	// enterprises selects the enterprises the user sees, stated as the brief
	// states it (e.g. "fuel stations only").
	enterprises unitRule
	// scope is the jurisdiction proper: territory × sectors of the posts.
	scope unitRule
	// count is the number of enterprises, hard-coded from the seed.
	count int
	// anchors must be among the enterprises seen; absent must not.
	anchors, absent []string
}

const (
	nameCement      = "示范县恒固水泥有限公司"
	namePaper       = "示范县清源纸业有限公司"
	nameMech        = "示范县宏达机电设备有限公司"
	nameSupermarket = "示范县万家福超市有限公司"
	nameHotel       = "示范县南湖大酒店有限公司"
	nameMarket      = "示范县西河农贸市场管理有限公司"
	nameFruit       = "示范县西河果业有限公司"
	nameLogistics   = "示范县顺达物流有限公司"
	namePaperFuel   = "示范县清源纸业有限公司加油站"
	nameCNPC        = "中国石油示范县城关加油站"
	nameNanshanFuel = "中国石化示范县南山加油站"
	nameNeighborBld = "邻县青石建材有限公司"
	nameNeighborSup = "邻县惠民超市有限公司"
)

func demoVectors(tr *seedTree) []vector {
	I, C, F := domain.SectorIndustry, domain.SectorCommerce, domain.SectorFuel
	dept := seed.CodeDeptIndustryCommerce
	county := vector{
		sees: "all enterprises of the county", enterprises: anyUnit, scope: anyUnit, count: 13 + seed.FuelStations,
		anchors: []string{nameCement, nameMarket, namePaperFuel, nameCNPC}, absent: []string{nameNeighborBld},
	}
	chengguan := vector{
		sees: "all enterprises of 城关镇 and nothing of other towns", enterprises: inTown(tr, seed.CodeTownChengguan),
		scope: below(tr, seed.CodeTownChengguan), count: 3 + 9,
		anchors: []string{nameMech, nameSupermarket, nameHotel, nameCNPC},
		absent:  []string{nameCement, namePaper, nameMarket, namePaperFuel, nameLogistics},
	}
	with := func(v vector, user string) vector { v.user = user; return v }
	return []vector{
		with(county, "county.secretary"),
		with(county, "county.head"),
		{
			user: "county.deputy.industry", sees: "only industrial enterprises, in every town",
			enterprises: sectorIs(I), scope: govOrSector(I), count: 7,
			anchors: []string{nameCement, namePaper, nameMech}, absent: []string{nameMarket, nameHotel, namePaperFuel, nameCNPC},
		},
		{
			user: "bureau.chief", sees: "every enterprise the bureau supervises, in every town",
			enterprises: func(u seed.UnitInfo) bool { return slices.Contains([]domain.Sector{I, C, F}, u.Sector) },
			scope:       anyOf(below(tr, dept), supervisedBy(tr, dept)), count: 13 + seed.FuelStations,
			anchors: []string{nameCement, nameMarket, namePaperFuel, nameNanshanFuel},
		},
		{
			user: "bureau.fuel", sees: "only fuel stations",
			enterprises: sectorIs(F), scope: allOf(anyOf(below(tr, dept), supervisedBy(tr, dept)), govOrSector(F)),
			count:   seed.FuelStations,
			anchors: []string{namePaperFuel, nameCNPC, nameNanshanFuel}, absent: []string{namePaper, nameCement, nameMarket},
		},
		with(chengguan, "chengguan.secretary"),
		with(chengguan, "chengguan.head"),
		{
			user: "xihe.deputy", sees: "only commerce in 西河镇",
			enterprises: allOf(inTown(tr, seed.CodeTownXihe), sectorIs(C)),
			scope:       allOf(below(tr, seed.CodeTownXihe), govOrSector(C)), count: 2,
			anchors: []string{nameMarket, nameFruit}, absent: []string{namePaper, namePaperFuel, nameSupermarket, nameHotel},
		},
		{
			user: "cement.principal", sees: "only its own enterprise",
			enterprises: func(u seed.UnitInfo) bool { return u.Code == seed.CodeCement },
			scope:       below(tr, seed.CodeCement), count: 1,
			anchors: []string{nameCement}, absent: []string{namePaper},
		},
		{
			user: "cement.kiln.head", sees: "no enterprise, only its workshop and teams",
			enterprises: func(seed.UnitInfo) bool { return false },
			scope:       below(tr, seed.CodeCementKiln), count: 0,
			absent: []string{nameCement},
		},
		with(county, "auditor.county"),
		with(chengguan, "auditor.chengguan"),
		with(county, "admin"),
	}
}

func neighborVector(tr *seedTree) vector {
	return vector{
		user: seed.NeighborSecretary, sees: "only 邻县's own enterprises and nothing of 示范县",
		enterprises: anyUnit, scope: anyUnit, count: 4,
		anchors: []string{nameNeighborBld, nameNeighborSup}, absent: []string{nameCement, nameCNPC, nameSupermarket},
	}
}

// expected is what a vector's user must see, computed from the seed.
type expected struct {
	enterprises, units, users, posts []string
	// unitsByKind counts the units of the jurisdiction proper (me.scope).
	unitsByKind map[string]int
}

func expect(tr *seedTree, v vector) expected {
	var e expected
	e.unitsByKind = map[string]int{}
	for _, u := range tr.units {
		if v.scope(u) {
			e.unitsByKind[string(u.Kind)]++
		}
		if v.scope(u) || isGov(u) {
			e.units = append(e.units, u.Name)
		}
	}
	e.enterprises = tr.enterpriseNames(v.enterprises)
	for _, u := range usersOf(tr.tenant) {
		// A user is read through their home unit: the unit of their first post.
		if v.scope(tr.byCode[u.Posts[0].UnitCode]) {
			e.users = append(e.users, u.Username)
		}
		for _, p := range u.Posts {
			if v.scope(tr.byCode[p.UnitCode]) {
				e.posts = append(e.posts, p.Title)
			}
		}
	}
	e.units, e.users, e.posts = sorted(e.units), sorted(e.users), sorted(e.posts)
	return e
}

func TestDemoVectors(t *testing.T) {
	demo, neighbor := treeOf(seed.TenantDemo), treeOf(seed.TenantNeighbor)
	type row struct {
		v  vector
		tr *seedTree
	}
	var rows []row
	for _, v := range demoVectors(demo) {
		rows = append(rows, row{v, demo})
	}
	rows = append(rows, row{neighborVector(neighbor), neighbor})

	// The table covers every user of the brief's table.
	var covered []string
	for _, r := range rows {
		covered = append(covered, r.v.user)
	}
	require.ElementsMatch(t, append(slices.Clone(seed.TestVectorUsernames), seed.NeighborSecretary), covered)

	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		for _, r := range rows {
			v, tr := r.v, r.tr
			want := expect(tr, v)
			t.Run(v.user+" sees "+v.sees, func(t *testing.T) {
				// Self-check of the table: the brief's wording of the
				// enterprises and the jurisdiction rule agree.
				var byScope []string
				for _, u := range tr.units {
					if u.Kind == domain.KindEnterprise && v.scope(u) {
						byScope = append(byScope, u.Name)
					}
				}
				require.Equal(t, want.enterprises, sorted(byScope), "test table: enterprises rule and scope rule disagree")
				require.Len(t, want.enterprises, v.count, "test table: hard-coded count")

				tok := tokenFor(s, v.user)
				t.Run("enterprises", func(t *testing.T) {
					got := names(s, tok, "enterprises", "")
					require.Equal(t, want.enterprises, got)
					require.Len(t, got, v.count)
					require.Equal(t, v.count, totalCount(t, s, tok, "enterprises", ""))
					for _, a := range v.anchors {
						require.Contains(t, got, a)
					}
					for _, a := range v.absent {
						require.NotContains(t, got, a)
					}
				})
				t.Run("units: enterprise side in scope plus the government directory", func(t *testing.T) {
					require.Equal(t, want.units, names(s, tok, "units", ""))
					require.Equal(t, len(want.units), totalCount(t, s, tok, "units", ""))
				})
				t.Run("users whose home unit is in scope", func(t *testing.T) {
					require.Equal(t, want.users, names(s, tok, "users", ""))
					require.Equal(t, len(want.users), totalCount(t, s, tok, "users", ""))
				})
				t.Run("posts whose unit is in scope", func(t *testing.T) {
					require.Equal(t, want.posts, names(s, tok, "posts", ""))
					require.Equal(t, len(want.posts), totalCount(t, s, tok, "posts", ""))
				})
				t.Run("me returns the user, their posts and a scope summary", func(t *testing.T) {
					checkMe(t, s, tok, tr, v, want)
				})
			})
		}
	})
}

func checkMe(t *testing.T, s *apitest.Server, tok string, tr *seedTree, v vector, want expected) {
	r := gqOK(t, s, tok, `{ me {
		user { username displayName }
		tenant { code }
		posts { title role sectors unit { code name } }
		scope { unitsByKind { kind count } sectors roles }
	} }`, nil)
	var out struct {
		Me struct {
			User   struct{ Username, DisplayName string }
			Tenant struct{ Code string }
			Posts  []struct {
				Title   string
				Role    string
				Sectors []string
				Unit    struct{ Code, Name string }
			}
			Scope struct {
				UnitsByKind []struct {
					Kind  string
					Count int
				}
				Sectors []string
				Roles   []string
			}
		}
	}
	r.Decode(t, &out)
	info := seedUser(v.user)
	require.Equal(t, v.user, out.Me.User.Username)
	require.Equal(t, info.DisplayName, out.Me.User.DisplayName)
	require.Equal(t, tr.tenant, out.Me.Tenant.Code)

	require.Len(t, out.Me.Posts, len(info.Posts))
	var roles []string
	var secs []string
	unrestricted := false
	for i, p := range info.Posts {
		got := out.Me.Posts[i]
		require.Equal(t, p.Title, got.Title)
		require.Equal(t, string(p.Role), got.Role)
		require.Equal(t, p.UnitCode, got.Unit.Code)
		require.Equal(t, p.UnitName, got.Unit.Name)
		var ps []string
		for _, x := range p.Sectors {
			ps = append(ps, string(x))
		}
		require.ElementsMatch(t, ps, got.Sectors)
		if !slices.Contains(roles, string(p.Role)) {
			roles = append(roles, string(p.Role))
		}
		if len(p.Sectors) == 0 {
			unrestricted = true
		}
		secs = append(secs, ps...)
	}
	sort.Strings(roles)
	require.Equal(t, roles, out.Me.Scope.Roles)
	if unrestricted {
		require.Nil(t, out.Me.Scope.Sectors, "a post without sectors: no sector restriction")
	} else {
		require.ElementsMatch(t, secs, out.Me.Scope.Sectors)
	}
	gotKinds := map[string]int{}
	for _, k := range out.Me.Scope.UnitsByKind {
		gotKinds[k.Kind] = k.Count
	}
	require.Equal(t, want.unitsByKind, gotKinds, "scope summary: units of the jurisdiction by kind")
}

// identicalQueries are asked of both principals of one unit (党政同责): the
// answers must be byte-identical.
var identicalQueries = []string{
	`{ enterprises(first: 100, orderBy: {field: NAME}) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		edges { cursor node { id createdAt updatedAt name creditCode sector scale industryCategory address legalRepresentative
			safetyManager contactPhone employeeCount keySites townID unitID town { id name } unit { id code depth sector }
			supervisingDepartments { id name supervisedSectors } } } } }`,
	`{ units(first: 150) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id kind name code depth sector
		supervisedSectors parentID parent { id name } enterprise { id name }
		children(first: 10) { totalCount edges { node { id name } } }
		members(first: 5) { totalCount edges { node { username } } }
		posts(first: 5) { totalCount edges { node { title role } } } } } } }`,
	`{ units(where: {kind: TOWN}, orderBy: {field: CODE, direction: DESC}) { totalCount edges { node { name children(first: 30) { totalCount edges { node { name } } } } } } }`,
	`{ users(first: 100, orderBy: {field: USERNAME}) { totalCount edges { node { id username displayName phone status unitID
		unit { name } posts(first: 5) { totalCount edges { node { title validFrom validTo } } } } } } }`,
	`{ posts(first: 100, orderBy: {field: ROLE}) { totalCount edges { node { id title role sectors validFrom validTo userID unitID unit { name } user { username } } } } }`,
	`{ enterprises(where: {sector: FUEL}, first: 5, orderBy: {field: EMPLOYEE_COUNT, direction: DESC}) { totalCount edges { node { name employeeCount } } } }`,
	`{ enterprises(where: {or: [{sector: COMMERCE}, {nameContains: "水泥"}]}) { totalCount edges { node { name } } } }`,
	`{ units(where: {kind: ENTERPRISE, sectorIn: [INDUSTRY]}, last: 3) { totalCount edges { node { name } } } }`,
	`{ me { scope { unitsByKind { kind count } sectors } } }`,
	`{ responsibilityLetters(first: 200, orderBy: {field: TITLE}, where: {yearIn: [2022, 2023]}) { totalCount edges { node { id year state title
		issuerName signeeName issuer { name } signee { name } signatures { role signerName } events { action actorName } missingSignatures } } } }`,
	`{ policyRules { role object action } }`,
}

func TestUnitPrincipalsAnswerIdentically(t *testing.T) {
	pairs := []struct{ secretary, head string }{
		{"county.secretary", "county.head"},
		{"chengguan.secretary", "chengguan.head"},
	}
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		ids := []string{
			enterpriseID(t, s, admin, nameCement), enterpriseID(t, s, admin, nameMech), enterpriseID(t, s, admin, nameCNPC),
			unitID(t, s, admin, seed.CodeCementKiln), unitID(t, s, admin, seed.CodeTownChengguan), unitID(t, s, admin, seed.CodeCounty),
			userID(t, s, admin, "cement.principal"), userID(t, s, admin, "chengguan.admin"),
			postID(t, s, admin, "城关镇系统管理员"), postID(t, s, admin, "县长"),
		}
		nodesQuery := `query($ids: [ID!]!) { nodes(ids: $ids) { id __typename ... on Unit { name parent { name } }
			... on Enterprise { name town { name } } ... on User { username } ... on Post { title } } }`
		for _, p := range pairs {
			t.Run(p.secretary+" and "+p.head+" give byte-identical answers", func(t *testing.T) {
				a, b := s.As(p.secretary), s.As(p.head)
				queries := append(slices.Clone(identicalQueries), nodesQuery)
				for _, q := range queries {
					vars := map[string]any{"ids": ids}
					ra, rb := gq(t, s, a, q, vars), gq(t, s, b, q, vars)
					if !strings.Contains(q, "policyRules") {
						// policyRules is the only query a unit head of a town may be refused.
						require.Empty(t, ra.Errors, "%s", oneLine(q))
						require.NotEqual(t, "null", string(ra.Data))
					}
					require.Equal(t, string(ra.Data), string(rb.Data), "data differ for %s", oneLine(q))
					ea, _ := json.Marshal(ra.Errors)
					eb, _ := json.Marshal(rb.Errors)
					require.Equal(t, string(ea), string(eb), "errors differ for %s", oneLine(q))
				}
			})
		}
	})
}

func TestNodeOutOfScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, nb := s.As("admin"), s.As(seed.NeighborSecretary)
		cement, mech := enterpriseID(t, s, admin, nameCement), enterpriseID(t, s, admin, nameMech)
		cementUnit := unitID(t, s, admin, seed.CodeCement)
		kiln := unitID(t, s, admin, seed.CodeCementKiln)
		cementUser := userID(t, s, admin, "cement.principal")
		cementPost := postID(t, s, admin, "总经理（主要负责人）")
		nbEnt := enterpriseID(t, s, nb, nameNeighborBld)
		nbTown := unitID(t, s, nb, seed.CodeNeighborTownHekou)
		nbUser := userID(t, s, nb, "neighbor.head")
		nbCounty := unitID(t, s, nb, seed.CodeCounty)
		var nbMe struct {
			Me struct{ Tenant struct{ ID string } }
		}
		gqOK(t, s, nb, `{ me { tenant { id } } }`, nil).Decode(t, &nbMe)
		nbTenant := nbMe.Me.Tenant.ID

		nodeQ := `query($id: ID!) { node(id: $id) { id } }`
		nodesQ := `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`
		cases := []struct {
			name, user, id string
		}{
			{"chengguan.head gets null for an enterprise of 南山镇", "chengguan.head", cement},
			{"chengguan.head gets null for that enterprise's unit", "chengguan.head", cementUnit},
			{"chengguan.head gets null for a workshop of 南山镇", "chengguan.head", kiln},
			{"chengguan.head gets null for a user of 南山镇", "chengguan.head", cementUser},
			{"chengguan.head gets null for a post of 南山镇", "chengguan.head", cementPost},
			{"bureau.fuel gets null for an industrial enterprise", "bureau.fuel", cement},
			{"xihe.deputy gets null for an enterprise of another town", "xihe.deputy", cement},
			{"cement.kiln.head gets null for its own enterprise", "cement.kiln.head", cement},
			{"county.head gets null for an enterprise of 邻县", "county.head", nbEnt},
			{"county.head gets null for a town of 邻县", "county.head", nbTown},
			{"county.head gets null for 邻县 itself", "county.head", nbCounty},
			{"admin gets null for a user of 邻县", "admin", nbUser},
			{"admin gets null for the tenant 邻县", "admin", nbTenant},
			{"county.head gets null for the id of an internal policy row", "county.head", gid.Encode(5)},
			{"county.head gets null for the id of a supervision row", "county.head", gid.Encode(25769803776 + 3)},
			{"neighbor.secretary gets null for an enterprise of 示范县", seed.NeighborSecretary, cement},
			{"neighbor.secretary gets null for a workshop of 示范县", seed.NeighborSecretary, kiln},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := gq(t, s, tokenFor(s, c.user), nodeQ, map[string]any{"id": c.id})
				require.Empty(t, r.Errors)
				require.JSONEq(t, `{"node": null}`, string(r.Data))
			})
		}
		t.Run("nodes returns null in place of each invisible id", func(t *testing.T) {
			r := gq(t, s, s.As("chengguan.head"), nodesQ, map[string]any{"ids": []string{mech, cement, nbEnt, mech, cementUser}})
			require.Empty(t, r.Errors)
			require.JSONEq(t, fmt.Sprintf(`{"nodes": [{"id": %q}, null, null, {"id": %q}, null]}`, mech, mech), string(r.Data))
		})
		t.Run("a user sees their own tenant as a node", func(t *testing.T) {
			var me struct {
				Me struct{ Tenant struct{ ID string } }
			}
			tok := s.As("cement.kiln.head")
			gqOK(t, s, tok, `{ me { tenant { id } } }`, nil).Decode(t, &me)
			r := gqOK(t, s, tok, `query($id: ID!) { node(id: $id) { ... on Tenant { code name } } }`, map[string]any{"id": me.Me.Tenant.ID})
			require.JSONEq(t, `{"node": {"code": "demo", "name": "示范县"}}`, string(r.Data))
		})
		t.Run("the same ids are visible to county.head except 邻县's", func(t *testing.T) {
			r := gq(t, s, s.As("county.head"), nodesQ, map[string]any{"ids": []string{mech, cement, nbEnt}})
			require.Empty(t, r.Errors)
			require.JSONEq(t, fmt.Sprintf(`{"nodes": [{"id": %q}, {"id": %q}, null]}`, mech, cement), string(r.Data))
		})
		t.Run("an id that exists nowhere is null too", func(t *testing.T) {
			for _, id := range []int{
				34359738368 + 999_999, // in the units range, past every row
				99_999_999_999,        // in no table's range
			} {
				r := gq(t, s, s.As("county.head"), nodeQ, map[string]any{"id": gid.Encode(id)})
				require.Empty(t, r.Errors, "id %d", id)
				require.JSONEq(t, `{"node": null}`, string(r.Data), "id %d", id)
			}
		})
	})
}

func TestNestedEdgesAreScoped(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		kiln := unitID(t, s, admin, seed.CodeCementKiln)
		county := unitID(t, s, admin, seed.CodeCounty)
		xihe := unitID(t, s, admin, seed.CodeTownXihe)
		dept := unitID(t, s, admin, seed.CodeDeptIndustryCommerce)
		nanshanFuel := enterpriseID(t, s, admin, nameNanshanFuel)

		t.Run("cement.kiln.head sees its workshop and teams but not the enterprise above", func(t *testing.T) {
			r := gqOK(t, s, s.As("cement.kiln.head"), `query($id: ID!) { node(id: $id) { ... on Unit {
				name parent { name } enterprise { name } children { totalCount edges { node { name parent { name } } } } } } }`,
				map[string]any{"id": kiln})
			require.JSONEq(t, `{"node": {"name": "回转窑车间", "parent": null, "enterprise": null, "children": {"totalCount": 2, "edges": [
				{"node": {"name": "烧成甲班", "parent": {"name": "回转窑车间"}}},
				{"node": {"name": "烧成乙班", "parent": {"name": "回转窑车间"}}}]}}}`, string(r.Data))
		})
		t.Run("chengguan.head lists every town but only its own town's children", func(t *testing.T) {
			r := gqOK(t, s, s.As("chengguan.head"), `{ units(where: {kind: TOWN}, first: 20) { totalCount edges { node {
				code name children(first: 50) { totalCount edges { node { name } } } members { totalCount } } } } }`, nil)
			var out struct {
				Units struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Code, Name string
							Children   struct {
								TotalCount int
								Edges      []struct{ Node struct{ Name string } }
							}
							Members struct{ TotalCount int }
						}
					}
				}
			}
			r.Decode(t, &out)
			demo := treeOf(seed.TenantDemo)
			var towns []string
			for _, u := range demo.units {
				if u.Kind == domain.KindTown {
					towns = append(towns, u.Name)
				}
			}
			require.Equal(t, len(towns), out.Units.TotalCount)
			var got []string
			for _, e := range out.Units.Edges {
				n := e.Node
				got = append(got, n.Name)
				if n.Code == seed.CodeTownChengguan {
					require.Equal(t, 12, n.Children.TotalCount, "城关镇's enterprises")
					require.Len(t, n.Children.Edges, 12)
					require.Equal(t, 4, n.Members.TotalCount, "城关镇's own staff")
					continue
				}
				require.Zero(t, n.Children.TotalCount, "children of %s", n.Name)
				require.Empty(t, n.Children.Edges, "children of %s", n.Name)
				require.Zero(t, n.Members.TotalCount, "members of %s", n.Name)
			}
			require.ElementsMatch(t, towns, got)
		})
		t.Run("the directory shows the county's government children but none of its people", func(t *testing.T) {
			r := gqOK(t, s, s.As("chengguan.head"), `query($id: ID!) { node(id: $id) { ... on Unit {
				children(first: 50) { totalCount } members { totalCount edges { node { username } } } posts { totalCount } } } }`,
				map[string]any{"id": county})
			require.JSONEq(t, `{"node": {"children": {"totalCount": 8}, "members": {"totalCount": 0, "edges": []}, "posts": {"totalCount": 0}}}`, string(r.Data))
		})
		t.Run("xihe.deputy sees 西河镇's commerce children and staff only", func(t *testing.T) {
			r := gqOK(t, s, s.As("xihe.deputy"), `query($id: ID!) { node(id: $id) { ... on Unit {
				children(first: 50) { totalCount edges { node { name sector } } } members { totalCount } posts { totalCount } } } }`,
				map[string]any{"id": xihe})
			var out struct {
				Node struct {
					Children struct {
						TotalCount int
						Edges      []struct{ Node struct{ Name, Sector string } }
					}
					Members, Posts struct{ TotalCount int }
				}
			}
			r.Decode(t, &out)
			require.Equal(t, 2, out.Node.Children.TotalCount)
			var got []string
			for _, e := range out.Node.Children.Edges {
				require.Equal(t, "COMMERCE", e.Node.Sector)
				got = append(got, e.Node.Name)
			}
			require.ElementsMatch(t, []string{nameMarket, nameFruit}, got)
			require.Equal(t, 3, out.Node.Members.TotalCount)
			require.Equal(t, 3, out.Node.Posts.TotalCount)
		})
		t.Run("bureau.fuel sees the bureau's staff and the town of a station it supervises", func(t *testing.T) {
			tok := s.As("bureau.fuel")
			r := gqOK(t, s, tok, `query($id: ID!) { node(id: $id) { ... on Unit { members { totalCount } posts { totalCount } } } }`,
				map[string]any{"id": dept})
			require.JSONEq(t, `{"node": {"members": {"totalCount": 5}, "posts": {"totalCount": 5}}}`, string(r.Data))
			r = gqOK(t, s, tok, `query($id: ID!) { node(id: $id) { ... on Enterprise { name town { name } unit { name parent { name } children { totalCount } }
				supervisingDepartments { name } } } }`, map[string]any{"id": nanshanFuel})
			require.JSONEq(t, fmt.Sprintf(`{"node": {"name": %q, "town": {"name": "南山镇"}, "unit": {"name": %q, "parent": {"name": "南山镇"}, "children": {"totalCount": 0}},
				"supervisingDepartments": [{"name": "县工信商务局"}]}}`, nameNanshanFuel, nameNanshanFuel), string(r.Data))
		})
		t.Run("cement.principal sees its enterprise's whole subtree and staff", func(t *testing.T) {
			tok := s.As("cement.principal")
			require.Equal(t, 1+3+6+9, totalCount(t, s, tok, "units", ""), "its enterprise, 3 workshops, 6 teams and the 9 government units")
			r := gqOK(t, s, tok, `{ enterprises(first: 5) { edges { node { name unit {
				children(first: 5) { totalCount edges { node { name children(first: 5) { totalCount } } } }
				members(first: 5) { edges { node { username } } } } } } } }`, nil)
			require.JSONEq(t, fmt.Sprintf(`{"enterprises": {"edges": [{"node": {"name": %q, "unit": {
				"children": {"totalCount": 3, "edges": [
					{"node": {"name": "原料车间", "children": {"totalCount": 2}}},
					{"node": {"name": "回转窑车间", "children": {"totalCount": 2}}},
					{"node": {"name": "粉磨包装车间", "children": {"totalCount": 2}}}]},
				"members": {"edges": [{"node": {"username": "cement.principal"}}]}}}}]}}`, nameCement), string(r.Data))
		})
		t.Run("a user's posts are scoped: chengguan.head sees no post of a county user", func(t *testing.T) {
			r := gqOK(t, s, s.As("chengguan.head"), `{ users(where: {username: "chengguan.head"}) { edges { node { posts { totalCount edges { node { title } } } } } } }`, nil)
			require.JSONEq(t, `{"users": {"edges": [{"node": {"posts": {"totalCount": 1, "edges": [{"node": {"title": "城关镇镇长"}}]}}}]}}`, string(r.Data))
		})
		t.Run("where filters cannot widen the scope", func(t *testing.T) {
			tok := s.As("chengguan.head")
			require.Zero(t, totalCount(t, s, tok, "enterprises", fmt.Sprintf("{name: %q}", nameCement)))
			require.Zero(t, totalCount(t, s, tok, "enterprises", `{or: [{sector: INDUSTRY}, {not: {sector: INDUSTRY}}], nameContains: "水泥"}`))
			require.Zero(t, totalCount(t, s, tok, "users", `{usernameHasPrefix: "cement"}`))
			require.Zero(t, totalCount(t, s, tok, "units", `{kind: WORKSHOP, nameContains: "回转窑"}`))
			require.Equal(t, 1, totalCount(t, s, tok, "enterprises", `{sector: INDUSTRY}`), "宏达机电 only")
		})
	})
}

// pageAll pages through a connection with page size n, forwards (after) or
// backwards (before), and returns the names in the connection's order.
func pageAll(t *testing.T, s *apitest.Server, token, connection, orderBy string, n int, backwards bool) []string {
	t.Helper()
	var out []string
	cursor := ""
	for i := 0; ; i++ {
		require.Less(t, i, 200, "paging does not end")
		args := fmt.Sprintf("first: %d", n)
		if backwards {
			args = fmt.Sprintf("last: %d", n)
		}
		if orderBy != "" {
			args += ", orderBy: " + orderBy
		}
		if cursor != "" {
			if backwards {
				args += fmt.Sprintf(", before: %q", cursor)
			} else {
				args += fmt.Sprintf(", after: %q", cursor)
			}
		}
		r := gqOK(t, s, token, fmt.Sprintf(`{ c: %s(%s) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { node { name } } } }`, connection, args), nil)
		var page struct {
			C struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage, HasPreviousPage bool
					StartCursor, EndCursor       string
				}
				Edges []struct{ Node struct{ Name string } }
			}
		}
		r.Decode(t, &page)
		var names []string
		for _, e := range page.C.Edges {
			names = append(names, e.Node.Name)
		}
		require.LessOrEqual(t, len(names), n)
		if backwards {
			out = append(names, out...)
			if !page.C.PageInfo.HasPreviousPage {
				require.Len(t, out, page.C.TotalCount)
				return out
			}
			cursor = page.C.PageInfo.StartCursor
		} else {
			out = append(out, names...)
			if !page.C.PageInfo.HasNextPage {
				require.Len(t, out, page.C.TotalCount)
				return out
			}
			cursor = page.C.PageInfo.EndCursor
		}
	}
}

func TestPagingStaysInScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		for _, c := range []struct {
			user, connection, order, orderBy string
		}{
			{"bureau.fuel", "enterprises", "id", ""},
			{"bureau.fuel", "enterprises", "name descending", "{field: NAME, direction: DESC}"},
			{"chengguan.head", "units", "name", "{field: NAME}"},
			{"county.deputy.industry", "units", "depth", "{field: DEPTH}"},
			{"xihe.deputy", "enterprises", "employee count", "{field: EMPLOYEE_COUNT}"},
		} {
			name := c.user + " pages through " + c.connection + " by " + c.order
			t.Run(name+" and gets exactly the full list once", func(t *testing.T) {
				tok := tokenFor(s, c.user)
				all := names(s, tok, c.connection, "")
				forward := pageAll(t, s, tok, c.connection, c.orderBy, 7, false)
				require.Equal(t, all, sorted(forward), "forward pages")
				backward := pageAll(t, s, tok, c.connection, c.orderBy, 7, true)
				require.Equal(t, all, sorted(backward), "backward pages")
				if c.orderBy != "" && !strings.Contains(c.orderBy, "DEPTH") && !strings.Contains(c.orderBy, "EMPLOYEE") {
					// A total order (names are unique here): both directions agree.
					require.Equal(t, forward, backward)
				}
			})
		}
	})
}

func TestPostHolderOutsideScopeIsNull(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		county := unitID(t, s, admin, seed.CodeCounty)
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		var u struct{ CreateUser struct{ ID string } }
		gqOK(t, s, admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"username": "county.liaison", "displayName": "县派驻联络员", "password": seed.DemoPassword, "unitID": county}}).Decode(t, &u)
		gqOK(t, s, admin, `mutation($in: CreatePostInput!) { createPost(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"userID": u.CreateUser.ID, "unitID": chengguan, "role": "INSPECTOR", "title": "城关镇驻点监管员"}})

		tok := s.As("chengguan.head")
		r := gqOK(t, s, tok, `{ posts(where: {title: "城关镇驻点监管员"}) { totalCount edges { node { title userID unit { name } user { username } } } } }`, nil)
		require.JSONEq(t, fmt.Sprintf(`{"posts": {"totalCount": 1, "edges": [{"node": {"title": "城关镇驻点监管员", "userID": %q,
			"unit": {"name": "城关镇"}, "user": null}}]}}`, u.CreateUser.ID), string(r.Data),
			"the post at 城关镇 is in scope, its holder (at home in the county) is not")
		require.NotContains(t, names(s, tok, "users", ""), "county.liaison")
		r = gqOK(t, s, admin, `{ posts(where: {title: "城关镇驻点监管员"}) { edges { node { user { username } } } } }`, nil)
		require.JSONEq(t, `{"posts": {"edges": [{"node": {"user": {"username": "county.liaison"}}}]}}`, string(r.Data))
	})
}
