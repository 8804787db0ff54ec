package authz_test

// Table-driven tests of the casbin model/policy pair (dutychain_model.conf +
// dutychain_policy.csv) against the role table and the jurisdiction rule of
// docs/DOMAIN.md (jurisdiction), in the style of casbin's own model tests (testEnforce).
//
// No database: objects and grants are built by hand on a small fixture county.

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/domain"
)

const (
	tenantA = 7 // the fixture county
	tenantB = 8 // its neighbour: never visible from tenantA
)

// place is a unit of the fixture: its position as the scope columns hold it.
type place struct {
	name   string
	tenant int
	id     int
	kind   domain.UnitKind
	path   string
	sector domain.Sector
	ent    int   // enterprise the unit belongs to; 0 for government units
	sup    []int // departments supervising ent
}

// The fixture county (tenant 7):
//
//	county /1/
//	├── townA /1/2/            ├── cement /1/2/10/ INDUSTRY (sup deptInd)
//	│                          │   └── kiln /1/2/10/11/ └── kilnTeam /1/2/10/11/12/
//	│                          └── hotel /1/2/40/ COMMERCE (sup deptCom)
//	├── townB /1/3/            ├── market /1/3/20/ COMMERCE (sup deptCom)
//	│                          └── station /1/3/30/ FUEL (sup deptInd, a MANUAL edge)
//	├── deptInd /1/4/ (supervises INDUSTRY, FUEL)
//	└── deptCom /1/5/ (supervises COMMERCE)
//
// and a neighbour county (tenant 8): nCounty /100/, nTown /100/101/,
// nPlant /100/101/102/ INDUSTRY (sup nDept), nDept /100/103/.
var (
	pCounty   = place{"county", tenantA, 1, domain.KindCounty, "/1/", "", 0, nil}
	pTownA    = place{"townA", tenantA, 2, domain.KindTown, "/1/2/", "", 0, nil}
	pTownB    = place{"townB", tenantA, 3, domain.KindTown, "/1/3/", "", 0, nil}
	pDeptInd  = place{"deptInd", tenantA, 4, domain.KindDepartment, "/1/4/", "", 0, nil}
	pDeptCom  = place{"deptCom", tenantA, 5, domain.KindDepartment, "/1/5/", "", 0, nil}
	pCement   = place{"cement", tenantA, 10, domain.KindEnterprise, "/1/2/10/", domain.SectorIndustry, 10, []int{4}}
	pKiln     = place{"kiln", tenantA, 11, domain.KindWorkshop, "/1/2/10/11/", domain.SectorIndustry, 10, []int{4}}
	pKilnTeam = place{"kilnTeam", tenantA, 12, domain.KindTeam, "/1/2/10/11/12/", domain.SectorIndustry, 10, []int{4}}
	pHotel    = place{"hotel", tenantA, 40, domain.KindEnterprise, "/1/2/40/", domain.SectorCommerce, 40, []int{5}}
	pMarket   = place{"market", tenantA, 20, domain.KindEnterprise, "/1/3/20/", domain.SectorCommerce, 20, []int{5}}
	pStation  = place{"station", tenantA, 30, domain.KindEnterprise, "/1/3/30/", domain.SectorFuel, 30, []int{4}}

	pNCounty = place{"nCounty", tenantB, 100, domain.KindCounty, "/100/", "", 0, nil}
	pNTown   = place{"nTown", tenantB, 101, domain.KindTown, "/100/101/", "", 0, nil}
	pNPlant  = place{"nPlant", tenantB, 102, domain.KindEnterprise, "/100/101/102/", domain.SectorIndustry, 102, []int{103}}
	pNDept   = place{"nDept", tenantB, 103, domain.KindDepartment, "/100/103/", "", 0, nil}

	placesA = []place{pCounty, pTownA, pTownB, pDeptInd, pDeptCom, pCement, pKiln, pKilnTeam, pHotel, pMarket, pStation}
	placesB = []place{pNCounty, pNTown, pNPlant, pNDept}
	// allPlaces is every fixture unit of both tenants.
	allPlaces = append(append([]place{}, placesA...), placesB...)
)

// objectTypes are the scoped object types; "policy" is the tenant's policy.
var objectTypes = []string{"unit", "enterprise", "user", "post", "policy", "letter", "file"}

