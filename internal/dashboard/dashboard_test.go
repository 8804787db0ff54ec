package dashboard_test

// The dashboard on the demo county, on both databases: every count and
// indicator against a direct count of the demo data or the view it names,
// the town head's dashboard holding only their town, units outside the
// caller's jurisdiction refused, and the statements bounded.

import (
	"context"
	"testing"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/ent/riskpoint"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/dashboard"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/education"
	"github.com/dutychain/dutychain/internal/emergency"
	"github.com/dutychain/dutychain/internal/letters"
	"github.com/dutychain/dutychain/internal/notices"
	"github.com/dutychain/dutychain/internal/prevention"
	"github.com/dutychain/dutychain/internal/readiness"
	"github.com/dutychain/dutychain/internal/reqctx"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/staffing"
)

var (
	from = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	to   = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
)

// fixture is the demo county with the services over it.
type fixture struct {
	d    *db.DB
	demo *seed.Built
	svc  *dashboard.Service
	as   func(user string) context.Context
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	ctx := context.Background()
	demo, err := seed.Load(ctx, d.Client, seed.TenantDemo)
	if err != nil {
		t.Fatal(err)
	}
	if err := authz.EnsureTenant(ctx, d.Client, demo.TenantID); err != nil {
		t.Fatal(err)
	}
	store, err := authz.NewStore(ctx, d.Client, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, dl := d.Client, d.Dialect
	svc := &dashboard.Service{Client: c, Dialect: dl,
		Letters: &letters.Service{Client: c, Dialect: dl}, Notices: &notices.Service{Client: c, Dialect: dl},
		Education: &education.Service{Client: c, Dialect: dl}, Staffing: &staffing.Service{Client: c, Dialect: dl},
		Emergency: &emergency.Service{Client: c, Dialect: dl}, Readiness: &readiness.Service{Client: c},
		Prevention: &prevention.Service{Client: c}}
	return &fixture{d: d, demo: demo, svc: svc, as: func(user string) context.Context {
		v, err := authz.LoadViewer(ctx, c, store.Current(), demo.Users[user], demo.TenantID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return authz.NewContext(ctx, v)
	}}
}

func (f *fixture) dashboard(ctx context.Context, unit string) (*dashboard.Dashboard, error) {
	in := dashboard.Input{From: &from, To: &to}
	if unit != "" {
		id := f.demo.Units[unit]
		in.UnitID = &id
	}
	return f.svc.Dashboard(ctx, in)
}

func (f *fixture) must(t *testing.T, ctx context.Context, unit string) *dashboard.Dashboard {
	t.Helper()
	out, err := f.dashboard(ctx, unit)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// under is the path of a demo unit, "" for the whole tenant.
func (f *fixture) under(t *testing.T, code string) string {
	if code == "" {
		return ""
	}
	u, err := f.d.Client.Unit.Get(authz.SystemContext(context.Background()), f.demo.Units[code])
	if err != nil {
		t.Fatal(err)
	}
	return u.ScopePath
}

// directHazards counts the demo hazards found in 2022 under path by level
// and state, straight from the table.
func (f *fixture) directHazards(t *testing.T, path string) (map[string]int, int) {
	sys := authz.SystemContext(context.Background())
	q := f.d.Client.Hazard.Query().Where(hazard.TenantID(f.demo.TenantID), hazard.FoundAtGTE(from), hazard.FoundAtLT(to))
	if path != "" {
		q = q.Where(hazard.ScopePathHasPrefix(path))
	}
	hs, err := q.All(sys)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]int{}
	for _, h := range hs {
		by[string(h.Level)+"/"+string(h.State)+"/"+h.FoundAt.UTC().Format("2006-01")]++
	}
	return by, len(hs)
}

func hazardsOf(out *dashboard.Dashboard) map[string]int {
	by := map[string]int{}
	for _, c := range out.Hazards {
		by[string(c.Level)+"/"+string(c.State)+"/"+c.Month] += c.Count
	}
	return by
}

func (f *fixture) directInspections(t *testing.T, path string) map[string]int {
	sys := authz.SystemContext(context.Background())
	q := f.d.Client.Inspection.Query().Where(inspection.TenantID(f.demo.TenantID), inspection.InspectedOnGTE(from), inspection.InspectedOnLT(to))
	if path != "" {
		q = q.Where(inspection.ScopePathHasPrefix(path))
	}
	is, err := q.All(sys)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]int{}
	for _, i := range is {
		sector := ""
		if i.ScopeSector != nil {
			sector = *i.ScopeSector
		}
		by[string(i.Type)+"/"+string(i.Status)+"/"+sector+"/"+i.InspectedOn.UTC().Format("2006-01")]++
	}
	return by
}

func inspectionsOf(out *dashboard.Dashboard) map[string]int {
	by := map[string]int{}
	for _, c := range out.Inspections {
		sector := ""
		if c.Sector != nil {
			sector = string(*c.Sector)
		}
		by[string(c.Type)+"/"+string(c.Status)+"/"+sector+"/"+c.Month] += c.Count
	}
	return by
}

func equalCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("%s %s: got %d, want %d (got %v)", what, k, got[k], n, got)
		}
	}
}

func indicator(t *testing.T, out *dashboard.Dashboard, k dashboard.Kind) dashboard.Indicator {
	t.Helper()
	for _, i := range out.Indicators {
		if i.Kind == k {
			return i
		}
	}
	t.Fatalf("no indicator %s in %v", k, out.Indicators)
	return dashboard.Indicator{}
}

