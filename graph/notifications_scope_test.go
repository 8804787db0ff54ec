package graph_test

// Reminders and escalations reach only people who may read the record they
// are about: a notification names its record (title, category, holder,
// number, state in its sentence, and its global id), so sending one to a
// post that does not read the record tells them of a record outside their
// jurisdiction (§4: out-of-scope objects do not exist for the caller).
// notify.Plan decides each recipient post with the policy on the record's
// scope, and the notifications query shows only those whose record the
// caller reads now.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/notification"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/notify"
	"github.com/dutychain/dutychain/internal/readiness"
	"github.com/dutychain/dutychain/internal/seed"
)

// notifications is the answer of notificationsDoc.
type notifications struct {
	Notifications struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID, Kind, Why, ObjectID string
				Escalation              bool
				Object                  *struct{ ID string }
			}
		}
	}
	UnreadNotificationCount int
}

const notificationsDoc = `{ notifications(first: 500) { totalCount edges { node { id kind why objectID escalation object { id } } } } unreadNotificationCount }`

// whys are the sentences of n's notifications.
func (n notifications) whys() []string {
	var out []string
	for _, e := range n.Notifications.Edges {
		out = append(out, e.Node.Why)
	}
	return out
}

// mentioning reports whether one of whys contains s.
func mentioning(whys []string, s string) bool {
	for _, w := range whys {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

func TestNotificationsReachOnlyReadersOfTheirRecord(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		// A month on, the demo's overdue records have been overdue past the
		// escalation delay: the reminder scan stores what Plan decides.
		ctx := context.Background()
		later := time.Now().Add(30 * 24 * time.Hour)
		s.Clock.Set(later)
		zones, err := (&readiness.Service{Client: s.DB.Client}).Zones(ctx)
		require.NoError(t, err)
		dues, err := notify.FindDue(ctx, s.DB.Client, later, zones)
		require.NoError(t, err)
		reminders, err := notify.Plan(ctx, s.DB.Client, s.App.Policy.Current(), dues, later, config.DefaultNotifications.EscalateAfter, zones)
		require.NoError(t, err)
		for _, r := range reminders {
			_, _, err := s.App.Jobs.Notify().Record(ctx, r)
			require.NoError(t, err)
		}

		for _, tc := range []struct {
			name, user string
			// never and still are phrases of notifications' sentences: the
			// records the user must not be told of, and those they still are.
			never, still []string
		}{
			{"the fuel deputy of the bureau is notified only of fuel stations' records and the bureau's own",
				"bureau.fuel",
				[]string{"粉磨包装车间", "回转窑车间", "原料车间", "提取车间", "包装班", "示范县东城商贸城有限公司", "示范县南湖大酒店有限公司", // industrial and commerce letters
					"(RECTIFYING)",                                                // the commerce hotel's fire hazard
					"AQ341100202100016", "AQ341100201900108", "XF341100201900418", // industrial and commerce certificates, with their holders
					"示工信商务〔2022〕12号", "示工信商务〔2022〕21号"}, // notices awaiting a commerce and an industrial unit
				[]string{"县工信商务局", "示范县桥头物流园加油站", "中国石油示范县城关加油站", "T341100198801010011", "示安委〔2022〕9号"}},
			{"the commerce deputy of 西河镇 is notified only of 西河镇's own and commerce records",
				"xihe.deputy",
				[]string{"AQ341100201900108", "T341100198801010011"}, // an industrial and a fuel certificate of 西河镇's enterprises
				[]string{"西河镇", "示安委〔2023〕1号"}},
			{"the industry deputy of the county is not told of a commerce hazard's follow-up",
				"county.deputy.industry",
				[]string{"assigned to your unit"},
				[]string{"东城街道", "县应急管理局", "示安委〔2023〕1号"}},
			{"the bureau's chief, without sectors, is still told of every sector's records below the bureau",
				"bureau.chief",
				nil,
				[]string{"粉磨包装车间", "(RECTIFYING)", "AQ341100202100016", "XF341100201900418", "T341100198801010011", "示工信商务〔2022〕12号"}},
			{"the cement plant's principal is still reminded of its own certificate",
				"cement.principal",
				nil,
				[]string{"AQ341100202100016"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				// What the scan stored: Plan sent nothing about them.
				sys := authz.SystemContext(ctx)
				uid, err := s.DB.Client.User.Query().Where(user.Username(tc.user)).OnlyID(sys)
				require.NoError(t, err)
				stored, err := s.DB.Client.Notification.Query().Where(notification.UserID(uid)).All(sys)
				require.NoError(t, err)
				var sent []string
				for _, n := range stored {
					sent = append(sent, n.Why)
				}
				for _, never := range tc.never {
					assert.False(t, mentioning(sent, never), "%s was sent a notification about %q, a record they cannot read", tc.user, never)
				}

				var out notifications
				gqOK(t, s, s.As(tc.user), notificationsDoc, nil).Decode(t, &out)
				whys := out.whys()
				assert.ElementsMatch(t, sent, whys, "the notifications query shows every notification sent now")
				for _, never := range tc.never {
					assert.False(t, mentioning(whys, never), "%s was told of %q, a record they cannot read", tc.user, never)
				}
				for _, still := range tc.still {
					assert.True(t, mentioning(whys, still), "%s is no longer told of %q: %q", tc.user, still, whys)
				}
				for _, e := range out.Notifications.Edges {
					n := e.Node
					if n.Kind == "NOTICE_NOT_RECEIVED" {
						continue // about the notice, which a recipient reads through its receipt, not by node
					}
					assert.NotNil(t, n.Object, "%s was sent a %s notification (escalation %v) about %s, a record they cannot read: %q",
						tc.user, n.Kind, n.Escalation, n.ObjectID, n.Why)
				}
				assert.Len(t, out.Notifications.Edges, out.Notifications.TotalCount)
				assert.Equal(t, out.Notifications.TotalCount, out.UnreadNotificationCount)
			})
		}
	})
}

