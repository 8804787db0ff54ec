package graph_test

// Hazards over HTTP: every legal transition of both state machines, every
// illegal one (BAD_USER_INPUT, nothing written), who may take each step,
// scoping, and the random draw.

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

var allActions = []string{"SUBMIT_PLAN", "APPROVE_PLAN", "START_RECTIFICATION", "SUBMIT", "REJECT", "CLOSE", "CLOSE_ON_SPOT",
	"REQUEST_EXTENSION", "APPROVE_EXTENSION", "REJECT_EXTENSION", "SUPERVISE", "LIFT_SUPERVISION"}

// legalState lists the state-changing actions the domain guide allows per level
// and state (extensions and supervision are checked separately).
var legalState = map[string]map[string][]string{
	"GENERAL": {
		"REPORTED":   {"START_RECTIFICATION", "CLOSE_ON_SPOT"},
		"RECTIFYING": {"SUBMIT"},
		"SUBMITTED":  {"REJECT", "CLOSE"},
		"CLOSED":     {},
	},
	"MAJOR": {
		"REPORTED":       {"SUBMIT_PLAN"},
		"PLAN_SUBMITTED": {"APPROVE_PLAN"},
		"RECTIFYING":     {"SUBMIT"},
		"SUBMITTED":      {"REJECT", "CLOSE"},
		"CLOSED":         {},
	},
}

const transitionMutation = `mutation($in: TransitionHazardInput!) {
  transitionHazard(input: $in) { hazard { id state supervised deadline overdue timeline { action actor { username } } } }
}`

func transition(s *apitest.Server, token, id, action string, extra map[string]any) *apitest.Response {
	in := map[string]any{"id": id, "action": action, "note": "说明"}
	for k, v := range extra {
		in[k] = v
	}
	return s.Do(token, transitionMutation, map[string]any{"in": in})
}

func stepOK(t *testing.T, s *apitest.Server, user, id, action, wantState string, extra map[string]any) {
	t.Helper()
	r := transition(s, s.As(user), id, action, extra)
	require.Empty(t, r.Errors, "%s by %s", action, user)
	var out struct {
		TransitionHazard struct{ Hazard struct{ State string } }
	}
	r.Decode(t, &out)
	require.Equal(t, wantState, out.TransitionHazard.Hazard.State, "%s by %s", action, user)
}

func stepCode(t *testing.T, s *apitest.Server, user, id, action, code string, extra map[string]any) {
	t.Helper()
	before := snapshot(t, s)
	r := transition(s, s.As(user), id, action, extra)
	requireCode(t, r, code, fmt.Sprintf("%s by %s", action, user))
	requireUnchanged(t, s, before, action+" by "+user)
}

// illegalFrom tries every state-changing action the machine does not allow
// in state and requires BAD_USER_INPUT with nothing written. county.head
// acts (government side): the refusal must come from the state machine.
func illegalFrom(t *testing.T, s *apitest.Server, id, level, state string) {
	t.Helper()
	for _, a := range allActions[:7] {
		if slices.Contains(legalState[level][state], a) {
			continue
		}
		stepCode(t, s, "county.head", id, a, "BAD_USER_INPUT", map[string]any{})
	}
}

func report(t *testing.T, s *apitest.Server, user, subjectCode, source, level string) string {
	t.Helper()
	r := s.Do(s.As(user), `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id state } } }`, map[string]any{"in": map[string]any{
		"subjectID": unitID(t, s, s.As("admin"), subjectCode), "source": source, "level": level, "category": "测试",
		"description": "测试隐患", "deadline": "2031-01-01T00:00:00Z"}})
	require.Empty(t, r.Errors)
	var out struct {
		ReportHazard struct{ Hazard struct{ ID, State string } }
	}
	r.Decode(t, &out)
	require.Equal(t, "REPORTED", out.ReportHazard.Hazard.State)
	return out.ReportHazard.Hazard.ID
}

