package emergency_test

// The service on the demo county, on SQLite and PostgreSQL: plan versions
// supersede in one transaction, bad input is coded and writes nothing,
// drills count on the right side of the half-year boundary, the demo's
// three enterprises behind the rule are listed, and the compliance view
// costs the same statements however many drills there are.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/emergencyplan"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/emergency"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

func planWith(state domain.EmergencyPlanState, due *time.Time) *ent.EmergencyPlan {
	return &ent.EmergencyPlan{State: state, ReviewDue: due}
}

// countingClient is a client on d whose statements n counts.
func countingClient(d *db.DB, n *atomic.Int64) *ent.Client {
	drv := dialect.DebugWithContext(entsql.OpenDB(d.Dialect, d.SQL), func(_ context.Context, args ...any) {
		s := fmt.Sprint(args...)
		if strings.HasPrefix(s, "driver.Query") || strings.HasPrefix(s, "driver.Exec") || strings.HasPrefix(s, "Tx(") {
			n.Add(1)
		}
	})
	return ent.NewClient(ent.Driver(drv))
}

// world is the seeded demo county with a way to act as its users.
type world struct {
	t     *testing.T
	d     *db.DB
	demo  *seed.Built
	store *authz.Store
	svc   *emergency.Service
}

func newWorld(t *testing.T, d *db.DB, client *ent.Client) *world {
	ctx := context.Background()
	if _, err := seed.Demo(ctx, d.Client); err != nil {
		t.Fatal(err)
	}
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
	now := func() time.Time { return time.Date(2022, 12, 31, 12, 0, 0, 0, time.UTC) }
	return &world{t: t, d: d, demo: demo, store: store, svc: &emergency.Service{Client: client, Dialect: d.Dialect, Now: now}}
}

