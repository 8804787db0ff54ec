package graph_test

// The mutation a client sends for each action of each record type's
// allowedActions: the one table to edit when the mutations change shape.

import (
	"time"
)

// actionMutation is the mutation for one action on one record.
type actionMutation struct {
	doc  string
	vars func(r sampled) map[string]any
	// upload sends the document as a multipart request with a file in
	// variables.file.
	upload bool
	// changes: a success changes what later decisions depend on, so it is
	// checked on a fresh database (allowed_agreement_test.go).
	changes bool
}

func byID(r sampled) map[string]any { return map[string]any{"id": r.id} }

func withID(r sampled, kv ...any) map[string]any {
	m := byID(r)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// transitionDoc is transitionHazard with an input every step accepts.
func transitionDoc(action string) actionMutation {
	return actionMutation{changes: true,
		doc: `mutation($in: TransitionHazardInput!) { transitionHazard(input: $in) { hazard { id } } }`,
		vars: func(r sampled) map[string]any {
			in := map[string]any{"action": action, "note": "允许操作一致性检查"}
			switch action {
			case "SUBMIT_PLAN":
				in["plan"] = map[string]any{"measures": "更换设备", "funds": "5万元", "responsiblePerson": "王建国",
					"deadline": time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339), "emergencyMeasures": "停产整改"}
			case "REQUEST_EXTENSION":
				in["deadline"] = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
			}
			in["id"] = r.id
			return map[string]any{"in": in}
		}}
}

