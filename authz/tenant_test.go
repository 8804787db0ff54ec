package authz_test

import (
	"context"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/testdb"
)

// TestTenantTermBindsEveryGrant: the compiled predicate is meant to be
// tenant = T AND (term1 OR term2 …). The tenant term must bind every grant
// term, including a department's "path OR supervised-enterprise" term, so
// that tenant isolation never depends on the supervision table being
// consistent. Decide checks the tenant first; the SQL must agree even when a
// supervision row points across tenants (a bad import, a future bug in the
// code that writes supervisions, a manual fix-up in the database).
func TestTenantTermBindsEveryGrant(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sys := authz.SystemContext(ctx)
		// Tenant A: a department and its head.
		a := &world{supervises: map[[2]int]bool{}, manual: map[[2]int]bool{}, enterprises: map[int]int{}}
		a.units = []gUnit{
			{kind: domain.KindCounty, parent: -1, ent: -1, town: -1},
			{kind: domain.KindDepartment, parent: 0, ent: -1, town: -1},
		}
		a.users = []gUser{{home: 1}}
		a.posts = []gPost{{user: 0, unit: 1, role: domain.RoleGovernmentHead, from: propBase}}
		// Tenant B: an enterprise with a workshop, a user and a post there.
		b := &world{supervises: map[[2]int]bool{}, manual: map[[2]int]bool{}, enterprises: map[int]int{}}
		b.units = []gUnit{
			{kind: domain.KindCounty, parent: -1, ent: -1, town: -1},
			{kind: domain.KindTown, parent: 0, ent: -1, town: -1},
			{kind: domain.KindEnterprise, parent: 1, sector: domain.SectorIndustry, ent: 2, town: 1},
			{kind: domain.KindWorkshop, parent: 2, sector: domain.SectorIndustry, ent: 2, town: 1},
		}
		b.users = []gUser{{home: 2}}
		b.posts = []gPost{{user: 0, unit: 3, role: domain.RolePrincipal, from: propBase}}
		for _, w := range []*world{a, b} {
			if err := build(ctx, d.Client, w); err != nil {
				t.Fatal(err)
			}
		}
		// The inconsistent row: A's department "supervises" B's enterprise.
		if err := d.Client.Supervision.Create().SetTenantID(a.tenant).SetDepartmentID(a.units[1].id).
			SetEnterpriseID(b.units[2].id).SetSource(supervision.SourceMANUAL).Exec(sys); err != nil {
			t.Fatal(err)
		}
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := authz.LoadViewer(ctx, d.Client, store.Current(), a.users[0].id, a.tenant, propBase.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		vctx := authz.NewContext(ctx, v)
		leaks := map[string]func() (int, error){
			"units": func() (int, error) { return d.Client.Unit.Query().Where(unit.TenantID(b.tenant)).Count(vctx) },
			"enterprises": func() (int, error) {
				return d.Client.Enterprise.Query().Where(enterprise.TenantID(b.tenant)).Count(vctx)
			},
			"users": func() (int, error) { return d.Client.User.Query().Where(user.TenantID(b.tenant)).Count(vctx) },
			"posts": func() (int, error) { return d.Client.Post.Query().Where(post.TenantID(b.tenant)).Count(vctx) },
		}
		for _, name := range []string{"units", "enterprises", "users", "posts"} {
			n, err := leaks[name]()
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%s: tenant A's department head sees %d row(s) of tenant B through a cross-tenant supervision row; Decide denies every one of them", name, n)
			}
		}
		// The oracle agrees that nothing of B is readable.
		o := authz.Object{Type: "enterprise", Tenant: b.tenant, Path: b.wantPath(2), Sector: domain.SectorIndustry,
			EnterpriseID: b.units[2].id, Supervisors: []int{a.units[1].id}}
		if ok, _ := v.Policy.Decide(v, o, "read"); ok {
			t.Errorf("Decide allows reading another tenant's enterprise")
		}
	})
}

// TestSingleDepartmentGrantSQL shows the rendered SQL of the case above: one
// department grant compiles to one term "path OR enterprise IN (…)", which
// ent renders without parentheses inside "tenant = ? AND …" (ent's
// Predicate.mayWrap joins a single-element Or without raising the child's
// depth, so the child Or does not wrap itself).
func TestSingleDepartmentGrantSQL(t *testing.T) {
	p := policyFor(t, tenantA)
	for _, dl := range []string{dialect.SQLite, dialect.Postgres} {
		v := &authz.Viewer{UserID: 1, Tenant: tenantA, Policy: p, Grants: []authz.Grant{member(tenantA), grant(domain.RoleGovernmentHead, pDeptInd)}}
		s := entsql.Dialect(dl).Select("id").From(entsql.Table("enterprises"))
		v.Predicate("enterprise", "read")(s)
		q, _ := s.Query()
		where := q[strings.Index(q, "WHERE")+len("WHERE "):]
		// Every top-level OR must sit inside the parentheses opened after the
		// tenant term: depth 0 must never see an OR.
		depth := 0
		for i := 0; i < len(where); i++ {
			switch where[i] {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth == 0 && strings.HasPrefix(where[i:], " OR ") {
				t.Errorf("%s: OR at the top level of the scope predicate, outside the tenant term:\n%s", testdb.Name(dl), q)
				break
			}
		}
	}
}