// letterActions are the steps of a responsibility letter's life.
var letterActions = []string{"issue", "sign", "revoke", "archive", "attach"}

// actions asked of the model; delete is granted to nobody.
var actions = append([]string{"read", "create", "update", "delete"}, letterActions...)

// obj is the decision object of a record of type typ whose subject unit is pl.
func obj(typ string, pl place) authz.Object {
	return authz.Object{Type: typ, Tenant: pl.tenant, Path: pl.path, Sector: pl.sector, EnterpriseID: pl.ent, Supervisors: pl.sup}
}

// typesAt lists the object types that can exist with pl as subject unit: an
// enterprise profile only at an ENTERPRISE.
func typesAt(pl place) []string {
	out := []string{"unit", "user", "post"}
	if pl.kind == domain.KindEnterprise {
		out = append(out, "enterprise")
	}
	return out
}

// policyFor materialises the embedded default policy (tenant "*") for the
// given tenants, as authz.EnsureTenant does in the database.
func policyFor(t testing.TB, tenants ...int) *authz.Policy {
	t.Helper()
	rules, links, err := authz.DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	var mat []authz.Rule
	for _, ten := range tenants {
		for _, r := range rules {
			if r.Tenant != authz.AnyTenant {
				t.Fatalf("default policy row %+v: tenant %q, want %q", r, r.Tenant, authz.AnyTenant)
			}
			r.Tenant = strconv.Itoa(ten)
			mat = append(mat, r)
		}
	}
	p, err := authz.NewPolicy(1, mat, links)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// grant is a post of role at pl, optionally restricted to sectors.
func grant(role domain.Role, pl place, sectors ...domain.Sector) authz.Grant {
	return authz.Grant{PostID: 1000 + pl.id, Tenant: pl.tenant, UnitID: pl.id, UnitKind: pl.kind, Path: pl.path, Role: string(role), Sectors: sectors}
}

// member is the MEMBER grant LoadViewer gives every user of a tenant.
func member(tenant int) authz.Grant {
	root := pCounty
	if tenant == tenantB {
		root = pNCounty
	}
	return authz.Grant{Tenant: tenant, Role: authz.RoleMember, Path: root.path, DirectoryOnly: true}
}

// viewer builds a viewer of tenant with the MEMBER grant plus grants, as
// LoadViewer would from valid posts.
func viewer(p *authz.Policy, tenant int, name string, grants ...authz.Grant) *authz.Viewer {
	v := &authz.Viewer{UserID: 1, Tenant: tenant, Username: name, Policy: p}
	v.Grants = append(v.Grants, member(tenant))
	for _, g := range grants {
		v.Grants = append(v.Grants, g)
		v.PostIDs = append(v.PostIDs, g.PostID)
	}
	return v
}

// testEnforce asserts the model's decision, like casbin's own model tests.
func testEnforce(t *testing.T, p *authz.Policy, v *authz.Viewer, o authz.Object, act string, want bool) {
	t.Helper()
	got, err := p.Decide(v, o, act)
	if err != nil {
		t.Fatalf("Decide(%s, %s@%s, %s): %v", v.Username, o.Type, o.Path, act, err)
	}
	if got != want {
		t.Errorf("%s, %s@%s (tenant %d, sector %q), %s: %t, supposed to be %t", v.Username, o.Type, o.Path, o.Tenant, o.Sector, act, got, want)
	}
}

// TestDefaultPolicyParses checks the shipped files: every row is a "*"-tenant
// rule or a role link and names a known role (TestRegistryCoversTheSchema
// checks the types and actions).
func TestDefaultPolicyParses(t *testing.T) {
	rules, links, err := authz.DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) == 0 {
		t.Fatal("default policy has no rules")
	}
	roles := append(domain.Role("").Values(), authz.RoleMember, authz.RoleUnitHead)
	for _, r := range rules {
		if r.Tenant != authz.AnyTenant {
			t.Errorf("rule %+v: tenant %q, want %q", r, r.Tenant, authz.AnyTenant)
		}
		if !slices.Contains(roles, r.Role) {
			t.Errorf("rule %+v: unknown role", r)
		}
	}
	wantLinks := []authz.Link{{Role: "PARTY_SECRETARY", Parent: authz.RoleUnitHead}, {Role: "GOVERNMENT_HEAD", Parent: authz.RoleUnitHead}}
	if !slices.Equal(links, wantLinks) {
		t.Errorf("role links = %v, want %v (党政同责)", links, wantLinks)
	}
}

