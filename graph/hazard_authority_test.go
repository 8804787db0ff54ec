package graph_test

// Who decided what on a hazard (§4a, docs/HAZARDS.md "Who decided what"):
// an assignment (交办) or a supervision order (督办) of a unit is changed or
// lifted only from that unit or above it, never by the unit it was given to
// nor by another unit below the one that gave it; and nobody decides their
// own submission — the rectification, the plan, the extension request —
// even holding posts on both sides. Each refusal is FORBIDDEN, writes
// nothing and is absent from the caller's allowedActions; the units above
// still decide, and another user still closes. Both databases.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

// hazardActionsAs are the allowedActions of hazard id as token sees them.
func hazardActionsAs(t *testing.T, s *apitest.Server, token, id string) []string {
	t.Helper()
	var h struct{ AllowedActions []string }
	nodeOf(t, s, token, id, `... on Hazard { allowedActions }`, &h)
	return h.AllowedActions
}

// hazardOrders are what the orders on hazard id are now, as the county sees
// them: its assignee, follow-up date, assigners in order, and supervision.
type hazardOrders struct {
	State       string
	Supervised  bool
	FollowUpOn  *string
	Assignee    *struct{ Code string }
	Assignments []struct {
		Assigner struct{ Code string }
	}
}

func ordersOf(t *testing.T, s *apitest.Server, id string) hazardOrders {
	t.Helper()
	var h hazardOrders
	nodeOf(t, s, s.As("county.head"), id,
		`... on Hazard { state supervised followUpOn assignee { code } assignments { assigner { code } } }`, &h)
	return h
}

// authorityCase is one decision on a hazard by one user: refused with
// code (writing nothing, and not listed in the user's allowedActions), or,
// with code empty, taken (and listed beforehand).
type authorityCase struct {
	name   string
	as     string
	hazard func() string
	action string // the allowedActions entry the decision is
	query  string
	vars   func(id string) map[string]any
	code   string
	check  func(t *testing.T, id string)
}

func runAuthorityCases(t *testing.T, s *apitest.Server, cases []authorityCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id, token := c.hazard(), s.As(c.as)
			allowed := hazardActionsAs(t, s, token, id)
			if c.code == "" {
				require.Contains(t, allowed, c.action, "%s is listed for %s before it is taken", c.action, c.as)
				gqOK(t, s, token, c.query, c.vars(id))
			} else {
				require.NotContains(t, allowed, c.action, "a refused %s is not listed for %s", c.action, c.as)
				before := snapshot(t, s)
				r := gq(t, s, token, c.query, c.vars(id))
				apitest.RequireNoLeak(t, r)
				requireCode(t, r, c.code, c.name)
				requireUnchanged(t, s, before, c.name)
			}
			if c.check != nil {
				c.check(t, id)
			}
		})
	}
}

const assignDoc = `mutation($in: AssignHazardInput!) { assignHazard(input: $in) { hazard { id } } }`

func assignVars(assignee, on string) func(string) map[string]any {
	return func(id string) map[string]any {
		return map[string]any{"in": map[string]any{"hazardID": id, "assigneeID": assignee, "followUpOn": on, "note": "督查"}}
	}
}

func stepVars(action string) func(string) map[string]any {
	return func(id string) map[string]any {
		return map[string]any{"in": map[string]any{"id": id, "action": action, "note": "决定"}}
	}
}

