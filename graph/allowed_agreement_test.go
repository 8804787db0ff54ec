package graph_test

// allowedActions agree with the mutations: for every demo user, a sample of
// records of every type (in their scope and outside it) and every action of
// the type's enum, the action is listed iff its mutation succeeds. Refused
// mutations change nothing, so they run on one database; a success that
// changes the record runs on a fresh copy of the demo database, at most one
// per record and copy. -allowed.exhaustive checks every record and every
// success (slow); by default a sample of each kind of record, one action on
// a record out of the user's scope, and up to three successes per record.

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
)

var exhaustiveAllowed = flag.Bool("allowed.exhaustive", false, "allowedActions agreement: every record and every success")

// sampled is one record of the sample.
type sampled struct {
	typ, id, kind string
	// text and list feed the mutation's variables (the current name, title…).
	text string
	list []string
	// validTo is a post's, to undo endPost.
	validTo *time.Time
	// version is a duty list's current version.
	version int
	// inspectors are two users who may inspect for an assigned hazard's
	// assignee (its follow-up's inspectors); empty for others.
	inspectors []string
}

// sampleSpec says how to sample one record type: kind names what sets its
// records apart for the decisions, and per kind up to perKind are taken.
type sampleSpec struct {
	typ, conn, fields string
	kind              func(n map[string]any) string
	text, list        string
	perKind           int
}

func fieldsOf(names ...string) func(map[string]any) string {
	return func(n map[string]any) string {
		parts := make([]string, 0, len(names))
		for _, f := range names {
			parts = append(parts, fmt.Sprint(n[f] != nil, n[f]))
		}
		return strings.Join(parts, "/")
	}
}

var sampleSpecs = []sampleSpec{
	{typ: "Hazard", conn: "hazards", fields: "level state source supervised requestedDeadline subject { code } assignees { id } assignee { id }", list: "assignees", perKind: 1,
		kind: func(n map[string]any) string {
			return fmt.Sprint(n["level"], n["state"], n["source"], n["supervised"], n["requestedDeadline"] != nil, n["assignee"] != nil)
		}},
	{typ: "ResponsibilityLetter", conn: "responsibilityLetters", fields: "state signeeKind targets { description }", perKind: 1,
		kind: func(n map[string]any) string {
			return fmt.Sprint(n["state"], n["signeeKind"], n["targets"] != nil && len(n["targets"].([]any)) > 0)
		}},
	{typ: "Inspection", conn: "inspections", fields: "status type", kind: fieldsOf("status", "type"), perKind: 1},
	{typ: "Campaign", conn: "campaigns", fields: "finished stage", kind: fieldsOf("finished", "stage"), perKind: 1},
	{typ: "Enterprise", conn: "enterprises", fields: "contactPhone sector", kind: fieldsOf("sector"), text: "contactPhone", perKind: 2},
	{typ: "Unit", conn: "units", fields: "kind name supervisedSectors", kind: fieldsOf("kind"), text: "name", list: "supervisedSectors", perKind: 2},
	{typ: "User", conn: "users", fields: "displayName username", kind: func(n map[string]any) string { return "" }, text: "displayName", perKind: 6},
	{typ: "Post", conn: "posts", fields: "title role validTo", kind: fieldsOf("role"), text: "title", perKind: 1},
	{typ: "Certificate", conn: "certificates", fields: "kind", kind: fieldsOf("kind"), perKind: 1},
	{typ: "DutyList", conn: "dutyLists", fields: "postID version acknowledged", kind: fieldsOf("acknowledged"), text: "postID", perKind: 2},
	{typ: "EmergencyPlan", conn: "emergencyPlans", fields: "state unit { kind }", kind: func(n map[string]any) string {
		return fmt.Sprint(n["state"], n["unit"])
	}, perKind: 1},
	{typ: "Drill", conn: "drills", fields: "unit { kind }", kind: func(n map[string]any) string { return fmt.Sprint(n["unit"]) }, perKind: 1},
	{typ: "DutyRoster", conn: "dutyRosters", fields: "version title unit { kind }", text: "title", perKind: 1,
		kind: func(n map[string]any) string { return fmt.Sprint(n["unit"]) }},
	{typ: "RescueTeam", conn: "rescueTeams", fields: "name unit { kind }", text: "name", perKind: 1,
		kind: func(n map[string]any) string { return fmt.Sprint(n["unit"]) }},
	{typ: "MaterialReserve", conn: "materialReserves", fields: "item unit { kind }", text: "item", perKind: 1,
		kind: func(n map[string]any) string { return fmt.Sprint(n["unit"]) }},
	{typ: "Training", conn: "trainings", fields: "organiser { kind }", perKind: 1,
		kind: func(n map[string]any) string { return fmt.Sprint(n["organiser"]) }},
	{typ: "Publicity", conn: "publicities", fields: "kind organiser { kind }", perKind: 1,
		kind: func(n map[string]any) string { return fmt.Sprint(n["kind"], n["organiser"]) }},
	// The fuel stations' points by level, and the cement kiln workshop's,
	// which its enterprise side may change.
	{typ: "RiskPoint", conn: "riskPoints", fields: "level unit { kind } controlMeasures { id }", text: "level", list: "controlMeasures", perKind: 1,
		kind: func(n map[string]any) string { return fmt.Sprint(n["level"], n["unit"].(map[string]any)["kind"]) }},
	{typ: "EnforcementAction", conn: "enforcementActions", fields: "state", kind: fieldsOf("state"), perKind: 1},
}

