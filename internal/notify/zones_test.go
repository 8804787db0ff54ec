package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/notify"
	"github.com/dutychain/dutychain/internal/readiness"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb/demodb"
)

func TestDayIn(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		at   time.Time
		loc  *time.Location
		want string
	}{
		{"16:00 UTC is already tomorrow in Shanghai", time.Date(2026, 3, 1, 16, 0, 0, 0, time.UTC), shanghai, "2026-03-02"},
		{"15:59 UTC is still today in Shanghai", time.Date(2026, 3, 1, 15, 59, 0, 0, time.UTC), shanghai, "2026-03-01"},
		{"no zone counts UTC days", time.Date(2026, 3, 1, 23, 59, 0, 0, time.UTC), nil, "2026-03-01"},
	} {
		t.Run(c.name, func(t *testing.T) { require.Equal(t, c.want, notify.DayIn(c.at, c.loc)) })
	}
}

// TestRemindersCountDaysInTheTenantsZone: two tenants in different zones,
// one scan: each tenant's reminders are keyed by its own day, and the dates
// their sentences give are its own.
func TestRemindersCountDaysInTheTenantsZone(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := authz.SystemContext(context.Background())
		demo, err := seed.Load(ctx, d.Client, seed.TenantDemo)
		require.NoError(t, err)
		// The tenant's policy, as a server brings it at start: Plan decides
		// every recipient with it.
		require.NoError(t, authz.EnsureTenant(ctx, d.Client, demo.TenantID))
		_, err = d.Client.TenantSetting.Create().SetTenantID(demo.TenantID).SetTimeZone("America/Los_Angeles").Save(ctx)
		require.NoError(t, err)
		la, err := time.LoadLocation("America/Los_Angeles")
		require.NoError(t, err)

		zones, err := (&readiness.Service{Client: d.Client}).Zones(ctx)
		require.NoError(t, err)
		require.Equal(t, la, zones(demo.TenantID), "the tenant's own zone")
		require.Equal(t, readiness.DefaultZone, zones(demo.TenantID+1000).String(), "a tenant without a setting keeps the default")

		// 03:00 UTC on 1 January: still 31 December in Los Angeles, already
		// 1 January in Shanghai. Everything the demo holds is due by then.
		now := time.Date(2030, 1, 1, 3, 0, 0, 0, time.UTC)
		dues, err := notify.FindDue(ctx, d.Client, now, zones)
		require.NoError(t, err)
		reminders, err := notify.Plan(ctx, d.Client, nil, dues, now, 72*time.Hour, zones)
		require.NoError(t, err)
		days := map[bool]map[string]int{true: {}, false: {}}
		for _, r := range reminders {
			days[r.Tenant == demo.TenantID][r.Day]++
		}
		require.NotEmpty(t, days[true], "the demo tenant has reminders")
		require.Equal(t, []string{"2029-12-31"}, keys(days[true]), "the demo tenant counts Los Angeles days")
		if len(days[false]) > 0 {
			require.Equal(t, []string{"2030-01-01"}, keys(days[false]), "the other tenant counts Shanghai days")
		}
		for _, due := range dues {
			if due.Tenant == demo.TenantID {
				require.True(t, strings.Contains(due.Why, due.DueAt.In(la).Format(time.DateOnly)), "%q gives the date in Los Angeles", due.Why)
			}
		}
	})
}

func keys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