func TestTheGovernedDoNotUndoTheirSuperiorsOrders(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		cg := unitID(t, s, head, seed.CodeTownChengguan)
		bureau := unitID(t, s, head, seed.CodeDeptIndustryCommerce)
		soon := time.Now().UTC().AddDate(0, 0, 30).Truncate(24 * time.Hour).Format(time.RFC3339)
		later := time.Now().UTC().AddDate(0, 0, 300).Truncate(24 * time.Hour).Format(time.RFC3339)
		// The demo's overdue follow-up: the supermarket's blocked exit, which
		// the county assigned to 城关镇 and 城关镇 put under supervision.
		supermarket := idOf(t, s, head, "hazards", `{description: "安全出口被货架遮挡"}`)
		// A hazard the county reports at the hotel (城关镇) and supervises.
		countyOrdered := mustID(t, s, head, reportForRace, map[string]any{"in": map[string]any{"subjectID": unitID(t, s, head, seed.CodeHotel),
			"source": "REPORT", "level": "GENERAL", "category": "消防安全", "description": "县级督办隐患", "deadline": "2031-01-01T00:00:00Z"}},
			"reportHazard.hazard")
		s.MustDo(head, transitionMutation, map[string]any{"in": map[string]any{"id": countyOrdered, "action": "SUPERVISE", "note": "县安委办挂牌督办"}})
		// A hazard nobody has assigned yet, at the market (城关镇, commerce).
		unassigned := mustID(t, s, head, reportForRace, map[string]any{"in": map[string]any{"subjectID": unitID(t, s, head, seed.CodeSupermarket),
			"source": "REPORT", "level": "GENERAL", "category": "消防安全", "description": "待交办隐患", "deadline": "2031-01-01T00:00:00Z"}},
			"reportHazard.hazard")
		of := func(id string) func() string { return func() string { return id } }
		assignedBy := func(assignee, assigner string, on *string) func(t *testing.T, id string) {
			return func(t *testing.T, id string) {
				h := ordersOf(t, s, id)
				require.NotNil(t, h.Assignee)
				require.Equal(t, assignee, h.Assignee.Code)
				require.Equal(t, assigner, h.Assignments[len(h.Assignments)-1].Assigner.Code)
				if on != nil {
					require.NotNil(t, h.FollowUpOn)
					require.Equal(t, (*on)[:10], (*h.FollowUpOn)[:10])
				}
			}
		}
		supervised := func(want bool) func(t *testing.T, id string) {
			return func(t *testing.T, id string) { require.Equal(t, want, ordersOf(t, s, id).Supervised) }
		}
		runAuthorityCases(t, s, []authorityCase{
			{name: "the town the county assigned a hazard to cannot postpone its overdue follow-up", as: "chengguan.head",
				hazard: of(supermarket), action: "ASSIGN", query: assignDoc, vars: assignVars(cg, later), code: "FORBIDDEN"},
			{name: "the town the county assigned a hazard to cannot hand it on to a department", as: "chengguan.head",
				hazard: of(supermarket), action: "ASSIGN", query: assignDoc, vars: assignVars(bureau, later), code: "FORBIDDEN"},
			{name: "the town's party secretary cannot postpone it either (党政同责)", as: "chengguan.secretary",
				hazard: of(supermarket), action: "ASSIGN", query: assignDoc, vars: assignVars(cg, later), code: "FORBIDDEN"},
			{name: "a department beside the town cannot take over what the county assigned", as: "bureau.chief",
				hazard: of(supermarket), action: "ASSIGN", query: assignDoc, vars: assignVars(bureau, later), code: "FORBIDDEN"},
			{name: "the town cannot lift the supervision the county ordered", as: "chengguan.head",
				hazard: of(countyOrdered), action: "LIFT_SUPERVISION", query: transitionMutation, vars: stepVars("LIFT_SUPERVISION"), code: "FORBIDDEN"},
			{name: "a department supervising the hotel cannot lift the county's supervision either", as: "bureau.chief",
				hazard: of(countyOrdered), action: "LIFT_SUPERVISION", query: transitionMutation, vars: stepVars("LIFT_SUPERVISION"), code: "FORBIDDEN"},
			{name: "the county lifts the supervision it ordered", as: "county.head",
				hazard: of(countyOrdered), action: "LIFT_SUPERVISION", query: transitionMutation, vars: stepVars("LIFT_SUPERVISION"),
				check: supervised(false)},
			{name: "the town lifts the supervision it ordered itself", as: "chengguan.head",
				hazard: of(supermarket), action: "LIFT_SUPERVISION", query: transitionMutation, vars: stepVars("LIFT_SUPERVISION"),
				check: supervised(false)},
			{name: "the county re-assigns its assignment to the department with a new date", as: "county.head",
				hazard: of(supermarket), action: "ASSIGN", query: assignDoc, vars: assignVars(bureau, soon),
				check: assignedBy(seed.CodeDeptIndustryCommerce, seed.CodeCounty, &soon)},
			{name: "the department it was handed to cannot hand it back to the town", as: "bureau.chief",
				hazard: of(supermarket), action: "ASSIGN", query: assignDoc, vars: assignVars(cg, later), code: "FORBIDDEN"},
			{name: "the town makes the first assignment of a hazard nobody assigned", as: "chengguan.head",
				hazard: of(unassigned), action: "ASSIGN", query: assignDoc, vars: assignVars(cg, soon),
				check: assignedBy(seed.CodeTownChengguan, seed.CodeTownChengguan, &soon)},
			{name: "the town changes the date of its own assignment", as: "chengguan.head",
				hazard: of(unassigned), action: "ASSIGN", query: assignDoc, vars: assignVars(cg, later),
				check: assignedBy(seed.CodeTownChengguan, seed.CodeTownChengguan, &later)},
			{name: "the county, above the town, re-assigns the town's assignment", as: "county.head",
				hazard: of(unassigned), action: "ASSIGN", query: assignDoc, vars: assignVars(bureau, soon),
				check: assignedBy(seed.CodeDeptIndustryCommerce, seed.CodeCounty, &soon)},
			{name: "the town no longer changes the assignment once the county made it", as: "chengguan.head",
				hazard: of(unassigned), action: "ASSIGN", query: assignDoc, vars: assignVars(cg, later), code: "FORBIDDEN"},
		})
		t.Run("a supervision the town puts on again is the town's to lift", func(t *testing.T) {
			s.MustDo(s.As("chengguan.head"), transitionMutation, map[string]any{"in": map[string]any{"id": countyOrdered, "action": "SUPERVISE", "note": "镇督办"}})
			require.Contains(t, hazardActionsAs(t, s, s.As("chengguan.head"), countyOrdered), "LIFT_SUPERVISION")
			require.Contains(t, hazardActionsAs(t, s, head, countyOrdered), "LIFT_SUPERVISION", "the county, above the town, lifts it too")
		})
	})
}

