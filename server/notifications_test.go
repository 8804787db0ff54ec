package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/notify"
	readinesssvc "github.com/dutychain/dutychain/internal/readiness"
	"github.com/dutychain/dutychain/internal/testdb"
)

const webhookSecret = "a webhook secret of at least 32 characters"

// receiver is a county's gateway: it checks each delivery's signature and
// answers 500 to the first, to be retried.
type receiver struct {
	mu        sync.Mutex
	delivered map[string]int // notification id → accepted deliveries
	refused   int
	bad       int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !notify.Verify([]byte(webhookSecret), r.Header.Get(notify.TimestampHeader), r.Header.Get(notify.SignatureHeader), body, time.Now(), 24*time.Hour*400) {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if rc.refused == 0 {
		rc.refused++
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var p struct{ ID string }
	_ = json.Unmarshal(body, &p)
	rc.delivered[p.ID]++
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, d.SQL.QueryRowContext(context.Background(), rebind(d, query), args...).Scan(&n))
	return n
}

// rebind turns ? placeholders into PostgreSQL's $n.
func rebind(d *db.DB, q string) string { return testdb.Rebind(d.Dialect, q) }

// TestRemindersFireOnceAcrossReplicas runs two servers, each with its job
// queue, on one database, and lets the reminder scan run: every reminder and
// escalation is stored and delivered once, a repeated scan adds nothing, and
// each user reads and marks only their own.
func TestRemindersFireOnceAcrossReplicas(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		rc := &receiver{delivered: map[string]int{}}
		hook := httptest.NewServer(rc)
		t.Cleanup(hook.Close)
		withWebhook := func(c *config.Config) {
			c.Notifications.WebhookURL, c.Notifications.WebhookSecret = hook.URL, webhookSecret
		}
		a, b := apitest.Serve(t, d, withWebhook), apitest.Serve(t, d, withWebhook)
		// A month on, overdue records have been overdue past the escalation delay.
		later := time.Now().Add(30 * 24 * time.Hour)
		zones, err := (&readinesssvc.Service{Client: d.Client}).Zones(context.Background())
		require.NoError(t, err)
		today := notify.DayIn(later, zones(0)) // every demo tenant keeps the default zone
		a.Clock.Set(later)
		b.Clock.Set(later)
		ctx := context.Background()
		for _, s := range []*apitest.Server{a, b} {
			require.NoError(t, s.App.Jobs.Start(ctx))
			t.Cleanup(func() {
				stop, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				require.NoError(t, s.App.Jobs.Stop(stop))
			})
		}

		dues, err := notify.FindDue(ctx, d.Client, later, zones)
		require.NoError(t, err)
		want, err := notify.Plan(ctx, d.Client, nil, dues, later, config.DefaultNotifications.EscalateAfter, zones)
		require.NoError(t, err)
		escalations := 0
		for _, r := range want {
			if r.Escalation {
				escalations++
			}
		}
		require.NotZero(t, escalations, "the demo data has records overdue long enough to escalate")

		require.Eventually(t, func() bool {
			rc.mu.Lock()
			defer rc.mu.Unlock()
			return len(rc.delivered) == len(want) &&
				count(t, d, "SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'discarded', 'cancelled')") == 0
		}, 90*time.Second, 100*time.Millisecond, "every reminder is stored and delivered")

		t.Run("each reminder and escalation is stored and delivered exactly once", func(t *testing.T) {
			require.Equal(t, len(want), count(t, d, "SELECT count(*) FROM notifications WHERE day = ?", today))
			require.Equal(t, escalations, count(t, d, "SELECT count(*) FROM notifications WHERE day = ? AND escalation = ?", today, true))
			require.Equal(t, 1, count(t, d, "SELECT count(*) FROM river_job WHERE kind = 'dutychain.reminder_scan'"), "one scan across both replicas")
			rc.mu.Lock()
			defer rc.mu.Unlock()
			for id, n := range rc.delivered {
				require.Equal(t, 1, n, "notification %s delivered once", id)
			}
			require.Zero(t, rc.bad, "every delivery's signature verifies")
			require.Equal(t, 1, rc.refused, "the refused delivery was retried")
		})

		t.Run("a scan repeated on the same day queues and stores nothing", func(t *testing.T) {
			queued, err := b.App.Jobs.Scan(ctx)
			require.NoError(t, err)
			require.Zero(t, queued)
			require.Equal(t, len(want), count(t, d, "SELECT count(*) FROM notifications WHERE day = ?", today))
			for _, r := range want[:min(3, len(want))] {
				_, created, err := b.App.Jobs.Notify().Record(ctx, r)
				require.NoError(t, err)
				require.False(t, created, "storing a reminder again finds the stored one")
			}
		})

		t.Run("a user reads and marks only their own notifications", func(t *testing.T) {
			user := userWithNotifications(t, d)
			token := a.As(user.name)
			var out struct {
				Notifications struct {
					TotalCount int
					Edges      []struct {
						Node struct{ ID, ObjectID, Kind string }
					}
				}
				UnreadNotificationCount int
			}
			a.MustDo(token, `{ notifications(first: 500) { totalCount edges { node { id objectID kind } } } unreadNotificationCount }`, nil).Decode(t, &out)
			require.Equal(t, count(t, d, "SELECT count(*) FROM notifications WHERE user_id = ?", user.id), out.Notifications.TotalCount)
			require.Equal(t, out.Notifications.TotalCount, out.UnreadNotificationCount)

			var other int
			require.NoError(t, d.SQL.QueryRowContext(ctx, rebind(d, "SELECT min(id) FROM notifications WHERE user_id <> ?"), user.id).Scan(&other))
			mark := `mutation($in: MarkNotificationsReadInput!) { markNotificationsRead(input: $in) { notifications { id readAt } } }`
			own := out.Notifications.Edges[0].Node.ID
			res := a.Do(token, mark, map[string]any{"in": map[string]any{"ids": []string{own, gid.Encode(other)}}})
			require.Equal(t, "NOT_FOUND", res.Code(), "another user's notification is not found")
			require.Equal(t, 0, count(t, d, "SELECT count(*) FROM notifications WHERE read_at IS NOT NULL"), "nothing is marked")

			audited := count(t, d, "SELECT count(*) FROM audit_events WHERE entity_type = 'notification' AND operation = 'UPDATE'")
			a.MustDo(token, mark, map[string]any{"in": map[string]any{"ids": []string{own}}})
			require.Equal(t, audited+1, count(t, d, "SELECT count(*) FROM audit_events WHERE entity_type = 'notification' AND operation = 'UPDATE'"))
			a.MustDo(token, `{ unreadNotificationCount }`, nil).Decode(t, &out)
			require.Equal(t, out.Notifications.TotalCount-1, out.UnreadNotificationCount)
		})
	})
}

type namedUser struct {
	id   int
	name string
}

// userWithNotifications is the demo user with the most notifications.
func userWithNotifications(t *testing.T, d *db.DB) namedUser {
	t.Helper()
	var u namedUser
	err := d.SQL.QueryRowContext(context.Background(), `SELECT u.id, u.username FROM users u JOIN notifications n ON n.user_id = u.id
		GROUP BY u.id, u.username ORDER BY count(*) DESC, u.id LIMIT 1`).Scan(&u.id, &u.name)
	if err == sql.ErrNoRows {
		t.Fatal("no user has notifications")
	}
	require.NoError(t, err)
	return u
}
