package authz_test

// Responsibility letters in the model: readable from the signee's side and
// from the issuer's side (Object.IssuerPath), and the acts that belong to the
// posts held at one unit (authz.CheckAt).

import (
	"context"
	"strconv"
	"testing"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/casbinrule"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/testdb"
)

// letter is the decision object of a letter from issuer to signee.
func letter(issuer, signee place) authz.Object {
	o := obj("letter", signee)
	o.IssuerPath = issuer.path
	return o
}

// TestIssuerSide: DOMAIN.md, jurisdiction, "a letter is also readable by its issuer side",
// within the reader's sectors; and §4's vectors: the county's industry deputy
// sees county→town letters, a department head does not.
func TestIssuerSide(t *testing.T) {
	p := policyFor(t, tenantA, tenantB)
	I, C, F := domain.SectorIndustry, domain.SectorCommerce, domain.SectorFuel
	countyTownA := letter(pCounty, pTownA)
	townACement := letter(pTownA, pCement)
	townAHotel := letter(pTownA, pHotel)
	deptStation := letter(pDeptInd, pStation)
	cementKiln := letter(pCement, pKiln)
	kilnTeam := letter(pKiln, pKilnTeam)
	tests := []struct {
		name string
		g    authz.Grant
		o    authz.Object
		want bool
	}{
		{"county deputy [I] reads county→town", grant(domain.RoleDeputy, pCounty, I), countyTownA, true},
		{"department head does not read county→town", grant(domain.RoleGovernmentHead, pDeptInd), countyTownA, false},
		{"the town reads the letter it received", grant(domain.RoleGovernmentHead, pTownA), countyTownA, true},
		{"another town does not", grant(domain.RoleGovernmentHead, pTownB), countyTownA, false},
		{"the town reads the letters it issued", grant(domain.RoleAuditor, pTownA), townACement, true},
		{"the supervising department reads town→enterprise (signee side)", grant(domain.RoleInspector, pDeptInd), townACement, true},
		{"an unrelated department does not", grant(domain.RoleInspector, pDeptCom), townACement, false},
		{"the enterprise reads its letter", grant(domain.RolePrincipal, pCement), townACement, true},
		{"its workshop does not", grant(domain.RolePrincipal, pKiln), townACement, false},
		{"a commerce deputy of the issuing town: not an industry letter", grant(domain.RoleDeputy, pTownA, C), townACement, false},
		{"a commerce deputy of the issuing town: a commerce letter", grant(domain.RoleDeputy, pTownA, C), townAHotel, true},
		{"the issuing department reads its letter", grant(domain.RoleGovernmentHead, pDeptInd), deptStation, true},
		{"its fuel deputy too", grant(domain.RoleDeputy, pDeptInd, F), deptStation, true},
		{"its industry deputy: not a fuel letter", grant(domain.RoleDeputy, pDeptInd, I), deptStation, false},
		{"the station's town reads it (signee side)", grant(domain.RoleGovernmentHead, pTownB), deptStation, true},
		{"another town does not", grant(domain.RoleGovernmentHead, pTownA), deptStation, false},
		{"the workshop reads the letter from its enterprise", grant(domain.RolePrincipal, pKiln), cementKiln, true},
		{"the team reads the letter from its workshop", grant(domain.RoleSafetyOfficer, pKilnTeam), kilnTeam, true},
		{"the team does not read the workshop's letter", grant(domain.RoleSafetyOfficer, pKilnTeam), cementKiln, false},
		{"the other tenant reads nothing", grant(domain.RolePartySecretary, pNCounty), countyTownA, false},
		{"MEMBER alone reads no letter", member(tenantA), countyTownA, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &authz.Viewer{UserID: 1, Tenant: tt.g.Tenant, Username: tt.name, Policy: p, Grants: []authz.Grant{tt.g}}
			testEnforce(t, p, v, tt.o, "read", tt.want)
			// The Go twin of the SQL term says the same.
			if got := tt.g.Covers(tt.o) && p.GrantAllows(tt.g, "letter", "read"); got != tt.want {
				t.Errorf("Covers && GrantAllows = %t, want %t", got, tt.want)
			}
		})
	}
}

