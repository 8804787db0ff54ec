package authz_test

// The authority property (docs/AUTHZ.md, "Authority"): on random tenant
// trees, sectors, supervision, users, posts and admins (genWorld), random
// viewers run every mutation of the schema through GraphQL with arguments
// generated from the schema (property_graphql_test.go,
// property_mutations_test.go), and after each one that succeeds:
//
//	(a) the viewer's own scope and rights are not larger than before;
//	(b) nobody lost sight of a unit, or of an object the mutation named,
//	    unless the viewer holds a head or ADMIN post at or above the posts
//	    through which they saw it;
//	(c) 党政同责: a PARTY_SECRETARY's and a GOVERNMENT_HEAD's posts at one
//	    unit decide every action alike.
//
// Iterations: authorityChecks cases per database in CI; more with
// -rapid.checks or rapid's RAPID_CHECKS (testdb.PropertyChecks):
//
//	go test ./authz -run TestMutationsKeepAuthority -rapid.checks=1000
//	RAPID_CHECKS=1000 ./scripts/test.sh ./authz -run TestMutationsKeepAuthority

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/casbinrule"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/testdb"
)

// authorityChecks is the number of cases CI runs per database: a case
// takes one to four steps (110 to 120 in all) and the 75 mutations take
// turns, so each runs at least once, which the test asserts. 40 cases
// (about 97 steps) also ran each; the margin covers rapid's draws.
const authorityChecks = 50

// TestMutationsKeepAuthority is the property test; see the file comment.
// Every mutation of the schema runs (enumerated from it); the log gives
// each one's share of successful runs.
func TestMutationsKeepAuthority(t *testing.T) {
	testdb.PropertyChecks(t, authorityChecks)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		h := &authorityHarness{client: d.Client, store: store, dialect: d.Dialect, refused: map[string]int{},
			gql: newGQLRunner(t, d.Client, store, d.Dialect), ran: map[string]int{}, succeeded: map[string]int{}}
		for _, f := range h.gql.schema.Mutation.Fields {
			if !strings.HasPrefix(f.Name, "__") {
				h.mutations = append(h.mutations, f)
			}
		}
		rapid.Check(t, func(rt *rapid.T) { h.check(rt) })
		var rates []string
		total, ok := 0, 0
		for _, m := range h.mutations {
			total, ok = total+h.ran[m.Name], ok+h.succeeded[m.Name]
			rates = append(rates, fmt.Sprintf("%s %d/%d", m.Name, h.succeeded[m.Name], h.ran[m.Name]))
			if h.ran[m.Name] == 0 {
				t.Errorf("mutation %s never ran", m.Name)
			}
		}
		t.Logf("%s: %d of %d mutations succeeded; per mutation (succeeded/ran): %s", testdb.Name(d.Dialect), ok, total, strings.Join(rates, ", "))
		t.Logf("refusals: %v", h.refused)
		if len(h.samples) > 0 {
			t.Logf("first refusal of each kind:\n%s", strings.Join(h.samples, "\n"))
		}
	})
}

type authorityHarness struct {
	client         *ent.Client
	store          *authz.Store
	dialect        string
	gql            *gqlRunner
	mutations      []*ast.FieldDefinition
	ran, succeeded map[string]int // per mutation
	refused        map[string]int // mutation and error code → count
	samples        []string       // the first refusal of each kind, for -v
	turn           int            // the mutation's turn
}

