package graph_test

// The audit log end to end over HTTP: every mutation of the schema
// (enumerated by introspection) appends exactly the expected events with
// the right actor, post and diff, one per row it writes; refused and failed
// mutations append none; sign-in failures are recorded; reading is scoped
// by jurisdiction and limited to AUDITOR and ADMIN; the export applies the
// same filter.

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/gid"
)

// storedEvent is an audit row read back with SQL.
type storedEvent struct {
	ID, Tenant       int
	Seq              int64
	Actor, Post, Ent *int
	ActorName        string
	Op, Type         string
	Changes          string
	Path             string
	RequestID        *string
}

// eventsAfter returns the events with an id above after, in id order.
func eventsAfter(t testing.TB, s *apitest.Server, after int) []storedEvent {
	t.Helper()
	rows, err := s.DB.SQL.Query(`SELECT id, tenant_id, seq, actor_user_id, actor_post_id, entity_id, actor_name, operation, entity_type, changes, scope_path, request_id FROM audit_events WHERE id > $1 ORDER BY id`, after)
	require.NoError(t, err)
	defer rows.Close()
	var out []storedEvent
	for rows.Next() {
		var e storedEvent
		var actor, post, ent *int64
		require.NoError(t, rows.Scan(&e.ID, &e.Tenant, &e.Seq, &actor, &post, &ent, &e.ActorName, &e.Op, &e.Type, &e.Changes, &e.Path, &e.RequestID))
		conv := func(p *int64) *int {
			if p == nil {
				return nil
			}
			v := int(*p)
			return &v
		}
		e.Actor, e.Post, e.Ent = conv(actor), conv(post), conv(ent)
		out = append(out, e)
	}
	require.NoError(t, rows.Err())
	return out
}

