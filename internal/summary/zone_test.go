package summary_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/summary"
	"github.com/dutychain/dutychain/internal/testdb/demodb"
)

// recordingZones answers with a fixed zone (or error) and records which
// tenants were asked.
type recordingZones struct {
	zone    *time.Location
	err     error
	tenants []int
}

func (z *recordingZones) Zone(_ context.Context, tenantID int) (*time.Location, error) {
	z.tenants = append(z.tenants, tenantID)
	return z.zone, z.err
}

func TestSummaryYearFollowsTheTenantsZone(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
		f := open(t, d)
		county := f.b.Units[seed.CodeCounty]

		t.Run("the year is counted in the caller's tenant's zone", func(t *testing.T) {
			zones := &recordingZones{zone: time.FixedZone("UTC-12", -12*3600)}
			f.svc.Zones = zones
			s, err := f.svc.Build(f.user("county.head"), summary.Input{Year: 2022, UnitID: &county})
			if err != nil {
				t.Fatal(err)
			}
			if len(zones.tenants) != 1 || zones.tenants[0] != f.b.TenantID {
				t.Errorf("zones asked for tenants %v, want [%d]", zones.tenants, f.b.TenantID)
			}
			if s.Figure("enterprises") == 0 {
				t.Errorf("the summary in another zone still counts the county: %+v", s.Figures)
			}
		})

		t.Run("a zone that cannot be read fails the summary instead of guessing", func(t *testing.T) {
			f.svc.Zones = &recordingZones{err: errors.New("settings table unavailable")}
			if _, err := f.svc.Build(f.user("county.head"), summary.Input{Year: 2022, UnitID: &county}); err == nil {
				t.Fatal("built a summary without the tenant's zone")
			}
		})
	})
}
