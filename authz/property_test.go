package authz_test

// The property test of BRIEF.md §4: on a real database (SQLite always,
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
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/casbinrule"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/file"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/letters"
	"github.com/dutychain/dutychain/internal/testdb"
)

// ---------------------------------------------------------------------------
// The generated world.

var (
	propSectors = []domain.Sector{domain.SectorIndustry, domain.SectorCommerce, domain.SectorFuel, domain.SectorConstruction}
	propRoles   = []domain.Role{domain.RolePartySecretary, domain.RoleGovernmentHead, domain.RolePrincipal, domain.RoleDeputy,
		domain.RoleSafetyOfficer, domain.RoleInspector, domain.RoleAuditor, domain.RoleAdmin}
	// propBase is the middle of the time axis; validity windows and "now"
	// are whole quarters away from it, so boundaries (now == validFrom,
	// now == validTo) are hit often.
	propBase    = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)
	propQuarter = 91 * 24 * time.Hour
	tenantSeq   atomic.Int64
)

type gUnit struct {
	kind       domain.UnitKind
	parent     int // index in world.units; -1 for the root
	sector     domain.Sector
	supervised []domain.Sector // DEPARTMENT only
	ent        int             // index of the enterprise above (itself for an ENTERPRISE); -1 on the government side
	town       int             // index of the town above an enterprise-side unit
	id         int             // database id
}

type gUser struct {
	home     int
	disabled bool
	id       int
}

type gPost struct {
	user, unit int
	role       domain.Role
	sectors    []domain.Sector
	from       time.Time
	to         *time.Time
	id         int
}

// gLetter is a responsibility letter between two units, with one event and
// optionally one attached file (both carry the letter's scope columns).
type gLetter struct {
	issuer, signee int
	file           bool
	id             int
}

type world struct {
	tenant      int
	letters     []gLetter
	units       []gUnit
	supervises  map[[2]int]bool // (department index, enterprise index)
	manual      map[[2]int]bool // the MANUAL subset of supervises
	users       []gUser
	posts       []gPost
	enterprises map[int]int // enterprise unit index → profile id
}

func pick[T any](rt *rapid.T, label string, xs []T) T { return rapid.SampledFrom(xs).Draw(rt, label) }

func drawSectors(rt *rapid.T, label string) []domain.Sector {
	var out []domain.Sector
	for _, s := range propSectors {
		if rapid.Bool().Draw(rt, label+"."+string(s)) {
			out = append(out, s)
		}
	}
	return out
}

