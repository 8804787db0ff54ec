package graph_test

// The audit log end to end over HTTP: every mutation of the schema
// (enumerated by introspection) appends exactly the expected events with
// the right actor, post and diff, one per row it writes; refused and failed
// mutations append none; sign-in failures are recorded; reading is scoped
// by jurisdiction and limited to AUDITOR and ADMIN; the export applies the
// same filter.

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/seed"
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
		// SUPERVISE changes supervised only, and adds a history entry.
		"transitionHazard": {{"UPDATE", "hazard", []string{"supervised"}},
			{"CREATE", "hazard_event", hazardEventFields}},

		// Responsibility letters (docs/LETTERS.md): every step changes the
		// letter row (its version too) and appends a LetterEvent row.
		"createLetter": {{"CREATE", "responsibility_letter", letterRowFields},
			{"CREATE", "letter_event", without(letterEventRowFields, "from_state")}},
		"updateLetter": {{"UPDATE", "responsibility_letter", []string{"title", "version"}},
			{"CREATE", "letter_event", letterEventRowFields}},
		"issueLetter": {{"UPDATE", "responsibility_letter", []string{"state", "issued_at", "version"}},
			{"CREATE", "letter_event", letterEventRowFields}},
		// A discarded DRAFT goes with its history (the seed's CREATED
		// entry; it has no attachment): each deleted row is an event
		// holding the row as it was.
		"deleteLetter": {{"DELETE", "letter_event", append(slices.Clone(letterEventRowFields), "note")},
			{"DELETE", "responsibility_letter", append(slices.Clone(letterRowFields), "issued_at", "signed_at", "archived_at", "revoked_at", "revoke_reason")}},
		// The first of a town's two signatures (党政同责): PARTIALLY_SIGNED.
		"signLetter": {{"CREATE", "letter_signature", []string{"letter_id", "user_id", "post_id", "role", "signer_name", "signer_title", "signed_at", "issuer_scope_path"}},
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
			"uploaded_by_user_id", "uploaded_by_post_id", "issuer_scope_path"}},
			{"CREATE", "letter_event", append(slices.Clone(letterEventRowFields), "note")}},
	}
}

// The recorded fields of a new hazard and of a hazard history entry.
var (
	hazardFields = []string{"subject_id", "source", "level", "state", "category", "location", "description", "requirement",
		"found_at", "deadline", "responsible_person", "reported_by_id", "supervised"}
	hazardEventFields = []string{"hazard_id", "action", "from_state", "to_state", "actor_id", "post_id", "note", "at"}
	// A new letter (DRAFT) and a letter history entry (a note only when
	// given; no from_state for the first).
	letterRowFields = []string{"year", "issuer_unit_id", "issuer_name", "issuer_scope_path", "signee_unit_id", "signee_name",
		"signee_kind", "title", "body", "targets", "state", "live", "version"}
	letterEventRowFields = []string{"letter_id", "action", "from_state", "to_state", "actor_user_id", "actor_post_id", "actor_name",
		"actor_role", "actor_title", "at", "issuer_scope_path"}
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
	// node: the mutation returns a Node (its id is selected); exactly one
	// event is about it.
	node bool
	want []expectedEvent
	// check makes assertions particular to the call; returned is the id
	// of the Node returned (0 for none).
	check func(t *testing.T, got []storedEvent, returned int)
}

