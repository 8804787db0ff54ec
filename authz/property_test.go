package authz_test

// The property test of docs/DOMAIN.md (jurisdiction): on a real database (SQLite always,
// PostgreSQL under ./scripts/test.sh), for random tenant trees, sectors,
// supervision edges, users and posts with validity windows, the rows a
// viewer's scoped ent queries return are exactly the rows the casbin
// enforcer (Policy.Decide), asked one object at a time, lets them read; and
// the ent write hooks allow exactly what Decide allows.
//
// Iterations: rapid's -rapid.checks flag (default 100 per database). Deeper:
//
//	go test ./authz -run TestScopeMatchesEnforcer -rapid.checks=2000
//	./scripts/test.sh ./authz -run TestScopeMatchesEnforcer -rapid.checks=2000
//
// Reproduce a failure with the -rapid.seed printed in the failure message.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

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

// ---------------------------------------------------------------------------
// The property.

type propHarness struct {
	client *ent.Client
	store  *authz.Store
	d      *db.DB
}

// TestScopeMatchesEnforcer is the property test; see the file comment.
func TestScopeMatchesEnforcer(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		h := &propHarness{client: d.Client, store: store, d: d}
		var stats propStats
		rapid.Check(t, func(rt *rapid.T) { h.check(rt, &stats) })
		t.Logf("%s: %d iterations, %d viewers, %d read decisions, %d write attempts through the hooks (%d allowed), %d rows per tenant on average",
			testdb.Name(d.Dialect), stats.iterations, stats.viewers, stats.decisions, stats.writes, stats.allowedWrites, stats.rows/max(stats.iterations, 1))
	})
}

type propStats struct {
	iterations, viewers, decisions, writes, allowedWrites, rows int
}

func (h *propHarness) check(rt *rapid.T, stats *propStats) {
	ctx := context.Background()
	sys := authz.SystemContext(ctx)
	main := genWorld(rt)
	other := neighbourWorld()
	for _, w := range []*world{main, other} {
		if err := build(ctx, h.client, w); err != nil {
			rt.Fatalf("build: %v", err)
		}
	}
	// Keep the in-memory policy small: drop this iteration's policy rows at
	// the end (the tenants stay, as extra tenants that must never leak).
	defer func() {
		if _, err := h.client.CasbinRule.Delete().Where(casbinrule.Ptype("p"),
			casbinrule.V0In(fmt.Sprint(main.tenant), fmt.Sprint(other.tenant))).Exec(sys); err != nil {
			rt.Errorf("drop policy rows: %v", err)
		}
	}()
	if err := h.store.Reload(ctx); err != nil {
		rt.Fatalf("reload policy: %v", err)
	}
	rt.Logf("world:\n%s", main.describe())
	all, err := rows(ctx, h.client, main, other)
	if err != nil {
		rt.Fatal(err)
	}
	// Cross-check the oracle's objects with authz.ObjectAt on a few rows.
	for _, r := range all[:min(len(all), 4)] {
		var sec *string
		if r.obj.Sector != "" {
			s := string(r.obj.Sector)
			sec = &s
		}
		ent := r.obj.EnterpriseID
		o, err := authz.ObjectAt(ctx, h.client, r.typ, r.obj.Tenant, r.obj.Path, sec, &ent)
		slices.Sort(o.Supervisors)
		want := r.obj
		want.Supervisors = slices.Sorted(slices.Values(want.Supervisors))
		if err != nil || fmt.Sprint(o) != fmt.Sprint(want) {
			rt.Fatalf("ObjectAt(%s %d) = %+v, %v; oracle built %+v", r.typ, r.id, o, err, want)
		}
	}
	stats.iterations++
	stats.rows += len(all)

	policy := h.store.Current()
	nViewers := rapid.IntRange(1, 3).Draw(rt, "viewers")
	for vi := 0; vi < nViewers+1; vi++ {
		w, ui := main, 0
		if vi < nViewers {
			ui = rapid.IntRange(0, len(main.users)-1).Draw(rt, "viewer")
		} else {
			w = other // and once the neighbour's secretary
		}
		now := propBase.Add(time.Duration(rapid.IntRange(-7, 7).Draw(rt, "now")) * propQuarter)
		h.checkViewer(rt, stats, policy, w, ui, now, all)
	}
}

