package graph_test

// Write authority over acts (docs/AUTHZ.md, "Authority"): government
// inspections by government, the draw's seed by the server, a hazard's
// source by who reports it, and a policy in which both heads stay equal.

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

const (
	recordInspectionQ = `mutation($in: RecordInspectionInput!) { recordInspection(input: $in) { inspection { id type status } } }`
	createDrawQ       = `mutation($in: CreateRandomDrawInput!) { createRandomDraw(input: $in) { randomDraw {
		id seedValue reproduced assignments { enterprise { id } } } } }`
	reportHazardQ = `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id source } } }`
	policyRulesQ  = `{ policyRules { role object action } }`
	addRuleQ      = `mutation($in: AddPolicyRuleInput!) { addPolicyRule(input: $in) { rules { role object action } } }`
	removeRuleQ   = `mutation($in: RemovePolicyRuleInput!) { removePolicyRule(input: $in) { rules { role object action } } }`
)

type drawOut struct {
	ID, SeedValue string
	Reproduced    bool
	Assignments   []struct{ Enterprise struct{ ID string } }
}

func TestInspectedSideCannotForgeGovernmentInspections(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, chief := s.As("admin"), s.As("bureau.chief")
		bureau := unitID(t, s, admin, seed.CodeDeptIndustryCommerce)
		cement := unitID(t, s, admin, seed.CodeCement)
		i1, i2 := userID(t, s, admin, "bureau.inspector1"), userID(t, s, admin, "bureau.inspector2")
		principal := userID(t, s, admin, "cement.principal")
		forged := input("type", "DOUBLE_RANDOM", "inspectingUnitID", bureau, "targetID", cement,
			"inspectorIDs", []any{i1, i2}, "inspectedOn", "2023-03-01T00:00:00Z", "conclusion", "未发现问题")

		// The bureau draws every industrial enterprise it supervises, so the
		// plant has a planned inspection.
		roster := totalCount(t, s, chief, "enterprises", "{sector: INDUSTRY}")
		gqOK(t, s, chief, createDrawQ, input("organiserID", bureau, "sectors", []any{"INDUSTRY"}, "targetCount", roster,
			"inspectorIDs", []any{i1, i2}, "inspectionDate", "2023-05-01T00:00:00Z"))
		planned := firstID(t, s, s.As("cement.principal"), "inspections", "{status: PLANNED}")

		runRefusals(t, s, []refusal{
			{name: "cement.principal records a DOUBLE_RANDOM inspection of its plant in the bureau's name", user: "cement.principal",
				query: recordInspectionQ, vars: forged, codes: []string{"FORBIDDEN"}},
			{name: "cement.principal completes the planned inspection drawn for its plant", user: "cement.principal",
				query: recordInspectionQ, vars: input("plannedID", planned, "inspectedOn", "2023-05-01T00:00:00Z", "conclusion", "未发现问题"),
				codes: []string{"FORBIDDEN"}},
			{name: "cement.principal records an inspection by its plant of type SPECIAL", user: "cement.principal",
				query: recordInspectionQ, vars: input("type", "SPECIAL", "inspectingUnitID", cement, "targetID", cement,
					"inspectedOn", "2023-03-01T00:00:00Z"), codes: []string{"BAD_USER_INPUT"}},
			{name: "bureau.chief names the plant's principal as an inspector", user: "bureau.chief",
				query: recordInspectionQ, vars: input("type", "SPECIAL", "inspectingUnitID", bureau, "targetID", cement,
					"inspectorIDs", []any{i1, principal}, "inspectedOn", "2023-03-01T00:00:00Z"), codes: []string{"BAD_USER_INPUT"}},
			{name: "county.head records an inspection in the bureau's name", user: "county.head",
				query: recordInspectionQ, vars: forged, codes: []string{"FORBIDDEN"}},
		})
		t.Run("cement.principal records a SELF_CHECK of its plant", func(t *testing.T) {
			gqOK(t, s, s.As("cement.principal"), recordInspectionQ, input("type", "SELF_CHECK", "inspectingUnitID", cement,
				"targetID", cement, "inspectedOn", "2023-03-01T00:00:00Z", "conclusion", "自查未发现问题"))
		})
		t.Run("bureau.chief completes the planned inspection", func(t *testing.T) {
			gqOK(t, s, chief, recordInspectionQ, input("plannedID", planned, "inspectedOn", "2023-05-01T00:00:00Z", "conclusion", "未发现问题"))
		})
	})
}