func TestEveryMutationAppendsItsAuditEvents(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		schema := introspect(t, s, admin)
		nodes := nodeTypes(t, s, admin)
		cases := goodInputs()
		expect := auditExpectations()
		demoIDs := demoRefs(t, s, admin)
		id := func(r ref) int { return decodeID(t, demoIDs[r]) }
		var all []string
		for _, m := range schema.mutations {
			all = append(all, m.Name)
		}
		// Sessions last: logout revokes the admin's refresh tokens and
		// changePassword changes the password the logins use.
		sort.Slice(all, func(i, j int) bool {
			last := map[string]int{"logout": 1, "changePassword": 2}
			if last[all[i]] != last[all[j]] {
				return last[all[i]] < last[all[j]]
			}
			return all[i] < all[j]
		})
		returnsNode := map[string]bool{}
		for _, m := range schema.mutations {
			if nodes[m.Type.named().Name] {
				returnsNode[m.Name] = true
			}
		}
		for _, name := range all {
			require.Contains(t, expect, name, "mutation %s: add what it records to auditExpectations (audit_test.go)", name)
		}
		for name := range expect {
			require.Contains(t, all, name, "auditExpectations names %s, which is not in the schema any more", name)
		}
		var rootPath string
		require.NoError(t, s.DB.SQL.QueryRow(`SELECT scope_path FROM units WHERE id = $1`, decodeID(t, unitID(t, s, admin, seed.CodeCounty))).Scan(&rootPath))

		var planned int // the inspection createRandomDraw plans
		// Checks of particular values, beyond operations and fields.
		checks := map[string]func(t *testing.T, got []storedEvent, returned int){
			"updateUnit": func(t *testing.T, got []storedEvent, _ int) {
				ch, _ := audit.DecodeChanges(got[0].Changes)
				require.JSONEq(t, `"改名后的车间"`, string(ch["name"].After))
				require.NotEqual(t, string(ch["name"].Before), string(ch["name"].After))
			},
			"createChecklistTemplate": func(t *testing.T, got []storedEvent, _ int) {
				require.Equal(t, rootPath, got[0].Path, "a tenant-wide type is scoped to the tenant root")
			},
			"createCampaign": func(t *testing.T, got []storedEvent, _ int) {
				requireAfterID(t, got[0], "organiser_id", id(refTown))
			},
			"advanceCampaign": func(t *testing.T, got []storedEvent, _ int) {
				require.Equal(t, id(refCampaign), *got[0].Ent)
				ch, _ := audit.DecodeChanges(got[0].Changes)
				require.NotEqual(t, string(ch["stage"].Before), string(ch["stage"].After))
			},
			"recordInspection": func(t *testing.T, got []storedEvent, _ int) {
				requireAfterID(t, got[0], "target_id", id(refEnterpriseUnit))
				requireAfterID(t, got[0], "inspecting_unit_id", id(refBureau))
			},
			"createRandomDraw": func(t *testing.T, got []storedEvent, returned int) {
				require.Equal(t, returned, *got[0].Ent)
				requireAfterID(t, got[1], "random_draw_id", returned)
				require.Equal(t, "PLANNED", afterValue(t, got[1], "status"))
				planned = *got[1].Ent
			},
			"reportHazard": func(t *testing.T, got []storedEvent, returned int) {
				require.Equal(t, returned, *got[0].Ent)
				requireAfterID(t, got[0], "subject_id", id(refEnterpriseUnit))
				requireStep(t, got[1], returned, "REPORT")
				require.Equal(t, got[0].Path, got[1].Path, "a hazard's history is scoped as the hazard")
			},
			"transitionHazard": func(t *testing.T, got []storedEvent, _ int) {
				require.Equal(t, id(refHazard), *got[0].Ent)
				ch, _ := audit.DecodeChanges(got[0].Changes)
				require.JSONEq(t, `false`, string(ch["supervised"].Before))
				require.JSONEq(t, `true`, string(ch["supervised"].After))
				requireStep(t, got[1], id(refHazard), "SUPERVISE")
				require.Equal(t, "挂牌督办", afterValue(t, got[1], "note"))
				require.Equal(t, got[0].Path, got[1].Path, "a hazard's history is scoped as the hazard")
			},
		}
		// Letters: the letter row changed is the one named by the input, and
		// the history entry is about it.
		letterStep := func(r ref, action string, changes map[string]string) func(t *testing.T, got []storedEvent, returned int) {
			return func(t *testing.T, got []storedEvent, returned int) {
				l, e := got[len(got)-2], got[len(got)-1]
				require.Equal(t, id(r), *l.Ent)
				require.Equal(t, id(r), returned)
				for f, after := range changes {
					require.Equal(t, after, afterValue(t, l, f), f)
				}
				require.EqualValues(t, beforeValue(t, l, "version").(float64)+1, afterValue(t, l, "version"), "the version is bumped")
				requireStep(t, e, id(r), action)
				require.Equal(t, l.Path, e.Path, "a letter's history is scoped as the letter")
			}
		}
		checks["updateLetter"] = letterStep(refDraftLetter1, "UPDATED", map[string]string{"title": "修改后的责任状"})
		checks["issueLetter"] = letterStep(refDraftLetter2, "ISSUED", map[string]string{"state": "ISSUED"})
		checks["signLetter"] = func(t *testing.T, got []storedEvent, returned int) {
			letterStep(refIssuedLetter1, "SIGNED", map[string]string{"state": "PARTIALLY_SIGNED"})(t, got, returned)
			requireAfterID(t, got[0], "letter_id", id(refIssuedLetter1))
			requireAfterID(t, got[0], "user_id", *got[0].Actor)
			requireAfterID(t, got[0], "post_id", *got[0].Post)
		}
		checks["revokeLetter"] = letterStep(refIssuedLetter2, "REVOKED", map[string]string{"state": "REVOKED", "revoke_reason": "测试撤回"})
		checks["archiveLetter"] = letterStep(refSignedLetter, "ARCHIVED", map[string]string{"state": "ARCHIVED"})
		checks["createLetter"] = func(t *testing.T, got []storedEvent, returned int) {
			require.Equal(t, returned, *got[0].Ent)
			requireAfterID(t, got[0], "issuer_unit_id", id(refCounty))
			requireAfterID(t, got[0], "signee_unit_id", id(refTown2))
			require.Equal(t, "DRAFT", afterValue(t, got[0], "state"))
			requireStep(t, got[1], returned, "CREATED")
		}
		checks["deleteLetter"] = func(t *testing.T, got []storedEvent, _ int) {
			require.EqualValues(t, id(refDraftLetter3), beforeValue(t, got[0], "letter_id"))
			require.Equal(t, id(refDraftLetter3), *got[1].Ent)
			require.Equal(t, "DRAFT", beforeValue(t, got[1], "state"))
			require.Nil(t, afterValue(t, got[1], "state"))
		}
		checks["bulkIssueLetters"] = func(t *testing.T, got []storedEvent, _ int) {
			signees := map[any]bool{}
			for i := 0; i < len(got); i += 3 {
				l := got[i]
				requireAfterID(t, l, "issuer_unit_id", id(refCounty))
				require.Equal(t, "ISSUED", afterValue(t, l, "state"))
				signees[afterValue(t, l, "signee_unit_id")] = true
				requireStep(t, got[i+1], *l.Ent, "CREATED")
				requireStep(t, got[i+2], *l.Ent, "ISSUED")
			}
			require.Len(t, signees, len(got)/3, "one letter per child")
		}
		checks["attachLetterFile"] = func(t *testing.T, got []storedEvent, returned int) {
			require.Equal(t, returned, *got[0].Ent)
			requireAfterID(t, got[0], "owner_id", id(refIssuedLetter3))
			content := cases["attachLetterFile"].args["file"].(upload).Content
			sum := sha256.Sum256(content)
			require.Equal(t, hex.EncodeToString(sum[:]), afterValue(t, got[0], "sha256"))
			require.EqualValues(t, len(content), afterValue(t, got[0], "size"))
			require.NotContains(t, got[0].Changes, "a scanned letter", "the content is not in the log")
			requireStep(t, got[1], id(refIssuedLetter3), "ATTACHED")
		}
		for _, name := range []string{"changePassword", "createUser"} {
			checks[name] = func(t *testing.T, got []storedEvent, _ int) {
				ch, _ := audit.DecodeChanges(got[0].Changes)
				require.True(t, ch["password_hash"].Redacted, "the password hash is redacted")
			}
		}

		users := map[string]int{}
		run := func(t *testing.T, c auditedCall) {
			t.Helper()
			if c.as == "" {
				c.as = "admin"
			}
			token := s.As(c.as) // signed in before the events are counted
			if c.token != "" {
				token = c.token
			}
			if _, ok := users[c.as]; !ok {
				users[c.as] = decodeID(t, userID(t, s, admin, c.as))
			}
			actorID := users[c.as]
			if c.name == "login" || c.name == "refreshToken" {
				token = ""
			}
			if c.node {
				c.query = strings.Replace(c.query, "{ __typename }", "{ __typename id }", 1)
			}
			rowsBefore := auditedRows(t, s)
			before := lastEventID(t, s)
			r := call{query: c.query, vars: c.vars, files: c.files}.send(t, s, token)
			require.Empty(t, r.Errors, "unexpected errors for %s", oneLine(c.query))
			got := eventsAfter(t, s, before)
			changed := changedRows(rowsBefore, auditedRows(t, s))

			require.Len(t, got, len(c.want), "%s appended %+v", c.name, got)
			var returned int
			var returnedType string
			var data map[string]any
			r.Decode(t, &data)
			if obj, ok := data[c.name].(map[string]any); ok && c.node {
				returned = decodeID(t, obj["id"].(string))
				returnedType = authz.Snake(obj["__typename"].(string))
			}
			seenReturned := 0
			var about []string // the rows the entity events are about
			for i, w := range c.want {
				e := got[i]
				require.Equal(t, w.op, e.Op, "event %d of %s", i, c.name)
				require.Equal(t, w.typ, e.Type, "event %d of %s", i, c.name)
				require.NotNil(t, e.Actor, "%s: the actor is recorded", c.name)
				require.Equal(t, actorID, *e.Actor, "%s: %s acted", c.name, c.as)
				require.Equal(t, c.as, e.ActorName)
				ch, err := audit.DecodeChanges(e.Changes)
				require.NoError(t, err)
				var fields []string
				for f, v := range ch {
					fields = append(fields, f)
					for _, secret := range []string{"password", "token", "secret", "private_key"} {
						if strings.Contains(f, secret) {
							require.True(t, v.Redacted, "%s: %s is redacted", c.name, f)
						}
					}
				}
				require.ElementsMatch(t, w.fields, fields, "%s: the fields of event %d (%s %s): %s", c.name, i, e.Op, e.Type, e.Changes)
				switch e.Op {
				case "CREATE", "UPDATE", "DELETE", "PASSWORD_CHANGE", "POLICY_CHANGE":
					require.NotNil(t, e.Post, "%s: the post acted under is recorded", c.name)
					var holder int
					require.NoError(t, s.DB.SQL.QueryRow(`SELECT user_id FROM posts WHERE id = $1`, *e.Post).Scan(&holder))
					require.Equal(t, actorID, holder, "%s: the post acted under is one of %s's", c.name, c.as)
				}
				switch e.Op {
				case "CREATE", "UPDATE", "DELETE", "PASSWORD_CHANGE":
					require.NotNil(t, e.Ent, "%s: the row is named", c.name)
					about = append(about, fmt.Sprintf("%s#%d", e.Type, *e.Ent))
				}
				if returned != 0 && e.Ent != nil && *e.Ent == returned && e.Type == returnedType {
					seenReturned++
				}
				require.NotNil(t, e.RequestID, "%s: the request id is recorded", c.name)
				require.Equal(t, *got[0].RequestID, *e.RequestID, "%s: the events of one request share its id", c.name)
				require.NotContains(t, e.Changes, "argon2", "no password hash in the log")
				require.NotContains(t, e.Changes, seed.DemoPassword)
			}
			if c.node {
				require.NotZero(t, returned)
				require.Equal(t, 1, seenReturned, "%s: exactly one event is about the %s it returns", c.name, returnedType)
			}
			// One event per changed row: every row the request wrote has
			// exactly one event, and every entity event is about a row it
			// wrote.
			sort.Strings(about)
			require.Equal(t, slices.Compact(slices.Clone(about)), about, "%s: one event per row", c.name)
			require.Equal(t, changed, about, "%s: the rows written and the rows the events are about", c.name)
			if c.check != nil {
				c.check(t, got, returned)
			}
		}

		// A session of the admin's own for refreshToken and logout.
		login := `mutation($in: LoginInput!) { login(input: $in) { accessToken refreshToken } }`
		loginVars := map[string]any{"in": map[string]any{"tenant": "demo", "username": "admin", "password": seed.DemoPassword}}
		for _, name := range all {
			t.Run(name, func(t *testing.T) {
				c := auditedCall{name: name, as: cases[name].as, node: returnsNode[name], want: expect[name], check: checks[name]}
				switch name {
				case "login":
					c.query, c.vars = login, loginVars
				case "refreshToken":
					r := gqOK(t, s, "", login, loginVars)
					var out struct{ Login struct{ RefreshToken string } }
					r.Decode(t, &out)
					c.query = `mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken } }`
					c.vars = map[string]any{"t": out.Login.RefreshToken}
				case "changePassword":
					// logout, just before, ended the admin's sessions.
					var out struct{ Login struct{ AccessToken string } }
					gqOK(t, s, "", login, loginVars).Decode(t, &out)
					c.token = out.Login.AccessToken
					b, err := schema.build(name, cases[name], demoIDs)
					require.NoError(t, err)
					c.query, c.vars, c.files = b.query, b.vars, b.files
				default:
					b, err := schema.build(name, cases[name], demoIDs)
					require.NoError(t, err)
					c.query, c.vars, c.files = b.query, b.vars, b.files
				}
				run(t, c)
			})
		}

		// Paths of the hazard mutations that the good inputs do not take,
		// each writing other rows.
		head := "county.head"
		var found int // the hazard the inspection finds
		t.Run("recordInspection with a failed item and its hazard", func(t *testing.T) {
			run(t, auditedCall{name: "recordInspection", as: "bureau.chief", node: true,
				query: `mutation($in: RecordInspectionInput!) { recordInspection(input: $in) { __typename } }`,
				vars: map[string]any{"in": map[string]any{"type": "SPECIAL", "inspectingUnitID": demoIDs[refBureau],
					"targetID": demoIDs[refEnterpriseUnit], "inspectorIDs": []string{demoIDs[refUser], demoIDs[refUser2]},
					"inspectedOn": "2023-03-02T00:00:00Z", "conclusion": "发现隐患1处",
					"results": []any{map[string]any{"itemCode": "X-1", "result": "FAIL", "note": "灭火器压力不足"}},
					"hazards": []any{map[string]any{"itemCode": "X-1", "level": "GENERAL", "category": "消防安全",
						"description": "灭火器压力不足", "deadline": "2030-01-01T00:00:00Z"}}}},
				// The inspection, the hazard it found and the hazard's first
				// history entry.
				want: []expectedEvent{{"CREATE", "inspection", []string{"type", "status", "inspecting_unit_id", "target_id",
					"inspector_ids", "inspected_on", "results", "conclusion"}},
					{"CREATE", "hazard", append(slices.Clone(hazardFields), "inspection_id")},
					{"CREATE", "hazard_event", hazardEventFields}},
				check: func(t *testing.T, got []storedEvent, returned int) {
					require.Equal(t, returned, *got[0].Ent)
					requireAfterID(t, got[1], "inspection_id", returned)
					require.Equal(t, "INSPECTION", afterValue(t, got[1], "source"))
					requireStep(t, got[2], *got[1].Ent, "REPORT")
					found = *got[1].Ent
				},
			})
		})
		t.Run("recordInspection of the inspection the random draw planned", func(t *testing.T) {
			require.NotZero(t, planned)
			run(t, auditedCall{name: "recordInspection", as: "bureau.chief", node: true,
				query: `mutation($in: RecordInspectionInput!) { recordInspection(input: $in) { __typename } }`,
				vars: map[string]any{"in": map[string]any{"plannedID": gid.Encode(planned), "inspectedOn": "2023-04-03T00:00:00Z",
					"conclusion": "未发现问题", "results": []any{map[string]any{"itemCode": "X-1", "result": "PASS"}}}},
				// The planned row is completed: only what changed.
				want: []expectedEvent{{"UPDATE", "inspection", []string{"status", "inspected_on", "results", "conclusion"}}},
				check: func(t *testing.T, got []storedEvent, _ int) {
					require.Equal(t, planned, *got[0].Ent)
					ch, _ := audit.DecodeChanges(got[0].Changes)
					require.JSONEq(t, `"PLANNED"`, string(ch["status"].Before))
					require.JSONEq(t, `"DONE"`, string(ch["status"].After))
				},
			})
		})
		photo := []byte("%PDF-1.4\n% the new extinguisher\n")
		t.Run("transitionHazard CLOSE_ON_SPOT with a photo", func(t *testing.T) {
			require.NotZero(t, found)
			run(t, auditedCall{name: "transitionHazard", as: head, node: true,
				query: `mutation($id: ID!, $in: TransitionHazardInput!) { transitionHazard(id: $id, input: $in) { __typename } }`,
				vars: map[string]any{"id": gid.Encode(found),
					"in": map[string]any{"action": "CLOSE_ON_SPOT", "note": "当场更换灭火器", "attachments": []any{nil}}},
				files: map[string]apitest.File{"variables.in.attachments.0": {Name: "after.pdf", Content: photo}},
				// The hazard, its history entry and the photo attached to
				// the entry (metadata; the content is in the file store).
				want: []expectedEvent{{"UPDATE", "hazard", []string{"state", "closed_at"}},
					{"CREATE", "hazard_event", hazardEventFields},
					{"CREATE", "file", []string{"owner_id", "sha256", "size", "content_type", "filename", "uploader_name",
						"uploaded_by_user_id", "uploaded_by_post_id"}}},
				check: func(t *testing.T, got []storedEvent, _ int) {
					require.Equal(t, found, *got[0].Ent)
					ch, _ := audit.DecodeChanges(got[0].Changes)
					require.JSONEq(t, `"REPORTED"`, string(ch["state"].Before))
					require.JSONEq(t, `"CLOSED"`, string(ch["state"].After))
					requireStep(t, got[1], found, "CLOSE_ON_SPOT")
					require.Equal(t, "REPORTED", afterValue(t, got[1], "from_state"))
					require.Equal(t, "CLOSED", afterValue(t, got[1], "to_state"))
					requireAfterID(t, got[2], "owner_id", *got[1].Ent)
					sum := sha256.Sum256(photo)
					require.Equal(t, hex.EncodeToString(sum[:]), afterValue(t, got[2], "sha256"))
					require.NotContains(t, got[2].Changes, "the new extinguisher", "the content is not in the log")
					require.Equal(t, got[0].Path, got[2].Path, "the photo is scoped as the hazard")
				},
			})
		})
		requireChainsIntact(t, s)
	})
}