func (h *propHarness) checkViewer(rt *rapid.T, stats *propStats, policy *authz.Policy, w *world, ui int, now time.Time, all []row) {
	ctx := context.Background()
	gu := w.users[ui]
	label := fmt.Sprintf("viewer user[%d] (id %d, tenant %d) at %s", ui, gu.id, w.tenant, now.Format(time.DateOnly))
	v, err := authz.LoadViewer(ctx, h.client, policy, gu.id, w.tenant, now)
	if gu.disabled {
		if apperr.CodeOf(err) != apperr.Unauthenticated {
			rt.Fatalf("%s: disabled user: LoadViewer error %v, want UNAUTHENTICATED", label, err)
		}
		return
	}
	if err != nil {
		rt.Fatalf("%s: LoadViewer: %v", label, err)
	}
	// Wrong tenant: the user does not exist there.
	if _, err := authz.LoadViewer(ctx, h.client, policy, gu.id, w.tenant+1, now); apperr.CodeOf(err) != apperr.Unauthenticated {
		rt.Fatalf("%s: LoadViewer in another tenant: %v, want UNAUTHENTICATED", label, err)
	}
	// Only posts valid at now count (validFrom ≤ now < validTo).
	var valid []gPost
	var wantPosts []int
	for _, p := range w.posts {
		if p.user == ui && validAt(p, now) {
			valid = append(valid, p)
			wantPosts = append(wantPosts, p.id)
		}
	}
	if got := slices.Sorted(slices.Values(v.PostIDs)); !slices.Equal(got, wantPosts) {
		rt.Fatalf("%s: valid posts %v, want %v", label, got, wantPosts)
	}
	stats.viewers++
	rt.Logf("%s: roles %v, grants %+v", label, v.Roles(), v.Grants)
	vctx := authz.NewContext(ctx, v)

	// The oracle: Decide per object; and Decide against the domain guide's rule.
	readable := map[int]bool{}
	want := map[string][]int{}
	for _, r := range all {
		ok, err := policy.Decide(v, r.obj, "read")
		if err != nil {
			rt.Fatalf("Decide: %v", err)
		}
		stats.decisions++
		ref := r.w == w && w.refRead(valid, r.typ, r.subject)
		switch {
		case r.issuer >= 0 && (r.typ == "letter" || r.typ == "letter_event" || r.typ == "file"):
			ref = r.w == w && w.refReadLetter(valid, r.issuer, r.subject, r.draft)
		case r.typ == "random_draw":
			ref = r.w == w && w.refReadDraw(valid, r.subject, r.sectors)
		}
		if ok != ref {
			rt.Fatalf("%s: Decide(read %s %d at %s) = %t, but DOMAIN.md, jurisdiction on the generated tree says %t", label, r.typ, r.id, r.obj.Path, ok, ref)
		}
		if ok {
			readable[r.id] = true
			want[r.typ] = append(want[r.typ], r.id)
		}
		// authz.Check agrees with Decide for update (the code mapping).
		upd, _ := policy.Decide(v, r.obj, "update")
		if code, wantCode := codeOf(authz.Check(vctx, r.obj, "update")), expectCode(ok, upd); code != wantCode {
			rt.Fatalf("%s: Check(update %s %d) = %s, want %s", label, r.typ, r.id, code, wantCode)
		}
	}
	for typ := range want {
		slices.Sort(want[typ])
	}

	// Scoped queries: IDs and Count per type.
	q := map[string]func() ([]int, int, error){
		"unit": func() ([]int, int, error) {
			ids, err := h.client.Unit.Query().IDs(vctx)
			n, err2 := h.client.Unit.Query().Count(vctx)
			return ids, n, errors.Join(err, err2)
		},
		"enterprise": func() ([]int, int, error) {
			ids, err := h.client.Enterprise.Query().IDs(vctx)
			n, err2 := h.client.Enterprise.Query().Count(vctx)
			return ids, n, errors.Join(err, err2)
		},
		"user": func() ([]int, int, error) {
			ids, err := h.client.User.Query().IDs(vctx)
			n, err2 := h.client.User.Query().Count(vctx)
			return ids, n, errors.Join(err, err2)
		},
		"post": func() ([]int, int, error) {
			ids, err := h.client.Post.Query().IDs(vctx)
			n, err2 := h.client.Post.Query().Count(vctx)
			return ids, n, errors.Join(err, err2)
		},
		"letter": func() ([]int, int, error) {
			ids, err := h.client.ResponsibilityLetter.Query().IDs(vctx)
			n, err2 := h.client.ResponsibilityLetter.Query().Count(vctx)
			return ids, n, errors.Join(err, err2)
		},
		"letter_event": func() ([]int, int, error) {
			ids, err := h.client.LetterEvent.Query().IDs(vctx)
			n, err2 := h.client.LetterEvent.Query().Count(vctx)
			return ids, n, errors.Join(err, err2)
		},
		"file": func() ([]int, int, error) {
			ids, err := h.client.File.Query().IDs(vctx)
			n, err2 := h.client.File.Query().Count(vctx)
			return ids, n, errors.Join(err, err2)
		},
		"random_draw": func() ([]int, int, error) {
			ids, err := h.client.RandomDraw.Query().IDs(vctx)
			n, err2 := h.client.RandomDraw.Query().Count(vctx)
			return ids, n, errors.Join(err, err2)
		},
		"follow_up_check": func() ([]int, int, error) {
			ids, err := h.client.FollowUpCheck.Query().IDs(vctx)
			n, err2 := h.client.FollowUpCheck.Query().Count(vctx)
			return ids, n, errors.Join(err, err2)
		},
	}
	for _, typ := range []string{"unit", "enterprise", "user", "post", "letter", "letter_event", "file", "random_draw", "follow_up_check"} {
		ids, n, err := q[typ]()
		if err != nil {
			rt.Fatalf("%s: scoped %s query: %v", label, typ, err)
		}
		sameIDs(rt, label+": scoped "+typ+" ids vs Decide(read)", ids, want[typ])
		if n != len(want[typ]) {
			rt.Fatalf("%s: scoped %s count %d, want %d", label, typ, n, len(want[typ]))
		}
	}

	// Edges and eager loads carry the filter on both ends.
	byID := map[int]row{}
	for _, r := range all {
		byID[r.id] = r
	}
	var wantChildren, wantPostUnits, wantUserPosts, wantEntUnits, wantMembers []int
	childrenOf, postsAt := map[int][]int{}, map[int][]int{}
	for _, r := range all {
		if !readable[r.id] {
			continue
		}
		switch r.typ {
		case "unit":
			if r.parent != 0 && readable[r.parent] {
				wantChildren = append(wantChildren, r.id)
				childrenOf[r.parent] = append(childrenOf[r.parent], r.id)
			}
		case "post":
			if readable[r.parent] && !slices.Contains(wantPostUnits, r.parent) {
				wantPostUnits = append(wantPostUnits, r.parent)
			}
			if readable[r.userID] {
				wantUserPosts = append(wantUserPosts, r.id)
			}
			if readable[r.parent] {
				postsAt[r.parent] = append(postsAt[r.parent], r.id)
			}
		case "enterprise":
			if readable[r.parent] {
				wantEntUnits = append(wantEntUnits, r.parent)
			}
		case "user":
			if readable[r.parent] {
				wantMembers = append(wantMembers, r.id)
			}
		}
	}
	edge := func(name string, ids []int, err error, want []int) {
		if err != nil {
			rt.Fatalf("%s: %s: %v", label, name, err)
		}
		sameIDs(rt, label+": "+name, ids, want)
	}
	ids, err := h.client.Unit.Query().QueryChildren().IDs(vctx)
	edge("units.children", ids, err, wantChildren)
	ids, err = h.client.Post.Query().QueryUnit().IDs(vctx)
	edge("posts.unit", ids, err, wantPostUnits)
	ids, err = h.client.User.Query().QueryPosts().IDs(vctx)
	edge("users.posts", ids, err, wantUserPosts)
	ids, err = h.client.Enterprise.Query().QueryUnit().IDs(vctx)
	edge("enterprises.unit", ids, err, wantEntUnits)
	ids, err = h.client.Unit.Query().QueryMembers().IDs(vctx)
	edge("units.members", ids, err, wantMembers)
	// A letter's parts carry its columns: the events of readable letters are
	// exactly the readable events.
	var wantEvents []int
	for _, r := range all {
		if r.typ == "letter_event" && readable[r.id] {
			wantEvents = append(wantEvents, r.id)
		}
	}
	ids, err = h.client.ResponsibilityLetter.Query().QueryEvents().IDs(vctx)
	edge("letters.events", ids, err, wantEvents)
	// A where filter with its own OR must not widen the scope (precedence).
	ids, err = h.client.Unit.Query().Where(unit.Or(unit.KindEQ(domain.KindWorkshop), unit.KindEQ(domain.KindTeam), unit.IDGT(0))).IDs(vctx)
	edge("units where (… OR id > 0)", ids, err, want["unit"])

	eager, err := h.client.Unit.Query().WithChildren().WithPosts().All(vctx)
	if err != nil {
		rt.Fatalf("%s: eager load: %v", label, err)
	}
	for _, u := range eager {
		var kids, ps []int
		for _, c := range u.Edges.Children {
			kids = append(kids, c.ID)
		}
		for _, p := range u.Edges.Posts {
			ps = append(ps, p.ID)
		}
		sameIDs(rt, fmt.Sprintf("%s: unit %d eager children", label, u.ID), kids, childrenOf[u.ID])
		sameIDs(rt, fmt.Sprintf("%s: unit %d eager posts", label, u.ID), ps, postsAt[u.ID])
	}

	// Pagination (what the GraphQL connections run): total and first page.
	first := rapid.IntRange(1, 5).Draw(rt, "first")
	conn, err := h.client.Unit.Query().Paginate(vctx, nil, &first, nil, nil)
	if err != nil {
		rt.Fatalf("%s: paginate: %v", label, err)
	}
	if conn.TotalCount != len(want["unit"]) {
		rt.Fatalf("%s: units totalCount %d, want %d", label, conn.TotalCount, len(want["unit"]))
	}
	var page []int
	for _, e := range conn.Edges {
		page = append(page, e.Node.ID)
	}
	sameIDs(rt, label+": first page", page, want["unit"][:min(first, len(want["unit"]))])

	// node(id) on a sample of ids, readable or not, of both tenants.
	for range 4 {
		r := all[rapid.IntRange(0, len(all)-1).Draw(rt, "node")]
		n, err := h.client.Noder(vctx, r.id)
		switch {
		case readable[r.id] && (err != nil || n == nil):
			rt.Fatalf("%s: node(%s %d) = %v, %v; want the node", label, r.typ, r.id, n, err)
		case !readable[r.id] && !ent.IsNotFound(err):
			rt.Fatalf("%s: node(%s %d) = %v, %v; want not found", label, r.typ, r.id, n, err)
		}
	}

	// Writes through the ent hooks, rolled back.
	// Mostly objects the viewer can read (where the role decides), some not.
	var visible []row
	for _, r := range all {
		if readable[r.id] {
			visible = append(visible, r)
		}
	}
	for range rapid.IntRange(2, 6).Draw(rt, "writes") {
		pool := all
		if len(visible) > 0 && rapid.IntRange(0, 3).Draw(rt, "write.visible") > 0 {
			pool = visible
		}
		r := pool[rapid.IntRange(0, len(pool)-1).Draw(rt, "write.row")]
		if r.typ == "letter_event" || r.typ == "file" || r.typ == "random_draw" || r.typ == "follow_up_check" {
			continue // written by their services as the system only; draws and re-checks never change
		}
		action := "update"
		if rapid.Bool().Draw(rt, "write.create") && (r.typ == "unit" || r.typ == "user" || r.typ == "letter") {
			action = "create"
		}
		h.checkWrite(rt, stats, label, v, vctx, w, r, action, all)
	}
}