func TestDashboardOnTheDemoCounty(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		head := f.as("county.head")

		t.Run("the county head's counts are the county's hazards and inspections, counted directly", func(t *testing.T) {
			out := f.must(t, head, "")
			want, total := f.directHazards(t, "")
			if total == 0 || out.HazardTotal != total {
				t.Fatalf("hazard total %d, direct %d", out.HazardTotal, total)
			}
			equalCounts(t, "hazards", hazardsOf(out), want)
			equalCounts(t, "inspections", inspectionsOf(out), f.directInspections(t, ""))
			if out.Year != 2022 || out.Unit != nil {
				t.Fatalf("year %d, unit %v", out.Year, out.Unit)
			}
		})

		t.Run("the county head's dashboard of the county equals the one of the whole jurisdiction", func(t *testing.T) {
			whole, county := f.must(t, head, ""), f.must(t, head, seed.CodeCounty)
			if whole.HazardTotal != county.HazardTotal || whole.InspectionTotal != county.InspectionTotal ||
				len(whole.Indicators) != len(county.Indicators) {
				t.Fatalf("whole %+v, county %+v", whole, county)
			}
			for i := range whole.Indicators {
				a, b := whole.Indicators[i], county.Indicators[i]
				if a.Numerator != b.Numerator || (a.Denominator == nil) != (b.Denominator == nil) ||
					(a.Denominator != nil && *a.Denominator != *b.Denominator) {
					t.Fatalf("%s: whole %+v, county %+v", a.Kind, a, b)
				}
			}
		})

		t.Run("a town head's dashboard holds only their town, with or without the unit", func(t *testing.T) {
			cg := f.as("chengguan.head")
			town := f.demo.Units[seed.CodeTownChengguan]
			want, total := f.directHazards(t, f.under(t, seed.CodeTownChengguan))
			for _, unit := range []string{"", seed.CodeTownChengguan} {
				out := f.must(t, cg, unit)
				if out.HazardTotal != total {
					t.Fatalf("unit %q: hazard total %d, direct %d", unit, out.HazardTotal, total)
				}
				equalCounts(t, "hazards", hazardsOf(out), want)
				equalCounts(t, "inspections", inspectionsOf(out), f.directInspections(t, f.under(t, seed.CodeTownChengguan)))
				for _, c := range out.Hazards {
					if c.TownID == nil || *c.TownID != town {
						t.Fatalf("a hazard of town %v on 城关镇's dashboard", c.TownID)
					}
				}
			}
			// The county head's view of the town is the same.
			byHead := f.must(t, head, seed.CodeTownChengguan)
			equalCounts(t, "hazards of 城关镇 for the county head", hazardsOf(byHead), want)
		})

		t.Run("units outside the caller's jurisdiction are not found, whatever the directory shows", func(t *testing.T) {
			cg := f.as("chengguan.head")
			for _, unit := range []string{seed.CodeTownXihe, seed.CodeCounty} {
				if _, err := f.dashboard(cg, unit); apperr.CodeOf(err) != apperr.NotFound {
					t.Fatalf("unit %s: %v", unit, err)
				}
			}
		})

		t.Run("a department is not a territory to count", func(t *testing.T) {
			if _, err := f.dashboard(head, seed.CodeDeptIndustryCommerce); apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("department: %v", err)
			}
		})

		t.Run("overdue hazards and risk points equal direct counts", func(t *testing.T) {
			out := f.must(t, head, "")
			sys := authz.SystemContext(context.Background())
			open, err := d.Client.Hazard.Query().Where(hazard.TenantID(f.demo.TenantID), hazard.StateNEQ(domain.HazardClosed)).All(sys)
			if err != nil {
				t.Fatal(err)
			}
			late := 0
			for _, h := range open {
				if h.Deadline.Before(time.Now()) {
					late++
				}
			}
			if o := indicator(t, out, dashboard.OverdueHazards); o.Numerator != late || *o.Denominator != len(open) {
				t.Fatalf("overdue %+v, direct %d of %d", o, late, len(open))
			}
			points, err := d.Client.RiskPoint.Query().Where(riskpoint.TenantID(f.demo.TenantID)).All(sys)
			if err != nil {
				t.Fatal(err)
			}
			red := 0
			for _, p := range points {
				if p.Level.Colour() == domain.ColourRed {
					red++
				}
			}
			if r := indicator(t, out, dashboard.RiskPointsRed); r.Numerator != red || *r.Denominator != len(points) {
				t.Fatalf("red risk points %+v, direct %d of %d", r, red, len(points))
			}
		})

		t.Run("every indicator names its source and stays within its denominator", func(t *testing.T) {
			for _, user := range []string{"county.head", "chengguan.head", "cement.principal", "bureau.fuel"} {
				out := f.must(t, f.as(user), "")
				if len(out.Indicators) != 13 {
					t.Fatalf("%s: %d indicators", user, len(out.Indicators))
				}
				for _, i := range out.Indicators {
					if i.Source == "" || i.Numerator < 0 || (i.Denominator != nil && i.Numerator > *i.Denominator) {
						t.Fatalf("%s: %+v", user, i)
					}
				}
			}
		})

		t.Run("the statements are bounded whatever the size of the scope", func(t *testing.T) {
			counts := map[string]int64{}
			for _, user := range []string{"county.head", "chengguan.head", "cement.principal"} {
				ctx, n := reqctx.WithStatementCounter(f.as(user))
				f.must(t, ctx, "")
				counts[user] = n.Load()
				if n.Load() > dashboard.MaxStatements {
					t.Fatalf("%s: %d statements", user, n.Load())
				}
			}
			t.Logf("statements per dashboard: %v", counts)
			if counts["county.head"] != 14 || counts["county.head"] != counts["chengguan.head"] {
				t.Fatalf("statements differ with the scope's size: %v", counts)
			}
		})
	})
}
