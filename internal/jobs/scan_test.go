package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/jobs"
	"github.com/dutychain/dutychain/internal/notify"
	"github.com/dutychain/dutychain/internal/readiness"
)

// TestReminderScanWalksPageByPage runs the reminder scan over the demo
// tenants a month on, reading one due record at a time, and compares what it
// queues with the reminders planned from every due record at once.
func TestReminderScanWalksPageByPage(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// Every tenant's policy, as a server brings it at start: Plan
		// decides each recipient with it.
		tenants, err := d.Client.Tenant.Query().IDs(authz.SystemContext(ctx))
		require.NoError(t, err)
		for _, id := range tenants {
			require.NoError(t, authz.EnsureTenant(ctx, d.Client, id))
		}
		later := time.Now().Add(30 * 24 * time.Hour)
		zones, err := (&readiness.Service{Client: d.Client}).Zones(ctx)
		require.NoError(t, err)
		dues, err := notify.FindDue(ctx, d.Client, later, zones)
		require.NoError(t, err)
		want, err := notify.Plan(ctx, d.Client, nil, dues, later, 72*time.Hour, zones)
		require.NoError(t, err)
		require.Greater(t, len(dues), 1, "the demo data has several records due a month on")
		require.NotEmpty(t, want, "their responsible posts are reminded")

		t.Run("pages of one record walk every due record once, in kind and id order", func(t *testing.T) {
			var walked []notify.Due
			require.NoError(t, notify.EachDue(ctx, d.Client, later, zones, 1, func(page []notify.Due) error {
				require.LessOrEqual(t, len(page), 1)
				walked = append(walked, page...)
				return nil
			}))
			require.Equal(t, dues, walked)
		})

		r, err := jobs.New(d, jobs.Options{ScanPeriod: time.Hour, EscalateAfter: 72 * time.Hour,
			Now: func() time.Time { return later }, ScanPage: 1})
		require.NoError(t, err)

		t.Run("a scan in pages of one queues every planned reminder", func(t *testing.T) {
			queued, err := r.Scan(ctx)
			require.NoError(t, err)
			require.Equal(t, len(want), queued)
			var n int
			require.NoError(t, d.SQL.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE kind = 'dutychain.remind'").Scan(&n))
			require.Equal(t, len(want), n)
		})

		t.Run("the same scan again the same day queues nothing", func(t *testing.T) {
			queued, err := r.Scan(ctx)
			require.NoError(t, err)
			require.Zero(t, queued)
		})
	})
}