// startAgreement starts a server on d, a copy of the demo template, with one
// PLANNED inspection (the seed has none: random draws make them), the same on
// every database.
func startAgreement(t *testing.T, d *db.DB) *apitest.Server {
	s := apitest.Serve(t, d)
	b, err := seed.Load(context.Background(), d.Client, "demo")
	require.NoError(t, err)
	bureau, err := b.Unit(seed.CodeDeptIndustryCommerce)
	require.NoError(t, err)
	cement, err := b.Unit(seed.CodeCement)
	require.NoError(t, err)
	i1, err := b.User("bureau.inspector1")
	require.NoError(t, err)
	i2, err := b.User("bureau.inspector2")
	require.NoError(t, err)
	_, err = d.Client.Inspection.Create().SetTenantID(b.TenantID).SetType(inspection.TypeDOUBLE_RANDOM).SetStatus(inspection.StatusPLANNED).
		SetInspectingUnitID(bureau).SetTargetID(cement).SetInspectorIds([]int{i1, i2}).
		SetInspectedOn(time.Now().UTC()).Save(authz.SystemContext(context.Background()))
	require.NoError(t, err)
	return s
}

// sampleRecords picks the sample as the county administrator sees it (all
// of 示范县), in id order.
func sampleRecords(t *testing.T, s *apitest.Server) []sampled {
	var out []sampled
	admin := s.As("admin")
	for _, sp := range sampleSpecs {
		r := gqOK(t, s, admin, fmt.Sprintf(`{ c: %s(first: 500) { edges { node { id %s } } } }`, sp.conn, sp.fields), nil)
		var res struct {
			C struct {
				Edges []struct{ Node map[string]any }
			}
		}
		r.Decode(t, &res)
		taken := map[string]int{}
		for _, e := range res.C.Edges {
			n := e.Node
			k := sp.kind(n)
			if taken[k] >= sp.perKind && !*exhaustiveAllowed {
				continue
			}
			taken[k]++
			rec := sampled{typ: sp.typ, id: n["id"].(string), kind: k}
			if v, ok := n[sp.text].(string); ok {
				rec.text = v
			}
			if rec.text == "" && sp.text != "" {
				rec.text = "0550-1234567"
			}
			if l, ok := n[sp.list].([]any); ok {
				for _, x := range l {
					if obj, ok := x.(map[string]any); ok {
						x = obj["id"] // a list of objects: their ids
					}
					rec.list = append(rec.list, x.(string))
				}
			}
			if v, ok := n["version"].(float64); ok {
				rec.version = int(v)
			}
			if vt, ok := n["validTo"].(string); ok && sp.typ == "Post" {
				at, err := time.Parse(time.RFC3339, vt)
				require.NoError(t, err)
				rec.validTo = &at
			}
			if a, ok := n["assignee"].(map[string]any); ok {
				rec.inspectors = inspectorsAt(t, s, admin, a["id"].(string))
			}
			out = append(out, rec)
		}
		require.NotZero(t, taken, "no %s to sample", sp.typ)
	}
	return out
}