// as is a context of the demo user.
func (w *world) as(user string) context.Context {
	w.t.Helper()
	ctx := context.Background()
	v, err := authz.LoadViewer(ctx, w.d.Client, w.store.Current(), w.demo.Users[user], w.demo.TenantID, time.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return authz.NewContext(ctx, v)
}

func codeOf(err error) apperr.Code {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestService(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		var n atomic.Int64
		w := newWorld(t, d, countingClient(d, &n))
		cement := w.demo.Units[seed.CodeCement]
		principal := w.as("cement.principal")
		plans := func(series string) []*ent.EmergencyPlan {
			ps, err := d.Client.EmergencyPlan.Query().Where(emergencyplan.UnitID(cement), emergencyplan.Series(series)).
				Order(ent.Asc(emergencyplan.FieldID)).All(authz.SystemContext(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			return ps
		}

		t.Run("a new approved version supersedes the effective one", func(t *testing.T) {
			before := plans("COMPREHENSIVE")
			p, err := w.svc.CreatePlan(principal, emergency.PlanInput{UnitID: cement, Kind: domain.PlanComprehensive,
				Title: "综合应急预案", Version: "2022修订版", Approval: &emergency.Approval{ApprovedOn: day(2022, 11, 1)}})
			if err != nil {
				t.Fatal(err)
			}
			if p.State != domain.PlanEffective || p.SupersedesID == nil || p.ReviewDue == nil || !p.ReviewDue.Equal(day(2025, 11, 1)) {
				t.Errorf("new version %+v", p)
			}
			after := plans("COMPREHENSIVE")
			effective := 0
			for _, x := range after {
				if x.State == domain.PlanEffective {
					effective++
				}
			}
			if len(after) != len(before)+1 || effective != 1 {
				t.Errorf("%d versions, %d effective", len(after), effective)
			}
		})

		t.Run("a draft approved supersedes the effective one", func(t *testing.T) {
			fire := domain.TopicFire
			draft, err := w.svc.CreatePlan(principal, emergency.PlanInput{UnitID: cement, Kind: domain.PlanSpecial, Topic: &fire,
				Title: "火灾专项应急预案", Version: "2022修订版"})
			if err != nil || draft.State != domain.PlanDraft {
				t.Fatalf("draft %+v, %v", draft, err)
			}
			p, err := w.svc.ApprovePlan(principal, draft.ID, emergency.Approval{ApprovedOn: day(2022, 12, 1)})
			if err != nil || p.State != domain.PlanEffective {
				t.Fatalf("approved %+v, %v", p, err)
			}
			if _, err := w.svc.ApprovePlan(principal, draft.ID, emergency.Approval{ApprovedOn: day(2022, 12, 2)}); codeOf(err) != apperr.BadUserInput {
				t.Errorf("approving twice: %v", err)
			}
		})

		t.Run("bad plans are refused with a code and write nothing", func(t *testing.T) {
			before := len(plans("ON_SITE"))
			fire := domain.TopicFire
			for name, in := range map[string]emergency.PlanInput{
				"a review more than three years after approval": {UnitID: cement, Kind: domain.PlanOnSite, Title: "t", Version: "v",
					Approval: &emergency.Approval{ApprovedOn: day(2022, 1, 1), ReviewDue: ptr(day(2025, 1, 2))}},
				"a topic on an on-site plan":   {UnitID: cement, Kind: domain.PlanOnSite, Topic: &fire, Title: "t", Version: "v"},
				"a special plan without topic": {UnitID: cement, Kind: domain.PlanSpecial, Title: "t", Version: "v"},
				"a version approved before the effective one": {UnitID: cement, Kind: domain.PlanOnSite, Title: "t", Version: "v",
					Approval: &emergency.Approval{ApprovedOn: day(2020, 1, 1)}},
				"a filing with a town": {UnitID: cement, Kind: domain.PlanOnSite, Title: "t", Version: "v",
					Approval: &emergency.Approval{ApprovedOn: day(2022, 12, 1), FiledWithID: ptr(w.demo.Units[seed.CodeTownNanshan]), FiledOn: ptr(day(2022, 12, 5))}},
			} {
				_, err := w.svc.CreatePlan(principal, in)
				if codeOf(err) != apperr.BadUserInput {
					t.Errorf("%s: %v", name, err)
				}
			}
			if got := len(plans("ON_SITE")); got != before {
				t.Errorf("refused plans wrote %d rows", got-before)
			}
		})

		t.Run("nobody records a plan in another unit's name", func(t *testing.T) {
			_, err := w.svc.CreatePlan(w.as("county.head"), emergency.PlanInput{UnitID: cement, Kind: domain.PlanOnSite, Title: "t", Version: "v"})
			if codeOf(err) != apperr.Forbidden {
				t.Errorf("the county records the cement plant's plan: %v", err)
			}
			_, err = w.svc.CreatePlan(w.as("auditor.county"), emergency.PlanInput{UnitID: w.demo.Units[seed.CodeCounty], Kind: domain.PlanOnSite, Title: "t", Version: "v"})
			if codeOf(err) != apperr.Forbidden {
				t.Errorf("an auditor records a plan: %v", err)
			}
		})

		onSite := plans("ON_SITE")[0].ID
		drill := func(heldOn time.Time) error {
			_, err := w.svc.RecordDrill(principal, emergency.DrillInput{PlanID: onSite, HeldOn: heldOn, Form: domain.DrillFunctional,
				Participants: 10, Scenario: "边界演练"})
			return err
		}
		t.Run("a drill before its plan's approval is refused", func(t *testing.T) {
			if err := drill(day(2021, 1, 1)); codeOf(err) != apperr.BadUserInput {
				t.Errorf("drill before approval: %v", err)
			}
		})

		row := func(year int) emergency.ComplianceRow {
			c, err := w.svc.Compliance(w.as("county.head"), emergency.ComplianceInput{Year: year, First: 500})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range c.Rows {
				if r.Enterprise.ID == cement {
					return r
				}
			}
			t.Fatal("no row of the cement plant")
			return emergency.ComplianceRow{}
		}
		t.Run("on-site drills count on their side of the first of July", func(t *testing.T) {
			for _, at := range []time.Time{time.Date(2023, 6, 30, 23, 59, 59, 0, time.UTC), time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)} {
				w.svc.Now = func() time.Time { return day(2024, 1, 1) }
				if err := drill(at); err != nil {
					t.Fatal(err)
				}
			}
			r := row(2023)
			if r.OnSiteFirstHalf != 1 || r.OnSiteSecondHalf != 1 || r.Status != domain.DrillBehind ||
				!slices.Equal(r.Missing, []domain.DrillRequirement{domain.RequireAnnualPlanDrill}) {
				t.Errorf("2023: %+v", r)
			}
		})

		t.Run("the demo's three enterprises are behind in 2022", func(t *testing.T) {
			c, err := w.svc.Compliance(w.as("county.head"), emergency.ComplianceInput{Year: 2022, First: 500,
				Statuses: []domain.DrillComplianceStatus{domain.DrillBehind, domain.DrillNone}, Sectors: []domain.Sector{domain.SectorIndustry}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range c.Rows {
				got = append(got, r.Enterprise.Code)
			}
			want := slices.Clone(seed.DrillsBehind)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("behind in 2022: %v, want %v", got, want)
			}
		})

		t.Run("the compliance view costs two statements however many drills", func(t *testing.T) {
			ctx := w.as("county.head")
			count := func() int64 {
				n.Store(0)
				if _, err := w.svc.Compliance(ctx, emergency.ComplianceInput{Year: 2022, First: 20}); err != nil {
					t.Fatal(err)
				}
				return n.Load()
			}
			small := count()
			w.svc.Now = func() time.Time { return day(2023, 1, 1) }
			for i := range 20 {
				if err := drill(day(2022, 4, 1+i)); err != nil {
					t.Fatal(err)
				}
			}
			if large := count(); small != 2 || large != small {
				t.Errorf("statements: %d, then %d after 20 more drills; want 2", small, large)
			}
		})
	})
}

func ptr[T any](v T) *T { return &v }