func TestFailedMutationsAppendNoEvent(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, auditor := s.As("admin"), s.As("auditor.county")
		town := unitID(t, s, admin, seed.CodeTownChengguan)
		ws := unitID(t, s, admin, "WS-MECH-ASSEMBLY")
		for _, c := range []struct {
			name, token, query string
			vars               map[string]any
			code               string
		}{
			{"a duplicate code (CONFLICT)", admin, `mutation($p: ID!) { createUnit(input: {kind: TOWN, name: "重复", code: "` + seed.CodeTownChengguan + `", parentID: $p}) { id } }`,
				map[string]any{"p": unitID(t, s, admin, seed.CodeCounty)}, "CONFLICT"},
			{"the auditor (FORBIDDEN)", auditor, `mutation($id: ID!) { updateUnit(id: $id, input: {name: "x"}) { id } }`, map[string]any{"id": ws}, "FORBIDDEN"},
			{"a bad input (BAD_USER_INPUT)", admin, `mutation($id: ID!) { updateUnit(id: $id, input: {name: ""}) { id } }`, map[string]any{"id": ws}, "BAD_USER_INPUT"},
			{"a wrong kind (BAD_USER_INPUT)", admin, `mutation($p: ID!) { createUnit(input: {kind: TEAM, name: "班组", code: "T-X-1", parentID: $p}) { id } }`, map[string]any{"p": town}, "BAD_USER_INPUT"},
			{"a wrong current password", auditor, `mutation { changePassword(input: {currentPassword: "wrong-password-1", newPassword: "another-password-1"}) }`, nil, "BAD_USER_INPUT"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := lastEventID(t, s)
				r := gq(t, s, c.token, c.query, c.vars)
				requireCode(t, r, c.code)
				require.Empty(t, eventsAfter(t, s, before))
			})
		}
		requireChainsIntact(t, s)
	})
}

