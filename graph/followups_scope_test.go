package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

// A FOLLOW_UP inspection may target a town and re-check hazards of the
// enterprises in it. Each re-check (FollowUpCheck) is stored with the
// inspection's scope columns — the town's path and no sector — so a
// sector-restricted post at the town reads the re-check of a hazard of
// another sector: the hazard's id, its state and the inspectors' note,
// by node and through Inspection.followUps, while the hazard itself is
// hidden from them.
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

		t.Run("the commerce deputy of 西河镇 does not read the re-check of the paper mill's hazard by node", func(t *testing.T) {
			r := gqOK(t, s, deputy, `query($id: ID!) { node(id: $id) { id ... on FollowUpCheck { hazardID stateBefore note } } }`, map[string]any{"id": check})
			require.JSONEq(t, `{"node": null}`, string(r.Data))
		})

		t.Run("the commerce deputy of 西河镇 does not read it through the town's inspection", func(t *testing.T) {
			r := gqOK(t, s, deputy, `query($id: ID!) { node(id: $id) { ... on Inspection { followUps { hazardID note } } } }`, map[string]any{"id": insp.ID})
			require.NotContains(t, string(r.Data), "液氯储罐围堰仍未修复")
		})
	})
}
