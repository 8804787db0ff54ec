package graph_test

// myTasks agrees with allowedActions: every task of every demo user names
// an action its object lists; a town head gets no task of another town; and
// the inbox costs the same statements however many records are candidates.

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
)

const myTasksQuery = `{ myTasks(first: 500) { totalCount edges { node { kind action why dueAt overdue object { id __typename
  ... on ResponsibilityLetter { a1: allowedActions } ... on Hazard { a2: allowedActions } ... on Certificate { a3: allowedActions }
  ... on DutyList { a4: allowedActions } ... on EmergencyPlan { a5: allowedActions } ... on NoticeReceipt { a6: allowedActions } } } } } }`

type taskRow struct {
	Kind, Action, Why string
	DueAt             *time.Time
	Object            struct {
		ID                     string
		Typename               string `json:"__typename"`
		A1, A2, A3, A4, A5, A6 []string
	}
}

// myTasksOf returns token's tasks.
func myTasksOf(t *testing.T, s *apitest.Server, token string) []taskRow {
	var out struct {
		MyTasks struct {
			TotalCount int
			Edges      []struct{ Node taskRow }
		}
	}
	gqOK(t, s, token, myTasksQuery, nil).Decode(t, &out)
	rows := make([]taskRow, len(out.MyTasks.Edges))
	for i, e := range out.MyTasks.Edges {
		rows[i] = e.Node
		o := &rows[i].Object
		o.A1 = slices.Concat(o.A1, o.A2, o.A3, o.A4, o.A5, o.A6) // the object's allowedActions, whatever its type
	}
	require.Equal(t, out.MyTasks.TotalCount, len(rows))
	return rows
}