var plan = map[string]any{"plan": map[string]any{"measures": "加装防护", "funds": "10万元", "responsiblePerson": "王建国",
	"deadline": "2031-06-01T00:00:00Z", "emergencyMeasures": "停机并设置警戒"}}

func TestHazardStateMachines(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		t.Run("GENERAL found by the enterprise: rectify, submit, rejected, resubmit, closed by its own principal", func(t *testing.T) {
			// Found at the kiln workshop: its head rectifies and submits, the
			// enterprise's principal closes (its own finding) — not the
			// workshop head who submitted (nobody decides their own submission).
			id := report(t, s, "cement.kiln.head", seed.CodeCementKiln, "SELF_CHECK", "GENERAL")
			illegalFrom(t, s, id, "GENERAL", "REPORTED")
			stepCode(t, s, "county.head", id, "START_RECTIFICATION", "FORBIDDEN", nil) // government side does not rectify
			stepOK(t, s, "cement.kiln.head", id, "START_RECTIFICATION", "RECTIFYING", nil)
			illegalFrom(t, s, id, "GENERAL", "RECTIFYING")
			stepOK(t, s, "cement.kiln.head", id, "SUBMIT", "SUBMITTED", nil)
			illegalFrom(t, s, id, "GENERAL", "SUBMITTED")
			stepCode(t, s, "cement.principal", id, "REJECT", "FORBIDDEN", nil) // the enterprise does not verify itself
			stepCode(t, s, "county.head", id, "REJECT", "BAD_USER_INPUT", map[string]any{"note": ""})
			stepOK(t, s, "county.head", id, "REJECT", "RECTIFYING", nil)
			stepOK(t, s, "cement.kiln.head", id, "SUBMIT", "SUBMITTED", nil)
			stepCode(t, s, "cement.kiln.head", id, "CLOSE", "FORBIDDEN", nil) // its own submission
			stepCode(t, s, "cement.kiln.head", report(t, s, "cement.principal", "ENT-CEMENT", "SELF_CHECK", "GENERAL"),
				"START_RECTIFICATION", "NOT_FOUND", nil) // the workshop does not see its enterprise's hazard
			stepOK(t, s, "cement.principal", id, "CLOSE", "CLOSED", nil)
			illegalFrom(t, s, id, "GENERAL", "CLOSED")
			stepCode(t, s, "county.head", id, "SUPERVISE", "BAD_USER_INPUT", nil)
			stepCode(t, s, "cement.principal", id, "REQUEST_EXTENSION", "BAD_USER_INPUT", map[string]any{"deadline": "2032-01-01T00:00:00Z"})
			r := s.MustDo(s.As("county.head"), `query($id: ID!) { node(id: $id) { ... on Hazard { timeline { action fromState toState actor { username } post { title } } } } }`, map[string]any{"id": id})
			var out struct {
				Node struct {
					Timeline []struct{ Action, FromState, ToState string }
				}
			}
			r.Decode(t, &out)
			var actions []string
			for _, e := range out.Node.Timeline {
				actions = append(actions, e.Action)
			}
			require.Equal(t, []string{"REPORT", "START_RECTIFICATION", "SUBMIT", "REJECT", "SUBMIT", "CLOSE"}, actions)
		})
		t.Run("GENERAL found by the government: the enterprise may not close it; on-the-spot closure needs evidence", func(t *testing.T) {
			id := report(t, s, "county.head", "ENT-CEMENT", "REPORT", "GENERAL")
			stepCode(t, s, "cement.principal", id, "CLOSE_ON_SPOT", "FORBIDDEN", nil)
			stepCode(t, s, "county.deputy.industry", id, "CLOSE_ON_SPOT", "BAD_USER_INPUT", map[string]any{"note": " "})
			stepOK(t, s, "county.deputy.industry", id, "CLOSE_ON_SPOT", "CLOSED", nil)

			id2 := report(t, s, "county.head", "ENT-CEMENT", "REPORT", "GENERAL")
			stepOK(t, s, "cement.principal", id2, "START_RECTIFICATION", "RECTIFYING", nil)
			stepOK(t, s, "cement.principal", id2, "SUBMIT", "SUBMITTED", nil)
			stepCode(t, s, "cement.principal", id2, "CLOSE", "FORBIDDEN", nil)
			stepOK(t, s, "county.deputy.industry", id2, "CLOSE", "CLOSED", nil)
		})
		t.Run("MAJOR: plan, approval by a principal, rectification, closure by the government side only", func(t *testing.T) {
			id := report(t, s, "county.head", "ENT-CEMENT", "REPORT", "MAJOR")
			illegalFrom(t, s, id, "MAJOR", "REPORTED")
			stepCode(t, s, "cement.principal", id, "SUBMIT_PLAN", "BAD_USER_INPUT", nil) // no plan
			stepCode(t, s, "cement.principal", id, "SUBMIT_PLAN", "BAD_USER_INPUT", map[string]any{"plan": map[string]any{
				"measures": "x", "funds": "", "responsiblePerson": "x", "deadline": "2031-06-01T00:00:00Z", "emergencyMeasures": "x"}})
			stepOK(t, s, "cement.principal", id, "SUBMIT_PLAN", "PLAN_SUBMITTED", plan)
			illegalFrom(t, s, id, "MAJOR", "PLAN_SUBMITTED")
			stepCode(t, s, "county.deputy.industry", id, "APPROVE_PLAN", "FORBIDDEN", nil) // a deputy is not a principal
			stepCode(t, s, "cement.principal", id, "APPROVE_PLAN", "FORBIDDEN", nil)
			stepOK(t, s, "county.head", id, "APPROVE_PLAN", "RECTIFYING", nil)
			illegalFrom(t, s, id, "MAJOR", "RECTIFYING")
			stepOK(t, s, "cement.principal", id, "SUBMIT", "SUBMITTED", nil)
			illegalFrom(t, s, id, "MAJOR", "SUBMITTED")
			stepCode(t, s, "county.deputy.industry", id, "REJECT", "FORBIDDEN", nil)
			stepOK(t, s, "bureau.chief", id, "REJECT", "RECTIFYING", nil) // the supervising department's principal
			stepOK(t, s, "cement.principal", id, "SUBMIT", "SUBMITTED", nil)
			stepCode(t, s, "cement.principal", id, "CLOSE", "FORBIDDEN", nil)
			stepCode(t, s, "bureau.inspector1", id, "CLOSE", "FORBIDDEN", nil)
			stepOK(t, s, "bureau.chief", id, "CLOSE", "CLOSED", nil)
			illegalFrom(t, s, id, "MAJOR", "CLOSED")
		})
		t.Run("extensions and supervision", func(t *testing.T) {
			id := report(t, s, "county.head", "ENT-CEMENT", "REPORT", "MAJOR")
			stepCode(t, s, "county.head", id, "APPROVE_EXTENSION", "BAD_USER_INPUT", nil) // nothing pending
			stepCode(t, s, "cement.principal", id, "REQUEST_EXTENSION", "BAD_USER_INPUT", map[string]any{"deadline": "2020-01-01T00:00:00Z"})
			stepCode(t, s, "county.head", id, "REQUEST_EXTENSION", "FORBIDDEN", map[string]any{"deadline": "2032-01-01T00:00:00Z"})
			stepOK(t, s, "cement.principal", id, "REQUEST_EXTENSION", "REPORTED", map[string]any{"deadline": "2032-01-01T00:00:00Z"})
			stepCode(t, s, "cement.principal", id, "REQUEST_EXTENSION", "BAD_USER_INPUT", map[string]any{"deadline": "2033-01-01T00:00:00Z"})
			stepCode(t, s, "county.deputy.industry", id, "APPROVE_EXTENSION", "FORBIDDEN", nil) // MAJOR: principals decide
			stepOK(t, s, "county.head", id, "APPROVE_EXTENSION", "REPORTED", nil)
			r := s.MustDo(s.As("county.head"), `query($id: ID!) { node(id: $id) { ... on Hazard { deadline requestedDeadline } } }`, map[string]any{"id": id})
			require.JSONEq(t, `{"node": {"deadline": "2032-01-01T00:00:00Z", "requestedDeadline": null}}`, string(r.Data))
			stepOK(t, s, "cement.principal", id, "REQUEST_EXTENSION", "REPORTED", map[string]any{"deadline": "2033-01-01T00:00:00Z"})
			stepCode(t, s, "county.head", id, "REJECT_EXTENSION", "BAD_USER_INPUT", map[string]any{"note": ""})
			stepOK(t, s, "county.head", id, "REJECT_EXTENSION", "REPORTED", nil)

			stepCode(t, s, "county.head", id, "LIFT_SUPERVISION", "BAD_USER_INPUT", nil)
			stepCode(t, s, "cement.principal", id, "SUPERVISE", "FORBIDDEN", nil)
			stepOK(t, s, "county.deputy.industry", id, "SUPERVISE", "REPORTED", nil)
			stepCode(t, s, "county.head", id, "SUPERVISE", "BAD_USER_INPUT", nil)
			stepOK(t, s, "county.head", id, "LIFT_SUPERVISION", "REPORTED", nil)
			stepCode(t, s, "auditor.county", id, "SUPERVISE", "FORBIDDEN", nil)
			stepCode(t, s, "neighbor.secretary", id, "SUPERVISE", "NOT_FOUND", nil)
		})
	})
}