func TestDrawSeedComesFromTheServer(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, chief := s.As("admin"), s.As("bureau.chief")
		bureau := unitID(t, s, admin, seed.CodeDeptIndustryCommerce)
		i1, i2 := userID(t, s, admin, "bureau.inspector1"), userID(t, s, admin, "bureau.inspector2")
		in := func(kv ...any) map[string]any {
			return input(append([]any{"organiserID", bureau, "sectors", []any{"FUEL"}, "targetCount", 3,
				"inspectorIDs", []any{i1, i2}, "inspectionDate", "2023-05-01T00:00:00Z"}, kv...)...)
		}
		runRefusals(t, s, []refusal{
			{name: "the caller passes a seed", user: "bureau.chief", query: createDrawQ, vars: in("seed", "42"),
				codes: []string{"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"}},
		})
		var first, second drawOut
		decodeAt(t, gqOK(t, s, chief, createDrawQ, in()), "createRandomDraw.randomDraw", &first)
		decodeAt(t, gqOK(t, s, chief, createDrawQ, in()), "createRandomDraw.randomDraw", &second)
		require.NotEqual(t, first.SeedValue, second.SeedValue, "each draw gets a fresh seed from crypto/rand")
		for _, d := range []drawOut{first, second} {
			require.True(t, d.Reproduced, "re-running the stored seed and rosters gives the stored targets")
			var stored drawOut
			r := gqOK(t, s, chief, `query($id: ID!) { node(id: $id) { ... on RandomDraw { id seedValue reproduced assignments { enterprise { id } } } } }`,
				map[string]any{"id": d.ID})
			decodeAt(t, r, "node", &stored)
			require.Equal(t, d, stored, "the seed and the targets are stored and shown")
		}
	})
}

func TestHazardSourceFollowsTheReporter(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		cement := unitID(t, s, s.As("admin"), seed.CodeCement)
		hz := func(source string) map[string]any {
			return input("subjectID", cement, "source", source, "level", "GENERAL", "category", "消防安全",
				"description", "灭火器过期", "deadline", "2030-01-01T00:00:00Z")
		}
		runRefusals(t, s, []refusal{
			{name: "an inspector reports a SELF_CHECK hazard the plant could close on the spot", user: "bureau.inspector1",
				query: reportHazardQ, vars: hz("SELF_CHECK"), codes: []string{"BAD_USER_INPUT"}, field: "input.source"},
			{name: "the plant reports its own hazard as a government REPORT", user: "cement.principal",
				query: reportHazardQ, vars: hz("REPORT"), codes: []string{"BAD_USER_INPUT"}, field: "input.source"},
		})
		for _, c := range []struct{ user, source string }{{"bureau.inspector1", "REPORT"}, {"cement.principal", "SELF_CHECK"}} {
			t.Run(c.user+" reports a "+c.source+" hazard", func(t *testing.T) {
				gqOK(t, s, s.As(c.user), reportHazardQ, hz(c.source))
			})
		}
	})
}

type ruleOut struct{ Role, Object, Action string }

func TestPolicyKeepsBothHeadsEqual(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		rules := func() []ruleOut {
			var out []ruleOut
			decodeAt(t, gqOK(t, s, admin, policyRulesQ, nil), "policyRules", &out)
			return out
		}
		t.Run("a rule added for PARTY_SECRETARY is GOVERNMENT_HEAD's too", func(t *testing.T) {
			gqOK(t, s, admin, addRuleQ, input("role", "PARTY_SECRETARY", "object", "post", "action", "create"))
			require.Contains(t, rules(), ruleOut{"GOVERNMENT_HEAD", "post", "create"})
			gqOK(t, s, admin, removeRuleQ, input("role", "GOVERNMENT_HEAD", "object", "post", "action", "create"))
			require.NotContains(t, rules(), ruleOut{"PARTY_SECRETARY", "post", "create"})
		})
		t.Run("every listed rule but ADMIN's own can be removed", func(t *testing.T) {
			for _, r := range rules() {
				if r.Role == "ADMIN" || !slices.Contains(rules(), r) {
					continue // ADMIN's rules allow the removals; a head's twin went with it
				}
				gqOK(t, s, admin, removeRuleQ, input("role", r.Role, "object", r.Object, "action", r.Action))
			}
			for _, r := range rules() {
				require.Equal(t, "ADMIN", r.Role, "%+v is left", r)
			}
		})
	})
}
