package graph_test

// Emergency plans and drills through the API on SQLite and PostgreSQL, one
// server for every topic: who sees them, who records them, a new version
// superseding the old in one transaction (and of concurrent approvals only
// one winning), a drill's problems becoming hazards atomically, bad input
// coded, and the compliance view's statements pinned.

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

const (
	createPlanDoc  = `mutation($in: CreateEmergencyPlanInput!) { createEmergencyPlan(input: $in) { emergencyPlan { id state supersedesID reviewDue } } }`
	approvePlanDoc = `mutation($in: ApproveEmergencyPlanInput!) { approveEmergencyPlan(input: $in) { emergencyPlan { id state supersedesID } } }`
	recordDrillDoc = `mutation($in: RecordDrillInput!) { recordDrill(input: $in) { drill { id problems { description hazard { id source state subject { code } } } } } }`
	complianceDoc  = `query($year: Int!, $where: DrillComplianceWhereInput, $first: Int) { drillCompliance(year: $year, where: $where, first: $first, orderBy: {field: STATUS}) {
		totalCount edges { node { enterprise { code } status missing planGap } } } }`
)

type complianceRows struct {
	DrillCompliance struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				Enterprise struct{ Code string }
				Status     string
				Missing    []string
				PlanGap    bool
			}
		}
	}
}

func (c complianceRows) codes() []string {
	var out []string
	for _, e := range c.DrillCompliance.Edges {
		out = append(out, e.Node.Enterprise.Code)
	}
	return sorted(out)
}

