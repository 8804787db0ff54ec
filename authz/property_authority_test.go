package authz_test

// The authority property (docs/AUTHZ.md, "Authority"): on random tenant
// trees, sectors, supervision, users, posts and admins (genWorld), random
// viewers run the mutations of the schema with random inputs through the
// services, and after each one that succeeds:
//
//	(a) the viewer's own scope and rights are not larger than before;
//	(b) nobody lost sight of a unit unless the viewer holds a head or ADMIN
//	    post at or above the post through which they saw it;
//	(c) 党政同责: a PARTY_SECRETARY's and a GOVERNMENT_HEAD's posts at one
//	    unit decide every action alike.
//
// Iterations: rapid's -rapid.checks flag (default 100 per database). Deeper:
//
//	go test ./authz -run TestMutationsKeepAuthority -rapid.checks=1000

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/casbinrule"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/testdb"
)

// notRunHere are the mutations the property does not run, each with the
// reason: they change no structure, person, post, supervision or policy,
// so they cannot move anyone's scope or rights.
var notRunHere = map[string]string{
	"login": "sessions", "refreshToken": "sessions", "logout": "sessions", "changePassword": "own credentials",
	"createLetter": "letter lifecycle", "updateLetter": "letter lifecycle", "deleteLetter": "letter lifecycle",
	"issueLetter": "letter lifecycle", "signLetter": "letter lifecycle", "revokeLetter": "letter lifecycle",
	"archiveLetter": "letter lifecycle", "bulkIssueLetters": "letter lifecycle", "attachLetterFile": "letter file",
	"createChecklistTemplate": "tenant-wide checklist", "createCampaign": "campaign plan", "advanceCampaign": "campaign plan",
	"transitionHazard": "hazard lifecycle",
	"issueNotice":      "notice", "receiveNotice": "notice receipt", "replyToNotice": "notice receipt", "attachNoticeFile": "notice file",
	"createLeadershipGroup": "leadership group", "setLeadershipGroupMembers": "leadership group", "recordMeeting": "meeting record",
	"attachMeetingFile": "meeting file",
}

func TestEveryMutationIsKnownToTheAuthorityProperty(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for _, f := range schema.Mutation.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		_, run := authorityMutations[f.Name]
		_, skip := notRunHere[f.Name]
		if run == skip {
			t.Errorf("mutation %s: add it to authorityMutations (or, when it changes no scope or right, to notRunHere) in %s", f.Name, "property_authority_test.go")
		}
	}
}

// TestMutationsKeepAuthority is the property test; see the file comment.
func TestMutationsKeepAuthority(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		h := &authorityHarness{client: d.Client, store: store, dialect: d.Dialect, refused: map[string]int{}}
		rapid.Check(t, func(rt *rapid.T) { h.check(rt) })
		t.Logf("%s: %d mutations run, %d succeeded; refusals: %v", testdb.Name(d.Dialect), h.ran, h.succeeded, h.refused)
	})
}

type authorityHarness struct {
	client         *ent.Client
	store          *authz.Store
	dialect        string
	ran, succeeded int
	refused        map[string]int // mutation and error code → count
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
		w.posts = append(w.posts, gPost{user: len(w.users) - 1, unit: pick(rt, fmt.Sprintf("powerful%d.unit", i), gov),
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
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range authorityMutations {
			if !yield(n) {
				return
			}
		}
	})
	for step := range rapid.IntRange(1, 4).Draw(rt, "steps") {
		ui := rapid.IntRange(0, len(w.users)-1).Draw(rt, fmt.Sprintf("step%d.viewer", step))
		if rapid.Bool().Draw(rt, fmt.Sprintf("step%d.powerful", step)) {
			ui = rapid.IntRange(firstPowerful, len(w.users)-1).Draw(rt, "powerful.viewer") // most attacks need rights to try
		}
		name := pick(rt, fmt.Sprintf("step%d.mutation", step), names)
		v, err := authz.LoadViewer(ctx, h.client, h.store.Current(), w.users[ui].id, w.tenant, now)
		if err != nil {
			continue // a disabled user signs in to nothing
		}
		before := h.snapshot(rt, w, now, ui)
		env := &mutationEnv{h: h, w: w, ctx: authz.NewContext(ctx, v), root: root, now: now}
		h.ran++
		if err := authorityMutations[name](rt, env); err != nil {
			rt.Logf("%s by user[%d]: %v", name, ui, err)
			h.refused[name+": "+string(apperr.CodeOf(err))]++
			continue
		}
		h.succeeded++
		if err := h.store.Reload(ctx); err != nil {
			rt.Fatal(err)
		}
		after := h.snapshot(rt, w, now, ui)
		label := fmt.Sprintf("%s by user[%d] (grants %+v)", name, ui, v.Grants)
		for key := range after.own {
			if !before.own[key] && before.units[key.unit] && !env.restoresDefault {
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
		h.checkHeadsEqual(rt, w, now, after)
	}
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
