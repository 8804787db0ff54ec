package authz

// The decisions behind a record's allowedActions: the same functions the
// mutations call, fed with data loaded for a whole page at once (the
// supervisors of many enterprises, the reach of many users) so that
// answering for a page costs no statement per row.

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// ObjectOf is the decision object of a record of type typ with the given
// scope columns, whose enterprise (if any) is supervised by supervisors: the
// object ObjectAt builds, without its query.
func ObjectOf(typ string, tenant int, path string, sector *string, enterpriseID *int, supervisors []int) Object {
	o := Object{Type: typ, Tenant: tenant, Path: path}
	if sector != nil {
		o.Sector = domain.Sector(*sector)
	}
	if enterpriseID != nil && *enterpriseID != 0 {
		o.EnterpriseID = *enterpriseID
		o.Supervisors = supervisors
	}
	return o
}

// LoadSupervisors returns the departments supervising each of the enterprise
// units enterpriseIDs, whatever the caller's scope: one statement.
func LoadSupervisors(ctx context.Context, c *ent.Client, enterpriseIDs []int) (map[int][]int, error) {
	out := make(map[int][]int, len(enterpriseIDs))
	if len(enterpriseIDs) == 0 {
		return out, nil
	}
	edges, err := c.Supervision.Query().Where(supervision.EnterpriseIDIn(enterpriseIDs...)).
		Select(supervision.FieldEnterpriseID, supervision.FieldDepartmentID).All(SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("load supervisors of %d enterprises: %w", len(enterpriseIDs), err)
	}
	for _, e := range edges {
		out[e.EnterpriseID] = append(out[e.EnterpriseID], e.DepartmentID)
	}
	return out, nil
}

// LoadSupervised returns, for the caller in ctx, which enterprises their
// DEPARTMENT posts supervise: enterprise unit → the caller's departments
// supervising it (one statement, none without a department post). It is
// all a decision object's Supervisors can matter for: Grant.Covers only
// asks whether the grant's own unit is among them.
func LoadSupervised(ctx context.Context, c *ent.Client) (map[int][]int, error) {
	out := map[int][]int{}
	v := FromContext(ctx)
	if v == nil {
		return out, nil
	}
	var depts []int
	for _, g := range v.Grants {
		if g.UnitKind == domain.KindDepartment && !g.DirectoryOnly {
			depts = append(depts, g.UnitID)
		}
	}
	if len(depts) == 0 {
		return out, nil
	}
	edges, err := c.Supervision.Query().Where(supervision.DepartmentIDIn(depts...)).
		Select(supervision.FieldEnterpriseID, supervision.FieldDepartmentID).All(SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("load enterprises supervised by the caller: %w", err)
	}
	for _, e := range edges {
		out[e.EnterpriseID] = append(out[e.EnterpriseID], e.DepartmentID)
	}
	return out, nil
}

// Allows reports whether Check lets the caller in ctx do action on o: the
// write check of a mutation, as a yes or no.
func Allows(ctx context.Context, o Object, action string) bool {
	return Check(ctx, o, action) == nil
}

// Reach is what managing a user is decided on: the decision objects (type
// user) of their home unit and of every unit where they hold a valid post,
// home first.
type Reach struct {
	Units []ReachUnit
}

// ReachUnit is one unit a user works at.
type ReachUnit struct {
	Name   string
	Object Object
}

// LoadReaches loads the reach of the users ids as of the caller's request
// time, whatever the caller's scope: three statements for any number of
// users, and LoadSupervised's.
func LoadReaches(ctx context.Context, c *ent.Client, ids []int) (map[int]Reach, error) {
	out := make(map[int]Reach, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	now := time.Now()
	if v := FromContext(ctx); v != nil && !v.Now.IsZero() {
		now = v.Now
	}
	sys := SystemContext(ctx)
	users, err := c.User.Query().Where(user.IDIn(ids...)).Select(user.FieldID, user.FieldUnitID).All(sys)
	if err != nil {
		return nil, fmt.Errorf("load home units of %d users: %w", len(ids), err)
	}
	posts, err := c.Post.Query().Where(post.UserIDIn(ids...), validAt(now)).Select(post.FieldUserID, post.FieldUnitID).All(sys)
	if err != nil {
		return nil, fmt.Errorf("load posts of %d users: %w", len(ids), err)
	}
	unitIDs := make([]int, 0, len(users)+len(posts))
	for _, u := range users {
		unitIDs = append(unitIDs, u.UnitID)
	}
	for _, p := range posts {
		unitIDs = append(unitIDs, p.UnitID)
	}
	units, err := c.Unit.Query().Where(unit.IDIn(unitIDs...)).All(sys)
	if err != nil {
		return nil, fmt.Errorf("load units of %d users: %w", len(ids), err)
	}
	byID := make(map[int]*ent.Unit, len(units))
	for _, u := range units {
		byID[u.ID] = u
	}
	supervisors, err := LoadSupervised(ctx, c)
	if err != nil {
		return nil, err
	}
	add := func(userID, unitID int) {
		u := byID[unitID]
		if u == nil {
			return
		}
		sup := []int(nil)
		if u.ScopeEnterpriseID != nil {
			sup = supervisors[*u.ScopeEnterpriseID]
		}
		r := out[userID]
		r.Units = append(r.Units, ReachUnit{Name: u.Name,
			Object: ObjectOf("user", u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID, sup)})
		out[userID] = r
	}
	for _, u := range users {
		add(u.ID, u.UnitID)
	}
	for _, p := range posts {
		add(p.UserID, p.UnitID)
	}
	return out, nil
}

// MayManageUser decides whether the caller may manage a user with reach r
// (password, status, profile, posts): user:update over every unit of it, so
// that nobody takes over a person whose posts reach beyond their own
// authority.
func MayManageUser(ctx context.Context, r Reach) error {
	v, err := actingViewer(ctx)
	if v == nil {
		return err
	}
	for _, u := range r.Units {
		ok, err := v.Policy.Decide(v, u.Object, "update")
		if err != nil {
			return apperr.Wrap(apperr.Internal, "internal error", err)
		}
		if !ok {
			return apperr.Newf(apperr.Forbidden, "manage this user: they hold a post at %s, outside your authority", u.Name)
		}
	}
	return nil
}