// genWorld draws a tenant: COUNTY → TOWNs/DEPARTMENTs → ENTERPRISEs →
// WORKSHOPs → TEAMs, supervision edges (DEFAULT by sector, some MANUAL),
// users with home units, posts with random units, roles, sectors and windows.
func genWorld(rt *rapid.T) *world {
	w := &world{supervises: map[[2]int]bool{}, manual: map[[2]int]bool{}, enterprises: map[int]int{}}
	add := func(u gUnit) int { w.units = append(w.units, u); return len(w.units) - 1 }
	root := add(gUnit{kind: domain.KindCounty, parent: -1, ent: -1, town: -1})
	var depts, ents []int
	for i := range rapid.IntRange(0, 3).Draw(rt, "departments") {
		depts = append(depts, add(gUnit{kind: domain.KindDepartment, parent: root, ent: -1, town: -1,
			supervised: drawSectors(rt, fmt.Sprintf("dept%d.sectors", i))}))
	}
	for i := range rapid.IntRange(1, 3).Draw(rt, "towns") {
		town := add(gUnit{kind: domain.KindTown, parent: root, ent: -1, town: -1})
		for j := range rapid.IntRange(0, 3).Draw(rt, fmt.Sprintf("town%d.enterprises", i)) {
			sec := pick(rt, fmt.Sprintf("town%d.ent%d.sector", i, j), propSectors)
			e := len(w.units)
			add(gUnit{kind: domain.KindEnterprise, parent: town, sector: sec, ent: e, town: town})
			ents = append(ents, e)
			for k := range rapid.IntRange(0, 2).Draw(rt, "workshops") {
				ws := add(gUnit{kind: domain.KindWorkshop, parent: e, sector: sec, ent: e, town: town})
				for range rapid.IntRange(0, 2).Draw(rt, fmt.Sprintf("ws%d.teams", k)) {
					add(gUnit{kind: domain.KindTeam, parent: ws, sector: sec, ent: e, town: town})
				}
			}
		}
	}
	for _, d := range depts {
		for _, e := range ents {
			key := [2]int{d, e}
			switch {
			case slices.Contains(w.units[d].supervised, w.units[e].sector):
				w.supervises[key] = true
			case rapid.IntRange(0, 3).Draw(rt, "manual") == 0:
				w.supervises[key], w.manual[key] = true, true
			}
		}
	}
	all := make([]int, len(w.units))
	for i := range all {
		all[i] = i
	}
	for i := range rapid.IntRange(1, 6).Draw(rt, "users") {
		w.users = append(w.users, gUser{home: pick(rt, "home", all), disabled: rapid.IntRange(0, 9).Draw(rt, "disabled") == 0})
		for range rapid.IntRange(0, 3).Draw(rt, fmt.Sprintf("user%d.posts", i)) {
			p := gPost{user: i, unit: pick(rt, "post.unit", all), role: pick(rt, "post.role", propRoles)}
			if len(depts) > 0 && rapid.IntRange(0, 3).Draw(rt, "post.atDepartment") == 0 {
				p.unit = pick(rt, "post.department", depts) // 管行业必须管安全: exercise supervision
			}
			if rapid.IntRange(0, 2).Draw(rt, "post.restricted") == 0 {
				p.sectors = drawSectors(rt, "post.sectors")
			}
			p.from = propBase.Add(time.Duration(rapid.IntRange(-6, 3).Draw(rt, "post.from")) * propQuarter)
			if rapid.Bool().Draw(rt, "post.ends") {
				to := p.from.Add(time.Duration(rapid.IntRange(1, 6).Draw(rt, "post.length")) * propQuarter)
				p.to = &to
			}
			w.posts = append(w.posts, p)
		}
	}
	// Letters: mostly along the chain (a child, or an enterprise a
	// department supervises), some between arbitrary units, since the scope
	// rule does not depend on the chain rule.
	for range rapid.IntRange(0, 6).Draw(rt, "letters") {
		l := gLetter{issuer: pick(rt, "letter.issuer", all), file: rapid.Bool().Draw(rt, "letter.file")}
		var chain []int
		for i, u := range w.units {
			if u.parent == l.issuer || (w.units[l.issuer].kind == domain.KindDepartment && w.supervises[[2]int{l.issuer, i}]) {
				chain = append(chain, i)
			}
		}
		if len(chain) > 0 && rapid.IntRange(0, 3).Draw(rt, "letter.chain") > 0 {
			l.signee = pick(rt, "letter.signee", chain)
		} else {
			l.signee = pick(rt, "letter.any", all)
		}
		w.letters = append(w.letters, l)
	}
	return w
}

// neighbourWorld is the fixed second tenant: a county with a town, a
// department supervising INDUSTRY, an industrial enterprise with a workshop,
// its secretary and the enterprise's principal.
func neighbourWorld() *world {
	w := &world{supervises: map[[2]int]bool{{2, 3}: true}, manual: map[[2]int]bool{}, enterprises: map[int]int{}}
	w.units = []gUnit{
		{kind: domain.KindCounty, parent: -1, ent: -1, town: -1},
		{kind: domain.KindTown, parent: 0, ent: -1, town: -1},
		{kind: domain.KindDepartment, parent: 0, ent: -1, town: -1, supervised: []domain.Sector{domain.SectorIndustry}},
		{kind: domain.KindEnterprise, parent: 1, sector: domain.SectorIndustry, ent: 3, town: 1},
		{kind: domain.KindWorkshop, parent: 3, sector: domain.SectorIndustry, ent: 3, town: 1},
	}
	w.users = []gUser{{home: 0}, {home: 3}}
	w.posts = []gPost{
		{user: 0, unit: 0, role: domain.RolePartySecretary, from: propBase.AddDate(-10, 0, 0)},
		{user: 1, unit: 3, role: domain.RolePrincipal, from: propBase.AddDate(-10, 0, 0)},
	}
	return w
}

func (w *world) describe() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "tenant %d\n", w.tenant)
	for i, u := range w.units {
		fmt.Fprintf(&sb, "  unit[%d] id=%d %s parent=%d sector=%s supervised=%v\n", i, u.id, u.kind, u.parent, u.sector, u.supervised)
	}
	for k := range w.supervises {
		fmt.Fprintf(&sb, "  supervision dept[%d] → ent[%d] manual=%t\n", k[0], k[1], w.manual[k])
	}
	for i, u := range w.users {
		fmt.Fprintf(&sb, "  user[%d] id=%d home=[%d] disabled=%t\n", i, u.id, u.home, u.disabled)
	}
	for _, l := range w.letters {
		fmt.Fprintf(&sb, "  letter id=%d [%d] → [%d] file=%t\n", l.id, l.issuer, l.signee, l.file)
	}
	for _, p := range w.posts {
		to := "open"
		if p.to != nil {
			to = p.to.Format(time.DateOnly)
		}
		fmt.Fprintf(&sb, "  post id=%d user[%d] %s@[%d] sectors=%v %s..%s\n", p.id, p.user, p.role, p.unit, p.sectors, p.from.Format(time.DateOnly), to)
	}
	return sb.String()
}

