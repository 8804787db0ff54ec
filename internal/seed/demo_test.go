package seed

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	_ "github.com/dutychain/dutychain/ent/runtime" // schema hooks
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/testdb"
)

// each runs fn on a fresh, migrated database of every available dialect.
func each(t *testing.T, fn func(t *testing.T, c *ent.Client)) {
	t.Helper()
	testdb.Each(t, func(t *testing.T, d *db.DB) { fn(t, d.Client) })
}

func sys() context.Context { return authz.SystemContext(context.Background()) }

// tenantUnits loads what the seed built for tenant code and the tenant's
// units by id.
func tenantUnits(t *testing.T, c *ent.Client, code string) (*Built, map[int]*ent.Unit) {
	t.Helper()
	b, err := Load(context.Background(), c, code)
	if err != nil {
		t.Fatal(err)
	}
	units, err := c.Unit.Query().Where(unit.TenantID(b.TenantID)).All(sys())
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int]*ent.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	return b, byID
}

// rowCounts counts every table the seed writes, across tenants.
func rowCounts(t *testing.T, c *ent.Client) map[string]int {
	t.Helper()
	ctx := sys()
	out := map[string]int{}
	for name, q := range map[string]func() (int, error){
		"tenants":      func() (int, error) { return c.Tenant.Query().Count(ctx) },
		"units":        func() (int, error) { return c.Unit.Query().Count(ctx) },
		"enterprises":  func() (int, error) { return c.Enterprise.Query().Count(ctx) },
		"supervisions": func() (int, error) { return c.Supervision.Query().Count(ctx) },
		"users":        func() (int, error) { return c.User.Query().Count(ctx) },
		"posts":        func() (int, error) { return c.Post.Query().Count(ctx) },
		"letters":      func() (int, error) { return c.ResponsibilityLetter.Query().Count(ctx) },
		"signatures":   func() (int, error) { return c.LetterSignature.Query().Count(ctx) },
		"events":       func() (int, error) { return c.LetterEvent.Query().Count(ctx) },
	} {
		n, err := q()
		if err != nil {
			t.Fatalf("count %s: %v", name, err)
		}
		out[name] = n
	}
	return out
}