func TestNobodyDecidesTheirOwnSubmission(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, head, cgHead := s.As("admin"), s.As("county.head"), s.As("chengguan.head")
		hotel := unitID(t, s, head, seed.CodeHotel)
		// The town head also heads the hotel: posts on both sides.
		s.MustDo(admin, `mutation($in: CreatePostInput!) { createPost(input: $in) { post { id } } }`, map[string]any{"in": map[string]any{
			"userID": userID(t, s, admin, "chengguan.head"), "unitID": hotel, "role": "PRINCIPAL", "title": "兼任酒店负责人"}})
		reportAtHotel := func(level, description string) string {
			return mustID(t, s, head, reportForRace, map[string]any{"in": map[string]any{"subjectID": hotel, "source": "REPORT",
				"level": level, "category": "消防安全", "description": description, "deadline": "2031-01-01T00:00:00Z"}}, "reportHazard.hazard")
		}
		step := func(token, id, action string, extra map[string]any) {
			in := map[string]any{"id": id, "action": action, "note": "整改"}
			for k, v := range extra {
				in[k] = v
			}
			s.MustDo(token, transitionMutation, map[string]any{"in": in})
		}
		general := reportAtHotel("GENERAL", "自改自销")
		step(cgHead, general, "START_RECTIFICATION", nil)
		step(cgHead, general, "SUBMIT", nil)
		extended := reportAtHotel("GENERAL", "自请延期")
		step(cgHead, extended, "REQUEST_EXTENSION", map[string]any{"deadline": "2032-01-01T00:00:00Z"})
		major := reportAtHotel("MAJOR", "自审方案")
		step(cgHead, major, "SUBMIT_PLAN", plan)
		of := func(id string) func() string { return func() string { return id } }
		inState := func(state string) func(t *testing.T, id string) {
			return func(t *testing.T, id string) { require.Equal(t, state, ordersOf(t, s, id).State) }
		}
		var deadline struct{ Deadline string }
		runAuthorityCases(t, s, []authorityCase{
			{name: "the user who submitted the rectification cannot close it", as: "chengguan.head",
				hazard: of(general), action: "CLOSE", query: transitionMutation, vars: stepVars("CLOSE"), code: "FORBIDDEN"},
			{name: "the user who submitted the rectification cannot reject it either", as: "chengguan.head",
				hazard: of(general), action: "REJECT", query: transitionMutation, vars: stepVars("REJECT"), code: "FORBIDDEN"},
			{name: "the user who requested an extension cannot approve it", as: "chengguan.head",
				hazard: of(extended), action: "APPROVE_EXTENSION", query: transitionMutation, vars: stepVars("APPROVE_EXTENSION"), code: "FORBIDDEN"},
			{name: "the user who requested an extension cannot reject it", as: "chengguan.head",
				hazard: of(extended), action: "REJECT_EXTENSION", query: transitionMutation, vars: stepVars("REJECT_EXTENSION"), code: "FORBIDDEN"},
			{name: "the user who submitted a major hazard's plan cannot approve it", as: "chengguan.head",
				hazard: of(major), action: "APPROVE_PLAN", query: transitionMutation, vars: stepVars("APPROVE_PLAN"), code: "FORBIDDEN"},
			{name: "another government user closes the rectification", as: "chengguan.secretary",
				hazard: of(general), action: "CLOSE", query: transitionMutation, vars: stepVars("CLOSE"), check: inState("CLOSED")},
			{name: "another government user approves the extension", as: "county.head",
				hazard: of(extended), action: "APPROVE_EXTENSION", query: transitionMutation, vars: stepVars("APPROVE_EXTENSION"),
				check: func(t *testing.T, id string) {
					nodeOf(t, s, head, id, `... on Hazard { deadline }`, &deadline)
					require.Equal(t, "2032-01-01", deadline.Deadline[:10])
				}},
			{name: "another head approves the plan", as: "county.head",
				hazard: of(major), action: "APPROVE_PLAN", query: transitionMutation, vars: stepVars("APPROVE_PLAN"), check: inState("RECTIFYING")},
		})
		t.Run("the refusal says why", func(t *testing.T) {
			step(cgHead, major, "SUBMIT", nil)
			r := gq(t, s, cgHead, transitionMutation, map[string]any{"in": map[string]any{"id": major, "action": "CLOSE", "note": "验收"}})
			requireCode(t, r, "FORBIDDEN")
			require.Contains(t, r.Errors[0].Message, "you submitted the rectification yourself")
			require.Contains(t, r.Errors[0].Message, "separation of duties")
		})
		t.Run("the submitter's other side still rectifies again after another user rejects", func(t *testing.T) {
			step(s.As("chengguan.secretary"), major, "REJECT", nil)
			step(cgHead, major, "SUBMIT", nil)
			require.NotContains(t, hazardActionsAs(t, s, cgHead, major), "CLOSE")
			step(head, major, "CLOSE", nil)
			require.Equal(t, "CLOSED", ordersOf(t, s, major).State)
		})
	})
}