func (h *authorityHarness) check(rt *rapid.T) {
	ctx := context.Background()
	sys := authz.SystemContext(ctx)
	w := genWorld(rt)
	// The attacks need rights to attempt: add admins and heads at random
	// government units, valid all the time.
	var gov []int
	for i, u := range w.units {
		if u.kind.IsGovernment() {
			gov = append(gov, i)
		}
	}
	firstPowerful := len(w.users)
	for i := range rapid.IntRange(1, 3).Draw(rt, "powerful") {
		w.users = append(w.users, gUser{home: pick(rt, "powerful.home", gov)})
		at := pick(rt, fmt.Sprintf("powerful%d.unit", i), gov)
		if i == 0 && rapid.Bool().Draw(rt, "powerful.atRoot") {
			at = 0 // the tenant root: policy edits and county-wide acts
		}
		w.posts = append(w.posts, gPost{user: len(w.users) - 1, unit: at,
			role: pick(rt, "powerful.role", []domain.Role{domain.RoleAdmin, domain.RolePartySecretary, domain.RoleGovernmentHead}),
			from: propBase.Add(-10 * propQuarter)})
	}
	if err := build(ctx, h.client, w); err != nil {
		rt.Fatalf("build: %v", err)
	}
	defer func() {
		if _, err := h.client.CasbinRule.Delete().Where(casbinrule.Ptype("p"), casbinrule.V0(fmt.Sprint(w.tenant))).Exec(sys); err != nil {
			rt.Errorf("drop policy rows: %v", err)
		}
	}()
	if err := h.store.Reload(ctx); err != nil {
		rt.Fatalf("reload policy: %v", err)
	}
	root, err := authz.RootPath(ctx, h.client, w.tenant)
	if err != nil {
		rt.Fatal(err)
	}
	now := propBase.Add(time.Duration(rapid.IntRange(-2, 2).Draw(rt, "now")) * propQuarter)
	h.gql.now = now
	_ = root
	t, err := h.client.Tenant.Get(sys, w.tenant)
	if err != nil {
		rt.Fatal(err)
	}
	tenantCode := t.Code
	var usernames []string
	for i := range w.users {
		usernames = append(usernames, fmt.Sprintf("u%d", i))
	}
	for step := range rapid.IntRange(1, 4).Draw(rt, "steps") {
		ui := rapid.IntRange(0, len(w.users)-1).Draw(rt, fmt.Sprintf("step%d.viewer", step))
		if rapid.Bool().Draw(rt, fmt.Sprintf("step%d.powerful", step)) {
			ui = rapid.IntRange(firstPowerful, len(w.users)-1).Draw(rt, "powerful.viewer") // most attacks need rights to try
		}
		// Mutations take turns (rapid's choice favours both ends of a
		// list): with some seventy mutations and a fixed number of checks,
		// a random skip left one out now and then.
		m := h.mutations[h.turn%len(h.mutations)]
		v, err := authz.LoadViewer(ctx, h.client, h.store.Current(), w.users[ui].id, w.tenant, now)
		if err != nil {
			continue // a disabled user signs in to nothing; the mutation keeps its turn
		}
		h.turn++
		vctx := authz.NewContext(ctx, v)
		pool, err := loadPool(sys, vctx, h.client, w.tenant)
		if err != nil {
			rt.Fatal(err)
		}
		call, err := h.gql.call(m, &argGen{rt: rt, pool: pool, now: now, tenant: tenantCode, usernames: usernames})
		if err != nil {
			continue // nothing to name yet (no campaign, no hazard…)
		}
		before := h.snapshot(rt, w, now, ui)
		seenBefore := h.sightOf(rt, w, now, call.refs)
		h.ran[m.Name]++
		data, err := h.gql.do(vctx, call.query, call.vars)
		if errors.Is(err, errPanic) || (err != nil && apperr.CodeOf(err) == apperr.Internal) {
			rt.Fatalf("%s by user[%d]: %v\n%s %v", m.Name, ui, err, call.query, call.vars)
		}
		if err != nil {
			rt.Logf("%s by user[%d]: %v\n%s", m.Name, ui, err, call.query)
			key := m.Name + ": " + string(apperr.CodeOf(err))
			if h.refused[key] == 0 && testing.Verbose() {
				h.samples = append(h.samples, key+" "+err.Error())
			}
			h.refused[key]++
			continue
		}
		h.succeeded[m.Name]++
		if err := h.store.Reload(ctx); err != nil {
			rt.Fatal(err)
		}
		after := h.snapshot(rt, w, now, ui)
		label := fmt.Sprintf("%s by user[%d] (grants %+v) changing %v", m.Name, ui, v.Grants, changedIDs(data))
		restoresDefault := m.Name == "addPolicyRule" && restoresDefaultRule(call.vars)
		for key := range after.own {
			if !before.own[key] && before.units[key.unit] && !restoresDefault {
				rt.Fatalf("(a) %s: the viewer gained %s", label, key)
			}
		}
		for other, saw := range before.sight {
			for u := range saw {
				if after.sight[other][u] || !after.units[u] || other == ui {
					continue
				}
				if !superiorTo(v, before.postPaths[other]) {
					rt.Fatalf("(b) %s: user[%d] (posts at %v) lost sight of unit %d", label, other, before.postPaths[other], u)
				}
			}
		}
		// The objects the mutation named: nobody who read one loses it,
		// unless the viewer stands above them.
		seenAfter := h.sightOf(rt, w, now, call.refs)
		for other, saw := range seenBefore {
			for id := range saw {
				if seenAfter[other][id] || other == ui || !h.exists(id) || superiorTo(v, before.postPaths[other]) {
					continue
				}
				rt.Fatalf("(b) %s: user[%d] (posts at %v) lost sight of object %d", label, other, before.postPaths[other], id)
			}
		}
		h.checkHeadsEqual(rt, w, now, after)
	}
}

// restoresDefaultRule reports whether addPolicyRule's arguments name a rule
// of the default policy: restoring one may give back what the editor
// removed.
func restoresDefaultRule(vars map[string]any) bool {
	for _, v := range vars {
		in, ok := v.(map[string]any)
		if !ok {
			continue
		}
		role, _ := in["role"].(string)
		r := authz.Rule{Role: role}
		r.Type, _ = in["object"].(string)
		r.Action, _ = in["action"].(string)
		if authz.IsDefaultRule(r) || authz.IsHeadRole(r.Role) && authz.IsDefaultRule(authz.Rule{Role: authz.RoleUnitHead, Type: r.Type, Action: r.Action}) {
			return true
		}
	}
	return false
}