func TestHazardScopeAndQueries(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		type hz struct {
			Enterprise *struct{ Name, Sector string }
			Town       *struct{ Name string }
			Overdue    bool
			State      string
		}
		list := func(user, where string) []hz {
			q := `{ hazards(first: 100` + where + `) { totalCount edges { node { state overdue enterprise { name sector } town { name } } } } }`
			r := s.MustDo(s.As(user), q, nil)
			var out struct {
				Hazards struct {
					TotalCount int
					Edges      []struct{ Node hz }
				}
			}
			r.Decode(t, &out)
			var hs []hz
			for _, e := range out.Hazards.Edges {
				hs = append(hs, e.Node)
			}
			require.Equal(t, out.Hazards.TotalCount, len(hs))
			return hs
		}
		all := list("county.head", "")
		require.GreaterOrEqual(t, len(all), 8)
		cement := list("cement.principal", "")
		require.NotEmpty(t, cement)
		for _, h := range cement {
			require.Equal(t, "示范县恒固水泥有限公司", h.Enterprise.Name)
		}
		xihe := list("xihe.deputy", "")
		require.NotEmpty(t, xihe)
		for _, h := range xihe {
			require.Equal(t, "COMMERCE", h.Enterprise.Sector)
			require.Equal(t, "西河镇", h.Town.Name)
		}
		overdue := list("county.head", ", where: {overdue: true}")
		require.NotEmpty(t, overdue)
		for _, h := range overdue {
			require.True(t, h.Overdue)
			require.NotEqual(t, "CLOSED", h.State)
		}
		closed := list("county.head", ", where: {state: CLOSED, sector: COMMERCE}")
		require.GreaterOrEqual(t, len(closed), 3) // the market's wiring, the hotel's slope and gas contract
		town := unitID(t, s, s.As("admin"), "TOWN-XH")
		for _, h := range list("county.head", fmt.Sprintf(", where: {townID: %q}", town)) {
			require.Equal(t, "西河镇", h.Town.Name)
		}

		counts := func(user string) map[string]int {
			r := s.MustDo(s.As(user), `{ hazardCounts { state level count } }`, nil)
			var out struct {
				HazardCounts []struct {
					State, Level string
					Count        int
				}
			}
			r.Decode(t, &out)
			m := map[string]int{}
			for _, c := range out.HazardCounts {
				m[c.Level+"/"+c.State] = c.Count
			}
			return m
		}
		sum := func(m map[string]int) (n int) {
			for _, c := range m {
				n += c
			}
			return n
		}
		require.Equal(t, len(all), sum(counts("county.head")))
		require.Equal(t, len(xihe), sum(counts("xihe.deputy")))
		require.Equal(t, 1, counts("county.head")["MAJOR/RECTIFYING"])
	})
}

