package authz

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
)

// Pseudo roles. MEMBER is held by every user of a tenant and grants the
// government directory; UNIT_HEAD is what PARTY_SECRETARY and GOVERNMENT_HEAD
// inherit (党政同责).
const (
	RoleMember   = "MEMBER"
	RoleUnitHead = "UNIT_HEAD"
)

// Grant is one valid post seen as a right: a role over a territory, optionally
// restricted to sectors. Grants are compiled once per request from posts.
type Grant struct {
	PostID   int
	Tenant   int
	UnitID   int
	UnitKind domain.UnitKind
	// Path is the post unit's materialized path, e.g. "/12/15/".
	Path    string
	Role    string
	Sectors []domain.Sector
	// DirectoryOnly marks the MEMBER grant: it covers government units only.
	DirectoryOnly bool
}

// Place is the post's unit as an authority decision sees it (the unit's
// sector is not in the grant: sector rules read it from the unit).
func (g Grant) Place() Place {
	return Place{ID: g.UnitID, Tenant: g.Tenant, Kind: g.UnitKind, Path: g.Path}
}

// Viewer is the caller of one request. It never changes during the request.
type Viewer struct {
	UserID   int
	Tenant   int
	Username string
	// Grants holds one grant per post valid at request time, plus MEMBER.
	Grants []Grant
	// PostIDs are the valid posts, in the order of Grants (without MEMBER).
	PostIDs []int
	// Policy is the policy snapshot the request decides with.
	Policy *Policy
	// Now is the request time; post validity was judged at it.
	Now time.Time

	system bool
	// actor is, for the system viewer, the signed-in viewer on whose behalf
	// the system acts (nil for the server's own work): the audit log
	// records changes made under SystemContext inside a request as theirs.
	actor *Viewer
	// own holds the viewer's compiled read filters; shared, when set,
	// replaces it: the filters of a viewer state, reused by every request
	// of the user until the state is read again.
	own    predicateCache
	shared *predicateCache
}

type viewerKey struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// FromContext returns the viewer in ctx, or nil.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

// SystemContext marks ctx as the server acting on its own behalf (seeding,
// migrations, login). It bypasses jurisdiction checks; never derive it from
// client input.
//
// The viewer it replaces (if any) is remembered as the actor: see Actor.
func SystemContext(ctx context.Context) context.Context {
	return NewContext(ctx, &Viewer{system: true, actor: Actor(ctx)})
}

// Actor returns the signed-in viewer responsible for what runs under ctx:
// the viewer itself, or for the system viewer the one it acts for; nil for
// the server's own work (seeding) and anonymous requests.
func Actor(ctx context.Context) *Viewer {
	v := FromContext(ctx)
	if v == nil {
		return nil
	}
	if v.system {
		return v.actor
	}
	return v
}

// IsSystem reports whether v is the internal system viewer.
func (v *Viewer) IsSystem() bool { return v != nil && v.system }

// Roles returns the distinct real roles the viewer holds (MEMBER excluded).
func (v *Viewer) Roles() []string {
	var out []string
	for _, g := range v.Grants {
		if g.Role != RoleMember && !slices.Contains(out, g.Role) {
			out = append(out, g.Role)
		}
	}
	slices.Sort(out)
	return out
}

// Object is what a decision is about: its type and the position of its subject
// unit, copied from the row's scope columns.
type Object struct {
	Type   string
	Tenant int
	Path   string
	// Sector is empty for government units.
	Sector domain.Sector
	// EnterpriseID is the enterprise the subject unit belongs to; 0 for
	// government units.
	EnterpriseID int
	// Supervisors are the departments supervising EnterpriseID.
	Supervisors []int
	// IssuerPath is the path of the unit on the record's issuing side (a
	// responsibility letter's issuer), empty when the record has none. A
	// grant whose territory holds the issuer also covers the record, within
	// the grant's sectors: "a letter is also readable by its issuer side".
	IssuerPath string
	// IssuerOnly: only the issuer side reads the record (a DRAFT letter,
	// its events and files): the subject's territory does not cover it.
	IssuerOnly bool
}

// IsGovernment reports whether the subject unit is a government unit.
func (o Object) IsGovernment() bool { return o.EnterpriseID == 0 }

