package authz

// Authority: who may change what. The casbin decision answers "may this role
// do this action on an object in this territory"; the checks here add the
// separation of duties no tenant policy can switch off (docs/AUTHZ.md,
// "Authority"): nobody raises their own rights, the governed never change
// what governs them, people are managed only with authority over all of
// them, heads are appointed from above, government acts are done by
// government. Services call them; none of them writes.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// Place is the position of a unit in its tenant's tree, what authority
// decisions compare.
type Place struct {
	ID     int
	Tenant int
	Kind   domain.UnitKind
	Path   string
	// Sector is empty for government units.
	Sector domain.Sector
}

// PlaceOf is the position of u.
func PlaceOf(u *ent.Unit) Place {
	p := Place{ID: u.ID, Tenant: u.TenantID, Kind: u.Kind, Path: u.ScopePath}
	if u.Sector != nil {
		p.Sector = *u.Sector
	}
	return p
}

// IsHeadRole reports whether role is PARTY_SECRETARY or GOVERNMENT_HEAD
// (党政同责: the two are one role for every decision).
func IsHeadRole(role string) bool {
	return role == string(domain.RolePartySecretary) || role == string(domain.RoleGovernmentHead) || role == RoleUnitHead
}

// decisionTypes are the object types whose changes are decisions of the
// line (letters, inspections, hazards and what organises them): ADMIN
// manages structure and people and takes none of them.
var decisionTypes = []string{"letter", "inspection", "hazard", "campaign", "random_draw", "file", "notice", "leadership_group", "meeting", "training", "publicity"}

// isAdminDecision reports whether a rule would give ADMIN a decision.
func isAdminDecision(r Rule) bool {
	if r.Role != string(domain.RoleAdmin) || r.Action == "read" {
		return false
	}
	return slices.ContainsFunc(decisionTypes, func(t string) bool { return TypeMatch(t, r.Type) })
}

// under reports whether path lies in the subtree of ancestor (itself included).
func under(path, ancestor string) bool { return strings.HasPrefix(path, ancestor) }

// strictlyUnder reports whether path lies strictly below ancestor.
func strictlyUnder(path, ancestor string) bool { return path != ancestor && under(path, ancestor) }

// isRootPath reports whether path is a tenant root's ("/12/").
func isRootPath(path string) bool { return strings.Count(path, "/") == 2 }