func lastEventID(t testing.TB, s *apitest.Server) int {
	t.Helper()
	var id int
	require.NoError(t, s.DB.SQL.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM audit_events`).Scan(&id))
	return id
}

func decodeID(t testing.TB, id string) int {
	t.Helper()
	n, err := gid.Decode(id)
	require.NoError(t, err)
	return n
}

// requireChainsIntact verifies every chain of the database.
func requireChainsIntact(t testing.TB, s *apitest.Server) {
	t.Helper()
	tenants, err := audit.Tenants(t.Context(), s.DB.SQL)
	require.NoError(t, err)
	require.NotEmpty(t, tenants)
	for _, id := range tenants {
		rep, err := audit.Verify(t.Context(), s.DB.SQL, id)
		require.NoError(t, err)
		require.Nil(t, rep.Break, "chain of tenant %d", id)
	}
}

// auditedRows reads every row of the watched tables of audited entity
// types (the internal policy tables left out: policy changes are
// POLICY_CHANGE events), keyed "<entity type>#<id>", with a digest of the
// row's content. Two reads tell which rows a request created, changed or
// deleted.
func auditedRows(t testing.TB, s *apitest.Server) map[string]string {
	t.Helper()
	internal := map[string]bool{}
	for name := range authz.InternalTypes {
		internal[authz.Snake(name)+"s"] = true
	}
	out := map[string]string{}
	for _, table := range watchedTables {
		if internal[table] {
			continue
		}
		typ := strings.TrimSuffix(table, "s")
		if stem, ok := strings.CutSuffix(table, "ies"); ok {
			typ = stem + "y" // publicities: publicity
		}
		rows, err := s.DB.SQL.Query("SELECT * FROM " + table)
		require.NoError(t, err, "read %s", table)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			var id any
			var b strings.Builder
			for i, v := range vals {
				if x, ok := v.([]byte); ok {
					v = string(x)
				}
				if tm, ok := v.(time.Time); ok {
					v = tm.UTC().Format(time.RFC3339Nano)
				}
				if cols[i] == "id" {
					id = v
				}
				fmt.Fprintf(&b, "%s=%v;", cols[i], v)
			}
			require.NotNil(t, id, "%s has an id column", table)
			out[fmt.Sprintf("%s#%v", typ, id)] = b.String()
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
	}
	return out
}

// changedRows lists the keys of the rows that differ between two reads of
// auditedRows, sorted.
func changedRows(before, after map[string]string) []string {
	var out []string
	for k, v := range after {
		if w, ok := before[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// nodeTypes lists the object types of the schema that implement Node.
func nodeTypes(t testing.TB, s *apitest.Server, token string) map[string]bool {
	t.Helper()
	var out struct {
		Schema struct {
			Types []struct {
				Name       string
				Interfaces []struct{ Name string }
			}
		} `json:"__schema"`
	}
	gqOK(t, s, token, `{ __schema { types { name interfaces { name } } } }`, nil).Decode(t, &out)
	nodes := map[string]bool{}
	for _, ty := range out.Schema.Types {
		for _, i := range ty.Interfaces {
			if i.Name == "Node" {
				nodes[ty.Name] = true
			}
		}
	}
	require.NotEmpty(t, nodes)
	return nodes
}

// payloadNodeFields maps each mutation payload type that has exactly one
// field, a Node, to that field's name.
func payloadNodeFields(t testing.TB, s *apitest.Server, token string, nodes map[string]bool) map[string]string {
	t.Helper()
	var out struct {
		Schema struct {
			Types []struct {
				Name   string
				Fields []struct {
					Name string
					Type typeRef
				}
			}
		} `json:"__schema"`
	}
	gqOK(t, s, token, `{ __schema { types { name fields { name type { kind name ofType { kind name ofType { kind name } } } } } } }`, nil).Decode(t, &out)
	fields := map[string]string{}
	for _, ty := range out.Schema.Types {
		if strings.HasSuffix(ty.Name, "Payload") && len(ty.Fields) == 1 && nodes[ty.Fields[0].Type.named().Name] {
			fields[ty.Name] = ty.Fields[0].Name
		}
	}
	return fields
}

// expectedEvent is one event a mutation must append: operation, entity
// type and the fields its changes hold — exactly these, no more and no
// fewer.
type expectedEvent struct {
	op, typ string
	fields  []string
}

// auditExpectations lists, for every mutation of the schema, the events
// its good call (goodInputs, as the case's user, the demo ADMIN by default)
// appends, in order. A mutation missing here fails the test: decide what it
// records.
func auditExpectations() map[string][]expectedEvent {
	return map[string][]expectedEvent{
		"login":          {{"LOGIN", "user", nil}},
		"refreshToken":   {{"REFRESH", "user", nil}},
		"logout":         {{"LOGOUT", "user", nil}},
		"changePassword": {{"PASSWORD_CHANGE", "user", []string{"password_hash"}}},
		"createUnit":     {{"CREATE", "unit", []string{"kind", "name", "code", "parent_id", "depth", "sector"}}},
		"updateUnit":     {{"UPDATE", "unit", []string{"name"}}},
		// An enterprise is an ENTERPRISE unit plus its profile, and its
		// supervision edges (县工信商务局 supervises FUEL): one event per row.
		"createEnterprise": {{"CREATE", "unit", []string{"kind", "name", "code", "sector", "parent_id", "depth"}},
			{"CREATE", "enterprise", []string{"name", "credit_code", "sector", "town_id", "unit_id", "scale", "employee_count"}},
			{"CREATE", "supervision", []string{"department_id", "enterprise_id", "source"}}},
		"updateEnterprise": {{"UPDATE", "enterprise", []string{"address"}}},
		"createUser":       {{"CREATE", "user", []string{"username", "display_name", "password_hash", "unit_id", "status"}}},
		"updateUser":       {{"UPDATE", "user", []string{"phone"}}},
		"createPost":       {{"CREATE", "post", []string{"user_id", "unit_id", "role", "title", "sectors", "valid_from"}}},
		"updatePost":       {{"UPDATE", "post", []string{"title"}}},
		"endPost":          {{"UPDATE", "post", []string{"valid_to"}}},
		"addPolicyRule":    {{"POLICY_CHANGE", "policy", []string{"role", "object", "action"}}},
		"removePolicyRule": {{"POLICY_CHANGE", "policy", []string{"role", "object", "action"}}},

		// Inspections and hazards (docs/HAZARDS.md). A checklist template is
		// tenant-wide: its event is scoped to the tenant root.
		"createChecklistTemplate": {{"CREATE", "checklist_template", []string{"sector", "version", "name", "items"}}},
		"createCampaign":          {{"CREATE", "campaign", []string{"organiser_id", "name", "sectors", "stage", "finished", "stages"}}},
		// The current stage's actual end and the next one's actual start
		// are in stages.
		"advanceCampaign": {{"UPDATE", "campaign", []string{"stage", "stages"}}},
		"recordInspection": {{"CREATE", "inspection", []string{"type", "status", "inspecting_unit_id", "target_id",
			"inspector_ids", "inspected_on", "results", "conclusion"}}},
		// The draw (seed, frozen rosters, result) and one PLANNED inspection
		// per drawn target (targetCount 1).
		"createRandomDraw": {{"CREATE", "random_draw", []string{"organiser_id", "sectors", "exclude_inspected_days", "target_count",
			"inspectors_per_target", "seed", "enterprise_roster", "inspector_roster", "conflicts", "assignments", "drawn_at"}},
			{"CREATE", "inspection", []string{"type", "status", "random_draw_id", "inspecting_unit_id", "target_id", "inspector_ids", "inspected_on"}}},
		// The hazard and the first entry of its own history (HazardEvent):
		// two rows, two events.
		"reportHazard": {{"CREATE", "hazard", hazardFields},
			{"CREATE", "hazard_event", hazardEventFields}},
		// SUPERVISE changes supervised and records the supervising unit,
		// and adds a history entry.
		"transitionHazard": {{"UPDATE", "hazard", []string{"supervised", "supervisor_id"}},
			{"CREATE", "hazard_event", hazardEventFields}},
		// The assignment, the hazard's current assignee, date and assigner,
		// and an ASSIGN entry in its history.
		"assignHazard": {{"CREATE", "hazard_assignment", []string{"hazard_id", "subject_id", "assigner_id", "assignee_id",
			"follow_up_on", "note", "assigned_by_id", "post_id", "assigned_at"}},
			{"UPDATE", "hazard", []string{"assignee_id", "follow_up_on", "assigner_id"}},
			{"CREATE", "hazard_event", hazardEventFields}},

		// Responsibility letters (docs/LETTERS.md): every step changes the
		// letter row (its version too) and appends a LetterEvent row.
		"createLetter": {{"CREATE", "responsibility_letter", letterRowFields},
			{"CREATE", "letter_event", without(letterEventRowFields, "from_state")}},
		"updateLetter": {{"UPDATE", "responsibility_letter", []string{"title", "version"}},
			{"CREATE", "letter_event", letterEventRowFields}},
		// Issuing opens the draft and its history to the signee side.
		"issueLetter": {{"UPDATE", "letter_event", []string{"issuer_only"}},
			{"UPDATE", "responsibility_letter", []string{"state", "issued_at", "version", "issuer_only"}},
			{"CREATE", "letter_event", letterEventRowFields}},
		// A discarded DRAFT goes with its history (the seed's CREATED
		// entry; it has no attachment): each deleted row is an event
		// holding the row as it was.
		"deleteLetter": {{"DELETE", "letter_event", append(slices.Clone(letterEventRowFields), "note")},
			{"DELETE", "responsibility_letter", append(slices.Clone(letterRowFields), "issued_at", "signed_at", "archived_at", "revoked_at", "revoke_reason")}},
		// The first of a town's two signatures (党政同责): PARTIALLY_SIGNED.
		"signLetter": {{"CREATE", "letter_signature", []string{"letter_id", "user_id", "post_id", "role", "signer_name", "signer_title", "signed_at", "issuer_scope_path", "issuer_only"}},
			{"UPDATE", "responsibility_letter", []string{"state", "version"}},
			{"CREATE", "letter_event", letterEventRowFields}},
		// live becomes NULL: the (year, issuer, signee) slot is free again.
		"revokeLetter": {{"UPDATE", "responsibility_letter", []string{"state", "revoked_at", "revoke_reason", "live", "version"}},
			{"CREATE", "letter_event", append(slices.Clone(letterEventRowFields), "note")}},
		"archiveLetter": {{"UPDATE", "responsibility_letter", []string{"state", "archived_at", "version"}},
			{"CREATE", "letter_event", letterEventRowFields}},
		// One ISSUED letter to each of the county's 8 children (6 towns, 2
		// departments), each with its CREATED and ISSUED history entries.
		"bulkIssueLetters": repeatEvents(8,
			expectedEvent{"CREATE", "responsibility_letter", append(slices.Clone(letterRowFields), "issued_at")},
			expectedEvent{"CREATE", "letter_event", append(without(letterEventRowFields, "from_state"), "note")},
			expectedEvent{"CREATE", "letter_event", append(slices.Clone(letterEventRowFields), "note")}),
		// The file's metadata (the content is in the file store, not in a
		// row) and the ATTACHED history entry.
		"attachLetterFile": {{"CREATE", "file", []string{"owner_id", "sha256", "size", "content_type", "filename", "uploader_name",
			"uploaded_by_user_id", "uploaded_by_post_id", "issuer_scope_path", "issuer_only"}},
			{"CREATE", "letter_event", append(slices.Clone(letterEventRowFields), "note")}},
		// Notices: the notice and one receipt per recipient; a receipt's
		// signature and reply update it; a file is shared with each receipt.
		"issueNotice": {{"CREATE", "notice", []string{"issuer_unit_id", "document_number", "kind", "title", "body", "year",
			"issued_on", "receipt_due", "recipient_count", "issuer_scope_path", "issuer_only"}},
			{"CREATE", "notice_receipt", []string{"notice_id", "issuer_unit_id", "recipient_unit_id", "recipient_name",
				"recipient_kind", "town_id", "due_at", "issuer_scope_path", "issuer_only"}}},
		"receiveNotice": {{"UPDATE", "notice_receipt", []string{"received_at", "receiver_name", "receiver_title", "receiver_user_id", "receiver_post_id"}}},
		"replyToNotice": {{"UPDATE", "notice_receipt", []string{"received_at", "receiver_name", "receiver_title", "receiver_user_id",
			"receiver_post_id", "reply", "replied_at"}}},
		// The 2023 work plan went to six towns and two departments.
		"attachNoticeFile": slices.Repeat([]expectedEvent{{"CREATE", "file", noticeFileFields}}, 1+8),
		// Organisation: a group with its seats (reseating the county's six
		// replaces them), a meeting, a meeting's file.
		"createLeadershipGroup": {{"CREATE", "leadership_group", []string{"unit_id", "name", "purpose", "established_by", "established_on"}},
			{"CREATE", "group_member", groupMemberFields}},
		"setLeadershipGroupMembers": append(slices.Repeat([]expectedEvent{{"DELETE", "group_member", groupMemberFields}}, 6),
			expectedEvent{"CREATE", "group_member", groupMemberFields}),
		"recordMeeting": {{"CREATE", "meeting", []string{"organiser_unit_id", "kind", "title", "held_on", "agenda", "safety_on_agenda",
			"attending_unit_ids", "attendee_count"}}},
		"attachMeetingFile": {{"CREATE", "file", meetingFileFields}},
		// Education: a training with its trainee; correcting the 2023
		// industrial training replaces its seven trainees, deleting the
		// commercial one removes its eighteen; a publicity activity with its
		// visit, the 2023 one's four visits replaced, the National Day
		// one's five removed.
		"recordTraining": {{"CREATE", "training", trainingFields}, {"CREATE", "trainee", traineeFields}},
		"updateTraining": append(append(slices.Repeat([]expectedEvent{{"DELETE", "trainee", deletedTraineeFields}}, 7),
			expectedEvent{"UPDATE", "training", []string{"held_on", "year", "topic", "hours", "content", "trainee_count"}}),
			expectedEvent{"CREATE", "trainee", traineeFields}),
		"deleteTraining": append(slices.Repeat([]expectedEvent{{"DELETE", "trainee", deletedTraineeFields}}, 18),
			expectedEvent{"DELETE", "training", trainingFields}),
		"attachTrainingFile": {{"CREATE", "file", noticeFileFields}},
		"recordPublicity":    {{"CREATE", "publicity", publicityFields}, {"CREATE", "publicity_visit", visitFields}},
		"updatePublicity": append(append(slices.Repeat([]expectedEvent{{"DELETE", "publicity_visit", visitFields}}, 4),
			expectedEvent{"UPDATE", "publicity", []string{"title", "held_on", "year", "description", "materials", "participants",
				"enterprise_count"}}), expectedEvent{"CREATE", "publicity_visit", visitFields}),
		"deletePublicity": append(slices.Repeat([]expectedEvent{{"DELETE", "publicity_visit", visitFields}}, 5),
			expectedEvent{"DELETE", "publicity", publicityFields}),
		"attachPublicityFile": {{"CREATE", "file", meetingFileFields}},
		// Staffing: a certificate and its renewal; the county head's duty
		// list in a new version; an acknowledgement by the holder who
		// acknowledged the version before.
		"recordCertificate":   {{"CREATE", "certificate", []string{"unit_id", "holder_name", "kind", "number", "issuer", "issued_on", "valid_until"}}},
		"updateCertificate":   {{"UPDATE", "certificate", []string{"valid_until"}}},
		"setDutyList":         {{"UPDATE", "duty_list", []string{"version", "items", "written_by_name", "written_at"}}},
		"acknowledgeDutyList": {{"UPDATE", "duty_list", []string{"acknowledged_version", "acknowledged_at"}}},
		// Emergency: a plan; an approval supersedes the effective version
		// (two updates); a drill; files of a plan and of a drill.
		"createEmergencyPlan": {{"CREATE", "emergency_plan", []string{"unit_id", "kind", "series", "title", "version", "state"}}},
		"reviseEmergencyPlan": {{"CREATE", "emergency_plan", []string{"unit_id", "kind", "series", "title", "version", "state"}}},
		"followUpHazard": {{"CREATE", "inspection", []string{"type", "status", "inspecting_unit_id", "target_id", "inspector_ids", "inspected_on", "results", "conclusion"}},
			{"CREATE", "follow_up_check", []string{"inspection_id", "hazard_id", "outcome", "state_before", "state_after", "note"}}},
		"approveEmergencyPlan": {{"UPDATE", "emergency_plan", []string{"state"}}, {"UPDATE", "emergency_plan", []string{"approved_on", "review_due", "state", "supersedes_id"}}},
		"recordDrill": {{"CREATE", "drill", []string{"plan_id", "unit_id", "plan_kind", "held_on", "form", "participants", "scenario",
			"evaluation", "problems"}}},
		"attachEmergencyPlanFile": {{"CREATE", "file", meetingFileFields}},
		"attachDrillFile":         {{"CREATE", "file", meetingFileFields}},
		// Readiness: a roster with its one shift, a team, a reserve item.
		"createDutyRoster": {{"CREATE", "duty_roster", []string{"unit_id", "title", "key_period", "period_start", "period_end",
			"requires_full_cover", "version"}}, {"CREATE", "duty_shift", []string{"roster_id", "starts_at", "ends_at", "leader_post_id",
			"leader_name", "leader_phone", "staff_name", "staff_phone"}}},
		"createRescueTeam": {{"CREATE", "rescue_team", []string{"unit_id", "name", "kind", "member_count", "leader_name",
			"contact_phone", "equipment"}}},
		"createMaterialReserve": {{"CREATE", "material_reserve", []string{"unit_id", "item", "category", "quantity",
			"minimum_quantity", "unit_of_measure", "location", "keeper"}}},
		// Readiness edits: the roster's title in a new version; the team's
		// size; the item's keeper; a check's count and date; a tenant's
		// first setting.
		"updateDutyRoster":           {{"UPDATE", "duty_roster", []string{"title", "version"}}},
		"updateRescueTeam":           {{"UPDATE", "rescue_team", []string{"member_count"}}},
		"updateMaterialReserve":      {{"UPDATE", "material_reserve", []string{"keeper"}}},
		"recordMaterialReserveCheck": {{"UPDATE", "material_reserve", []string{"quantity", "last_checked_on"}}},
		"setTenantTimeZone":          {{"CREATE", "tenant_setting", []string{"time_zone"}}},
		"markNotificationsRead":      {{"UPDATE", "notification", []string{"read_at"}}},
		// An import job is bookkeeping (authz.InternalTypes); the good
		// inputs import the empty template, so no row is written. The rows
		// an import writes are audited as their own creates.
		"startDirectoryImport":   nil,
		"confirmDirectoryImport": nil,
		// Risk points: the point, its measure and its first grading; a
		// regrade updates the point and appends a grading; a check updates
		// the measure and the point's earliest due date.
		"identifyRiskPoint": {{"CREATE", "risk_point", []string{"unit_id", "name", "kind", "hazard_sources", "likelihood", "severity",
			"score", "level", "graded_at", "next_check_due"}},
			{"CREATE", "control_measure", []string{"risk_point_id", "description", "responsible_post", "frequency", "next_due"}},
			{"CREATE", "risk_grading", riskGradingFields}},
		"regradeRiskPoint": {{"UPDATE", "risk_point", []string{"likelihood", "severity", "score", "level", "graded_at"}},
			{"CREATE", "risk_grading", append([]string{"from_level"}, riskGradingFields...)}},
		"recordControlCheck": {{"UPDATE", "control_measure", []string{"last_checked_at", "last_checked_by", "next_due"}},
			{"UPDATE", "risk_point", []string{"next_check_due"}}},
		// Enforcement: the action (no hazards named); a step updates its state.
		"issueEnforcementAction": {{"CREATE", "enforcement_action", []string{"issuer_unit_id", "target_unit_id", "inspection_id",
			"kind", "document_number", "year", "issued_on", "deadline", "findings", "legal_basis", "issued_by", "state", "state_note",
			"issuer_only", "issuer_scope_path"}}},
		"transitionEnforcementAction": {{"UPDATE", "enforcement_action", []string{"state", "state_changed_at", "state_note"}}},
	}
}

// The recorded fields of trainings, trainees, publicity and visits.
var (
	trainingFields = []string{"organiser_unit_id", "held_on", "year", "topic", "hours", "content", "assessed", "trainee_count",
		"issuer_scope_path", "issuer_only"}
	traineeFields = []string{"training_id", "organiser_unit_id", "enterprise_unit_id", "person_name", "post_kind", "assessment",
		"year", "month", "hours", "issuer_scope_path", "issuer_only"}
	// A deleted row records every column, the empty user too.
	deletedTraineeFields = append(slices.Clone(traineeFields), "user_id")
	publicityFields      = []string{"organiser_unit_id", "kind", "title", "held_on", "year", "description", "materials", "participants",
		"enterprise_count"}
	visitFields = []string{"publicity_id", "enterprise_unit_id"}
)

// riskGradingFields are what a grading of a risk point records.
var riskGradingFields = []string{"risk_point_id", "to_level", "likelihood", "severity", "score", "graded_by",
	"graded_by_user_id", "graded_by_post_id", "reason", "graded_at"}

// noticeFileFields are what a file of a notice (or its copy on a receipt)
// records.
var noticeFileFields = []string{"owner_id", "sha256", "size", "content_type", "filename", "uploader_name",
	"uploaded_by_user_id", "uploaded_by_post_id", "issuer_scope_path", "issuer_only"}

// The recorded fields of a new hazard and of a hazard history entry.
var (
	hazardFields = []string{"subject_id", "source", "level", "state", "category", "location", "description", "requirement",
		"found_at", "deadline", "responsible_person", "reported_by_id", "supervised"}
	hazardEventFields = []string{"hazard_id", "action", "from_state", "to_state", "actor_id", "post_id", "note", "at"}
	// A new letter (DRAFT) and a letter history entry (a note only when
	// given; no from_state for the first).
	letterRowFields = []string{"year", "issuer_unit_id", "issuer_name", "issuer_scope_path", "signee_unit_id", "signee_name",
		"signee_kind", "title", "body", "targets", "state", "live", "version", "issuer_only"}
	letterEventRowFields = []string{"letter_id", "action", "from_state", "to_state", "actor_user_id", "actor_post_id", "actor_name",
		"actor_role", "actor_title", "at", "issuer_scope_path", "issuer_only"}
)

// without returns fields less the named ones.
func without(fields []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(fields), func(f string) bool { return slices.Contains(drop, f) })
}

// repeatEvents is n times the events evs.
func repeatEvents(n int, evs ...expectedEvent) []expectedEvent {
	var out []expectedEvent
	for range n {
		out = append(out, evs...)
	}
	return out
}

// afterValue returns the after value of field f of an event as a Go value.
func afterValue(t testing.TB, e storedEvent, f string) any {
	t.Helper()
	ch, err := audit.DecodeChanges(e.Changes)
	require.NoError(t, err)
	c, ok := ch[f]
	require.True(t, ok, "%s %s: no change of %s in %s", e.Op, e.Type, f, e.Changes)
	var v any
	require.NoError(t, json.Unmarshal(c.After, &v))
	return v
}

// beforeValue returns the before value of field f of an event as a Go value.
func beforeValue(t testing.TB, e storedEvent, f string) any {
	t.Helper()
	ch, err := audit.DecodeChanges(e.Changes)
	require.NoError(t, err)
	c, ok := ch[f]
	require.True(t, ok, "%s %s: no change of %s in %s", e.Op, e.Type, f, e.Changes)
	var v any
	require.NoError(t, json.Unmarshal(c.Before, &v))
	return v
}

// requireAfterID asserts that field f of e was set to the object with id.
func requireAfterID(t testing.TB, e storedEvent, f string, id int) {
	t.Helper()
	require.EqualValues(t, id, afterValue(t, e, f), "%s %s: %s", e.Op, e.Type, f)
}

// requireStep asserts that e is the history entry (hazard_event or
// letter_event) of a step action on the object with id, by the event's
// actor.
func requireStep(t testing.TB, e storedEvent, id int, action string) {
	t.Helper()
	switch e.Type {
	case "hazard_event":
		requireAfterID(t, e, "hazard_id", id)
		requireAfterID(t, e, "actor_id", *e.Actor)
	case "letter_event":
		requireAfterID(t, e, "letter_id", id)
		requireAfterID(t, e, "actor_user_id", *e.Actor)
	default:
		t.Fatalf("%s is no history entry", e.Type)
	}
	require.Equal(t, action, afterValue(t, e, "action"))
}

// auditedCall is one mutation request whose events are checked.
type auditedCall struct {
	name string // the mutation
	as   string // who sends it
	// token, when set, is sent instead of as's cached one.
	token string
	query string
	vars  map[string]any
	// files are sent as a multipart request (uploads), by variable path.
	files map[string]apitest.File
	// node names the payload field that holds the changed Node (its id is
	// selected); exactly one event is about it. Empty for none.
	node string
	want []expectedEvent
	// check makes assertions particular to the call; returned is the id
	// of the Node returned (0 for none).
	check func(t *testing.T, got []storedEvent, returned int)
}

// groupMemberFields are what a seat of a leadership group records.
var groupMemberFields = []string{"group_id", "role", "post_id", "user_id", "member_name", "title"}

// meetingFileFields are what a file of a meeting records (no issuer side).
var meetingFileFields = []string{"owner_id", "sha256", "size", "content_type", "filename", "uploader_name",
	"uploaded_by_user_id", "uploaded_by_post_id", "issuer_only"}