// Covers reports whether g's territory and sectors include o. It is the
// per-object twin of the SQL predicate built by grantPredicate.
func (g Grant) Covers(o Object) bool {
	if o.Tenant != g.Tenant || g.Tenant == 0 {
		return false
	}
	if g.DirectoryOnly {
		return o.IsGovernment()
	}
	subjectSide := strings.HasPrefix(o.Path, g.Path) ||
		(g.UnitKind == domain.KindDepartment && !o.IsGovernment() && slices.Contains(o.Supervisors, g.UnitID))
	issuerSide := o.IssuerPath != "" && strings.HasPrefix(o.IssuerPath, g.Path)
	if !issuerSide && (o.IssuerOnly || !subjectSide) {
		return false
	}
	// A government record without sectors of its own passes any sector
	// restriction; any other needs its sector key within the grant's.
	return len(g.Sectors) == 0 || (o.IsGovernment() && o.Sector == "") || sectorKeyWithin(string(o.Sector), g.Sectors)
}

// At returns a copy of v holding only its posts at unit unitID (not those
// whose territory merely covers it). Some acts belong to the people of one
// unit: issuing a letter from it, signing one addressed to it.
func (v *Viewer) At(unitID int) *Viewer {
	c := &Viewer{UserID: v.UserID, Tenant: v.Tenant, Username: v.Username, Policy: v.Policy, Now: v.Now}
	for _, g := range v.Grants {
		if !g.DirectoryOnly && g.UnitID == unitID {
			c.Grants = append(c.Grants, g)
			c.PostIDs = append(c.PostIDs, g.PostID)
		}
	}
	return c
}

// WithoutDirectory returns a copy of v without the MEMBER grant: the
// jurisdiction proper, for summaries.
func (v *Viewer) WithoutDirectory() *Viewer {
	c := &Viewer{UserID: v.UserID, Tenant: v.Tenant, Username: v.Username, PostIDs: v.PostIDs, Policy: v.Policy, Now: v.Now}
	for _, g := range v.Grants {
		if !g.DirectoryOnly {
			c.Grants = append(c.Grants, g)
		}
	}
	return c
}

// Only returns a copy of v keeping the grants keep accepts. Decisions that
// depend on which side acts (the enterprise rectifies, the government
// verifies) are taken with the grants of that side only.
func (v *Viewer) Only(keep func(Grant) bool) *Viewer {
	c := &Viewer{UserID: v.UserID, Tenant: v.Tenant, Username: v.Username, Policy: v.Policy, Now: v.Now, system: v.system}
	for _, g := range v.Grants {
		if keep(g) {
			c.Grants = append(c.Grants, g)
			if g.PostID != 0 {
				c.PostIDs = append(c.PostIDs, g.PostID)
			}
		}
	}
	return c
}

// GrantFor returns the first of v's grants that lets v do action on o: the
// post an act is recorded under.
func (v *Viewer) GrantFor(o Object, action string) (Grant, bool) {
	for _, g := range v.Grants {
		if v.Policy != nil && v.Policy.GrantAllows(g, o.Type, action) && g.Covers(o) {
			return g, true
		}
	}
	return Grant{}, false
}

// SameGrants reports whether w holds exactly v's grants: the same posts,
// each at the same unit and place in the tree (kind, path), with the same
// role and sectors, and the same directory. A viewer read again later
// decides every read and write as v did iff SameGrants holds and the policy
// rows of the tenant are the same (SamePolicy): a post narrowed, widened,
// moved or given another role keeps its id but not its grant, and a post
// started or ended since adds or drops one.
func (v *Viewer) SameGrants(w *Viewer) bool {
	if v == nil || w == nil {
		return v == w
	}
	return v.UserID == w.UserID && v.Tenant == w.Tenant &&
		slices.EqualFunc(v.Grants, w.Grants, func(a, b Grant) bool {
			return a.PostID == b.PostID && a.Tenant == b.Tenant && a.UnitID == b.UnitID && a.UnitKind == b.UnitKind &&
				a.Path == b.Path && a.Role == b.Role && a.DirectoryOnly == b.DirectoryOnly && slices.Equal(a.Sectors, b.Sectors)
		})
}

// SamePolicy reports whether v and w decide with the same policy rows of
// their tenant (the same snapshot, or snapshots whose rows of the tenant
// are equal).
func (v *Viewer) SamePolicy(w *Viewer) bool {
	if v.Policy == w.Policy {
		return true
	}
	if v.Policy == nil || w.Policy == nil {
		return false
	}
	return slices.Equal(v.Policy.Rules(v.Tenant), w.Policy.Rules(w.Tenant))
}