// actionMutations maps record type → action → mutation.
var actionMutations = map[string]map[string]actionMutation{
	"Hazard": func() map[string]actionMutation {
		m := map[string]actionMutation{}
		for _, a := range []string{"SUBMIT_PLAN", "APPROVE_PLAN", "START_RECTIFICATION", "SUBMIT", "REJECT", "CLOSE",
			"CLOSE_ON_SPOT", "REQUEST_EXTENSION", "APPROVE_EXTENSION", "REJECT_EXTENSION", "SUPERVISE", "LIFT_SUPERVISION"} {
			m[a] = transitionDoc(a)
		}
		// To the first of its assignees (none: the hazard has no enterprise
		// and ASSIGN is never listed).
		m["ASSIGN"] = actionMutation{changes: true,
			doc: `mutation($in: AssignHazardInput!) { assignHazard(input: $in) { hazard { id } } }`,
			vars: func(r sampled) map[string]any {
				in := map[string]any{"hazardID": r.id, "assigneeID": r.id,
					"followUpOn": time.Now().AddDate(0, 0, 7).UTC().Format(time.RFC3339)}
				if len(r.list) > 0 {
					in["assigneeID"] = r.list[0]
				}
				return map[string]any{"in": in}
			}}
		// In the name of its assignee, by two inspectors there (PARTLY:
		// the hazard stays where it is).
		m["FOLLOW_UP"] = actionMutation{changes: true,
			doc: `mutation($in: FollowUpHazardInput!) { followUpHazard(input: $in) { inspection { id } } }`,
			vars: func(r sampled) map[string]any {
				return map[string]any{"in": map[string]any{"hazardID": r.id, "inspectorIDs": r.inspectors, "outcome": "PARTLY",
					"inspectedOn": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}}
			}}
		return m
	}(),
	"ResponsibilityLetter": {
		"EDIT":    {changes: true, doc: `mutation($id: ID!) { updateLetter(input: {id: $id, title: "安全生产目标责任书（修订）"}) { letter { id } } }`, vars: byID},
		"DISCARD": {changes: true, doc: `mutation($id: ID!) { deleteLetter(input: {id: $id}) { deletedID } }`, vars: byID},
		"ISSUE":   {changes: true, doc: `mutation($id: ID!) { issueLetter(input: {id: $id}) { letter { id } } }`, vars: byID},
		"SIGN":    {changes: true, doc: `mutation($id: ID!) { signLetter(input: {id: $id}) { letter { id } } }`, vars: byID},
		"REVOKE":  {changes: true, doc: `mutation($id: ID!) { revokeLetter(input: {id: $id, reason: "一致性检查"}) { letter { id } } }`, vars: byID},
		"ARCHIVE": {changes: true, doc: `mutation($id: ID!) { archiveLetter(input: {id: $id}) { letter { id } } }`, vars: byID},
		"ATTACH": {changes: true, upload: true, doc: `mutation($id: ID!, $file: Upload!) { attachLetterFile(input: {letterID: $id, file: $file}) { file { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "file", nil) }},
	},
	"Inspection": {
		"RECORD_RESULTS": {changes: true, doc: `mutation($id: ID!, $on: Time!) { recordInspection(input: {plannedID: $id, inspectedOn: $on}) { inspection { id } } }`,
			vars: func(r sampled) map[string]any {
				return withID(r, "on", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
			}},
	},
	"RiskPoint": {
		"REGRADE": {changes: true, doc: `mutation($id: ID!, $v: RiskLevel!) { regradeRiskPoint(input: {riskPointID: $id, fromLevel: $v,
			likelihood: 1, severity: 1, reason: "一致性检查"}) { riskPoint { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "v", r.text) }},
		"RECORD_CHECK": {changes: true, doc: `mutation($m: ID!) { recordControlCheck(input: {controlMeasureID: $m}) { riskPoint { id } } }`,
			vars: func(r sampled) map[string]any { return map[string]any{"m": r.list[0]} }},
	},
	"EnforcementAction": {
		"COMPLY":       {changes: true, doc: enforcementStepDoc("COMPLY"), vars: byID},
		"MARK_OVERDUE": {changes: true, doc: enforcementStepDoc("MARK_OVERDUE"), vars: byID},
		"CLOSE":        {changes: true, doc: enforcementStepDoc("CLOSE"), vars: byID},
	},
	"Campaign": {
		"ADVANCE": {changes: true, doc: `mutation($id: ID!) { advanceCampaign(input: {id: $id}) { campaign { id } } }`, vars: byID},
	},
	"Enterprise": {
		"UPDATE": {doc: `mutation($id: ID!, $v: String) { updateEnterprise(input: {id: $id, contactPhone: $v}) { enterprise { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "v", r.text) }},
	},
	"Unit": {
		"UPDATE": {doc: `mutation($id: ID!, $v: String) { updateUnit(input: {id: $id, name: $v}) { unit { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "v", r.text) }},
		"SET_SUPERVISED_SECTORS": {doc: `mutation($id: ID!, $v: [Sector!]) { updateUnit(input: {id: $id, supervisedSectors: $v}) { unit { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "v", append([]string{}, r.list...)) }},
	},
	"User": {
		"UPDATE": {doc: `mutation($id: ID!, $v: String) { updateUser(input: {id: $id, displayName: $v}) { user { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "v", r.text) }},
	},
	"Post": {
		"UPDATE": {doc: `mutation($id: ID!, $v: String) { updatePost(input: {id: $id, title: $v}) { post { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "v", r.text) }},
		// Ending a post is undone by the test at once (restorePost).
		"END": {doc: `mutation($id: ID!) { endPost(input: {id: $id}) { post { id } } }`, vars: byID},
	},
	"Certificate": {
		"UPDATE": {doc: `mutation($id: ID!) { updateCertificate(input: {id: $id, validUntil: "2030-12-31T00:00:00Z"}) { certificate { id } } }`, vars: byID},
	},
	// A duty list is written by its post (text: the postID) and
	// acknowledged in its current version.
	"DutyList": {
		"EDIT": {changes: true, doc: `mutation($post: ID!) { setDutyList(input: {postID: $post, items: ["一致性检查"]}) { dutyList { id } } }`,
			vars: func(r sampled) map[string]any { return map[string]any{"post": r.text} }},
		"ACKNOWLEDGE": {changes: true, doc: `mutation($id: ID!, $v: Int!) { acknowledgeDutyList(input: {id: $id, version: $v}) { dutyList { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "v", r.version) }},
	},
	"EmergencyPlan": {
		"APPROVE": {changes: true, doc: `mutation($id: ID!, $on: Time!) { approveEmergencyPlan(input: {planID: $id, approval: {approvedOn: $on}}) { emergencyPlan { id } } }`,
			vars: func(r sampled) map[string]any {
				return withID(r, "on", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
			}},
		"ATTACH": {changes: true, upload: true, doc: `mutation($id: ID!, $file: Upload!) { attachEmergencyPlanFile(input: {planID: $id, file: $file}) { file { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "file", nil) }},
		"REVISE": {changes: true, doc: `mutation($id: ID!) { reviseEmergencyPlan(input: {planID: $id, version: "一致性检查修订版"}) { emergencyPlan { id } } }`, vars: byID},
		"RECORD_DRILL": {changes: true, doc: `mutation($id: ID!, $on: Time!) { recordDrill(input: {planID: $id, heldOn: $on, form: TABLETOP, participants: 12, scenario: "一致性检查演练"}) { drill { id } } }`,
			vars: func(r sampled) map[string]any {
				return withID(r, "on", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
			}},
	},
	// A roster is edited in the version sampled; a team and a reserve item
	// keep their names; a check counts the stock anew.
	"DutyRoster": {
		"UPDATE": {changes: true, doc: `mutation($id: ID!, $v: Int!, $t: String) { updateDutyRoster(input: {id: $id, version: $v, title: $t}) { dutyRoster { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "v", r.version, "t", r.text) }},
	},
	"RescueTeam": {
		"UPDATE": {doc: `mutation($id: ID!, $v: String) { updateRescueTeam(input: {id: $id, name: $v}) { rescueTeam { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "v", r.text) }},
	},
	"MaterialReserve": {
		"UPDATE": {doc: `mutation($id: ID!, $v: String) { updateMaterialReserve(input: {id: $id, item: $v}) { materialReserve { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "v", r.text) }},
		"RECORD_CHECK": {doc: `mutation($id: ID!, $on: Time!) { recordMaterialReserveCheck(input: {id: $id, checkedOn: $on, quantity: 100}) { materialReserve { id } } }`,
			vars: func(r sampled) map[string]any {
				return withID(r, "on", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
			}},
	},
	"Training": {
		"DELETE": {changes: true, doc: `mutation($id: ID!) { deleteTraining(input: {trainingID: $id}) { deletedID } }`, vars: byID},
		"ATTACH": {changes: true, upload: true, doc: `mutation($id: ID!, $file: Upload!) { attachTrainingFile(input: {trainingID: $id, file: $file}) { file { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "file", nil) }},
	},
	"Publicity": {
		"DELETE": {changes: true, doc: `mutation($id: ID!) { deletePublicity(input: {publicityID: $id}) { deletedID } }`, vars: byID},
		"ATTACH": {changes: true, upload: true, doc: `mutation($id: ID!, $file: Upload!) { attachPublicityFile(input: {publicityID: $id, file: $file}) { file { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "file", nil) }},
	},
	"Drill": {
		"ATTACH": {changes: true, upload: true, doc: `mutation($id: ID!, $file: Upload!) { attachDrillFile(input: {drillID: $id, file: $file}) { file { id } } }`,
			vars: func(r sampled) map[string]any { return withID(r, "file", nil) }},
	},
}