func TestMyTasks(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		t.Run("every task of every demo user is an action its object's allowedActions lists", func(t *testing.T) {
			kinds := map[string]int{}
			for _, user := range demoUsers(t, s) {
				for _, task := range myTasksOf(t, s, s.As(user)) {
					require.Contains(t, task.Object.A1, task.Action, "%s: %s task on %s %s", user, task.Kind, task.Object.Typename, task.Object.ID)
					require.NotEmpty(t, task.Why)
					kinds[task.Kind]++
				}
			}
			t.Logf("tasks of the demo users by kind: %v", kinds)
			require.NotEmpty(t, kinds, "the demo county has work waiting")
			require.Positive(t, kinds["NOTICE_TO_RECEIVE"], "the demo county has notices not signed for")
		})

		t.Run("every notice a demo user may sign for is one of their tasks, and no other", func(t *testing.T) {
			for _, user := range demoUsers(t, s) {
				token := s.As(user)
				var out struct {
					NoticeReceipts struct {
						Edges []struct {
							Node struct {
								ID             string
								AllowedActions []string
							}
						}
					}
				}
				gqOK(t, s, token, `{ noticeReceipts(first: 500, where: {receivedAtIsNil: true}) { edges { node { id allowedActions } } } }`, nil).Decode(t, &out)
				var receivable []string
				for _, e := range out.NoticeReceipts.Edges {
					if slices.Contains(e.Node.AllowedActions, "RECEIVE") {
						receivable = append(receivable, e.Node.ID)
					}
				}
				var tasked []string
				for _, task := range myTasksOf(t, s, token) {
					if task.Kind == "NOTICE_TO_RECEIVE" {
						require.Equal(t, "RECEIVE", task.Action)
						tasked = append(tasked, task.Object.ID)
					}
				}
				require.ElementsMatch(t, receivable, tasked, "%s: receipts they may sign for = their NOTICE_TO_RECEIVE tasks", user)
			}
		})

		t.Run("every assigned hazard a demo user may follow up past its date, and every plan they may review that is due, is one of their tasks, and no other", func(t *testing.T) {
			now := time.Now()
			for _, user := range demoUsers(t, s) {
				token := s.As(user)
				var out struct {
					Hazards struct {
						Edges []struct {
							Node struct {
								ID             string
								FollowUpOn     *time.Time
								AllowedActions []string
							}
						}
					}
					EmergencyPlans struct {
						Edges []struct {
							Node struct {
								ID             string
								Status         string
								AllowedActions []string
							}
						}
					}
				}
				gqOK(t, s, token, `{ hazards(first: 500, where: {stateNEQ: CLOSED}) { edges { node { id followUpOn allowedActions } } }
					emergencyPlans(first: 500, where: {state: EFFECTIVE}) { edges { node { id status allowedActions } } } }`, nil).Decode(t, &out)
				var followUps, reviews []string
				for _, e := range out.Hazards.Edges {
					if e.Node.FollowUpOn != nil && e.Node.FollowUpOn.Before(now) && slices.Contains(e.Node.AllowedActions, "FOLLOW_UP") {
						followUps = append(followUps, e.Node.ID)
					}
				}
				for _, e := range out.EmergencyPlans.Edges {
					if (e.Node.Status == "REVIEW_DUE_90" || e.Node.Status == "OVERDUE") && slices.Contains(e.Node.AllowedActions, "REVISE") {
						reviews = append(reviews, e.Node.ID)
					}
				}
				var taskedFollowUps, taskedReviews []string
				drills := map[string]int{}
				for _, task := range myTasksOf(t, s, token) {
					switch task.Kind {
					case "FOLLOW_UP_DUE":
						require.Equal(t, "FOLLOW_UP", task.Action)
						taskedFollowUps = append(taskedFollowUps, task.Object.ID)
					case "PLAN_REVIEW_DUE":
						require.Equal(t, "REVISE", task.Action)
						taskedReviews = append(taskedReviews, task.Object.ID)
					case "DRILL_DUE":
						require.Equal(t, "RECORD_DRILL", task.Action)
						require.NotNil(t, task.DueAt)
						drills[task.Why]++
					}
				}
				require.ElementsMatch(t, followUps, taskedFollowUps, "%s: hazards they may follow up, past the date = their FOLLOW_UP_DUE tasks", user)
				require.ElementsMatch(t, reviews, taskedReviews, "%s: plans they may revise, due = their PLAN_REVIEW_DUE tasks", user)
				for why, n := range drills {
					require.Equal(t, 1, n, "%s: one DRILL_DUE per enterprise and requirement: %s", user, why)
				}
			}
		})

		t.Run("a drill recorded on the plan ends its DRILL_DUE task", func(t *testing.T) {
			var user string
			var task *taskRow
			for _, u := range demoUsers(t, s) {
				for _, x := range myTasksOf(t, s, s.As(u)) {
					if x.Kind == "DRILL_DUE" && task == nil {
						user, task = u, &x
					}
				}
			}
			require.NotNil(t, task, "the demo county has a drill due")
			token := s.As(user)
			gqOK(t, s, token, `mutation($id: ID!, $on: Time!) { recordDrill(input: {planID: $id, heldOn: $on, form: TABLETOP, participants: 12, scenario: "桌面推演"}) { drill { id } } }`,
				map[string]any{"id": task.Object.ID, "on": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)})
			for _, x := range myTasksOf(t, s, token) {
				require.False(t, x.Kind == "DRILL_DUE" && x.Why == task.Why, "%s still has %q", user, task.Why)
			}
		})

		t.Run("a town head at 城关镇 gets none of 西河镇's tasks", func(t *testing.T) {
			chengguan, xihe := s.As("chengguan.head"), s.As("xihe.head")
			theirs := map[string]bool{}
			for _, task := range myTasksOf(t, s, xihe) {
				theirs[task.Object.ID] = true
			}
			mine := myTasksOf(t, s, chengguan)
			t.Logf("城关镇 head: %d tasks, 西河镇 head: %d", len(mine), len(theirs))
			for _, task := range mine {
				require.False(t, theirs[task.Object.ID], "%s %s is 西河镇's task too", task.Object.Typename, task.Object.ID)
				var node struct{ Node *struct{ ID string } }
				gqOK(t, s, xihe, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": task.Object.ID}).Decode(t, &node)
				require.Nil(t, node.Node, "西河镇's head cannot read 城关镇's %s", task.Object.Typename)
			}
		})

		t.Run("the tasks come in order of due date and filter by kind", func(t *testing.T) {
			all := myTasksOf(t, s, s.As("county.head"))
			for i := 1; i < len(all); i++ {
				if all[i-1].DueAt != nil && all[i].DueAt != nil {
					require.False(t, all[i].DueAt.Before(*all[i-1].DueAt), "earliest due first")
				}
				require.False(t, all[i-1].DueAt == nil && all[i].DueAt != nil, "tasks without a due date last")
			}
			var out struct {
				MyTasks struct {
					Edges []struct{ Node struct{ Kind string } }
				}
			}
			gqOK(t, s, s.As("county.head"), `{ myTasks(where: {kinds: [HAZARD_OVERDUE]}) { edges { node { kind } } } }`, nil).Decode(t, &out)
			for _, e := range out.MyTasks.Edges {
				require.Equal(t, "HAZARD_OVERDUE", e.Node.Kind)
			}
		})

		t.Run("the inbox runs the same statements however many records are candidates", func(t *testing.T) {
			token := s.As("county.head")
			q := `{ myTasks(first: 500) { totalCount edges { node { kind action object { id } } } } }`
			before, tasksBefore := statementsOf(t, s, token, q), len(myTasksOf(t, s, token))
			addExpiringCertificates(t, s, 5)
			after := statementsOf(t, s, token, q)
			require.Greater(t, len(myTasksOf(t, s, token)), tasksBefore, "the new certificates are tasks")
			require.Equal(t, before, after, "statements before and after 5 more candidates")
		})
	}, func(c *config.Config) { c.StatementHeader = true })
}

// addExpiringCertificates records n certificates at the cement plant that
// expire next week.
func addExpiringCertificates(t *testing.T, s *apitest.Server, n int) {
	ctx := authz.SystemContext(context.Background())
	b, err := seed.Load(ctx, s.DB.Client, "demo")
	require.NoError(t, err)
	cement, err := b.Unit(seed.CodeCement)
	require.NoError(t, err)
	for i := range n {
		_, err := s.DB.Client.Certificate.Create().SetTenantID(b.TenantID).SetUnitID(cement).SetHolderName(fmt.Sprintf("临期%d", i)).
			SetKind(domain.CertPrincipal).
			SetNumber(fmt.Sprintf("AQ-TASKS-%d", i)).SetIssuer("市应急管理局").
			SetIssuedOn(time.Now().AddDate(-3, 0, 0)).SetValidUntil(time.Now().AddDate(0, 0, 7)).Save(ctx)
		require.NoError(t, err)
	}
}