// TestCheckAt: acts of one unit need a post held at that unit, not a
// territory covering it; the role still comes from the policy; an object the
// caller cannot read does not exist for them.
func TestCheckAt(t *testing.T) {
	p := policyFor(t, tenantA)
	countyHead := grant(domain.RoleGovernmentHead, pCounty)
	countyDeputy := grant(domain.RoleDeputy, pCounty)
	townAHead := grant(domain.RolePartySecretary, pTownA)
	townAHead.PostID = 2001
	kilnHead := grant(domain.RolePrincipal, pKiln)
	tests := []struct {
		name   string
		grants []authz.Grant
		o      authz.Object
		action string
		at     place
		want   apperr.Code
		posts  []int
	}{
		{"the county head issues from the county", []authz.Grant{countyHead}, letter(pCounty, pTownA), "issue", pCounty, "", []int{countyHead.PostID}},
		{"but does not sign for the town below", []authz.Grant{countyHead}, letter(pCounty, pTownA), "sign", pTownA, apperr.Forbidden, nil},
		{"the town's secretary signs for it", []authz.Grant{countyHead, townAHead}, letter(pCounty, pTownA), "sign", pTownA, "", []int{townAHead.PostID}},
		{"a deputy at the county does not issue", []authz.Grant{countyDeputy}, letter(pCounty, pTownA), "issue", pCounty, apperr.Forbidden, nil},
		{"the kiln head cannot see the town's letter", []authz.Grant{kilnHead}, letter(pTownA, pCement), "sign", pCement, apperr.NotFound, nil},
		{"nor the other tenant's", []authz.Grant{grant(domain.RolePartySecretary, pNCounty)}, letter(pCounty, pTownA), "issue", pCounty, apperr.NotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ten := tt.grants[0].Tenant
			v := &authz.Viewer{UserID: 1, Tenant: ten, Username: tt.name, Policy: p, Grants: append([]authz.Grant{member(ten)}, tt.grants...)}
			got, err := authz.CheckAt(authz.NewContext(context.Background(), v), tt.o, tt.action, tt.at.id)
			if code := codeOf(err); code != tt.want {
				t.Fatalf("CheckAt: %v (code %q), want %q", err, code, tt.want)
			}
			var ids []int
			for _, g := range got {
				ids = append(ids, g.PostID)
			}
			if len(ids) != len(tt.posts) || (len(ids) > 0 && ids[0] != tt.posts[0]) {
				t.Errorf("posts %v, want %v", ids, tt.posts)
			}
		})
	}
}

// TestDefaultPolicyUpgrade: a tenant whose policy was written before the
// letter rules existed gets them once at start (EnsureTenant); a rule an
// admin removes afterwards stays removed; a new tenant gets everything.
func TestDefaultPolicyUpgrade(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sys := authz.SystemContext(ctx)
		ten, err := d.Client.Tenant.Create().SetCode("old").SetName("old").Save(sys)
		if err != nil {
			t.Fatal(err)
		}
		key := strconv.Itoa(ten.ID)
		rules, _, err := authz.DefaultPolicy()
		if err != nil {
			t.Fatal(err)
		}
		letterRows := func() int {
			n, err := d.Client.CasbinRule.Query().Where(casbinrule.Ptype("p"), casbinrule.V0(key), casbinrule.V2("letter")).Count(sys)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		wantLetter := 0
		// The policy as version 1 wrote it: no letter rows, no version row.
		for _, r := range rules {
			if r.Type == "letter" {
				wantLetter++
				continue
			}
			if err := d.Client.CasbinRule.Create().SetPtype("p").SetV0(key).SetV1(r.Role).SetV2(r.Type).SetV3(r.Action).Exec(sys); err != nil {
				t.Fatal(err)
			}
		}
		if wantLetter == 0 || letterRows() != 0 {
			t.Fatalf("setup: %d letter rules in the defaults, %d in the old tenant", wantLetter, letterRows())
		}
		if err := authz.EnsureTenant(ctx, d.Client, ten.ID); err != nil {
			t.Fatal(err)
		}
		if got := letterRows(); got != wantLetter {
			t.Fatalf("after the upgrade: %d letter rules, want %d", got, wantLetter)
		}
		// An admin removes one; the next start does not bring it back.
		if _, err := d.Client.CasbinRule.Delete().Where(casbinrule.Ptype("p"), casbinrule.V0(key), casbinrule.V1("PRINCIPAL"),
			casbinrule.V2("letter"), casbinrule.V3("archive")).Exec(sys); err != nil {
			t.Fatal(err)
		}
		if err := authz.EnsureTenant(ctx, d.Client, ten.ID); err != nil {
			t.Fatal(err)
		}
		if got := letterRows(); got != wantLetter-1 {
			t.Fatalf("after a removal and a restart: %d letter rules, want %d", got, wantLetter-1)
		}
		// A new tenant gets the current defaults at once.
		fresh, err := d.Client.Tenant.Create().SetCode("new").SetName("new").Save(sys)
		if err != nil {
			t.Fatal(err)
		}
		if err := authz.EnsureTenant(ctx, d.Client, fresh.ID); err != nil {
			t.Fatal(err)
		}
		n, err := d.Client.CasbinRule.Query().Where(casbinrule.Ptype("p"), casbinrule.V0(strconv.Itoa(fresh.ID))).Count(sys)
		if err != nil || n != len(rules) {
			t.Fatalf("new tenant: %d rules (%v), want %d", n, err, len(rules))
		}
		// The version rows are not policy: the enforcer ignores them.
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(store.Current().Rules(fresh.ID)); got != len(rules) {
			t.Fatalf("snapshot of the new tenant: %d rules, want %d", got, len(rules))
		}
	})
}