// TestUnmaterialisedPolicyDeniesEverything: the "*" tenant of the file is a
// placeholder, compared with == in the matcher, not a wildcard. A policy that
// was not materialised for a tenant grants nothing there (fail closed), and a
// policy materialised for tenant A grants nothing in tenant B.
func TestUnmaterialisedPolicyDeniesEverything(t *testing.T) {
	rules, links, err := authz.DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := authz.NewPolicy(1, rules, links)
	if err != nil {
		t.Fatal(err)
	}
	onlyA := policyFor(t, tenantA)
	for _, role := range domain.Role("").Values() {
		va := viewer(raw, tenantA, "raw."+role, grant(domain.Role(role), pCounty))
		vb := viewer(onlyA, tenantB, "onlyA."+role, grant(domain.Role(role), pNCounty))
		for _, typ := range objectTypes {
			for _, act := range actions {
				testEnforce(t, raw, va, obj(typ, pCounty), act, false)
				testEnforce(t, onlyA, vb, obj(typ, pNCounty), act, false)
			}
		}
	}
}

// letterRights are the letter actions of the heads of a unit (issuing from
// it, signing for it: which unit is checked by authz.CheckAt).
var letterRights = append([]string{"create", "update"}, letterActions...)

// roleRights is the role table of docs/DOMAIN.md (jurisdiction) as far as the current object
// types go (units, enterprises, users, posts, the policy, letters, files):
// type → actions beyond read. Read of every type is implied by every real
// role. Files are written by the services of their owners, never directly.
var roleRights = map[domain.Role]map[string][]string{
	// 党政同责: both heads carry UNIT_HEAD; they manage the unit tree and
	// enterprise profiles, issue and sign letters; users and posts are the
	// ADMIN's.
	domain.RolePartySecretary: {"unit": {"create", "update"}, "enterprise": {"create", "update"}, "letter": letterRights},
	domain.RoleGovernmentHead: {"unit": {"create", "update"}, "enterprise": {"create", "update"}, "letter": letterRights},
	// Enterprise side: workshops/teams below and the own profile; letters.
	domain.RolePrincipal: {"unit": {"create", "update"}, "enterprise": {"update"}, "letter": letterRights},
	// Inspections and hazards are not built yet: read only for now.
	domain.RoleDeputy:        {},
	domain.RoleSafetyOfficer: {},
	domain.RoleInspector:     {},
	// No mutation of anything.
	domain.RoleAuditor: {},
	// Units, users and posts within scope; the tenant's policy; no letters.
	domain.RoleAdmin: {"unit": {"create", "update"}, "enterprise": {"create", "update"}, "user": {"create", "update"}, "post": {"create", "update"}, "policy": {"update"}},
}

// TestRoleMatrix: role × object type × action on objects inside the post's
// territory (no sector restriction), for a county post and an enterprise post.
func TestRoleMatrix(t *testing.T) {
	p := policyFor(t, tenantA, tenantB)
	if len(roleRights) != len(domain.Role("").Values()) {
		t.Fatalf("roleRights covers %d roles, domain has %d: add the new role here", len(roleRights), len(domain.Role("").Values()))
	}
	for _, role := range domain.Role("").Values() {
		rights := roleRights[domain.Role(role)]
		for _, at := range []place{pCounty, pTownB, pCement} {
			v := viewer(p, tenantA, role+"@"+at.name, grant(domain.Role(role), at))
			for _, typ := range objectTypes {
				for _, act := range actions {
					want := act == "read" || slices.Contains(rights[typ], act)
					t.Run(fmt.Sprintf("%s@%s/%s/%s", role, at.name, typ, act), func(t *testing.T) {
						testEnforce(t, p, v, obj(typ, at), act, want)
					})
				}
			}
		}
	}
}