// inspectorsAt returns two users holding an INSPECTOR, DEPUTY or head post
// at government unit id (fewer when it has fewer).
func inspectorsAt(t *testing.T, s *apitest.Server, token, id string) []string {
	var res struct {
		Node struct {
			Posts struct {
				Edges []struct {
					Node struct{ User struct{ ID string } }
				}
			}
		}
	}
	gqOK(t, s, token, `query($u: ID!) { node(id: $u) { ... on Unit { posts(first: 50, where: {roleIn: [INSPECTOR, DEPUTY, PARTY_SECRETARY, GOVERNMENT_HEAD], validToIsNil: true}) { edges { node { user { id } } } } } } }`,
		map[string]any{"u": id}).Decode(t, &res)
	var out []string
	for _, e := range res.Node.Posts.Edges {
		if len(out) < 2 && !slices.Contains(out, e.Node.User.ID) {
			out = append(out, e.Node.User.ID)
		}
	}
	return out
}

// demoUsers are the usernames of the demo tenant.
func demoUsers(t *testing.T, s *apitest.Server) []string {
	names := s.Names(s.As("admin"), "users", "")
	require.GreaterOrEqual(t, len(names), len(seed.TestVectorUsernames))
	return names
}

// allowedFor returns the allowedActions of the sample as token sees it,
// by record id; records out of their scope are absent.
func allowedFor(t *testing.T, s *apitest.Server, token string, records []sampled) map[string][]string {
	out := map[string][]string{}
	for _, sp := range sampleSpecs {
		var ids []string
		for _, r := range records {
			if r.typ == sp.typ {
				ids = append(ids, r.id)
			}
		}
		r := gqOK(t, s, token, fmt.Sprintf(`query($ids: [ID!]) { c: %s(first: 500, where: {idIn: $ids}) { edges { node { id allowedActions } } } }`, sp.conn),
			map[string]any{"ids": ids})
		var res struct {
			C struct {
				Edges []struct {
					Node struct {
						ID             string
						AllowedActions []string
					}
				}
			}
		}
		r.Decode(t, &res)
		for _, e := range res.C.Edges {
			out[e.Node.ID] = e.Node.AllowedActions
		}
	}
	return out
}

// perform sends the mutation of action on r as token.
func perform(s *apitest.Server, token string, r sampled, action string) *apitest.Response {
	m := actionMutations[r.typ][action]
	if m.upload {
		return s.DoUpload(token, m.doc, m.vars(r), map[string]apitest.File{"variables.file": {Name: "scan.pdf", Content: pdf}})
	}
	return s.Do(token, m.doc, m.vars(r))
}

// restorePost undoes endPost on r.
func restorePost(t *testing.T, s *apitest.Server, r sampled) {
	upd := s.DB.Client.Post.UpdateOneID(decodeID(t, r.id))
	if r.validTo == nil {
		upd.ClearValidTo()
	} else {
		upd.SetValidTo(*r.validTo)
	}
	require.NoError(t, upd.Exec(authz.SystemContext(context.Background())))
}

// signIns are the access tokens of one server's users, signed in on demand.
type signIns struct {
	t      *testing.T
	s      *apitest.Server
	tokens map[string]string
}

func newSignIns(t *testing.T, s *apitest.Server) *signIns {
	return &signIns{t: t, s: s, tokens: map[string]string{}}
}

