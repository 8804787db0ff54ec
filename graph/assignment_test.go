package graph_test

// Assignments (交办), follow-up inspections (事后督查) and inspections in
// lists, end to end on every available database: the demo's assigned and
// followed-up fuel-station hazards, assigning and its refusals writing
// nothing, the overdue follow-ups view scoped and pinned by its
// statements, Unit.inspections and the inspection filters never widening
// anyone's scope.

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

const assignHazard = `mutation($in: AssignHazardInput!) {
  assignHazard(input: $in) { hazard { id followUpOn assignee { code } assignments { assigner { code } assignee { code } note } allowedActions } }
}`

// overdueFollowUpsStatements is what a page of the overdue follow-ups costs
// whatever its length: the viewer's supervision map, the page and its total.
const overdueFollowUpsStatements = 3

type hazardNode struct {
	ID             string
	Description    string
	State          string
	Assignee       *struct{ Code string }
	AllowedActions []string
	Assignees      []struct{ ID, Code string }
}

// hazardsWhere lists the hazards matching where as token sees them.
func hazardsWhere(t *testing.T, s *apitest.Server, token, conn, where string) []hazardNode {
	t.Helper()
	r := gqOK(t, s, token, fmt.Sprintf(`{ c: %s(first: 100, where: %s) { totalCount edges { node {
	  id description state assignee { code } allowedActions assignees { id code } } } } }`, conn, where), nil)
	var out struct {
		C struct {
			TotalCount int
			Edges      []struct{ Node hazardNode }
		}
	}
	r.Decode(t, &out)
	require.Equal(t, out.C.TotalCount, len(out.C.Edges))
	nodes := make([]hazardNode, 0, len(out.C.Edges))
	for _, e := range out.C.Edges {
		nodes = append(nodes, e.Node)
	}
	return nodes
}