// TestGrantAllowsAgreesWithEnforcer: the SQL compiler picks the grants that
// contribute a term with Policy.GrantAllows; it must agree with the enforcer
// on every role × type × action (inside the grant's own territory).
func TestGrantAllowsAgreesWithEnforcer(t *testing.T) {
	p := policyFor(t, tenantA)
	roles := append(domain.Role("").Values(), authz.RoleMember)
	for _, role := range roles {
		g := grant(domain.Role(role), pCement)
		if role == authz.RoleMember {
			g = member(tenantA)
		}
		v := &authz.Viewer{UserID: 1, Tenant: tenantA, Username: role, Policy: p, Grants: []authz.Grant{g}}
		for _, typ := range objectTypes {
			for _, act := range actions {
				o := obj(typ, pCement)
				if role == authz.RoleMember {
					o = obj(typ, pTownA) // MEMBER covers government units only
				}
				got, err := p.Decide(v, o, act)
				if err != nil {
					t.Fatal(err)
				}
				if allows := p.GrantAllows(g, typ, act); allows != got {
					t.Errorf("%s %s %s: GrantAllows = %t, Decide = %t", role, typ, act, allows, got)
				}
			}
		}
	}
}

// readable lists, per viewer, the fixture places whose records (posts, users,
// enterprise profiles, enterprise-side units) the viewer may read. Units add
// the government directory (MEMBER) on top.
func TestJurisdiction(t *testing.T) {
	p := policyFor(t, tenantA, tenantB)
	I, C, F := domain.SectorIndustry, domain.SectorCommerce, domain.SectorFuel
	tests := []struct {
		name   string
		tenant int
		grants []authz.Grant
		// sees lists the places whose every record is readable.
		sees []place
	}{
		{"county.secretary", tenantA, []authz.Grant{grant(domain.RolePartySecretary, pCounty)}, placesA},
		{"county.head", tenantA, []authz.Grant{grant(domain.RoleGovernmentHead, pCounty)}, placesA},
		{"county.deputy.industry", tenantA, []authz.Grant{grant(domain.RoleDeputy, pCounty, I)},
			[]place{pCounty, pTownA, pTownB, pDeptInd, pDeptCom, pCement, pKiln, pKilnTeam}},
		// Department: its own subtree plus the enterprises it supervises, in any town.
		{"bureau.chief", tenantA, []authz.Grant{grant(domain.RoleGovernmentHead, pDeptInd)},
			[]place{pDeptInd, pCement, pKiln, pKilnTeam, pStation}},
		{"bureau.fuel", tenantA, []authz.Grant{grant(domain.RoleDeputy, pDeptInd, F)}, []place{pDeptInd, pStation}},
		// A sector the department does not supervise: nothing but itself.
		{"bureau.com.industry", tenantA, []authz.Grant{grant(domain.RoleDeputy, pDeptCom, I)}, []place{pDeptCom}},
		{"deptCom.inspector", tenantA, []authz.Grant{grant(domain.RoleInspector, pDeptCom)}, []place{pDeptCom, pHotel, pMarket}},
		{"townA.head", tenantA, []authz.Grant{grant(domain.RoleGovernmentHead, pTownA)}, []place{pTownA, pCement, pKiln, pKilnTeam, pHotel}},
		{"townA.auditor", tenantA, []authz.Grant{grant(domain.RoleAuditor, pTownA)}, []place{pTownA, pCement, pKiln, pKilnTeam, pHotel}},
		{"townB.deputy.commerce", tenantA, []authz.Grant{grant(domain.RoleDeputy, pTownB, C)}, []place{pTownB, pMarket}},
		{"townB.deputy.two", tenantA, []authz.Grant{grant(domain.RoleDeputy, pTownB, C, F)}, []place{pTownB, pMarket, pStation}},
		{"cement.principal", tenantA, []authz.Grant{grant(domain.RolePrincipal, pCement)}, []place{pCement, pKiln, pKilnTeam}},
		{"kiln.head", tenantA, []authz.Grant{grant(domain.RolePrincipal, pKiln)}, []place{pKiln, pKilnTeam}},
		{"team.safety", tenantA, []authz.Grant{grant(domain.RoleSafetyOfficer, pKilnTeam)}, []place{pKilnTeam}},
		// A sector list that excludes the enterprise's own sector hides it.
		{"cement.wrong.sector", tenantA, []authz.Grant{grant(domain.RolePrincipal, pCement, C)}, nil},
		{"union", tenantA, []authz.Grant{grant(domain.RoleDeputy, pTownB, C), grant(domain.RolePrincipal, pCement)},
			[]place{pTownB, pMarket, pCement, pKiln, pKilnTeam}},
		{"no.posts", tenantA, nil, nil},
		{"neighbor.secretary", tenantB, []authz.Grant{grant(domain.RolePartySecretary, pNCounty)}, placesB},
		{"neighbor.dept", tenantB, []authz.Grant{grant(domain.RoleGovernmentHead, pNDept)}, []place{pNDept, pNPlant}},
		// A forged grant naming the other tenant does not cross tenants.
		{"forged.grant", tenantA, []authz.Grant{grant(domain.RolePartySecretary, pNCounty)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := viewer(p, tt.tenant, tt.name, tt.grants...)
			for _, pl := range allPlaces {
				inScope := slices.ContainsFunc(tt.sees, func(s place) bool { return s.id == pl.id })
				for _, typ := range typesAt(pl) {
					want := inScope
					if typ == "unit" && pl.ent == 0 && pl.tenant == tt.tenant {
						want = true // the government directory
					}
					testEnforce(t, p, v, obj(typ, pl), "read", want)
				}
			}
		})
	}
}

