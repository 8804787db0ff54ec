package authz_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// Deciding writes: the code a denied write must answer with, and the
// check of one write against the enforcer.

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
		// Another letter between the same units: the object is r's, open
		// to the signee side (the mark is not set).
		o, what = r.obj, fmt.Sprintf("create letter like %d", r.id)
		o.IssuerOnly = false
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