func TestSignInFailuresAreRecorded(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		login := `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`
		try := func(tenant, username, password string) []storedEvent {
			before := lastEventID(t, s)
			r := gq(t, s, "", login, map[string]any{"in": map[string]any{"tenant": tenant, "username": username, "password": password}})
			requireCode(t, r, "UNAUTHENTICATED")
			evs := eventsAfter(t, s, before)
			require.Len(t, evs, 1)
			require.Equal(t, "LOGIN_FAILED", evs[0].Op)
			return evs
		}
		reason := func(e storedEvent) string {
			ch, err := audit.DecodeChanges(e.Changes)
			require.NoError(t, err)
			return strings.Trim(string(ch["reason"].After), `"`)
		}
		u := seedUser("chengguan.head")
		e := try("demo", u.Username, "wrong-password")[0]
		require.Equal(t, "BAD_PASSWORD", reason(e))
		require.NotNil(t, e.Actor)
		require.NotNil(t, e.Ent)
		require.Equal(t, *e.Actor, *e.Ent)

		e = try("demo", "nobody.here", "whatever-password")[0]
		require.Equal(t, "UNKNOWN_USER", reason(e))
		require.Nil(t, e.Actor)
		require.Equal(t, "nobody.here", e.ActorName)
		require.NotEqual(t, audit.NoScope, e.Path, "scoped to the tenant root, for the county's auditors")

		e = try("no-such-tenant", "admin", "whatever-password")[0]
		require.Equal(t, "UNKNOWN_TENANT", reason(e))
		require.Equal(t, 0, e.Tenant)
		require.Equal(t, audit.NoScope, e.Path)

		// The county auditor sees the failures of their tenant.
		r := gqOK(t, s, s.As("auditor.county"), `{ auditEvents(where: {operation: LOGIN_FAILED}) { totalCount edges { node { actorName actor { username } changes { field after } } } } }`, nil)
		var out struct {
			AuditEvents struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						ActorName string
						Actor     *struct{ Username string }
					}
				}
			}
		}
		r.Decode(t, &out)
		require.Equal(t, 2, out.AuditEvents.TotalCount, "the unknown tenant's failure is in no tenant's log")
		requireChainsIntact(t, s)
	})
}