func TestDemo(t *testing.T) {
	each(t, func(t *testing.T, c *ent.Client) {
		res, err := Demo(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Tenants) != 2 || res.Tenants[0].Code != TenantDemo || res.Tenants[1].Code != TenantNeighbor {
			t.Fatalf("tenants = %+v, want demo then neighbor", res.Tenants)
		}
		for _, tr := range res.Tenants {
			if !tr.Created || tr.Status() != "created" || tr.ID == 0 {
				t.Errorf("tenant %s: %+v, want created", tr.Code, tr)
			}
		}

		demo := res.Tenants[0].Counts
		want := Counts{Units: 100, Towns: 6, Departments: 2, Enterprises: 48, FuelStations: FuelStations,
			Workshops: 17, Teams: 26, Supervisions: 48, Users: 29, Posts: 29, Letters: 126}
		if demo != want {
			t.Errorf("demo counts\n got %v\nwant %v", demo, want)
		}
		if got := len(Units(TenantDemo)); got != demo.Units {
			t.Errorf("Units(demo) lists %d units, database has %d", got, demo.Units)
		}
		if got := len(Usernames(TenantDemo)); got != demo.Users {
			t.Errorf("Usernames(demo) lists %d users, database has %d", got, demo.Users)
		}
		nb := res.Tenants[1].Counts
		if nb.Towns < 1 || nb.Departments < 1 || nb.Enterprises < 3 || nb.Enterprises > 5 ||
			nb.FuelStations != 1 || nb.Workshops != 1 || nb.Users < 2 {
			t.Errorf("neighbor counts %v", nb)
		}

		checkTree(t, c, TenantDemo)
		checkTree(t, c, TenantNeighbor)
		checkDemoCounty(t, c)
		checkUsers(t, c)
		checkLetters(t, c, TenantDemo)
		checkLetters(t, c, TenantNeighbor)
		if got := len(Letters(TenantDemo)); got != demo.Letters {
			t.Errorf("Letters(demo) lists %d letters, database has %d", got, demo.Letters)
		}

		before := rowCounts(t, c)
		again, err := Demo(context.Background(), c)
		if err != nil {
			t.Fatalf("second run: %v", err)
		}
		for i, tr := range again.Tenants {
			if tr.Created || tr.Status() != "already present" {
				t.Errorf("second run, tenant %s: %+v, want already present", tr.Code, tr)
			}
			if tr.ID != res.Tenants[i].ID || tr.Counts != res.Tenants[i].Counts {
				t.Errorf("second run, tenant %s: id %d counts %v, first run id %d counts %v",
					tr.Code, tr.ID, tr.Counts, res.Tenants[i].ID, res.Tenants[i].Counts)
			}
		}
		if after := rowCounts(t, c); !mapsEqual(before, after) {
			t.Errorf("second run changed row counts: before %v, after %v", before, after)
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestDemoPartiallyPresent: a tenant already there is left alone while the
// missing one is created.
func TestDemoPartiallyPresent(t *testing.T) {
	each(t, func(t *testing.T, c *ent.Client) {
		ctx := sys()
		if err := c.Tenant.Create().SetCode(TenantDemo).SetName("已有的示范县").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := Demo(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if res.Tenants[0].Created || res.Tenants[0].Name != "已有的示范县" || res.Tenants[0].Counts != (Counts{}) {
			t.Errorf("demo: %+v, want already present and untouched", res.Tenants[0])
		}
		if !res.Tenants[1].Created {
			t.Errorf("neighbor: %+v, want created", res.Tenants[1])
		}
		if n, _ := c.Unit.Query().Where(unit.TenantID(res.Tenants[0].ID)).Count(ctx); n != 0 {
			t.Errorf("present tenant got %d units", n)
		}
	})
}

// TestDemoAtomic: a failing step leaves nothing of the tenant behind.
func TestDemoAtomic(t *testing.T) {
	each(t, func(t *testing.T, c *ent.Client) {
		ctx := sys()
		spec := neighborSpec()
		boom := errors.New("boom")
		var sawUnits int
		spec.after = append(spec.after, func(ctx context.Context, tc *ent.Client, b *Built) error {
			sawUnits = len(b.Units)
			return boom
		})
		hash := "x" // skip hashing; the hash is never checked here
		_, err := seedTenant(ctx, c, spec, &hash)
		if !errors.Is(err, boom) {
			t.Fatalf("seedTenant = %v, want boom", err)
		}
		if sawUnits == 0 {
			t.Fatal("the failing step ran before anything was built")
		}
		if n, err := c.Tenant.Query().Where(tenant.Code(spec.code)).Count(ctx); err != nil || n != 0 {
			t.Errorf("tenant rows after failure: %d (%v)", n, err)
		}
		for name, n := range rowCounts(t, c) {
			if n != 0 {
				t.Errorf("%d %s left after a failed seed", n, name)
			}
		}
	})
}

// TestCreditCodes: the generated codes are valid, deterministic and distinct.
func TestCreditCodes(t *testing.T) {
	seen := map[string]bool{}
	for n := 1; n <= 1000; n++ {
		code, err := creditCode("341199", n)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := creditCode("341199", n)
		if code != again || seen[code] || !strings.HasPrefix(code, "91341199MA2") {
			t.Fatalf("code %d = %s (again %s, seen %v)", n, code, again, seen[code])
		}
		seen[code] = true
	}
	// GB 11714 check of a published organisation code: 中国石油化工股份有限公司
	// 91110000802100433B carries 80210043-3.
	if got := domain.OrgCodeWithCheck("80210043"); got != "802100433" {
		t.Errorf("OrgCodeWithCheck(80210043) = %s, want 802100433", got)
	}
}
