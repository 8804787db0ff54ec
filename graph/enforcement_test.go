package graph_test

// Enforcement actions end to end on every available database: who sees the
// seed's order, the bureau issuing an order and a penalty from the
// station's inspection and taking them through their states, the links to
// the inspection and hazards, allowedActions, the list's statements, and
// every refusal writing nothing.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

const issueEnforcement = `mutation($in: IssueEnforcementActionInput!) {
  issueEnforcementAction(input: $in) { enforcementAction { id kind state year amount overdue allowedActions hazards { id } } }
}`

const transitionEnforcement = `mutation($in: TransitionEnforcementActionInput!) {
  transitionEnforcementAction(input: $in) { enforcementAction { id state stateNote allowedActions } }
}`

// enforcementStepDoc is the mutation taking step on the action $id.
func enforcementStepDoc(step string) string {
	return fmt.Sprintf(`mutation($id: ID!) { transitionEnforcementAction(input: {enforcementActionID: $id, action: %s}) { enforcementAction { id } } }`, step)
}

// enforcementInspectionOf is the id of the inspection the action numbered
// number came from.
func enforcementInspectionOf(t testing.TB, s *apitest.Server, token, number string) string {
	t.Helper()
	var out struct {
		C struct {
			Edges []struct {
				Node struct{ Inspection struct{ ID string } }
			}
		}
	}
	gqOK(t, s, token, `query($n: String!) { c: enforcementActions(where: {documentNumber: $n}) { edges { node { inspection { id } } } } }`,
		map[string]any{"n": number}).Decode(t, &out)
	require.Len(t, out.C.Edges, 1, "the action numbered %s", number)
	return out.C.Edges[0].Node.Inspection.ID
}

type enforcementOut struct {
	ID, Kind, State string
	Year            int
	Amount          *int
	Overdue         bool
	AllowedActions  []string
	Hazards         []struct{ ID string }
}

