package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/seed"
)

// An enforcement action against a workshop may concern a hazard of the
// whole enterprise. Each link of an action to a hazard (EnforcementHazard)
// names the hazard's id, so it copies the hazard's scope columns, with no
// issuer side: it is read exactly where the hazard is — by node and through
// EnforcementAction.hazards — and a reader of the action who does not read
// the hazard (the workshop's principal; the issuing department's side) no
// longer reads it. (The links used to copy the action's scope — the
// workshop's path, the department's path on the issuer side — so those
// readers read the link and the hazard id it names.)
func TestEnforcementHazardLinksStayWithTheirHazards(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		cement, kiln := unitID(t, s, head, seed.CodeCement), unitID(t, s, head, seed.CodeCementKiln)
		dept := unitID(t, s, head, seed.CodeDeptIndustryCommerce)
		chief := s.As("bureau.chief")
		inspectors := []string{userID(t, s, head, "bureau.inspector1"), userID(t, s, head, "bureau.inspector2")}

		// The county reports a hazard of the whole cement works; the bureau
		// inspects its kiln workshop and orders it to put the hazard right.

		var reported struct {
			ReportHazard struct{ Hazard struct{ ID string } }
		}
		gqOK(t, s, head, `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id } } }`, map[string]any{"in": map[string]any{
			"subjectID": cement, "source": "REPORT", "level": "GENERAL", "category": "特种设备",
			"description": "水泥公司厂区行车制动器失效", "deadline": "2030-01-01T00:00:00Z"}}).Decode(t, &reported)
		hazard := reported.ReportHazard.Hazard.ID
		var rec struct {
			RecordInspection struct{ Inspection struct{ ID string } }
		}
		gqOK(t, s, chief, `mutation($in: RecordInspectionInput!) { recordInspection(input: $in) { inspection { id } } }`, map[string]any{"in": map[string]any{
			"type": "SPECIAL", "inspectingUnitID": dept, "targetID": kiln, "inspectorIDs": inspectors,
			"inspectedOn": "2024-01-10T00:00:00Z", "conclusion": "回转窑车间专项检查"}}).Decode(t, &rec)
		var issued struct {
			IssueEnforcementAction struct{ EnforcementAction enforcementOut }
		}
		gqOK(t, s, chief, issueEnforcement, map[string]any{"in": map[string]any{
			"issuerUnitID": dept, "inspectionID": rec.RecordInspection.Inspection.ID, "kind": "RECTIFICATION_ORDER",
			"documentNumber": "工信执改〔2024〕7号", "issuedOn": "2024-01-12T00:00:00+08:00", "deadline": "2024-02-12T00:00:00+08:00",
			"findings": "厂区行车制动器失效，责令限期整改", "hazardIDs": []any{hazard}}}).Decode(t, &issued)
		action := issued.IssueEnforcementAction.EnforcementAction.ID
		require.Equal(t, []struct{ ID string }{{hazard}}, issued.IssueEnforcementAction.EnforcementAction.Hazards)
		var linkID int
		require.NoError(t, s.DB.SQL.QueryRow(`SELECT id FROM enforcement_hazards WHERE enforcement_action_id = $1`,
			decodeID(t, action)).Scan(&linkID))
		link := gid.Encode(linkID)
		// Then industry is handed to another department: the bureau reads the
		// order it issued from the issuer side, no longer the works' hazard.
		gqOK(t, s, head, `mutation($id: ID!, $v: [Sector!]) { updateUnit(input: {id: $id, supervisedSectors: $v}) { unit { id } } }`,
			map[string]any{"id": dept, "v": []any{"COMMERCE", "FUEL"}})

		for _, tc := range []struct {
			name, user  string
			readsHazard bool
		}{
			{"the county head reads the action, the hazard and the link", "county.head", true},
			{"the cement works' principal reads the action against its workshop, its hazard and the link", "cement.principal", true},
			{"the kiln workshop's head reads the action against the workshop, not the link to the works' hazard", "cement.kiln.head", false},
			{"the bureau's chief reads the order the bureau issued, not the link to a hazard it no longer supervises", "bureau.chief", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				token := s.As(tc.user)
				var byNode struct {
					Node *struct{ HazardID, EnforcementActionID string }
				}
				gqOK(t, s, token, `query($id: ID!) { node(id: $id) { ... on EnforcementHazard { hazardID enforcementActionID } } }`,
					map[string]any{"id": link}).Decode(t, &byNode)
				var byNodes struct {
					Nodes []*struct{ HazardID string }
				}
				gqOK(t, s, token, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on EnforcementHazard { hazardID } } }`,
					map[string]any{"ids": []string{link}}).Decode(t, &byNodes)
				var byAction struct {
					Node *struct{ Hazards []struct{ ID string } }
				}
				gqOK(t, s, token, `query($id: ID!) { node(id: $id) { ... on EnforcementAction { hazards { id } } } }`,
					map[string]any{"id": action}).Decode(t, &byAction)
				var byHazard struct {
					Node *struct{ EnforcementActions []struct{ ID string } }
				}
				gqOK(t, s, token, `query($id: ID!) { node(id: $id) { ... on Hazard { enforcementActions { id } } } }`,
					map[string]any{"id": hazard}).Decode(t, &byHazard)
				require.NotNil(t, byAction.Node, "%s reads the action", tc.user)
				require.Len(t, byNodes.Nodes, 1)
				if !tc.readsHazard {
					require.Nil(t, byHazard.Node, "the hazard")
					require.Nil(t, byNode.Node, "node of the link")
					require.Nil(t, byNodes.Nodes[0], "nodes of the link")
					require.Empty(t, byAction.Node.Hazards, "EnforcementAction.hazards")
					return
				}
				require.NotNil(t, byNode.Node, "node of the link")
				require.Equal(t, hazard, byNode.Node.HazardID)
				require.Equal(t, action, byNode.Node.EnforcementActionID)
				require.NotNil(t, byNodes.Nodes[0], "nodes of the link")
				require.Equal(t, []struct{ ID string }{{hazard}}, byAction.Node.Hazards, "EnforcementAction.hazards")
				require.Equal(t, []struct{ ID string }{{action}}, byHazard.Node.EnforcementActions, "Hazard.enforcementActions")
			})
		}
	})
}