// isUnder reports whether unit a is b or below b.
func (w *world) isUnder(a, b int) bool {
	for ; a >= 0; a = w.units[a].parent {
		if a == b {
			return true
		}
	}
	return false
}

// wantPath is the materialized path of unit i from the generated tree.
func (w *world) wantPath(i int) string {
	var ids []string
	for ; i >= 0; i = w.units[i].parent {
		ids = append([]string{fmt.Sprint(w.units[i].id)}, ids...)
	}
	return "/" + strings.Join(ids, "/") + "/"
}

// validAt reports whether post p is valid at now (validFrom ≤ now < validTo).
func validAt(p gPost, now time.Time) bool {
	return !p.from.After(now) && (p.to == nil || p.to.After(now))
}

// refRead is BRIEF.md §4 computed on the generated world, independently of
// the scope columns: may a user holding posts read a record of type typ whose
// subject unit is s?
func (w *world) refRead(posts []gPost, typ string, s int) bool {
	su := w.units[s]
	gov := su.kind.IsGovernment()
	if typ == "unit" && gov {
		return true // the government directory
	}
	for _, p := range posts {
		pu := w.units[p.unit]
		territory := w.isUnder(s, p.unit) || (pu.kind == domain.KindDepartment && !gov && w.supervises[[2]int{p.unit, su.ent}])
		if territory && (len(p.sectors) == 0 || gov || slices.Contains(p.sectors, su.sector)) {
			return true
		}
	}
	return false
}