func (si *signIns) of(user string) string {
	if tok, ok := si.tokens[user]; ok {
		return tok
	}
	r := gqOK(si.t, si.s, "", `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{"tenant": "demo", "username": user, "password": seed.DemoPassword}})
	var out struct{ Login struct{ AccessToken string } }
	r.Decode(si.t, &out)
	si.tokens[user] = out.Login.AccessToken
	return out.Login.AccessToken
}

// forget drops every token, for sessions that may have ended.
func (si *signIns) forget() { clear(si.tokens) }

// success is a listed action whose mutation changes the record.
type success struct {
	user   string
	record sampled
	action string
}

func actionsOf(typ string) []string {
	var out []string
	for a := range actionMutations[typ] {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

func TestAllowedActionsAgreeWithMutations(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		s := startAgreement(t, d)
		records := sampleRecords(t, s)
		var later []success
		refused, succeeded := 0, 0
		tokens := newSignIns(t, s)
		for _, user := range demoUsers(t, s) {
			allowed := allowedFor(t, s, tokens.of(user), records)
			for _, r := range records {
				_, visible := allowed[r.id]
				for i, action := range actionsOf(r.typ) {
					if !visible && i > 0 && !*exhaustiveAllowed {
						break // out of scope: every action takes the same NOT_FOUND path
					}
					listed := slices.Contains(allowed[r.id], action)
					if listed && actionMutations[r.typ][action].changes {
						later = append(later, success{user, r, action})
						continue
					}
					res := perform(s, tokens.of(user), r, action)
					apitest.RequireNoLeak(t, res)
					if listed {
						require.Empty(t, res.Errors, "%s lists %s on %s %s but the mutation fails", user, action, r.typ, r.kind)
						succeeded++
						if r.typ == "Post" && action == "END" {
							restorePost(t, s, r)
							tokens.forget() // ending a post ends its holder's sessions
						}
						continue
					}
					refused++
					require.NotEmpty(t, res.Errors, "%s does not list %s on %s %s but the mutation succeeds", user, action, r.typ, r.kind)
					require.Contains(t, []string{"FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "CONFLICT"}, res.Code(),
						"%s %s on %s %s: %+v", user, action, r.typ, r.kind, res.Errors)
				}
			}
		}
		rounds, fresh := succeedOnFreshDatabases(t, d.Dialect, later)
		t.Logf("%d records; %d refusals and %d successes agreed; %d of %d changing successes checked on %d fresh databases",
			len(records), refused, succeeded, fresh, len(later), rounds)
	})
}

// succeedOnFreshDatabases performs the listed actions that change their
// record, each on the record as seeded: round k runs the k-th success of
// every record on a fresh demo database.
func succeedOnFreshDatabases(t *testing.T, dialect string, all []success) (rounds, checked int) {
	byRecord := map[string][]success{}
	var order []string
	for _, sc := range all {
		if byRecord[sc.record.id] == nil {
			order = append(order, sc.record.id)
		}
		byRecord[sc.record.id] = append(byRecord[sc.record.id], sc)
	}
	for id, scs := range byRecord {
		if !*exhaustiveAllowed {
			scs = distinctActionsFirst(scs, 3)
			byRecord[id] = scs
		}
		rounds = max(rounds, len(scs))
	}
	require.NotZero(t, rounds, "no user may change any sampled record")
	for k := range rounds {
		s := startAgreement(t, apitest.Demo.Open(t, dialect))
		tokens := newSignIns(t, s)
		for _, id := range order {
			if k >= len(byRecord[id]) {
				continue
			}
			sc := byRecord[id][k]
			checked++
			res := perform(s, tokens.of(sc.user), sc.record, sc.action)
			apitest.RequireNoLeak(t, res)
			require.Empty(t, res.Errors, "%s lists %s on %s %s but the mutation fails", sc.user, sc.action, sc.record.typ, sc.record.kind)
		}
	}
	return rounds, checked
}

// distinctActionsFirst keeps up to n successes, one per action before any
// action repeats.
func distinctActionsFirst(scs []success, n int) []success {
	var first, rest []success
	seen := map[string]bool{}
	for _, sc := range scs {
		if seen[sc.action] {
			rest = append(rest, sc)
		} else {
			seen[sc.action] = true
			first = append(first, sc)
		}
	}
	out := append(first, rest...)
	return out[:min(n, len(out))]
}