func TestRandomDraw(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head, admin := s.As("county.head"), s.As("admin")
		i1, i2, i3 := userID(t, s, admin, "bureau.inspector1"), userID(t, s, admin, "bureau.inspector2"), userID(t, s, admin, "bureau.fuel")
		draw := func(conflicts []any) (string, []struct {
			Enterprise struct{ ID, Name string }
			Inspectors []struct{ ID string }
		}) {
			r := s.Do(head, `mutation($in: CreateRandomDrawInput!) { createRandomDraw(input: $in) { randomDraw {
				id seedValue reproduced enterpriseRosterSize inspectorRosterSize inspections { status type }
				assignments { enterprise { id name } inspectors { id } } } } }`, map[string]any{"in": map[string]any{
				"organiserID": unitID(t, s, admin, "COUNTY"), "sectors": []any{"FUEL"}, "targetCount": 35,
				"inspectorIDs": []any{i1, i2, i3}, "conflicts": conflicts, "inspectionDate": "2023-05-01T00:00:00Z"}})
			require.Empty(t, r.Errors)
			var out struct {
				CreateRandomDraw struct {
					RandomDraw struct {
						ID, SeedValue        string
						Reproduced           bool
						EnterpriseRosterSize int
						InspectorRosterSize  int
						Inspections          []struct{ Status, Type string }
						Assignments          []struct {
							Enterprise struct{ ID, Name string }
							Inspectors []struct{ ID string }
						}
					}
				}
			}
			r.Decode(t, &out)
			d := out.CreateRandomDraw.RandomDraw
			require.True(t, d.Reproduced, "the stored draw re-runs from its seed")
			require.NotEmpty(t, d.SeedValue, "the server's seed is shown")
			require.Equal(t, 35, d.EnterpriseRosterSize)
			require.Equal(t, 3, d.InspectorRosterSize)
			require.Len(t, d.Assignments, 35, "the whole roster is drawn, so every target is in each draw")
			require.Len(t, d.Inspections, 35)
			for _, in := range d.Inspections {
				require.Equal(t, "PLANNED", in.Status)
				require.Equal(t, "DOUBLE_RANDOM", in.Type)
			}
			for _, a := range d.Assignments {
				require.Len(t, a.Inspectors, 2, "two inspectors per target")
			}
			return d.ID, d.Assignments
		}
		_, first := draw(nil)

		// Declare a conflict for one of the first draw's pairs: the target
		// is still drawn, the conflicted inspector never for it.
		target, conflicted := first[0].Enterprise.ID, first[0].Inspectors[0].ID
		_, withConflict := draw([]any{map[string]any{"inspectorID": conflicted, "enterpriseUnitID": target}})
		for _, a := range withConflict {
			if a.Enterprise.ID != target {
				continue
			}
			for _, in := range a.Inspectors {
				require.NotEqual(t, conflicted, in.ID)
			}
		}

		// Fewer than two inspectors without a conflict: refused, nothing written.
		before := snapshot(t, s)
		r := s.Do(head, `mutation($in: CreateRandomDrawInput!) { createRandomDraw(input: $in) { randomDraw { id } } }`, map[string]any{"in": map[string]any{
			"organiserID": unitID(t, s, admin, "COUNTY"), "targetCount": 1, "inspectorIDs": []any{i1}, "inspectionDate": "2023-05-01T00:00:00Z"}})
		requireCode(t, r, "BAD_USER_INPUT")
		requireUnchanged(t, s, before)
	})
}