func TestEmergencyPlansAndDrills(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, head, principal := s.As("admin"), s.As("county.head"), s.As("cement.principal")
		cement := unitID(t, s, admin, seed.CodeCement)
		county := unitID(t, s, admin, seed.CodeCounty)
		plan := func(token string, in map[string]any) *apitest.Response {
			return gq(t, s, token, createPlanDoc, map[string]any{"in": in})
		}
		compliance := func(token string, where map[string]any) complianceRows {
			var out complianceRows
			gqOK(t, s, token, complianceDoc, map[string]any{"year": 2022, "where": where, "first": 500}).Decode(t, &out)
			return out
		}

		t.Run("plans are seen by their enterprise and the governments over it", func(t *testing.T) {
			all := totalCount(t, s, head, "emergencyPlans", "")
			require.Equal(t, all, totalCount(t, s, s.As("county.secretary"), "emergencyPlans", ""), "党政同责")
			require.Equal(t, 4, totalCount(t, s, principal, "emergencyPlans", ""), "the cement plant's three plans and its superseded version")
			require.Zero(t, totalCount(t, s, s.As("xihe.deputy"), "emergencyPlans", ""), "commerce in 西河镇 has no plans")
			require.Zero(t, totalCount(t, s, s.As("cement.kiln.head"), "emergencyPlans", ""), "a workshop head does not see the enterprise's plans")
			require.Equal(t, 1, totalCount(t, s, s.As("neighbor.secretary"), "emergencyPlans", ""), "邻县 sees its own only")
			require.Equal(t, totalCount(t, s, head, "drills", ""), totalCount(t, s, s.As("auditor.county"), "drills", ""))
			id := idOf(t, s, head, "emergencyPlans", `{title: "示范县防汛应急预案", state: EFFECTIVE}`)
			r := gqOK(t, s, s.As("neighbor.secretary"), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
			require.JSONEq(t, `{"node": null}`, string(r.Data))
		})

		t.Run("drill compliance lists the three enterprises behind the rule in 2022", func(t *testing.T) {
			behind := compliance(head, map[string]any{"statuses": []string{"BEHIND", "NONE"}, "sectors": []string{"INDUSTRY"}})
			require.Equal(t, sorted(seed.DrillsBehind), behind.codes())
			gaps := compliance(head, map[string]any{"planGap": true, "sectors": []string{"INDUSTRY"}})
			require.Equal(t, sorted(seed.PlansOverdue), gaps.codes(), "the plans overdue for review are gaps")
			own := compliance(principal, nil)
			require.Equal(t, []string{seed.CodeCement}, own.codes(), "an enterprise sees its own row")
			require.Equal(t, "COMPLIANT", own.DrillCompliance.Edges[0].Node.Status)
			require.Empty(t, compliance(s.As("neighbor.secretary"), map[string]any{"statuses": []string{"COMPLIANT"}}).codes())
		})

		t.Run("an enterprise records its own plans and a government its own", func(t *testing.T) {
			in := func(unit string) map[string]any {
				return map[string]any{"unitID": unit, "kind": "ON_SITE", "title": "新方案", "version": "2024版"}
			}
			requireCode(t, plan(head, in(cement)), "FORBIDDEN", "the county records the cement plant's plan")
			requireCode(t, plan(principal, in(county)), "NOT_FOUND", "the county's plans are out of the cement plant's scope")
			requireCode(t, plan(s.As("auditor.county"), in(county)), "FORBIDDEN")
			requireCode(t, plan(s.As("cement.kiln.head"), in(cement)), "NOT_FOUND")
			requireCode(t, plan(s.As("neighbor.secretary"), in(cement)), "NOT_FOUND")
		})

		t.Run("a new version supersedes the effective one in one transaction", func(t *testing.T) {
			var out struct {
				CreateEmergencyPlan struct {
					EmergencyPlan struct {
						ID, State    string
						SupersedesID *string
						ReviewDue    string
					}
				}
			}
			old := idOf(t, s, head, "emergencyPlans", `{title: "示范县防汛应急预案", state: EFFECTIVE}`)
			plan(head, map[string]any{"unitID": county, "kind": "SPECIAL", "topic": "FLOOD", "title": "示范县防汛应急预案", "version": "2024版",
				"approval": map[string]any{"approvedOn": "2024-05-01T00:00:00Z"}}).Decode(t, &out)
			p := out.CreateEmergencyPlan.EmergencyPlan
			require.Equal(t, "EFFECTIVE", p.State)
			require.Equal(t, old, *p.SupersedesID)
			require.Equal(t, "2027-05-01T00:00:00Z", p.ReviewDue, "three years after approval by default")
			var was struct{ State, Status string }
			nodeOf(t, s, head, old, `... on EmergencyPlan { state status }`, &was)
			require.Equal(t, "SUPERSEDED", was.State)
			require.Equal(t, "SUPERSEDED", was.Status)
			require.Equal(t, 1, totalCount(t, s, head, "emergencyPlans", `{title: "示范县防汛应急预案", state: EFFECTIVE}`))
			// The seeded draft was approved before this version: refused, nothing changes.
			draft := idOf(t, s, head, "emergencyPlans", `{state: DRAFT}`)
			before := snapshot(t, s)
			r := gq(t, s, head, approvePlanDoc, map[string]any{"in": map[string]any{"planID": draft,
				"approval": map[string]any{"approvedOn": "2023-05-01T00:00:00Z"}}})
			requireCode(t, r, "BAD_USER_INPUT")
			require.Equal(t, "input.approval.approvedOn", r.Errors[0].Extensions["field"])
			requireUnchanged(t, s, before)
		})

		t.Run("bad plans are coded and write nothing", func(t *testing.T) {
			before := snapshot(t, s)
			for name, c := range map[string]struct {
				in    map[string]any
				field string
			}{
				"a review more than three years after approval": {map[string]any{"unitID": cement, "kind": "ON_SITE", "title": "t", "version": "v",
					"approval": map[string]any{"approvedOn": "2024-01-01T00:00:00Z", "reviewDue": "2027-01-02T00:00:00Z"}}, "input.approval.reviewDue"},
				"a special plan without its topic": {map[string]any{"unitID": cement, "kind": "SPECIAL", "title": "t", "version": "v"}, "input.topic"},
				"a filing without its day": {map[string]any{"unitID": cement, "kind": "ON_SITE", "title": "t", "version": "v",
					"approval": map[string]any{"approvedOn": "2024-01-01T00:00:00Z", "filedWithID": unitID(t, s, admin, seed.CodeDeptEmergency)}}, "input.approval.filedOn"},
			} {
				r := plan(principal, c.in)
				requireCode(t, r, "BAD_USER_INPUT", name)
				require.Equal(t, c.field, r.Errors[0].Extensions["field"], name)
			}
			requireUnchanged(t, s, before)
		})

		fire := idOf(t, s, principal, "emergencyPlans", `{kind: SPECIAL, state: EFFECTIVE}`)
		drillIn := func(problems ...any) map[string]any {
			return map[string]any{"in": map[string]any{"planID": fire, "heldOn": "2024-06-16T00:00:00Z", "form": "FULL_SCALE",
				"participants": 40, "scenario": "仓库火灾疏散演练", "problems": problems}}
		}
		hazardOf := func(category string) map[string]any {
			return map[string]any{"level": "GENERAL", "category": category, "deadline": "2031-01-01T00:00:00Z"}
		}

		t.Run("a drill's problems become hazards in its transaction", func(t *testing.T) {
			hazards := totalCount(t, s, head, "hazards", "")
			var out struct {
				RecordDrill struct {
					Drill struct {
						Problems []struct {
							Description string
							Hazard      *struct {
								ID, Source, State string
								Subject           struct{ Code string }
							}
						}
					}
				}
			}
			gqOK(t, s, principal, recordDrillDoc, drillIn(
				map[string]any{"description": "灭火器压力不足", "hazard": hazardOf("消防器材")},
				map[string]any{"description": "员工疏散不熟练"})).Decode(t, &out)
			ps := out.RecordDrill.Drill.Problems
			require.Len(t, ps, 2)
			require.NotNil(t, ps[0].Hazard)
			require.Equal(t, "SELF_CHECK", ps[0].Hazard.Source)
			require.Equal(t, seed.CodeCement, ps[0].Hazard.Subject.Code)
			require.Nil(t, ps[1].Hazard)
			require.Equal(t, hazards+1, totalCount(t, s, head, "hazards", ""))
		})

		t.Run("a bad problem writes neither the drill nor any hazard", func(t *testing.T) {
			before := snapshot(t, s)
			r := gq(t, s, principal, recordDrillDoc, drillIn(
				map[string]any{"description": "灭火器压力不足", "hazard": hazardOf("消防器材")},
				map[string]any{"description": "通道堵塞", "hazard": hazardOf("")}))
			requireCode(t, r, "BAD_USER_INPUT")
			require.Equal(t, "input.problems[1].hazard.category", r.Errors[0].Extensions["field"])
			requireUnchanged(t, s, before)
		})

		t.Run("bad drills are coded and write nothing", func(t *testing.T) {
			before := snapshot(t, s)
			early := drillIn()
			early["in"].(map[string]any)["heldOn"] = "2021-01-01T00:00:00Z"
			r := gq(t, s, principal, recordDrillDoc, early)
			requireCode(t, r, "BAD_USER_INPUT", "a drill before its plan's approval")
			require.Equal(t, "input.heldOn", r.Errors[0].Extensions["field"])
			draft := idOf(t, s, head, "emergencyPlans", `{state: DRAFT}`)
			onDraft := drillIn()
			onDraft["in"].(map[string]any)["planID"] = draft
			requireCode(t, gq(t, s, head, recordDrillDoc, onDraft), "BAD_USER_INPUT", "a drill on a DRAFT")
			requireCode(t, gq(t, s, head, recordDrillDoc, drillIn()), "FORBIDDEN", "the county records the cement plant's drill")
			requireUnchanged(t, s, before)
		})

		t.Run("allowedActions follow the plan's state and the caller's post", func(t *testing.T) {
			var p struct{ AllowedActions []string }
			nodeOf(t, s, principal, fire, `... on EmergencyPlan { allowedActions }`, &p)
			require.Equal(t, []string{"ATTACH", "REVISE", "RECORD_DRILL"}, p.AllowedActions, "an effective plan is not approved again; it is revised and drilled")
			nodeOf(t, s, head, fire, `... on EmergencyPlan { allowedActions }`, &p)
			require.Empty(t, p.AllowedActions, "the county acts for the county only")
			draft := idOf(t, s, head, "emergencyPlans", `{state: DRAFT}`)
			nodeOf(t, s, head, draft, `... on EmergencyPlan { allowedActions }`, &p)
			require.Equal(t, []string{"APPROVE", "ATTACH"}, p.AllowedActions)
		})

		t.Run("of concurrent approvals superseding one version only one wins", func(t *testing.T) {
			tally := &raceTally{}
			drafts := func(t *testing.T) []string {
				ids := make([]string, racers)
				for i := range ids {
					ids[i] = mustID(t, s, principal, createPlanDoc, map[string]any{"in": map[string]any{"unitID": cement, "kind": "SPECIAL",
						"topic": "GAS", "title": "燃气事故专项应急预案", "version": fmt.Sprintf("稿%d", i)}}, "createEmergencyPlan.emergencyPlan")
				}
				return ids
			}
			// Round one: no version in effect (the unique index decides);
			// round two: one in effect (the conditional supersede decides).
			for round, approvedOn := range []string{"2024-03-01T00:00:00Z", "2024-09-01T00:00:00Z"} {
				ids := drafts(t)
				outs := race(t, s, entrantsOf(func(i int) entrant {
					return entrant{token: principal, query: approvePlanDoc, vars: map[string]any{"in": map[string]any{
						"planID": ids[i], "approval": map[string]any{"approvedOn": approvedOn}}}}
				}))
				w := requireOneWinner(t, tally, outs)
				require.Equal(t, 1, totalCount(t, s, principal, "emergencyPlans", `{topic: GAS, state: EFFECTIVE}`))
				require.Equal(t, round, totalCount(t, s, principal, "emergencyPlans", `{topic: GAS, state: SUPERSEDED}`))
				want := slices.Repeat([]string{"emergency_plan UPDATE"}, round+1)
				requireAuditOfWinner(t, s, outs, w, want...)
			}
			t.Log(tally)
		})

		t.Run("the compliance view and the lists cost the same statements for any page", func(t *testing.T) {
			for _, q := range []string{
				`{ c: drillCompliance(year: 2022, first: %d) { totalCount edges { node { enterprise { name } town { name } status missing planGap } } } }`,
				`{ c: emergencyPlans(first: %d) { edges { node { id status unit { name } filedWith { name } allowedActions } } } }`,
				`{ c: drills(first: %d) { edges { node { id plan { title } unit { name } allowedActions } } } }`,
			} {
				small, large := statementsOf(t, s, head, fmt.Sprintf(q, 1)), statementsOf(t, s, head, fmt.Sprintf(q, 20))
				small = min(small, statementsOf(t, s, head, fmt.Sprintf(q, 1)))
				large = min(large, statementsOf(t, s, head, fmt.Sprintf(q, 20)))
				require.Equal(t, small, large, "%s: pages of 1 and 20", q)
			}
		})
	}, func(c *config.Config) { c.StatementHeader = true })
}
