package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

// A FOLLOW_UP inspection may target a town and re-check hazards of the
// enterprises in it. Each re-check (FollowUpCheck) copies its hazard's scope
// columns and reads as a hazard: it is read exactly where the hazard is — by
// node, through Hazard.followUps and through Inspection.followUps, which
// leaves out the re-checks of hazards the caller does not read — and its
// inspection is null for a reader of the hazard who does not read the
// inspection. (The re-checks used to copy the inspection's scope — the
// town's path and no sector — so a sector-restricted post at the town read
// the re-check of a hazard of another sector: its id, state and note.)
func TestFollowUpChecksStayWithTheirHazards(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head, deputy := s.As("county.head"), s.As("xihe.deputy")
		county, xihe := unitID(t, s, head, seed.CodeCounty), unitID(t, s, head, seed.CodeTownXihe)
		paper := unitID(t, s, head, seed.CodePaper)
		inspectors := []string{userID(t, s, head, "county.head"), userID(t, s, head, "county.secretary")}

		// The county reports a hazard at the paper mill (INDUSTRY, 西河镇),
		// then follows it up in an inspection of 西河镇.
		var reported struct {
			ReportHazard struct{ Hazard struct{ ID string } }
		}
		gqOK(t, s, head, `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id } } }`, map[string]any{"in": map[string]any{
			"subjectID": paper, "source": "REPORT", "level": "GENERAL", "category": "危化品储存",
			"description": "纸业公司液氯储罐区围堰破损", "deadline": "2030-01-01T00:00:00Z"}}).Decode(t, &reported)
		hazard := reported.ReportHazard.Hazard.ID
		var rec struct {
			RecordInspection struct {
				Inspection struct {
					ID        string
					FollowUps []struct{ ID string }
				}
			}
		}
		gqOK(t, s, head, `mutation($in: RecordInspectionInput!) { recordInspection(input: $in) { inspection { id followUps { id } } } }`, map[string]any{"in": map[string]any{
			"type": "FOLLOW_UP", "inspectingUnitID": county, "targetID": xihe, "inspectorIDs": inspectors,
			"inspectedOn": "2024-01-10T00:00:00Z", "conclusion": "西河镇交办隐患督查",
			"followUps": []map[string]any{{"hazardID": hazard, "outcome": "PARTLY", "note": "液氯储罐围堰仍未修复"}}}}).Decode(t, &rec)
		insp := rec.RecordInspection.Inspection
		require.Len(t, insp.FollowUps, 1)
		check := insp.FollowUps[0].ID

		r := gqOK(t, s, deputy, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": hazard})
		require.JSONEq(t, `{"node": null}`, string(r.Data), "the commerce deputy of 西河镇 does not read the paper mill's hazard")

		// Who reads the re-check is who reads the hazard: by node, through
		// the inspection and through the hazard.
		for _, tc := range []struct {
			name, user            string
			readsCheck, readsInsp bool
		}{
			{"the county head reads the re-check and its inspection", "county.head", true, true},
			{"the county's industry deputy reads the re-check of an industrial hazard", "county.deputy.industry", true, true},
			{"the head of 西河镇 reads it", "xihe.head", true, true},
			{"the paper mill's safety officer reads the re-check of their hazard, not the town's inspection", "paper.safety", true, false},
			{"the commerce deputy of 西河镇 does not read the re-check of the paper mill's hazard", "xihe.deputy", false, true},
			{"the principal of the cement works does not read it", "cement.principal", false, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				token := s.As(tc.user)
				var byNode struct {
					Node *struct {
						HazardID, Note string
						Inspection     *struct{ ID string }
					}
				}
				gqOK(t, s, token, `query($id: ID!) { node(id: $id) { ... on FollowUpCheck { hazardID note inspection { id } } } }`,
					map[string]any{"id": check}).Decode(t, &byNode)
				var byHazard struct {
					Node *struct{ FollowUps []struct{ ID string } }
				}
				gqOK(t, s, token, `query($id: ID!) { node(id: $id) { ... on Hazard { followUps { id } } } }`,
					map[string]any{"id": hazard}).Decode(t, &byHazard)
				var byInsp struct {
					Node *struct{ FollowUps []struct{ ID, Note string } }
				}
				gqOK(t, s, token, `query($id: ID!) { node(id: $id) { ... on Inspection { followUps { id note } } } }`,
					map[string]any{"id": insp.ID}).Decode(t, &byInsp)
				if !tc.readsCheck {
					require.Nil(t, byNode.Node, "node")
					require.Nil(t, byHazard.Node, "the hazard")
					if byInsp.Node != nil {
						require.Empty(t, byInsp.Node.FollowUps, "Inspection.followUps")
					}
					return
				}
				require.NotNil(t, byNode.Node)
				require.Equal(t, hazard, byNode.Node.HazardID)
				require.Equal(t, "液氯储罐围堰仍未修复", byNode.Node.Note)
				require.Equal(t, []struct{ ID string }{{check}}, byHazard.Node.FollowUps)
				if tc.readsInsp {
					require.Equal(t, insp.ID, byNode.Node.Inspection.ID)
					require.Len(t, byInsp.Node.FollowUps, 1)
				} else {
					require.Nil(t, byNode.Node.Inspection, "FollowUpCheck.inspection is null outside the jurisdiction")
					require.Nil(t, byInsp.Node, "the town's inspection")
				}
			})
		}
	})
}
