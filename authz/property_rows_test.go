package authz_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/file"
	"github.com/dutychain/dutychain/ent/followupcheck"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/randomdraw"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/inspections"
	"github.com/dutychain/dutychain/internal/letters"
)

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
			SetPasswordHash(propPasswordHash()).SetStatus(status).SetUnitID(w.units[u.home].id).Save(sys)
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
		state := domain.LetterIssued
		if gl.draft {
			state = domain.LetterDraft
		}
		l, err := c.ResponsibilityLetter.Create().SetTenantID(t.ID).SetYear(2024).SetIssuerUnitID(is.id).SetSigneeUnitID(sg.id).
			SetIssuerName("issuer").SetSigneeName("signee").SetSigneeKind(sg.kind).SetTitle(fmt.Sprintf("letter %d", i)).
			SetTargets([]domain.LetterTarget{}).SetState(state).SetIssuerOnly(gl.draft).Save(sys)
		if err != nil {
			return fmt.Errorf("create letter %d: %w", i, err)
		}
		gl.id = l.ID
		if err := letters.NewEvent(c, l, letterevent.ActionCREATED, nil, l.State, propBase).SetActorName("x").Exec(sys); err != nil {
			return fmt.Errorf("create letter event %d: %w", i, err)
		}
		if gl.file {
			if err := c.File.Create().SetTenantID(l.TenantID).SetScopePath(l.ScopePath).SetNillableScopeSector(l.ScopeSector).
				SetNillableScopeEnterpriseID(l.ScopeEnterpriseID).SetNillableIssuerScopePath(l.IssuerScopePath).SetIssuerOnly(l.IssuerOnly).
				SetOwnerID(l.ID).SetSha256(strings.Repeat("0", 64)).SetSize(1).SetContentType("application/pdf").
				SetFilename("x.pdf").SetUploaderName("x").Exec(sys); err != nil {
				return fmt.Errorf("create letter file %d: %w", i, err)
			}
		}
	}
	// Draws through the scope hook, with the sector key of their roster as
	// the inspections service sets it.
	for i := range w.draws {
		gd := &w.draws[i]
		q := c.RandomDraw.Create().SetTenantID(t.ID).SetOrganiserID(w.units[gd.organiser].id).SetTargetCount(1).SetSeed(1).
			SetEnterpriseRoster([]int{}).SetInspectorRoster([]int{}).SetAssignments([]domain.DrawAssignment{}).SetDrawnAt(propBase)
		if key := authz.SectorKey(gd.sectors); key != "" {
			q.SetScopeSector(key)
		}
		d, err := q.Save(sys)
		if err != nil {
			return fmt.Errorf("create draw %d: %w", i, err)
		}
		gd.id = d.ID
	}
	// Follow-up checks as the inspections service writes them: a hazard
	// through the scope hook, a FOLLOW_UP inspection of the hazard's unit or
	// one above it, and the check stamped from the hazard.
	for i := range w.followUps {
		gf := &w.followUps[i]
		h, err := c.Hazard.Create().SetTenantID(t.ID).SetSubjectID(w.units[gf.subject].id).SetSource("REPORT").SetLevel("GENERAL").
			SetCategory("x").SetDescription(fmt.Sprintf("hazard %d", i)).SetFoundAt(propBase).SetDeadline(propBase.AddDate(0, 1, 0)).
			SetReportedByID(w.users[0].id).Save(sys)
		if err != nil {
			return fmt.Errorf("create hazard %d: %w", i, err)
		}
		in, err := c.Inspection.Create().SetTenantID(t.ID).SetType(inspection.TypeFOLLOW_UP).SetInspectingUnitID(w.units[0].id).
			SetTargetID(w.units[gf.target].id).SetInspectorIds([]int{}).SetInspectedOn(propBase).SetConclusion("x").Save(sys)
		if err != nil {
			return fmt.Errorf("create follow-up inspection %d: %w", i, err)
		}
		f, err := inspections.NewFollowUpCheck(c, in.ID, h).SetOutcome(domain.FollowUpPartly).
			SetStateBefore(string(h.State)).SetStateAfter(string(h.State)).Save(sys)
		if err != nil {
			return fmt.Errorf("create follow-up check %d: %w", i, err)
		}
		gf.hazard, gf.id = h.ID, f.ID
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
	subject int             // unit index in w
	parent  int             // units: parent id (0 for a root); posts: unit id; users: 0
	userID  int             // posts: user id
	issuer  int             // letters and their parts: issuer unit index in w
	draft   bool            // letters and their parts: the letter is a DRAFT
	sectors []domain.Sector // random draws: the roster's sectors
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
	withIssuer := func(o authz.Object, path *string, only bool) authz.Object {
		if path != nil {
			o.IssuerPath = *path
		}
		o.IssuerOnly = only
		return o
	}
	ls, err := client.ResponsibilityLetter.Query().Where(responsibilityletter.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	letterByID := map[int]*ent.ResponsibilityLetter{}
	for _, l := range ls {
		letterByID[l.ID] = l
		o := withIssuer(object("letter", l.TenantID, l.ScopePath, l.ScopeSector, l.ScopeEnterpriseID), l.IssuerScopePath, l.IssuerOnly)
		what := fmt.Sprintf("letter %d", l.ID)
		w, i := stamped(what, o, l.SigneeUnitID)
		draft := l.State == domain.LetterDraft
		if l.IssuerOnly != draft {
			problems = append(problems, fmt.Sprintf("%s: %s but issuer_only %t", what, l.State, l.IssuerOnly))
		}
		out = append(out, row{id: l.ID, typ: "letter", obj: o, w: w, subject: i, issuer: issuerOf(what, w, l.IssuerScopePath, l.IssuerUnitID), draft: draft})
	}
	evs, err := client.LetterEvent.Query().Where(letterevent.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		l := letterByID[e.LetterID]
		o := withIssuer(object("letter", e.TenantID, e.ScopePath, e.ScopeSector, e.ScopeEnterpriseID), e.IssuerScopePath, e.IssuerOnly)
		what := fmt.Sprintf("letter event %d", e.ID)
		w, i := stamped(what, o, l.SigneeUnitID)
		if e.IssuerOnly != l.IssuerOnly {
			problems = append(problems, fmt.Sprintf("%s: issuer_only %t, its letter's %t", what, e.IssuerOnly, l.IssuerOnly))
		}
		out = append(out, row{id: e.ID, typ: "letter_event", obj: o, w: w, subject: i, issuer: issuerOf(what, w, e.IssuerScopePath, l.IssuerUnitID), draft: e.IssuerOnly})
	}
	fs, err := client.File.Query().Where(file.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		l := letterByID[f.OwnerID]
		o := withIssuer(object("file", f.TenantID, f.ScopePath, f.ScopeSector, f.ScopeEnterpriseID), f.IssuerScopePath, f.IssuerOnly)
		what := fmt.Sprintf("file %d", f.ID)
		w, i := stamped(what, o, l.SigneeUnitID)
		out = append(out, row{id: f.ID, typ: "file", obj: o, w: w, subject: i, issuer: issuerOf(what, w, f.IssuerScopePath, l.IssuerUnitID), draft: f.IssuerOnly})
	}
	draws, err := client.RandomDraw.Query().Where(randomdraw.TenantIDIn(tenants...)).All(sys)
	if err != nil {
		return nil, err
	}
	for _, d := range draws {
		o := object("random_draw", d.TenantID, d.ScopePath, d.ScopeSector, d.ScopeEnterpriseID)
		ref := byID[d.OrganiserID]
		var sectors []domain.Sector
		for _, gd := range ref.w.draws {
			if gd.id == d.ID {
				sectors = gd.sectors
			}
		}
		if want := authz.SectorKey(sectors); string(o.Sector) != want || o.Path != ref.w.wantPath(ref.i) || o.EnterpriseID != 0 {
			problems = append(problems, fmt.Sprintf("draw %d: scope (%q, %q, ent %d), want (%q, %q, 0)", d.ID, o.Path, o.Sector, o.EnterpriseID, ref.w.wantPath(ref.i), want))
		}
		out = append(out, row{id: d.ID, typ: "random_draw", obj: o, w: ref.w, subject: ref.i, sectors: sectors})
	}
	// Follow-up checks read as their hazard (type hazard) and carry its
	// subject's columns, whatever the inspection's target.
	checks, err := client.FollowUpCheck.Query().Where(followupcheck.TenantIDIn(tenants...)).WithHazard().All(sys)
	if err != nil {
		return nil, err
	}
	for _, f := range checks {
		o := object("hazard", f.TenantID, f.ScopePath, f.ScopeSector, f.ScopeEnterpriseID)
		w, i := stamped(fmt.Sprintf("follow-up check %d", f.ID), o, f.Edges.Hazard.SubjectID)
		out = append(out, row{id: f.ID, typ: "follow_up_check", obj: o, w: w, subject: i})
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return out, fmt.Errorf("hooks stamped wrong scope columns:\n%s", strings.Join(problems, "\n"))
	}
	return out, nil
}