func TestEnforcementActions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head, fuel := s.As("county.head"), s.As("bureau.fuel")
		bureau := unitID(t, s, head, seed.CodeDeptIndustryCommerce)
		inspection := enforcementInspectionOf(t, s, head, seed.SeedOrderNumber)
		var linked struct {
			Node struct {
				Hazards []struct {
					ID                 string
					EnforcementActions []struct{ DocumentNumber string }
				}
				EnforcementActions []struct{ DocumentNumber, State string }
			}
		}
		gqOK(t, s, head, `query($id: ID!) { node(id: $id) { ... on Inspection {
			hazards { id enforcementActions { documentNumber } } enforcementActions { documentNumber state } } } }`,
			map[string]any{"id": inspection}).Decode(t, &linked)
		hazard := linked.Node.Hazards[0].ID

		t.Run("each user sees the enforcement actions of their jurisdiction", func(t *testing.T) {
			for user, want := range map[string]int{
				"county.head": 1, "county.secretary": 1, "bureau.chief": 1, "bureau.fuel": 1, "auditor.county": 1,
				"county.deputy.industry": 0, "chengguan.head": 0, "xihe.deputy": 0, "cement.principal": 0, "neighbor.secretary": 1,
			} {
				require.Equal(t, want, totalCount(t, s, s.As(user), "enforcementActions", ""), user)
			}
		})
		t.Run("the seed's order links its inspection and hazard", func(t *testing.T) {
			require.Equal(t, "COMPLIED", linked.Node.EnforcementActions[0].State)
			require.Equal(t, seed.SeedOrderNumber, linked.Node.Hazards[0].EnforcementActions[0].DocumentNumber)
		})

		order := map[string]any{"issuerUnitID": bureau, "inspectionID": inspection, "kind": "RECTIFICATION_ORDER",
			"documentNumber": "工信执改〔2024〕2号", "issuedOn": "2024-01-02T00:00:00+08:00", "deadline": "2024-01-20T00:00:00+08:00",
			"findings": "油气回收装置复查仍不合格，责令限期整改", "hazardIDs": []any{hazard}}
		penalty := withField(withField(withField(order, "kind", "ADMINISTRATIVE_PENALTY"), "amount", 20000), "legalBasis", "《中华人民共和国安全生产法》第一百零二条")
		penalty = withField(withField(penalty, "documentNumber", "工信罚〔2024〕1号"), "deadline", nil)
		issue := func(t *testing.T, in map[string]any) enforcementOut {
			var out struct {
				IssueEnforcementAction struct{ EnforcementAction enforcementOut }
			}
			gqOK(t, s, fuel, issueEnforcement, map[string]any{"in": in}).Decode(t, &out)
			return out.IssueEnforcementAction.EnforcementAction
		}
		step := func(t *testing.T, id, action string) enforcementOut {
			var out struct {
				TransitionEnforcementAction struct{ EnforcementAction enforcementOut }
			}
			gqOK(t, s, fuel, transitionEnforcement, map[string]any{"in": map[string]any{"enforcementActionID": id,
				"action": action, "note": "复查"}}).Decode(t, &out)
			return out.TransitionEnforcementAction.EnforcementAction
		}

		t.Run("a rectification order past its deadline is found overdue and closed", func(t *testing.T) {
			a := issue(t, order)
			require.Equal(t, "ISSUED", a.State)
			require.Equal(t, 2024, a.Year)
			require.True(t, a.Overdue)
			require.Equal(t, []string{"COMPLY", "MARK_OVERDUE"}, a.AllowedActions)
			require.Len(t, a.Hazards, 1)
			require.Equal(t, []string{"CLOSE"}, step(t, a.ID, "MARK_OVERDUE").AllowedActions)
			require.Equal(t, "CLOSED", step(t, a.ID, "CLOSE").State)
			require.Len(t, enforcementOfInspection(t, s, head, inspection), 2)
		})
		t.Run("a penalty is complied with and closed by the department alone", func(t *testing.T) {
			a := issue(t, penalty)
			require.Equal(t, 20000, *a.Amount)
			require.False(t, a.Overdue)
			require.Equal(t, []string{"COMPLY"}, a.AllowedActions)
			var seen struct {
				Node struct{ AllowedActions []string }
			}
			gqOK(t, s, head, `query($id: ID!) { node(id: $id) { ... on EnforcementAction { allowedActions } } }`,
				map[string]any{"id": a.ID}).Decode(t, &seen)
			require.Empty(t, seen.Node.AllowedActions, "the county head holds no post at the bureau")
			require.Equal(t, "COMPLIED", step(t, a.ID, "COMPLY").State)
			require.Empty(t, step(t, a.ID, "CLOSE").AllowedActions)
		})

		seedOrder := idOf(t, s, head, "enforcementActions", `{documentNumber: "`+seed.SeedOrderNumber+`"}`)
		with := func(k string, v any) map[string]any { return withField(order, k, v) }
		stepOn := func(id, action string) map[string]any {
			return map[string]any{"enforcementActionID": id, "action": action}
		}
		for _, c := range []struct {
			name, as, query string
			in              map[string]any
			code            string
		}{
			{"the county may not issue: it is not a department", "county.head", issueEnforcement,
				with("issuerUnitID", unitID(t, s, head, seed.CodeCounty)), "BAD_USER_INPUT"},
			{"the emergency bureau's name needs a post there", "bureau.inspector1", issueEnforcement,
				with("issuerUnitID", unitID(t, s, head, seed.CodeDeptEmergency)), "FORBIDDEN"},
			{"an auditor may not issue", "auditor.county", issueEnforcement, order, "FORBIDDEN"},
			{"an industry deputy does not see a fuel station's inspection", "county.deputy.industry", issueEnforcement, order, "NOT_FOUND"},
			{"a rectification order needs a deadline", "bureau.fuel", issueEnforcement, with("deadline", nil), "BAD_USER_INPUT"},
			{"a penalty needs an amount", "bureau.fuel", issueEnforcement, withField(penalty, "amount", nil), "BAD_USER_INPUT"},
			{"a penalty needs a positive amount", "bureau.fuel", issueEnforcement, withField(penalty, "amount", 0), "BAD_USER_INPUT"},
			{"a penalty needs its legal basis", "bureau.fuel", issueEnforcement, withField(penalty, "legalBasis", " "), "BAD_USER_INPUT"},
			{"an order has no amount", "bureau.fuel", issueEnforcement, with("amount", 100), "BAD_USER_INPUT"},
			{"a document number is unique per department and year", "bureau.fuel", issueEnforcement, withField(with(
				"documentNumber", seed.SeedOrderNumber), "issuedOn", "2022-06-08T10:00:00+08:00"), "BAD_USER_INPUT"},
			{"a hazard of another enterprise is refused", "bureau.chief", issueEnforcement, with("hazardIDs", []any{
				idOf(t, s, head, "hazards", `{category: "电气安全", descriptionContains: "线路长年老化"}`)}), "BAD_USER_INPUT"},
			{"a document number too long is refused", "bureau.fuel", issueEnforcement, with("documentNumber", strings.Repeat("号", 101)), "BAD_USER_INPUT"},
			{"the town of the station may not step", "xihe.head", transitionEnforcement, stepOn(seedOrder, "CLOSE"), "FORBIDDEN"},
			{"an enterprise never issues", "bureau.fuel", issueEnforcement,
				with("issuerUnitID", unitID(t, s, head, seed.CodePaperStation)), "BAD_USER_INPUT"},
			{"an enterprise out of scope does not see it", "cement.principal", transitionEnforcement, stepOn(seedOrder, "CLOSE"), "NOT_FOUND"},
			{"a complied order may not be found overdue", "bureau.fuel", transitionEnforcement, stepOn(seedOrder, "MARK_OVERDUE"), "BAD_USER_INPUT"},
			{"another tenant's action is not found", "neighbor.secretary", transitionEnforcement, stepOn(seedOrder, "CLOSE"), "NOT_FOUND"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, s)
				r := gq(t, s, s.As(c.as), c.query, map[string]any{"in": c.in})
				requireCode(t, r, c.code)
				requireUnchanged(t, s, before)
			})
		}

		t.Run("a page of actions costs the same statements whatever its length", func(t *testing.T) {
			query := func(n int) string {
				return fmt.Sprintf(`{ enforcementActions(first: %d) { edges { node { id state overdue allowedActions
					issuer { name } target { name } inspection { id } hazards { id } } } } }`, n)
			}
			require.Equal(t, enforcementListStatements, fewestStatementsOf(t, s, fuel, query(1)))
			require.Equal(t, enforcementListStatements, fewestStatementsOf(t, s, fuel, query(10)))
		})
	}, func(c *config.Config) { c.StatementHeader = true })
}

// enforcementListStatements is what a page of enforcement actions with
// their issuer, target, inspection, hazards and allowedActions costs: one
// statement per kind of data, whatever the page's length.
const enforcementListStatements = 9

// enforcementOfInspection lists the document numbers of the actions from
// inspection id.
func enforcementOfInspection(t testing.TB, s *apitest.Server, token, id string) []string {
	t.Helper()
	var out struct {
		Node struct {
			EnforcementActions []struct{ DocumentNumber string }
		}
	}
	gqOK(t, s, token, `query($id: ID!) { node(id: $id) { ... on Inspection { enforcementActions { documentNumber } } } }`,
		map[string]any{"id": id}).Decode(t, &out)
	numbers := make([]string, len(out.Node.EnforcementActions))
	for i, a := range out.Node.EnforcementActions {
		numbers[i] = a.DocumentNumber
	}
	return numbers
}