// TestMemberReadsGovernmentUnitsOnly: a user without any valid post reads the
// government units of their tenant, and nothing else: not enterprise-side
// units, not users or posts even at government units, not the policy, and
// may do nothing.
func TestMemberReadsGovernmentUnitsOnly(t *testing.T) {
	p := policyFor(t, tenantA, tenantB)
	v := viewer(p, tenantA, "member")
	for _, pl := range allPlaces {
		for _, typ := range append(typesAt(pl), "policy") {
			for _, act := range actions {
				want := act == "read" && typ == "unit" && pl.ent == 0 && pl.tenant == tenantA
				testEnforce(t, p, v, obj(typ, pl), act, want)
			}
		}
	}
}

// TestWritesNeedScope: a role's write rights apply only inside its territory
// and sectors; outside it every action is denied, and across tenants too.
func TestWritesNeedScope(t *testing.T) {
	p := policyFor(t, tenantA, tenantB)
	I := domain.SectorIndustry
	tests := []struct {
		name string
		g    authz.Grant
		at   place
		typ  string
		act  string
		want bool
	}{
		{"admin creates a post in scope", grant(domain.RoleAdmin, pTownA), pCement, "post", "create", true},
		{"admin creates a user in scope", grant(domain.RoleAdmin, pTownA), pKilnTeam, "user", "create", true},
		{"admin cannot create a post in another town", grant(domain.RoleAdmin, pTownA), pMarket, "post", "create", false},
		{"admin cannot create a post above their unit", grant(domain.RoleAdmin, pTownA), pCounty, "post", "create", false},
		{"admin cannot create a post in the other tenant", grant(domain.RoleAdmin, pCounty), pNPlant, "post", "create", false},
		{"sector admin updates an industry user", grant(domain.RoleAdmin, pCounty, I), pKiln, "user", "update", true},
		{"sector admin cannot update a commerce user", grant(domain.RoleAdmin, pCounty, I), pMarket, "user", "update", false},
		{"sector admin updates a government user", grant(domain.RoleAdmin, pCounty, I), pTownB, "user", "update", true},
		{"department head updates a supervised enterprise", grant(domain.RoleGovernmentHead, pDeptInd), pStation, "enterprise", "update", true},
		{"department head cannot update an unsupervised one", grant(domain.RoleGovernmentHead, pDeptInd), pMarket, "enterprise", "update", false},
		{"department head cannot update the county", grant(domain.RoleGovernmentHead, pDeptInd), pCounty, "unit", "update", false},
		{"principal updates own workshop", grant(domain.RolePrincipal, pCement), pKiln, "unit", "update", true},
		{"principal cannot update a neighbour enterprise", grant(domain.RolePrincipal, pCement), pHotel, "enterprise", "update", false},
		{"workshop head cannot update the enterprise above", grant(domain.RolePrincipal, pKiln), pCement, "enterprise", "update", false},
		{"head cannot create users", grant(domain.RoleGovernmentHead, pCounty), pTownA, "user", "create", false},
		{"auditor cannot update anything", grant(domain.RoleAuditor, pCounty), pKiln, "unit", "update", false},
		{"deputy cannot create posts", grant(domain.RoleDeputy, pCounty), pKiln, "post", "create", false},
		{"admin cannot delete", grant(domain.RoleAdmin, pCounty), pKiln, "unit", "delete", false},
		{"admin updates policy at root", grant(domain.RoleAdmin, pCounty), pCounty, "policy", "update", true},
		{"town admin cannot update the tenant policy", grant(domain.RoleAdmin, pTownA), pCounty, "policy", "update", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := viewer(p, tt.g.Tenant, tt.name, tt.g)
			testEnforce(t, p, v, obj(tt.typ, tt.at), tt.act, tt.want)
		})
	}
}

