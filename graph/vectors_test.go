package graph_test

// the domain guide's demo-county test vectors (DOMAIN.md, jurisdiction), as GraphQL over HTTP on
// every available database: for each demo user, exactly which enterprises,
// units, users and posts they see.

import (
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
)

// unitRule decides, from the seed's description of a unit, whether it is in
// a viewer's jurisdiction (DOMAIN.md, jurisdiction: territory and sectors; the government
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

// vector is one row of the domain guide's table.
type vector struct {
	user string
	// sees completes the sub-test name: "<user> sees <sees>".
	sees string
	// enterprises selects the enterprises the user sees, stated as the domain guide
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

	// The table covers every user of the domain guide's table.
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
				// Self-check of the table: the domain guide's wording of the
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