// A notification made while its recipient read the record is not shown
// once they no longer do (a post narrowed since): not in the list, not in
// the totals, and marking it read is NOT_FOUND, as for any record out of
// scope. It shows again when the post reads the record again.
func TestNotificationsFollowTheRecipientsScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		ctx := context.Background()
		admin, deputy := s.As("admin"), s.As("xihe.deputy")
		var posts struct {
			Users struct {
				Edges []struct {
					Node struct {
						ID    string
						Posts struct {
							Edges []struct{ Node struct{ ID string } }
						}
					}
				}
			}
		}
		gqOK(t, s, admin, `{ users(where: {username: "xihe.deputy"}) { edges { node { id posts { edges { node { id } } } } } } }`, nil).Decode(t, &posts)
		require.Len(t, posts.Users.Edges, 1)
		require.Len(t, posts.Users.Edges[0].Node.Posts.Edges, 1)
		post := posts.Users.Edges[0].Node.Posts.Edges[0].Node.ID
		var reported struct {
			ReportHazard struct{ Hazard struct{ ID string } }
		}
		market := unitID(t, s, admin, seed.CodeMarket)
		gqOK(t, s, s.As("county.head"), `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id } } }`, map[string]any{"in": map[string]any{
			"subjectID": market, "source": "REPORT", "level": "GENERAL", "category": "消防安全",
			"description": "农贸市场消防通道堵塞", "deadline": "2031-01-01T00:00:00Z"}}).Decode(t, &reported)
		hazard := reported.ReportHazard.Hazard.ID
		hazardID, err := gid.Decode(hazard)
		require.NoError(t, err)
		marketID, err := gid.Decode(market)
		require.NoError(t, err)
		deputyID, err := gid.Decode(posts.Users.Edges[0].Node.ID)
		require.NoError(t, err)
		h, err := s.DB.Client.Hazard.Get(authz.SystemContext(ctx), hazardID)
		require.NoError(t, err)
		tenant := h.TenantID
		n, _, err := s.App.Jobs.Notify().Record(ctx, notify.Reminder{
			Due: notify.Due{Tenant: tenant, Kind: notify.HazardOverdue, ObjectID: hazardID, UnitID: marketID, DueAt: time.Now(),
				Why: "The hazard \"消防安全\" (REPORTED) is past its rectification deadline."},
			UserID: deputyID, Day: notify.DayIn(time.Now(), nil)})
		require.NoError(t, err)
		notification := gid.Encode(n.ID)

		read := func() (shown bool, out notifications) {
			gqOK(t, s, deputy, notificationsDoc, nil).Decode(t, &out)
			for _, e := range out.Notifications.Edges {
				if e.Node.ID == notification {
					return true, out
				}
			}
			return false, out
		}
		setSectors := func(sectors ...string) {
			gqOK(t, s, admin, `mutation($in: UpdatePostInput!) { updatePost(input: $in) { post { id } } }`,
				map[string]any{"in": map[string]any{"id": post, "sectors": sectors}})
		}
		mark := `mutation($in: MarkNotificationsReadInput!) { markNotificationsRead(input: $in) { notifications { id readAt } } }`

		shown, before := read()
		require.True(t, shown, "the commerce deputy of 西河镇 reads the market's hazard and its notification")

		for _, tc := range []struct {
			name    string
			sectors []string
			shown   bool
		}{
			{"narrowed to FUEL, the deputy no longer sees the notification of the market's hazard, nor counts it, nor marks it", []string{"FUEL"}, false},
			{"back on COMMERCE, the deputy sees it again", []string{"COMMERCE"}, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				setSectors(tc.sectors...)
				shown, out := read()
				require.Equal(t, tc.shown, shown)
				delta := 0
				if !tc.shown {
					delta = 1
				}
				require.Equal(t, before.Notifications.TotalCount-delta, out.Notifications.TotalCount)
				require.Equal(t, before.UnreadNotificationCount-delta, out.UnreadNotificationCount)
				if !tc.shown {
					requireCode(t, gq(t, s, deputy, mark, map[string]any{"in": map[string]any{"ids": []string{notification}}}), "NOT_FOUND")
				}
			})
		}
		t.Run("back on COMMERCE, the deputy marks it read", func(t *testing.T) {
			gqOK(t, s, deputy, mark, map[string]any{"in": map[string]any{"ids": []string{notification}}})
			_, out := read()
			require.Equal(t, before.UnreadNotificationCount-1, out.UnreadNotificationCount)
		})
	})
}