// TestPartyAndGovernmentShareResponsibility (党政同责): a PARTY_SECRETARY and
// a GOVERNMENT_HEAD post at the same unit (with the same sectors) get the
// same answer for every object, type and action.
func TestPartyAndGovernmentShareResponsibility(t *testing.T) {
	p := policyFor(t, tenantA, tenantB)
	sectorSets := [][]domain.Sector{nil, {domain.SectorIndustry}, {domain.SectorCommerce, domain.SectorFuel}}
	compared := 0
	for _, at := range allPlaces {
		for _, secs := range sectorSets {
			sec := viewer(p, at.tenant, "secretary", grant(domain.RolePartySecretary, at, secs...))
			head := viewer(p, at.tenant, "head", grant(domain.RoleGovernmentHead, at, secs...))
			for _, target := range allPlaces {
				for _, typ := range append(typesAt(target), "policy") {
					for _, act := range actions {
						a, err1 := p.Decide(sec, obj(typ, target), act)
						b, err2 := p.Decide(head, obj(typ, target), act)
						if err1 != nil || err2 != nil {
							t.Fatal(err1, err2)
						}
						if a != b {
							t.Errorf("at %s %v: %s %s@%s: secretary %t, head %t", at.name, secs, act, typ, target.name, a, b)
						}
						compared++
					}
				}
			}
			// And the SQL side: both compile to the same predicate.
			for _, typ := range objectTypes {
				for _, act := range actions {
					if x, y := renderSQL(sec, typ, act, "postgres"), renderSQL(head, typ, act, "postgres"); x != y {
						t.Errorf("at %s %v %s/%s: SQL differs:\n%s\n%s", at.name, secs, typ, act, x, y)
					}
				}
			}
		}
	}
	t.Logf("compared %d decisions", compared)
}

// TestDecideIsStable: the decision depends on the object, not on the order of
// the viewer's grants (the union of posts).
func TestDecideIsStable(t *testing.T) {
	p := policyFor(t, tenantA)
	gs := []authz.Grant{grant(domain.RoleDeputy, pTownB, domain.SectorCommerce), grant(domain.RolePrincipal, pCement), grant(domain.RoleAdmin, pDeptInd, domain.SectorFuel)}
	base := viewer(p, tenantA, "base", gs...)
	rev := slices.Clone(gs)
	slices.Reverse(rev)
	other := viewer(p, tenantA, "reversed", rev...)
	var diffs []string
	for _, pl := range placesA {
		for _, typ := range typesAt(pl) {
			for _, act := range actions {
				a, _ := p.Decide(base, obj(typ, pl), act)
				b, _ := p.Decide(other, obj(typ, pl), act)
				if a != b {
					diffs = append(diffs, fmt.Sprintf("%s %s@%s", act, typ, pl.name))
				}
			}
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("grant order changes decisions: %s", strings.Join(diffs, ", "))
	}
}

// renderSQL renders the viewer's compiled predicate for typ/act as SQL text
// with its arguments, on a SELECT of the units table in dialect dl.
func renderSQL(v *authz.Viewer, typ, act, dl string) string {
	s := entsql.Dialect(dl).Select("id").From(entsql.Table("units"))
	v.Predicate(typ, act)(s)
	q, args := s.Query()
	return fmt.Sprint(q, " ", args)
}