// inspectionIDs lists the ids of the inspections matching where as token
// sees them.
func inspectionIDs(t *testing.T, s *apitest.Server, token, where string) []string {
	t.Helper()
	r := gqOK(t, s, token, fmt.Sprintf(`{ c: inspections(first: 500, where: %s) { edges { node { id } } } }`, where), nil)
	var out struct {
		C struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	r.Decode(t, &out)
	ids := make([]string, 0, len(out.C.Edges))
	for _, e := range out.C.Edges {
		ids = append(ids, e.Node.ID)
	}
	return ids
}

func TestAssignmentsAndFollowUps(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		soon := time.Now().UTC().AddDate(0, 0, 10).Format(time.RFC3339)

		t.Run("the demo's fuel-station hazards are linked, assigned and closed by a follow-up", func(t *testing.T) {
			r := gqOK(t, s, head, `{ units(first: 1, where: {code: "FUEL-02"}) { edges { node {
			  inspections(first: 5, where: {type: FOLLOW_UP}) { totalCount edges { node { followUps { outcome stateBefore stateAfter
			    hazard { state riskPoint { name } assignments { assignee { code } } } } } } } } } } }`, nil)
			var out struct {
				Units struct {
					Edges []struct {
						Node struct {
							Inspections struct {
								TotalCount int
								Edges      []struct {
									Node struct {
										FollowUps []struct {
											Outcome, StateBefore, StateAfter string
											Hazard                           struct {
												State       string
												RiskPoint   *struct{ Name string }
												Assignments []struct{ Assignee struct{ Code string } }
											}
										}
									}
								}
							}
						}
					}
				}
			}
			r.Decode(t, &out)
			require.Len(t, out.Units.Edges, 1)
			insp := out.Units.Edges[0].Node.Inspections
			require.Equal(t, 1, insp.TotalCount)
			fus := insp.Edges[0].Node.FollowUps
			require.Len(t, fus, 2)
			assignees := []string{}
			for _, f := range fus {
				require.Equal(t, []string{"RECTIFIED", "SUBMITTED", "CLOSED", "CLOSED"}, []string{f.Outcome, f.StateBefore, f.StateAfter, f.Hazard.State})
				require.NotNil(t, f.Hazard.RiskPoint)
				require.Len(t, f.Hazard.Assignments, 1)
				assignees = append(assignees, f.Hazard.Assignments[0].Assignee.Code)
			}
			require.ElementsMatch(t, []string{seed.CodeDeptIndustryCommerce, seed.CodeTownChengguan}, assignees)
		})

		t.Run("each user sees the overdue follow-ups of their jurisdiction", func(t *testing.T) {
			for user, want := range map[string]int{
				"county.head": 1, "county.secretary": 1, "chengguan.head": 1, "bureau.chief": 1, "auditor.chengguan": 1,
				"bureau.fuel": 0, "xihe.deputy": 0, "cement.principal": 0, "neighbor.secretary": 0,
			} {
				got := hazardsWhere(t, s, s.As(user), "overdueFollowUps", "{}")
				require.Len(t, got, want, user)
				for _, h := range got {
					require.Equal(t, seed.CodeTownChengguan, h.Assignee.Code, user)
				}
			}
			// The view is the hazards list's followUpOverdue filter.
			require.Len(t, hazardsWhere(t, s, head, "hazards", "{followUpOverdue: true}"), 1)
		})

		fruit := hazardsWhere(t, s, head, "hazards", `{state: REPORTED, category: "消防安全", sector: COMMERCE}`)
		require.NotEmpty(t, fruit)
		target := fruit[0]
		require.Contains(t, target.AllowedActions, "ASSIGN")
		require.Len(t, target.Assignees, 2, "the supervising department and the town")

		t.Run("a county head assigns a hazard to its responsible unit", func(t *testing.T) {
			r := gqOK(t, s, head, assignHazard, map[string]any{"in": map[string]any{
				"hazardID": target.ID, "assigneeID": target.Assignees[0].ID, "followUpOn": soon, "note": "限期督查"}})
			var out struct {
				AssignHazard struct {
					Hazard struct {
						Assignee    struct{ Code string }
						Assignments []struct {
							Assigner, Assignee struct{ Code string }
							Note               string
						}
					}
				}
			}
			r.Decode(t, &out)
			h := out.AssignHazard.Hazard
			require.Equal(t, target.Assignees[0].Code, h.Assignee.Code)
			require.Len(t, h.Assignments, 1)
			require.Equal(t, seed.CodeCounty, h.Assignments[0].Assigner.Code)
			// The assignee's posts see it, assigned to them.
			for _, user := range []string{"bureau.chief", "xihe.deputy"} {
				got := hazardsWhere(t, s, s.As(user), "hazards", fmt.Sprintf(`{assigneeID: %q}`, target.Assignees[0].ID))
				require.True(t, slices.ContainsFunc(got, func(n hazardNode) bool { return n.ID == target.ID }), user)
			}
		})

		t.Run("refused assignments are coded and write nothing", func(t *testing.T) {
			kiln := hazardsWhere(t, s, s.As("cement.principal"), "hazards", `{state: REPORTED}`)
			require.NotEmpty(t, kiln)
			require.NotContains(t, kiln[0].AllowedActions, "ASSIGN")
			for _, c := range []struct {
				name, user, hazard, assignee, on, code string
			}{
				{"the governed assigns nothing", "cement.principal", kiln[0].ID, kiln[0].Assignees[0].ID, soon, "FORBIDDEN"},
				{"an auditor assigns nothing", "auditor.county", target.ID, target.Assignees[0].ID, soon, "FORBIDDEN"},
				{"a hazard out of scope is not found", "chengguan.head", target.ID, target.Assignees[0].ID, soon, "NOT_FOUND"},
				{"an assignee not responsible is refused", "county.head", target.ID, unitID(t, s, head, seed.CodeTownChengguan), soon, "BAD_USER_INPUT"},
				{"a past follow-up date is refused", "county.head", target.ID, target.Assignees[0].ID, "2023-01-01T00:00:00Z", "BAD_USER_INPUT"},
			} {
				t.Run(c.name, func(t *testing.T) {
					before := snapshot(t, s)
					r := gq(t, s, s.As(c.user), assignHazard, map[string]any{"in": map[string]any{
						"hazardID": c.hazard, "assigneeID": c.assignee, "followUpOn": c.on}})
					requireCode(t, r, c.code)
					requireUnchanged(t, s, before)
				})
			}
		})

		t.Run("transitionHazard refuses ASSIGN", func(t *testing.T) {
			r := gq(t, s, head, `mutation($id: ID!) { transitionHazard(input: {id: $id, action: ASSIGN}) { hazard { id } } }`,
				map[string]any{"id": target.ID})
			requireCode(t, r, "BAD_USER_INPUT")
		})

		t.Run("inspections filter by enterprise, target, inspecting unit, campaign, type and period", func(t *testing.T) {
			cnpc := unitID(t, s, head, seed.CodeCNPCStation)
			bureau := unitID(t, s, head, seed.CodeDeptIndustryCommerce)
			for where, want := range map[string]int{
				fmt.Sprintf(`{targetID: %q}`, cnpc):                                                 3,
				fmt.Sprintf(`{targetID: %q, type: FOLLOW_UP}`, cnpc):                                1,
				fmt.Sprintf(`{targetID: %q, inspectedFrom: "2023-01-01T00:00:00Z"}`, cnpc):          2,
				fmt.Sprintf(`{targetID: %q, inspectedBefore: "2023-01-01T00:00:00Z"}`, cnpc):        1,
				fmt.Sprintf(`{targetID: %q, inspectingUnitID: %q}`, cnpc, bureau):                   3,
				fmt.Sprintf(`{inspectingUnitID: %q, targetID: %q, type: SELF_CHECK}`, bureau, cnpc): 0,
			} {
				require.Equal(t, want, totalCount(t, s, head, "inspections", where), where)
			}
			require.Equal(t, 3, totalCount(t, s, head, "inspections",
				fmt.Sprintf(`{campaignID: %q}`, idOf(t, s, head, "campaigns", `{name: "2022年工业、商贸和成品油安全生产集中整治"}`))))
		})

		t.Run("inspection filters never widen a scope", func(t *testing.T) {
			bureau := unitID(t, s, head, seed.CodeDeptIndustryCommerce)
			for _, user := range []string{"county.head", "bureau.fuel", "xihe.deputy", "chengguan.head", "cement.principal", "cement.kiln.head", "neighbor.secretary"} {
				token := s.As(user)
				all := inspectionIDs(t, s, token, "{}")
				for _, where := range []string{`{type: FOLLOW_UP}`, fmt.Sprintf(`{inspectingUnitID: %q}`, bureau),
					`{inspectedFrom: "2000-01-01T00:00:00Z"}`} {
					filtered := inspectionIDs(t, s, token, where)
					for _, n := range filtered {
						require.Contains(t, all, n, "%s %s", user, where)
					}
				}
			}
			// Naming a unit out of scope finds nothing to filter by.
			r := gq(t, s, s.As("cement.principal"), `query($u: ID!) { inspections(where: {targetID: $u}) { totalCount } }`,
				map[string]any{"u": unitID(t, s, head, seed.CodeCNPCStation)})
			requireCode(t, r, "NOT_FOUND")
		})

		t.Run("the overdue follow-ups cost the same statements for one row or a page", func(t *testing.T) {
			for _, first := range []int{1, 50} {
				q := fmt.Sprintf(`{ overdueFollowUps(first: %d) { totalCount edges { node { id followUpOn } } } }`, first)
				require.Equal(t, overdueFollowUpsStatements, statementsOf(t, s, head, q), q)
			}
		})
	}, func(c *config.Config) { c.StatementHeader = true })
}