// sightOf is, per user of the world, which of ids they read through their
// posts (the directory aside).
func (h *authorityHarness) sightOf(rt *rapid.T, w *world, now time.Time, ids []int) map[int]map[int]bool {
	ctx := context.Background()
	out := map[int]map[int]bool{}
	for ui, gu := range w.users {
		out[ui] = map[int]bool{}
		v, err := authz.LoadViewer(ctx, h.client, h.store.Current(), gu.id, w.tenant, now)
		if err != nil {
			continue
		}
		vctx := authz.NewContext(ctx, v.WithoutDirectory())
		for _, id := range ids {
			if _, err := h.client.Noder(vctx, id); err == nil {
				out[ui][id] = true
			}
		}
	}
	return out
}

// exists reports whether object id is still there.
func (h *authorityHarness) exists(id int) bool {
	_, err := h.client.Noder(authz.SystemContext(context.Background()), id)
	return err == nil
}

// superiorTo reports whether v holds a head or ADMIN post at a government
// unit at or above one of paths.
func superiorTo(v *authz.Viewer, paths []string) bool {
	for _, g := range v.Grants {
		if g.DirectoryOnly || !g.UnitKind.IsGovernment() || (g.Role != string(domain.RoleAdmin) && !authz.IsHeadRole(g.Role)) {
			continue
		}
		for _, p := range paths {
			if strings.HasPrefix(p, g.Path) {
				return true
			}
		}
	}
	return false
}

type right struct {
	typ, action string
	unit        int
}

func (r right) String() string { return fmt.Sprintf("%s:%s on unit %d", r.typ, r.action, r.unit) }

type authoritySnapshot struct {
	units     map[int]bool
	objects   map[int]authz.Object
	own       map[right]bool
	sight     map[int]map[int]bool // user index → units they read
	postPaths map[int][]string     // user index → paths of their valid posts
}

// scopedTypes are the object types with per-unit decisions and their actions.
func scopedTypes() map[string][]string {
	out := map[string][]string{}
	for _, r := range authz.Records {
		if r.Type != "" && r.Placement == authz.Scoped && !r.Protected {
			out[r.Type] = r.Actions
		}
	}
	return out
}

func (h *authorityHarness) snapshot(rt *rapid.T, w *world, now time.Time, viewer int) authoritySnapshot {
	ctx := context.Background()
	sys := authz.SystemContext(ctx)
	units, err := h.client.Unit.Query().Where(unit.TenantID(w.tenant)).All(sys)
	if err != nil {
		rt.Fatal(err)
	}
	s := authoritySnapshot{units: map[int]bool{}, objects: map[int]authz.Object{}, own: map[right]bool{},
		sight: map[int]map[int]bool{}, postPaths: map[int][]string{}}
	for _, u := range units {
		o, err := authz.ObjectAt(ctx, h.client, "unit", u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID)
		if err != nil {
			rt.Fatal(err)
		}
		s.units[u.ID], s.objects[u.ID] = true, o
	}
	policy := h.store.Current()
	types := scopedTypes()
	for ui, gu := range w.users {
		v, err := authz.LoadViewer(ctx, h.client, policy, gu.id, w.tenant, now)
		s.sight[ui] = map[int]bool{}
		if err != nil {
			continue // disabled: sees nothing
		}
		for _, g := range v.Grants {
			if !g.DirectoryOnly {
				s.postPaths[ui] = append(s.postPaths[ui], g.Path)
			}
		}
		for id, o := range s.objects {
			if ok, _ := policy.Decide(v.WithoutDirectory(), o, "read"); ok {
				s.sight[ui][id] = true
			}
			if ui != viewer {
				continue
			}
			for typ, actions := range types {
				o.Type = typ
				for _, a := range actions {
					if ok, _ := policy.Decide(v, o, a); ok {
						s.own[right{typ, a, id}] = true
					}
				}
			}
		}
	}
	return s
}

// checkHeadsEqual compares, at a few government units, a lone
// PARTY_SECRETARY post with a lone GOVERNMENT_HEAD post on every object.
func (h *authorityHarness) checkHeadsEqual(rt *rapid.T, w *world, now time.Time, s authoritySnapshot) {
	policy := h.store.Current()
	types := scopedTypes()
	for i, u := range w.units {
		if !u.kind.IsGovernment() || rapid.IntRange(0, 2).Draw(rt, "headsAt") > 0 {
			continue
		}
		o := s.objects[u.id]
		heads := map[string]*authz.Viewer{}
		for _, role := range []domain.Role{domain.RolePartySecretary, domain.RoleGovernmentHead} {
			heads[string(role)] = &authz.Viewer{UserID: -1, Tenant: w.tenant, Policy: policy, Now: now, Grants: []authz.Grant{{
				Tenant: w.tenant, UnitID: u.id, UnitKind: u.kind, Path: o.Path, Role: string(role)}}}
		}
		for id, obj := range s.objects {
			for typ, actions := range types {
				obj.Type = typ
				for _, a := range actions {
					ps, _ := policy.Decide(heads[string(domain.RolePartySecretary)], obj, a)
					gh, _ := policy.Decide(heads[string(domain.RoleGovernmentHead)], obj, a)
					if ps != gh {
						rt.Fatalf("(c) heads of unit[%d] differ on %s:%s of unit %d: secretary %t, head %t", i, typ, a, id, ps, gh)
					}
				}
			}
		}
	}
}