// actingViewer returns the signed-in viewer, nil for the system (which
// passes every authority check), or UNAUTHENTICATED.
func actingViewer(ctx context.Context) (*Viewer, error) {
	v := FromContext(ctx)
	if v == nil || (!v.system && v.UserID == 0) {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	if v.system {
		return nil, nil
	}
	return v, nil
}

// superior reports whether g is a post of a head or ADMIN at a government
// unit whose policy allows action on typ: the posts that set structure over
// others.
func (v *Viewer) superior(g Grant, typ, action string) bool {
	if g.DirectoryOnly || !g.UnitKind.IsGovernment() || g.Tenant != v.Tenant {
		return false
	}
	if g.Role != string(domain.RoleAdmin) && !IsHeadRole(g.Role) {
		return false
	}
	return v.Policy != nil && v.Policy.GrantAllows(g, typ, action)
}

// CanSetMandate decides whether the caller may set the supervised sectors
// (the 行业 mandate) of department dept: a head or ADMIN of the tenant root,
// without sector restriction, since a mandate reaches the sector's
// enterprises tenant-wide. The department's own people never may: that
// would widen their own jurisdiction.
func CanSetMandate(ctx context.Context, dept Place) error {
	v, err := actingViewer(ctx)
	if v == nil {
		return err
	}
	for _, g := range v.Grants {
		if v.superior(g, "unit", "update") && len(g.Sectors) == 0 && isRootPath(g.Path) && strictlyUnder(dept.Path, g.Path) {
			return nil
		}
	}
	return apperr.ForbiddenErr("set a department's supervised sectors (only a head or ADMIN of the tenant's root unit may)")
}

// CanSetSupervision decides whether the caller may add or remove the
// supervision edge dept → enterprise: a head or ADMIN of a unit whose
// territory holds both, strictly above the department (in practice the
// county). Neither the supervised enterprise nor the department may.
func CanSetSupervision(ctx context.Context, dept, enterprise Place) error {
	v, err := actingViewer(ctx)
	if v == nil {
		return err
	}
	for _, g := range v.Grants {
		if !v.superior(g, "enterprise", "update") || !strictlyUnder(dept.Path, g.Path) || !under(enterprise.Path, g.Path) {
			continue
		}
		if len(g.Sectors) == 0 || slices.Contains(g.Sectors, enterprise.Sector) {
			return nil
		}
	}
	return apperr.ForbiddenErr("change who supervises this enterprise (only a head or ADMIN of a unit above both the department and the enterprise may)")
}

// CanGrantPost decides whether the caller may appoint (or change the post
// of) holder with role at target, within sectors: never for oneself; by an
// ADMIN (or head) whose own unit holds target and whose sectors hold the
// post's; a head post only from a unit strictly above target.
func CanGrantPost(ctx context.Context, target Place, role domain.Role, sectors []domain.Sector, holder int) error {
	v, err := actingViewer(ctx)
	if v == nil {
		return err
	}
	if holder == v.UserID {
		return apperr.ForbiddenErr("grant or change a post of your own (another administrator must)")
	}
	head := IsHeadRole(string(role))
	for _, g := range v.Grants {
		if !v.superior(g, "post", "create") || !under(target.Path, g.Path) {
			continue
		}
		if head && g.Path == target.Path {
			continue
		}
		if len(g.Sectors) > 0 && (len(sectors) == 0 || slices.ContainsFunc(sectors, func(s domain.Sector) bool { return !slices.Contains(g.Sectors, s) })) {
			continue // the post would exceed a sector-restricted grantor
		}
		return nil
	}
	if head {
		return apperr.New(apperr.Forbidden, "a PARTY_SECRETARY or GOVERNMENT_HEAD post is granted only from a unit strictly above it")
	}
	return apperr.New(apperr.Forbidden, "you may only grant posts at units within your own unit's subtree and sectors")
}

// CanManageUser decides whether the caller may manage user id (password,
// status, profile, posts): it needs user:update over the user's home unit
// and over every unit where they hold a valid post, so that nobody takes
// over a person whose posts reach beyond their own authority.
func CanManageUser(ctx context.Context, c *ent.Client, id int) error {
	v, err := actingViewer(ctx)
	if v == nil {
		return err
	}
	reaches, err := LoadReaches(ctx, c, []int{id})
	if err != nil {
		return err
	}
	return MayManageUser(ctx, reaches[id])
}

// inspectorRoles are the posts whose holders inspect for a government unit.
var inspectorRoles = []domain.Role{domain.RoleInspector, domain.RoleDeputy, domain.RolePartySecretary, domain.RoleGovernmentHead}

// MayRecordInspection decides whether the caller may record (or complete)
// an inspection of type typ by inspecting at target with inspectors. A
// SELF_CHECK is the inspected side's own: its inspecting unit is the target
// or above it inside the enterprise, and the caller acts from the
// enterprise side there. Any other type is a government act: the caller
// holds a post at the inspecting government unit, and CheckInspectors holds.
func MayRecordInspection(ctx context.Context, c *ent.Client, typ string, inspecting, target Place, inspectors []int) error {
	if err := MayActForInspection(ctx, typ, inspecting, target); err != nil || typ == "SELF_CHECK" {
		return err
	}
	return CheckInspectors(ctx, c, inspecting, inspectors)
}

// MayActForInspection is MayRecordInspection without its inspectors: whether
// the caller acts for the inspecting side of an inspection of type typ by
// inspecting at target.
func MayActForInspection(ctx context.Context, typ string, inspecting, target Place) error {
	v, err := actingViewer(ctx)
	if v == nil {
		return err
	}
	if typ == "SELF_CHECK" {
		if inspecting.Kind.IsGovernment() || !under(target.Path, inspecting.Path) {
			return apperr.Invalid("inspectingUnitID", "a SELF_CHECK is done by the inspected unit itself (or the enterprise unit above it)")
		}
		for _, g := range v.Grants {
			if !g.DirectoryOnly && !g.UnitKind.IsGovernment() && under(inspecting.Path, g.Path) {
				return nil
			}
		}
		return apperr.ForbiddenErr("record a SELF_CHECK (only the inspected enterprise's own people may)")
	}
	if !inspecting.Kind.IsGovernment() {
		return apperr.Invalid("type", "the enterprise side records only SELF_CHECK inspections")
	}
	acting := false
	for _, g := range v.At(inspecting.ID).Grants {
		acting = acting || (v.Policy != nil && v.Policy.GrantAllows(g, "inspection", "create"))
	}
	if !acting {
		return apperr.ForbiddenErr("record an inspection in the name of this unit (only its own inspectors, deputies and heads may)")
	}
	return nil
}

// CheckInspectors requires every inspector to hold, now, an INSPECTOR,
// DEPUTY or head post at the government unit inspecting or below it.
func CheckInspectors(ctx context.Context, c *ent.Client, inspecting Place, inspectors []int) error {
	v, err := actingViewer(ctx)
	if v == nil {
		return err
	}
	sys := SystemContext(ctx)
	for _, id := range inspectors {
		at, err := c.Post.Query().Where(post.UserID(id), post.RoleIn(inspectorRoles...), validAt(v.Now)).
			Select(post.FieldUnitID).Ints(sys)
		if err != nil {
			return fmt.Errorf("check inspector %d: %w", id, err)
		}
		ok, err := c.Unit.Query().Where(unit.IDIn(at...), unit.TenantID(inspecting.Tenant),
			unit.KindIn(domain.KindCounty, domain.KindCity, domain.KindTown, domain.KindDepartment),
			unit.ScopePathHasPrefix(inspecting.Path)).Exist(sys)
		if err != nil {
			return fmt.Errorf("check inspector %d: %w", id, err)
		}
		if !ok {
			return apperr.Invalid("inspectorIDs", "every inspector holds an INSPECTOR, DEPUTY or head post at the inspecting unit or below it")
		}
	}
	return nil
}

// validAt selects the posts valid at t (stored times are UTC).
func validAt(t time.Time) predicate.Post {
	t = t.UTC()
	return post.And(post.ValidFromLTE(t), post.Or(post.ValidToIsNil(), post.ValidToGT(t)))
}

// CheckHazardSource decides the source of a hazard the caller reports on o:
// from the enterprise side it is SELF_CHECK, from the government side
// INSPECTION or REPORT. A source the caller's side cannot give is refused.
func CheckHazardSource(ctx context.Context, o Object, source string) error {
	v, err := actingViewer(ctx)
	if v == nil {
		return err
	}
	government, enterprise := false, false
	for _, g := range v.Grants {
		if g.DirectoryOnly || v.Policy == nil || !v.Policy.GrantAllows(g, "hazard", "create") || !g.Covers(o) {
			continue
		}
		government = government || g.UnitKind.IsGovernment()
		enterprise = enterprise || !g.UnitKind.IsGovernment()
	}
	switch {
	case !government && !enterprise:
		return nil // no right to report here at all: the write check answers
	case source == "SELF_CHECK" && !enterprise:
		return apperr.Invalid("source", "SELF_CHECK hazards are reported by the enterprise side; report this one as REPORT")
	case source != "SELF_CHECK" && !government:
		return apperr.Invalid("source", "a hazard the enterprise side reports is a SELF_CHECK")
	}
	return nil
}

// holdsRole reports whether one of v's posts carries role (directly or, for
// UNIT_HEAD, as a head).
func (v *Viewer) holdsRole(role string) bool {
	for _, g := range v.Grants {
		if !g.DirectoryOnly && v.Policy != nil && v.Policy.hasRole(g.Role, role) {
			return true
		}
	}
	return false
}

// IsDefaultRule reports whether r (any tenant) is a row of the embedded
// default policy: restoring one raises nobody above the product's baseline.
func IsDefaultRule(r Rule) bool {
	rules, _, err := DefaultPolicy()
	if err != nil {
		return false
	}
	return slices.ContainsFunc(rules, func(d Rule) bool { return d.Role == r.Role && d.Type == r.Type && d.Action == r.Action })
}
