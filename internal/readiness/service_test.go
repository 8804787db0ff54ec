package readiness_test

// The service on the demo county: the seeded rosters' gaps in the tenant's
// zone, the gap views' rules, and refused input writing nothing.

import (
	"context"
	"testing"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/dutyroster"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/readiness"
	"github.com/dutychain/dutychain/internal/reqctx"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb/demodb"
)

func TestServiceOnTheDemoCounty(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
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
		as := func(user string) context.Context {
			v, err := authz.LoadViewer(ctx, d.Client, store.Current(), demo.Users[user], demo.TenantID, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return authz.NewContext(ctx, v)
		}
		svc := &readiness.Service{Client: d.Client}
		head := as("county.head")
		countyPath, err := readiness.Below(head, d.Client, demo.Units[seed.CodeCounty])
		if err != nil {
			t.Fatal(err)
		}

		t.Run("only 城关镇's National Day roster has a gap, three hours in the night of 4 October", func(t *testing.T) {
			ids, err := svc.RostersWithGaps(head, countyPath, time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != 1 {
				t.Fatalf("rosters with gaps: %v", ids)
			}
			r, err := d.Client.DutyRoster.Query().Where(dutyroster.ID(ids[0])).WithShifts().Only(head)
			if err != nil {
				t.Fatal(err)
			}
			zone, err := svc.Zone(head, r.TenantID)
			if err != nil {
				t.Fatal(err)
			}
			gaps := readiness.GapsOf(r, r.Edges.Shifts, zone)
			if r.UnitID != demo.Units[seed.CodeTownChengguan] || len(gaps) != 1 ||
				gaps[0].Start.Format(time.RFC3339) != "2022-10-04T02:00:00+08:00" || gaps[0].Minutes() != 180 {
				t.Fatalf("roster of unit %d, gaps %v", r.UnitID, gaps)
			}
		})
		t.Run("a tenant-level ADMIN moves the tenant's zone and the gap reads in it", func(t *testing.T) {
			if err := svc.SetZone(head, countyPath, "Europe/Berlin"); apperr.CodeOf(err) != apperr.Forbidden {
				t.Fatalf("the county head setting the zone: %v", err)
			}
			if err := svc.SetZone(as("admin"), countyPath, "Mars/Olympus"); apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("an unknown zone: %v", err)
			}
			if err := svc.SetZone(as("admin"), countyPath, "Europe/Berlin"); err != nil {
				t.Fatal(err)
			}
			zone, err := svc.Zone(head, demo.TenantID)
			if err != nil || zone.String() != "Europe/Berlin" {
				t.Fatalf("zone %v (%v)", zone, err)
			}
			r := chengguanRoster(t, head, d, demo)
			gaps := readiness.GapsOf(r, r.Edges.Shifts, zone)
			if len(gaps) != 1 || gaps[0].Start.Format(time.RFC3339) != "2022-10-03T20:00:00+02:00" {
				t.Fatalf("gaps in Berlin: %v", gaps)
			}
			if err := svc.SetZone(as("admin"), countyPath, readiness.DefaultZone); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("a zone set through one replica is read by another on its next request", func(t *testing.T) {
			other := &readiness.Service{Client: d.Client} // a second server process on the same database
			before, err := other.ZoneName(head, demo.TenantID)
			if err != nil || before != readiness.DefaultZone {
				t.Fatalf("zone before: %q (%v)", before, err)
			}
			if err := svc.SetZone(as("admin"), countyPath, "Europe/Berlin"); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := svc.SetZone(as("admin"), countyPath, readiness.DefaultZone); err != nil {
					t.Error(err)
				}
			})
			after, err := other.ZoneName(head, demo.TenantID)
			if err != nil || after != "Europe/Berlin" {
				t.Fatalf("zone read by the other replica after the change: %q (%v)", after, err)
			}
		})
		t.Run("within one request the zone is read once however many rosters ask", func(t *testing.T) {
			ctx, statements := reqctx.WithStatementCounter(readiness.WithZoneMemo(head))
			for range 5 {
				if name, err := svc.ZoneName(ctx, demo.TenantID); err != nil || name != readiness.DefaultZone {
					t.Fatalf("zone %q (%v)", name, err)
				}
			}
			if n := statements.Load(); n != 1 {
				t.Fatalf("five zone lookups in one request ran %d statements, want 1", n)
			}
		})
		t.Run("an edit in a version another edit replaced is a CONFLICT and writes nothing", func(t *testing.T) {
			town := as("chengguan.head")
			r := chengguanRoster(t, town, d, demo)
			cover := []readiness.ShiftInput{{StartsAt: r.PeriodStart, EndsAt: r.PeriodEnd, StaffName: "王值班"}}
			for _, sh := range r.Edges.Shifts {
				if sh.LeaderPostID != nil {
					cover[0].LeaderPostID = sh.LeaderPostID
				}
			}
			edited, err := svc.UpdateRoster(town, readiness.RosterUpdate{ID: r.ID, Version: r.Version, ReplaceShifts: cover})
			if err != nil || edited.Version != r.Version+1 {
				t.Fatalf("first edit: %v (%v)", edited, err)
			}
			if ids, _ := svc.RostersWithGaps(head, countyPath, r.PeriodStart, r.PeriodEnd); len(ids) != 0 {
				t.Fatalf("rosters with gaps after the cover: %v", ids)
			}
			title := "改"
			_, err = svc.UpdateRoster(town, readiness.RosterUpdate{ID: r.ID, Version: r.Version, Title: &title})
			if apperr.CodeOf(err) != apperr.Conflict {
				t.Fatalf("stale edit: %v", err)
			}
			if now := chengguanRoster(t, town, d, demo); now.Title != r.Title || now.Version != r.Version+1 {
				t.Fatalf("after the stale edit: %q version %d", now.Title, now.Version)
			}
		})
		t.Run("taking more from a reserve than it holds is refused", func(t *testing.T) {
			chief := as("emergency.chief")
			m, err := d.Client.MaterialReserve.Query().First(chief)
			if err != nil {
				t.Fatal(err)
			}
			take := -(m.Quantity + 1)
			_, err = svc.UpdateReserve(chief, readiness.ReserveUpdate{ID: m.ID, QuantityChange: &take})
			if apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("taking %d of %d: %v", -take, m.Quantity, err)
			}
			take = -1
			after, err := svc.UpdateReserve(chief, readiness.ReserveUpdate{ID: m.ID, QuantityChange: &take})
			if err != nil || after.Quantity != m.Quantity-1 {
				t.Fatalf("taking one: %v (%v)", after, err)
			}
		})
		t.Run("a roster with a backward shift and a negative member count is refused field by field", func(t *testing.T) {
			before, err := d.Client.DutyRoster.Query().Count(authz.SystemContext(ctx))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)
			_, err = svc.CreateRoster(head, readiness.RosterInput{UnitID: demo.Units[seed.CodeCounty], Title: "值班表",
				PeriodStart: start, PeriodEnd: start.Add(24 * time.Hour), RequiresFullCover: true,
				Shifts: []readiness.ShiftInput{{StartsAt: start.Add(time.Hour), EndsAt: start, StaffName: "王值班"}}})
			if apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("backward shift: %v", err)
			}
			_, err = svc.CreateTeam(head, readiness.TeamInput{UnitID: demo.Units[seed.CodeCounty], Name: "队", Kind: "FULL_TIME", MemberCount: -1})
			if apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("negative member count: %v", err)
			}
			after, err := d.Client.DutyRoster.Query().Count(authz.SystemContext(ctx))
			if err != nil || after != before {
				t.Fatalf("rosters %d → %d (%v)", before, after, err)
			}
		})
		t.Run("the town's head may not record a reserve of the county", func(t *testing.T) {
			_, err := svc.CreateReserve(as("chengguan.head"), readiness.ReserveInput{UnitID: demo.Units[seed.CodeCounty],
				Item: "编织袋", UnitOfMeasure: "条"})
			if apperr.CodeOf(err) != apperr.NotFound {
				t.Fatalf("a town recording for the county: %v", err)
			}
		})
	})
}

// chengguanRoster loads 城关镇's National Day roster with its shifts.
func chengguanRoster(t *testing.T, ctx context.Context, d *db.DB, demo *seed.Built) *ent.DutyRoster {
	t.Helper()
	r, err := d.Client.DutyRoster.Query().Where(dutyroster.UnitID(demo.Units[seed.CodeTownChengguan]),
		dutyroster.KeyPeriodEQ(domain.DutyNationalDay)).WithShifts().Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
