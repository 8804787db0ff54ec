package seed

import (
	"context"
	"slices"
	"testing"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/domain"
)

// postWant is one expected post of a test-vector user.
type postWant struct {
	tenant, username string
	role             domain.Role
	unit             string
	sectors          []domain.Sector
}

var testVectors = []postWant{
	{TenantDemo, "county.secretary", domain.RolePartySecretary, CodeCounty, nil},
	{TenantDemo, "county.head", domain.RoleGovernmentHead, CodeCounty, nil},
	{TenantDemo, "county.deputy.industry", domain.RoleDeputy, CodeCounty, []domain.Sector{domain.SectorIndustry}},
	{TenantDemo, "bureau.chief", domain.RoleGovernmentHead, CodeDeptIndustryCommerce, nil},
	{TenantDemo, "bureau.fuel", domain.RoleDeputy, CodeDeptIndustryCommerce, []domain.Sector{domain.SectorFuel}},
	{TenantDemo, "chengguan.secretary", domain.RolePartySecretary, CodeTownChengguan, nil},
	{TenantDemo, "chengguan.head", domain.RoleGovernmentHead, CodeTownChengguan, nil},
	{TenantDemo, "xihe.deputy", domain.RoleDeputy, CodeTownXihe, []domain.Sector{domain.SectorCommerce}},
	{TenantDemo, "cement.principal", domain.RolePrincipal, CodeCement, nil},
	{TenantDemo, "cement.kiln.head", domain.RolePrincipal, CodeCementKiln, nil},
	{TenantDemo, "auditor.county", domain.RoleAuditor, CodeCounty, nil},
	{TenantDemo, "auditor.chengguan", domain.RoleAuditor, CodeTownChengguan, nil},
	{TenantDemo, "admin", domain.RoleAdmin, CodeCounty, nil},
	{TenantDemo, "chengguan.admin", domain.RoleAdmin, CodeTownChengguan, nil},
	{TenantNeighbor, NeighborSecretary, domain.RolePartySecretary, CodeCounty, nil},
	{TenantNeighbor, "neighbor.admin", domain.RoleAdmin, CodeCounty, nil},
}

func checkUsers(t *testing.T, c *ent.Client) {
	t.Helper()
	ctx := sys()
	if len(TestVectorUsernames) != 13 {
		t.Fatalf("TestVectorUsernames has %d names", len(TestVectorUsernames))
	}
	for i, name := range TestVectorUsernames {
		if testVectors[i].username != name {
			t.Fatalf("TestVectorUsernames[%d] = %s, want %s", i, name, testVectors[i].username)
		}
	}
	built := map[string]*Built{}
	for _, code := range []string{TenantDemo, TenantNeighbor} {
		b, err := Load(context.Background(), c, code)
		if err != nil {
			t.Fatal(err)
		}
		built[code] = b
	}
	verified := 0
	for _, w := range testVectors {
		b := built[w.tenant]
		u, err := c.User.Query().Where(user.TenantID(b.TenantID), user.Username(w.username)).Only(ctx)
		if err != nil {
			t.Errorf("%s/%s: %v", w.tenant, w.username, err)
			continue
		}
		if u.Status != user.StatusACTIVE || u.UnitID != b.Units[w.unit] || u.DisplayName == "" || u.Phone == "" {
			t.Errorf("%s: status %s home unit %d (want %d) name %q phone %q", w.username, u.Status, u.UnitID, b.Units[w.unit], u.DisplayName, u.Phone)
		}
		if verified < 3 { // argon2id is slow; every user shares one hash
			ok, err := auth.VerifyPassword(u.PasswordHash, DemoPassword)
			if err != nil || !ok {
				t.Errorf("%s: demo password does not verify (%v)", w.username, err)
			}
			verified++
		}
		posts, err := c.Post.Query().Where(post.UserID(u.ID)).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(posts) != 1 {
			t.Errorf("%s has %d posts, want 1", w.username, len(posts))
			continue
		}
		p := posts[0]
		if p.Role != w.role || p.UnitID != b.Units[w.unit] || !slices.Equal(p.Sectors, w.sectors) ||
			!p.ValidFrom.Equal(ValidFrom) || p.ValidTo != nil || p.Title == "" || p.TenantID != b.TenantID {
			t.Errorf("%s: post %s @ %d %v from %v to %v title %q; want %s @ %s %v", w.username,
				p.Role, p.UnitID, p.Sectors, p.ValidFrom, p.ValidTo, p.Title, w.role, w.unit, w.sectors)
		}
	}
	// Every user of both tenants shares the one demo hash and is ACTIVE.
	hashes, err := c.User.Query().Select(user.FieldPasswordHash).Strings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if distinct := slices.Compact(slices.Sorted(slices.Values(hashes))); len(distinct) != 1 {
		t.Errorf("users have %d distinct password hashes, want 1", len(distinct))
	}
	for _, ui := range Users() {
		if _, ok := built[ui.Tenant].Users[ui.Username]; !ok {
			t.Errorf("described user %s/%s missing", ui.Tenant, ui.Username)
		}
		if len(built[ui.Tenant].Posts[ui.Username]) != len(ui.Posts) {
			t.Errorf("%s: %d posts, described %d", ui.Username, len(built[ui.Tenant].Posts[ui.Username]), len(ui.Posts))
		}
	}
}