// refReadLetter is BRIEF §4 for a letter (and its parts): readable when its
// signee is in scope as any record's subject, or when a post's territory
// holds its issuer, within the post's sectors (the signee's sector decides).
func (w *world) refReadLetter(posts []gPost, issuer, signee int) bool {
	su := w.units[signee]
	gov := su.kind.IsGovernment()
	for _, p := range posts {
		pu := w.units[p.unit]
		territory := w.isUnder(signee, p.unit) || w.isUnder(issuer, p.unit) ||
			(pu.kind == domain.KindDepartment && !gov && w.supervises[[2]int{p.unit, su.ent}])
		if territory && (len(p.sectors) == 0 || gov || slices.Contains(p.sectors, su.sector)) {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Writing the world through ent, as the system.

func build(ctx context.Context, client *ent.Client, w *world) error {
	sys := authz.SystemContext(ctx)
	tx, err := client.Tx(sys)
	if err != nil {
		return err
	}
	if err := buildTx(sys, tx.Client(), w); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return authz.EnsureTenant(ctx, client, w.tenant)
}

func buildTx(sys context.Context, c *ent.Client, w *world) error {
	seq := tenantSeq.Add(1)
	t, err := c.Tenant.Create().SetCode(fmt.Sprintf("prop-%d-%d", os.Getpid(), seq)).SetName("property").Save(sys)
	if err != nil {
		return fmt.Errorf("create tenant: %w", err)
	}
	w.tenant = t.ID
	for i := range w.units {
		u := &w.units[i]
		q := c.Unit.Create().SetTenantID(t.ID).SetKind(u.kind).SetName(fmt.Sprintf("%s %d", u.kind, i)).SetCode(fmt.Sprintf("U%d", i))
		if u.parent >= 0 {
			q.SetParentID(w.units[u.parent].id)
		}
		if !u.kind.IsGovernment() {
			q.SetSector(u.sector)
		}
		if u.kind == domain.KindDepartment {
			q.SetSupervisedSectors(u.supervised)
		}
		saved, err := q.Save(sys)
		if err != nil {
			return fmt.Errorf("create unit %d: %w", i, err)
		}
		u.id = saved.ID
		if u.kind == domain.KindEnterprise {
			e, err := c.Enterprise.Create().SetTenantID(t.ID).SetUnitID(u.id).SetTownID(w.units[u.town].id).
				SetName(fmt.Sprintf("enterprise %d", i)).SetCreditCode(fmt.Sprintf("C%d", i)).SetSector(u.sector).Save(sys)
			if err != nil {
				return fmt.Errorf("create enterprise %d: %w", i, err)
			}
			w.enterprises[i] = e.ID
		}
	}
	for k := range w.supervises {
		src := supervision.SourceDEFAULT
		if w.manual[k] {
			src = supervision.SourceMANUAL
		}
		if err := c.Supervision.Create().SetTenantID(t.ID).SetDepartmentID(w.units[k[0]].id).
			SetEnterpriseID(w.units[k[1]].id).SetSource(src).Exec(sys); err != nil {
			return fmt.Errorf("create supervision: %w", err)
		}
	}
	for i := range w.users {
		u := &w.users[i]
		status := user.StatusACTIVE
		if u.disabled {
			status = user.StatusDISABLED
		}
		saved, err := c.User.Create().SetTenantID(t.ID).SetUsername(fmt.Sprintf("u%d", i)).SetDisplayName(fmt.Sprintf("User %d", i)).
			SetPasswordHash("x").SetStatus(status).SetUnitID(w.units[u.home].id).Save(sys)
		if err != nil {
			return fmt.Errorf("create user %d: %w", i, err)
		}
		u.id = saved.ID
	}
	for i := range w.posts {
		p := &w.posts[i]
		q := c.Post.Create().SetTenantID(t.ID).SetUserID(w.users[p.user].id).SetUnitID(w.units[p.unit].id).
			SetRole(p.role).SetValidFrom(p.from).SetNillableValidTo(p.to)
		if p.sectors != nil {
			q.SetSectors(p.sectors)
		}
		saved, err := q.Save(sys)
		if err != nil {
			return fmt.Errorf("create post %d: %w", i, err)
		}
		p.id = saved.ID
	}
	// Letters through the scope hook (which stamps the signee's position and
	// the issuer's path); their event and file copy the letter's columns,
	// as the letters service does.
	for i := range w.letters {
		gl := &w.letters[i]
		is, sg := w.units[gl.issuer], w.units[gl.signee]
		l, err := c.ResponsibilityLetter.Create().SetTenantID(t.ID).SetYear(2024).SetIssuerUnitID(is.id).SetSigneeUnitID(sg.id).
			SetIssuerName("issuer").SetSigneeName("signee").SetSigneeKind(sg.kind).SetTitle(fmt.Sprintf("letter %d", i)).
			SetTargets([]domain.LetterTarget{}).Save(sys)
		if err != nil {
			return fmt.Errorf("create letter %d: %w", i, err)
		}
		gl.id = l.ID
		if err := letters.NewEvent(c, l, letterevent.ActionCREATED, nil, l.State, propBase).SetActorName("x").Exec(sys); err != nil {
			return fmt.Errorf("create letter event %d: %w", i, err)
		}
		if gl.file {
			if err := c.File.Create().SetTenantID(l.TenantID).SetScopePath(l.ScopePath).SetNillableScopeSector(l.ScopeSector).
				SetNillableScopeEnterpriseID(l.ScopeEnterpriseID).SetNillableIssuerScopePath(l.IssuerScopePath).
				SetLetterID(l.ID).SetSha256(strings.Repeat("0", 64)).SetSize(1).SetContentType("application/pdf").
				SetFilename("x.pdf").SetUploaderName("x").Exec(sys); err != nil {
				return fmt.Errorf("create letter file %d: %w", i, err)
			}
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Reading rows back as decision objects.

// row is one record as the oracle sees it: its decision object from the
// row's scope columns, and the generated-world subject unit.
type row struct {
	id      int
	typ     string
	obj     authz.Object
	w       *world
	subject int // unit index in w
	parent  int // units: parent id (0 for a root); posts: unit id; users: 0
	userID  int // posts: user id
	issuer  int // letters and their parts: issuer unit index in w
}

// rows loads every unit, enterprise, user and post of the worlds' tenants
// through the system context and builds each decision object from the
// row's scope columns plus the supervising departments (as authz.ObjectAt).
// It also checks the scope columns the hooks stamped against the generated
// tree, since both the SQL filter and Decide read them.
func rows(ctx context.Context, client *ent.Client, ws ...*world) ([]row, error) {
	sys := authz.SystemContext(ctx)
	var tenants []int
	byID := map[int]struct {
		w *world
		i int
	}{}
	for _, w := range ws {
		tenants = append(tenants, w.tenant)
		for i, u := range w.units {
			byID[u.id] = struct {
				w *world
				i int
			}{w, i}
		}
	}
	sups, err := client.Supervision.Query().Where(supervision.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	supervisors := map[int][]int{}
	for _, s := range sups {
		supervisors[s.EnterpriseID] = append(supervisors[s.EnterpriseID], s.DepartmentID)
	}
	object := func(typ string, tenant int, path string, sector *string, ent *int) authz.Object {
		o := authz.Object{Type: typ, Tenant: tenant, Path: path}
		if sector != nil {
			o.Sector = domain.Sector(*sector)
		}
		if ent != nil && *ent != 0 {
			o.EnterpriseID = *ent
			o.Supervisors = supervisors[*ent]
		}
		return o
	}
	var out []row
	var problems []string
	// stamped checks that a record's scope columns are its subject unit's.
	stamped := func(what string, o authz.Object, subjectID int) (*world, int) {
		ref, ok := byID[subjectID]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: subject unit %d not generated", what, subjectID))
			return nil, -1
		}
		w, i := ref.w, ref.i
		u := w.units[i]
		wantEnt := 0
		if u.ent >= 0 {
			wantEnt = w.units[u.ent].id
		}
		if o.Tenant != w.tenant || o.Path != w.wantPath(i) || o.Sector != u.sector || o.EnterpriseID != wantEnt {
			problems = append(problems, fmt.Sprintf("%s: scope columns (tenant %d, %q, %q, ent %d), want (%d, %q, %q, %d)",
				what, o.Tenant, o.Path, o.Sector, o.EnterpriseID, w.tenant, w.wantPath(i), u.sector, wantEnt))
		}
		return w, i
	}
	units, err := client.Unit.Query().Where(unit.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		o := object("unit", u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID)
		w, i := stamped(fmt.Sprintf("unit %d", u.ID), o, u.ID)
		parent := 0
		if u.ParentID != nil {
			parent = *u.ParentID
		}
		out = append(out, row{id: u.ID, typ: "unit", obj: o, w: w, subject: i, parent: parent})
	}
	ents, err := client.Enterprise.Query().Where(enterprise.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		o := object("enterprise", e.TenantID, e.ScopePath, e.ScopeSector, e.ScopeEnterpriseID)
		w, i := stamped(fmt.Sprintf("enterprise %d", e.ID), o, e.UnitID)
		out = append(out, row{id: e.ID, typ: "enterprise", obj: o, w: w, subject: i, parent: e.UnitID})
	}
	users, err := client.User.Query().Where(user.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		o := object("user", u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID)
		w, i := stamped(fmt.Sprintf("user %d", u.ID), o, u.UnitID)
		out = append(out, row{id: u.ID, typ: "user", obj: o, w: w, subject: i, parent: u.UnitID})
	}
	posts, err := client.Post.Query().Where(post.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, p := range posts {
		o := object("post", p.TenantID, p.ScopePath, p.ScopeSector, p.ScopeEnterpriseID)
		w, i := stamped(fmt.Sprintf("post %d", p.ID), o, p.UnitID)
		out = append(out, row{id: p.ID, typ: "post", obj: o, w: w, subject: i, parent: p.UnitID, userID: p.UserID})
	}
	// Letters and their parts: the signee's columns plus the issuer's path.
	issuerOf := func(what string, w *world, path *string, issuerID int) int {
		ref, ok := byID[issuerID]
		if !ok || ref.w != w {
			problems = append(problems, fmt.Sprintf("%s: issuer unit %d not generated", what, issuerID))
			return -1
		}
		if path == nil || *path != w.wantPath(ref.i) {
			problems = append(problems, fmt.Sprintf("%s: issuer path %v, want %q", what, path, w.wantPath(ref.i)))
		}
		return ref.i
	}
	withIssuer := func(o authz.Object, path *string) authz.Object {
		if path != nil {
			o.IssuerPath = *path
		}
		return o
	}
	ls, err := client.ResponsibilityLetter.Query().Where(responsibilityletter.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	letterByID := map[int]*ent.ResponsibilityLetter{}
	for _, l := range ls {
		letterByID[l.ID] = l
		o := withIssuer(object("letter", l.TenantID, l.ScopePath, l.ScopeSector, l.ScopeEnterpriseID), l.IssuerScopePath)
		what := fmt.Sprintf("letter %d", l.ID)
		w, i := stamped(what, o, l.SigneeUnitID)
		out = append(out, row{id: l.ID, typ: "letter", obj: o, w: w, subject: i, issuer: issuerOf(what, w, l.IssuerScopePath, l.IssuerUnitID)})
	}
	evs, err := client.LetterEvent.Query().Where(letterevent.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		l := letterByID[e.LetterID]
		o := withIssuer(object("letter", e.TenantID, e.ScopePath, e.ScopeSector, e.ScopeEnterpriseID), e.IssuerScopePath)
		what := fmt.Sprintf("letter event %d", e.ID)
		w, i := stamped(what, o, l.SigneeUnitID)
		out = append(out, row{id: e.ID, typ: "letter_event", obj: o, w: w, subject: i, issuer: issuerOf(what, w, e.IssuerScopePath, l.IssuerUnitID)})
	}
	fs, err := client.File.Query().Where(file.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		l := letterByID[*f.LetterID]
		o := withIssuer(object("file", f.TenantID, f.ScopePath, f.ScopeSector, f.ScopeEnterpriseID), f.IssuerScopePath)
		what := fmt.Sprintf("file %d", f.ID)
		w, i := stamped(what, o, l.SigneeUnitID)
		out = append(out, row{id: f.ID, typ: "file", obj: o, w: w, subject: i, issuer: issuerOf(what, w, f.IssuerScopePath, l.IssuerUnitID)})
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return out, fmt.Errorf("hooks stamped wrong scope columns:\n%s", strings.Join(problems, "\n"))
	}
	return out, nil
}

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

	// The oracle: Decide per object; and Decide against the brief's rule.
	readable := map[int]bool{}
	want := map[string][]int{}
	for _, r := range all {
		ok, err := policy.Decide(v, r.obj, "read")
		if err != nil {
			rt.Fatalf("Decide: %v", err)
		}
		stats.decisions++
		ref := r.w == w && w.refRead(valid, r.typ, r.subject)
		if r.issuer >= 0 && (r.typ == "letter" || r.typ == "letter_event" || r.typ == "file") {
			ref = r.w == w && w.refReadLetter(valid, r.issuer, r.subject)
		}
		if ok != ref {
			rt.Fatalf("%s: Decide(read %s %d at %s) = %t, but BRIEF §4 on the generated tree says %t", label, r.typ, r.id, r.obj.Path, ok, ref)
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
	}
	for _, typ := range []string{"unit", "enterprise", "user", "post", "letter", "letter_event", "file"} {
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
		if r.typ == "letter_event" || r.typ == "file" {
			continue // written by the letters service as the system only
		}
		action := "update"
		if rapid.Bool().Draw(rt, "write.create") && (r.typ == "unit" || r.typ == "user" || r.typ == "letter") {
			action = "create"
		}
		h.checkWrite(rt, stats, label, v, vctx, w, r, action, all)
	}
}

func codeOf(err error) apperr.Code {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}

// expectCode is the error a write must fail with: NOT_FOUND when the object
// cannot be read (it does not exist for the viewer), FORBIDDEN when it can be
// read but the action is not allowed, none when allowed.
func expectCode(read, action bool) apperr.Code {
	switch {
	case !read:
		return apperr.NotFound
	case !action:
		return apperr.Forbidden
	}
	return ""
}

var createSeq atomic.Int64

// checkWrite attempts one write as v through the ent hooks inside a
// transaction that is rolled back, and compares its outcome with Decide.
//
// update: a harmless field of row r. create: a post and a user whose subject
// unit is the unit r (or r's subject unit), or a child unit under unit r.
func (h *propHarness) checkWrite(rt *rapid.T, stats *propStats, label string, v *authz.Viewer, vctx context.Context, w *world, r row, action string, all []row) {
	policy := v.Policy
	tx, err := h.client.Tx(context.Background())
	if err != nil {
		rt.Fatalf("begin: %v", err)
	}
	defer func() { _ = tx.Rollback() }()
	c := tx.Client()
	var (
		o    authz.Object
		what string
		werr error
		// parentRead, for a unit create, is whether the parent unit is
		// readable: the hook then answers FORBIDDEN rather than NOT_FOUND.
		parentRead *bool
	)
	n := createSeq.Add(1)
	switch {
	case action == "update":
		o, what = r.obj, fmt.Sprintf("update %s %d", r.typ, r.id)
		switch r.typ {
		case "unit":
			_, werr = c.Unit.UpdateOneID(r.id).SetName(fmt.Sprintf("renamed %d", n)).Save(vctx)
		case "enterprise":
			_, werr = c.Enterprise.UpdateOneID(r.id).SetContactPhone("0550-0000000").Save(vctx)
		case "user":
			_, werr = c.User.UpdateOneID(r.id).SetDisplayName(fmt.Sprintf("renamed %d", n)).Save(vctx)
		case "post":
			_, werr = c.Post.UpdateOneID(r.id).SetTitle("renamed").Save(vctx)
		case "letter":
			_, werr = c.ResponsibilityLetter.UpdateOneID(r.id).SetTitle("renamed").Save(vctx)
		}
	case r.typ == "letter":
		// Another letter between the same units: the object is r's.
		o, what = r.obj, fmt.Sprintf("create letter like %d", r.id)
		_, werr = c.ResponsibilityLetter.Create().SetYear(2025).
			SetIssuerUnitID(r.w.units[r.issuer].id).SetSigneeUnitID(r.w.units[r.subject].id).
			SetIssuerName("i").SetSigneeName("s").SetSigneeKind(r.w.units[r.subject].kind).SetTitle("new").
			SetTargets([]domain.LetterTarget{}).Save(vctx)
	case r.typ == "user":
		// A new user at the same home unit: the user object is r's.
		o, what = r.obj, fmt.Sprintf("create user at unit %d", r.parent)
		_, werr = c.User.Create().SetUsername(fmt.Sprintf("new%d", n)).SetDisplayName("new").SetPasswordHash("x").
			SetUnitID(r.parent).Save(vctx)
	default: // create under unit r: a post there, or a child unit
		parent := r
		child, ok := map[domain.UnitKind]domain.UnitKind{
			domain.KindCounty: domain.KindTown, domain.KindTown: domain.KindEnterprise,
			domain.KindEnterprise: domain.KindWorkshop, domain.KindWorkshop: domain.KindTeam,
		}[r.w.units[r.subject].kind]
		if !ok || rapid.Bool().Draw(rt, "create.post") {
			o = parent.obj
			o.Type = "post"
			what = fmt.Sprintf("create post at unit %d", r.id)
			holder := w.users[0].id
			_, werr = c.Post.Create().SetUserID(holder).SetUnitID(r.id).SetRole(domain.RoleInspector).
				SetValidFrom(propBase).Save(vctx)
			break
		}
		what = fmt.Sprintf("create %s under unit %d", child, r.id)
		q := c.Unit.Create().SetKind(child).SetName("new").SetCode(fmt.Sprintf("NEW%d", n)).SetParentID(r.id)
		// The decision object of a unit that does not exist yet: under its
		// parent, with its own sector; an enterprise is not yet supervised.
		o = authz.Object{Type: "unit", Tenant: parent.obj.Tenant, Path: parent.obj.Path + "new/"}
		switch child {
		case domain.KindEnterprise:
			sec := pick(rt, "create.sector", propSectors)
			q.SetSector(sec)
			o.Sector, o.EnterpriseID = sec, -1
		case domain.KindWorkshop, domain.KindTeam:
			q.SetSector(parent.obj.Sector)
			o.Sector, o.EnterpriseID, o.Supervisors = parent.obj.Sector, parent.obj.EnterpriseID, parent.obj.Supervisors
		}
		pr, _ := policy.Decide(v, parent.obj, "read")
		parentRead = &pr
		_, werr = q.Save(vctx)
	}
	if o.Tenant != v.Tenant {
		// Another tenant's object, or a subject unit there: NOT_FOUND.
		if code := codeOf(werr); code != apperr.NotFound {
			rt.Fatalf("%s: %s in another tenant: %v (%s), want NOT_FOUND", label, what, werr, code)
		}
		stats.writes++
		return
	}
	read, err1 := policy.Decide(v, o, "read")
	act, err2 := policy.Decide(v, o, action)
	if err1 != nil || err2 != nil {
		rt.Fatal(err1, err2)
	}
	wantCode := expectCode(read, act)
	if action == "create" && parentRead != nil && !read && *parentRead {
		wantCode = apperr.Forbidden
	}
	stats.writes++
	if wantCode == "" {
		stats.allowedWrites++
	}
	if code := codeOf(werr); code != wantCode {
		rt.Fatalf("%s: %s: error %v (code %q), want code %q (Decide read=%t %s=%t)", label, what, werr, code, wantCode, read, action, act)
	}
}

// sameIDs fails unless got and want hold the same ids.
func sameIDs(rt *rapid.T, what string, got, want []int) {
	rt.Helper()
	g := slices.Sorted(slices.Values(got))
	w := slices.Sorted(slices.Values(want))
	if slices.Equal(g, w) {
		return
	}
	var extra, missing []int
	for _, x := range g {
		if !slices.Contains(w, x) {
			extra = append(extra, x)
		}
	}
	for _, x := range w {
		if !slices.Contains(g, x) {
			missing = append(missing, x)
		}
	}
	rt.Fatalf("%s: got %d ids, want %d; returned but not allowed (leak): %v; allowed but missing: %v", what, len(g), len(w), extra, missing)
}

// ---------------------------------------------------------------------------
// has…With (ent issue 4509): Has<Edge>With predicates become an EXISTS
// subquery on the neighbour table without its interceptor, so a caller could
// test for rows outside their scope. The GraphQL where inputs must not offer
// them on any edge.

// TestWhereInputsOfferNoHasWith reads the committed SDL and fails if any
// where input has a has… field (hasX or hasXWith) on an edge.
func TestWhereInputsOfferNoHasWith(t *testing.T) {
	var sources []*ast.Source
	for _, f := range []string{"../schema/ent.graphql", "../schema/dutychain.graphql"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	schema, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		t.Fatalf("parse SDL: %v", err)
	}
	hasEdge := regexp.MustCompile(`^has[A-Z]`)
	inputs := 0
	for name, def := range schema.Types {
		if def.Kind != ast.InputObject || !strings.HasSuffix(name, "WhereInput") {
			continue
		}
		inputs++
		for _, f := range def.Fields {
			if hasEdge.MatchString(f.Name) {
				t.Errorf("%s.%s: edge predicates in where inputs run without the scope filter (ent issue 4509); annotate the edge with entgql.Skip(entgql.SkipWhereInput)", name, f.Name)
			}
		}
	}
	for _, want := range []string{"UnitWhereInput", "EnterpriseWhereInput", "UserWhereInput", "PostWhereInput"} {
		if schema.Types[want] == nil {
			t.Errorf("SDL has no %s: did the where inputs move?", want)
		}
	}
	if inputs == 0 {
		t.Fatal("no where inputs found in the SDL")
	}
	// The generated Go where inputs agree with the SDL.
	for _, x := range []any{ent.UnitWhereInput{}, ent.EnterpriseWhereInput{}, ent.UserWhereInput{}, ent.PostWhereInput{}} {
		rt := reflect.TypeOf(x)
		for i := range rt.NumField() {
			if f := rt.Field(i).Name; strings.HasPrefix(f, "Has") {
				t.Errorf("%s.%s: an edge predicate in a generated where input", rt.Name(), f)
			}
		}
	}
}

// TestHasWithBypassesScope documents why: in Go, Unit.HasChildrenWith runs
// an EXISTS on units without the viewer's filter, so a town head can learn
// that an out-of-scope child exists under a visible unit. Production code
// must not build Has…With predicates from client input (the where inputs do
// not offer them, see above). If ent fixes issue 4509 this test flips:
// update the comment and keep the where inputs closed anyway.
func TestHasWithBypassesScope(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sys := authz.SystemContext(ctx)
		w := &world{supervises: map[[2]int]bool{}, manual: map[[2]int]bool{}, enterprises: map[int]int{}}
		w.units = []gUnit{
			{kind: domain.KindCounty, parent: -1, ent: -1, town: -1},
			{kind: domain.KindTown, parent: 0, ent: -1, town: -1},
			{kind: domain.KindEnterprise, parent: 1, sector: domain.SectorFuel, ent: 2, town: 1},
		}
		w.users = []gUser{{home: 1}}
		// An INDUSTRY-only deputy at the town: the FUEL enterprise is out of scope.
		w.posts = []gPost{{user: 0, unit: 1, role: domain.RoleDeputy, sectors: []domain.Sector{domain.SectorIndustry}, from: propBase}}
		if err := build(ctx, d.Client, w); err != nil {
			t.Fatal(err)
		}
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := authz.LoadViewer(ctx, d.Client, store.Current(), w.users[0].id, w.tenant, propBase.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		vctx := authz.NewContext(ctx, v)
		secret := w.units[2].id
		if n, err := d.Client.Unit.Query().Where(unit.ID(secret)).Count(vctx); err != nil || n != 0 {
			t.Fatalf("out-of-scope enterprise visible directly: %d, %v", n, err)
		}
		probe := d.Client.Unit.Query().Where(unit.HasChildrenWith(unit.ID(secret)))
		leaked, err := probe.IDs(vctx)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := d.Client.Unit.Query().Where(unit.HasChildrenWith(unit.ID(secret))).IDs(sys)
		if len(leaked) == 0 {
			t.Logf("HasChildrenWith now carries the scope (ent issue 4509 fixed?): %v (system sees %v)", leaked, all)
			return
		}
		t.Logf("known ent limitation reproduced: HasChildrenWith(out-of-scope id) matched the visible town %v; the GraphQL where inputs do not expose has…With (TestWhereInputsOfferNoHasWith)", leaked)
	})
}

// TestNoHasWithInProductionCode guards the Go side of the same trap: no
// production package builds Has<Edge>With predicates (they would run without
// the viewer's filter). A deliberate use under authz.SystemContext, after its
// own checks, may be added to allowed with a reason.
func TestNoHasWithInProductionCode(t *testing.T) {
	allowed := map[string]string{} // "path:line" → reason
	call := regexp.MustCompile(`\.Has[A-Z]\w*With\(`)
	scanned := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "ent", ".git", "node_modules", "testdata", "migrations":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		for i, line := range strings.Split(string(b), "\n") {
			if call.MatchString(line) {
				at := fmt.Sprintf("%s:%d", path, i+1)
				if _, ok := allowed[at]; !ok {
					t.Errorf("%s: %s — Has…With runs an EXISTS without the scope filter (ent issue 4509)", at, strings.TrimSpace(line))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 10 {
		t.Fatalf("scanned only %d Go files from the module root", scanned)
	}
}