func TestThrottledSignInIsRecorded(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		login := `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`
		vars := map[string]any{"in": map[string]any{"tenant": "demo", "username": "xihe.deputy", "password": "wrong-password"}}
		for i := 0; i < 2; i++ {
			requireCode(t, gq(t, s, "", login, vars), "UNAUTHENTICATED")
		}
		before := lastEventID(t, s)
		r := gq(t, s, "", login, vars)
		requireCode(t, r, "UNAUTHENTICATED")
		require.Equal(t, "LOGIN_THROTTLED", r.Errors[0].Extensions["reason"])
		evs := eventsAfter(t, s, before)
		require.Len(t, evs, 1)
		require.Equal(t, "LOGIN_FAILED", evs[0].Op)
		require.Contains(t, evs[0].Changes, "THROTTLED")
	}, func(c *config.Config) { c.LoginMaxFailures = 2 })
}

func TestAuditReadIsScopedAndLimitedToAuditors(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		cg := unitID(t, s, admin, seed.CodeTownChengguan)
		xh := unitID(t, s, admin, seed.CodeTownXihe)
		upd := `mutation($id: ID!, $n: String!) { updateUnit(id: $id, input: {name: $n}) { id } }`
		gqOK(t, s, admin, upd, map[string]any{"id": cg, "n": "城关镇（改）"})
		gqOK(t, s, admin, upd, map[string]any{"id": xh, "n": "西河镇（改）"})

		const q = `query($w: AuditEventFilter) { auditEvents(first: 500, where: $w) { totalCount edges { node { id operation entityType entityID unit { id code } changes { field before after } } } } }`
		type page struct {
			AuditEvents struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						ID, Operation, EntityType string
						EntityID                  *string
						Unit                      *struct{ ID, Code string }
					}
				}
			}
		}
		read := func(token string, where map[string]any) page {
			var p page
			gqOK(t, s, token, q, map[string]any{"w": where}).Decode(t, &p)
			return p
		}
		county := read(s.As("auditor.county"), map[string]any{"entityType": "unit", "operation": "UPDATE"})
		township := read(s.As("auditor.chengguan"), map[string]any{"entityType": "unit", "operation": "UPDATE"})
		ids := func(p page) []string {
			var out []string
			for _, e := range p.AuditEvents.Edges {
				out = append(out, *e.Node.EntityID)
			}
			return sorted(out)
		}
		require.Equal(t, sorted([]string{cg, xh}), ids(county))
		require.Equal(t, []string{cg}, ids(township), "the township auditor sees only 城关镇's events")

		// Everything the township auditor reads lies in 城关镇, and they read
		// all of it: the totals agree with SQL on the scope column.
		all := read(s.As("auditor.chengguan"), nil)
		var path string
		require.NoError(t, s.DB.SQL.QueryRow(`SELECT scope_path FROM units WHERE id = $1`, decodeID(t, cg)).Scan(&path))
		var n int
		require.NoError(t, s.DB.SQL.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE scope_path LIKE $1`, path+"%").Scan(&n))
		require.Equal(t, n, all.AuditEvents.TotalCount)
		require.Positive(t, n)
		tree := treeOf(seed.TenantDemo)
		for _, e := range all.AuditEvents.Edges {
			require.NotNil(t, e.Node.Unit, "the subject unit of an event in scope is readable")
			require.True(t, tree.under(e.Node.Unit.Code, seed.CodeTownChengguan) || strings.HasPrefix(e.Node.Unit.Code, "MUT") || e.Node.Unit.Code != "",
				"event %s about %s", e.Node.ID, e.Node.Unit.Code)
		}

		// The township admin reads 城关镇 too; a unit head, a principal and
		// the other tenant's admin may not read the log at all.
		require.Equal(t, []string{cg}, ids(read(s.As("chengguan.admin"), map[string]any{"entityType": "unit", "operation": "UPDATE"})))
		for _, who := range []string{"chengguan.head", "county.secretary", "cement.principal"} {
			r := gq(t, s, s.As(who), q, nil)
			requireCode(t, r, "FORBIDDEN", who)
			// history is empty rather than an error, so the unit still reads.
			var h struct {
				Node struct{ History struct{ TotalCount int } }
			}
			gqOK(t, s, s.As(who), `query($id: ID!) { node(id: $id) { ... on Unit { history { totalCount } } } }`, map[string]any{"id": cg}).Decode(t, &h)
			require.Zero(t, h.Node.History.TotalCount, who)
		}
		nb := read(s.As("neighbor.admin"), nil)
		for _, e := range nb.AuditEvents.Edges {
			require.NotContains(t, []string{cg, xh}, *e.Node.EntityID)
		}

		// history on the node types: the unit's rename is there, with its diff.
		var h struct {
			Node struct {
				History struct {
					Edges []struct {
						Node struct {
							Operation string
							Changes   []struct {
								Field  string
								Before *string
								After  *string
							}
						}
					}
				}
			}
		}
		gqOK(t, s, s.As("auditor.chengguan"), `query($id: ID!) { node(id: $id) { ... on Unit { history(first: 1) { edges { node { operation changes { field before after } } } } } } }`,
			map[string]any{"id": cg}).Decode(t, &h)
		require.Len(t, h.Node.History.Edges, 1)
		require.Equal(t, "UPDATE", h.Node.History.Edges[0].Node.Operation)
		require.Equal(t, "name", h.Node.History.Edges[0].Node.Changes[0].Field)
		require.Equal(t, `"城关镇（改）"`, *h.Node.History.Edges[0].Node.Changes[0].After)

		// User history holds their sign-ins.
		var uh struct {
			Node struct{ History struct{ TotalCount int } }
		}
		gqOK(t, s, s.As("auditor.county"), `query($id: ID!) { node(id: $id) { ... on User { history { totalCount } } } }`,
			map[string]any{"id": userID(t, s, admin, "admin")}).Decode(t, &uh)
		require.Positive(t, uh.Node.History.TotalCount)
	})
}

func TestAuditExport(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		cg := unitID(t, s, admin, seed.CodeTownChengguan)
		gqOK(t, s, admin, `mutation($id: ID!) { updateUnit(id: $id, input: {name: "城关镇（导出）"}) { id } }`, map[string]any{"id": cg})
		get := func(token, path string) (*http.Response, []byte) {
			req, err := http.NewRequest(http.MethodGet, s.HTTP.URL+path, nil)
			require.NoError(t, err)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res, err := s.HTTP.Client().Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			return res, b
		}
		aud := s.As("auditor.chengguan")
		var total struct{ AuditEvents struct{ TotalCount int } }
		gqOK(t, s, aud, `{ auditEvents { totalCount } }`, nil).Decode(t, &total)

		res, body := get(aud, "/export/audit.csv")
		require.Equal(t, http.StatusOK, res.StatusCode, string(body))
		require.Contains(t, res.Header.Get("Content-Type"), "text/csv")
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		require.NoError(t, err)
		require.Equal(t, total.AuditEvents.TotalCount+1, len(recs), "the export holds what the connection counts, plus a header")
		require.Contains(t, string(body), "城关镇（导出）")

		res, body = get(aud, "/export/audit.csv?operation=UPDATE&entityType=unit&entityID="+cg)
		require.Equal(t, http.StatusOK, res.StatusCode, string(body))
		recs, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		require.NoError(t, err)
		require.Len(t, recs, 2)

		res, body = get(aud, "/export/audit.xlsx?operation=update&entityID="+cg)
		require.Equal(t, http.StatusOK, res.StatusCode, string(body))
		x, err := excelize.OpenReader(bytes.NewReader(body))
		require.NoError(t, err)
		rows, err := x.GetRows("audit")
		require.NoError(t, err)
		require.Len(t, rows, 2, "header and the one event")
		require.Equal(t, "UPDATE", rows[1][2])

		// Another town is in everyone's directory, but none of its events is
		// in the township auditor's jurisdiction.
		res, body = get(aud, "/export/audit.csv?unitID="+unitID(t, s, admin, seed.CodeTownXihe))
		require.Equal(t, http.StatusOK, res.StatusCode, string(body))
		recs, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		require.NoError(t, err)
		require.Len(t, recs, 1, "only the header")

		for _, c := range []struct {
			token, path string
			status      int
		}{
			{"", "/export/audit.csv", http.StatusUnauthorized},
			{s.As("chengguan.head"), "/export/audit.csv", http.StatusForbidden},
			{aud, "/export/audit.csv?unitID=" + unitID(t, s, s.As(seed.NeighborSecretary), seed.CodeNeighborTownHekou), http.StatusNotFound},
			{aud, "/export/audit.csv?from=yesterday", http.StatusBadRequest},
			{aud, "/export/audit.csv?bogus=1", http.StatusBadRequest},
		} {
			res, body := get(c.token, c.path)
			require.Equal(t, c.status, res.StatusCode, "%s: %s", c.path, body)
			require.Contains(t, string(body), `"code"`)
		}
	})
}
