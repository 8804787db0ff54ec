package notify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/domain"
)

// ResponsibleRoles are the posts a reminder or an escalation goes to: the
// unit's heads, principal, deputies and safety officers (not its
// inspectors, auditors or administrators).
var ResponsibleRoles = []domain.Role{domain.RolePartySecretary, domain.RoleGovernmentHead, domain.RolePrincipal,
	domain.RoleDeputy, domain.RoleSafetyOfficer}

// Reminder is one notification to send: a due record, the recipient, and
// whether it escalates.
type Reminder struct {
	Due
	UserID     int
	Escalation bool
	// Day is the day it is sent for, in the tenant's time zone: one per
	// object, kind and user a day, a day as the county counts it.
	Day string
}

// DayIn is the key of now's day in zone loc (nil: UTC).
func DayIn(now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return now.In(loc).Format(time.DateOnly)
}

// Plan turns the due records into reminders at now: one to each holder of
// a responsible post at the record's unit and, once the record has been
// overdue for escalateAfter, one to each holder at the unit above — the
// territory of an enterprise-side unit and the departments supervising its
// enterprise, or the parent of a government unit. A post is a recipient only
// if it reads the record: policy decides it (Policy.Decide, the casbin
// decision every read filter twins) for the post alone, on the record's
// decision object (Due.Record, with its enterprise's supervisors), so a
// sector deputy is never told of another sector's records, nor a post of a
// record outside its territory. A user is notified once per record and kind,
// as responsible if they are both; a reminder's day is the tenant's (zones).
// policy nil decides with the policy stored now. A fixed number of
// statements, as the system.
func Plan(ctx context.Context, c *ent.Client, policy *authz.Policy, dues []Due, now time.Time, escalateAfter time.Duration, zones Zones) ([]Reminder, error) {
	ctx = authz.SystemContext(ctx)
	if len(dues) == 0 {
		return nil, nil
	}
	if policy == nil {
		store, err := authz.NewStore(ctx, c, nil)
		if err != nil {
			return nil, fmt.Errorf("load the policy: %w", err)
		}
		policy = store.Current()
	}
	above, err := unitsAbove(ctx, c, dues)
	if err != nil {
		return nil, err
	}
	var unitIDs, enterpriseIDs []int
	for _, d := range dues {
		unitIDs = append(unitIDs, d.UnitID)
		unitIDs = append(unitIDs, above[d.UnitID]...)
		if d.Record.EnterpriseID != 0 {
			enterpriseIDs = append(enterpriseIDs, d.Record.EnterpriseID)
		}
	}
	holders, err := postHolders(ctx, c, unitIDs, now)
	if err != nil {
		return nil, err
	}
	supervisors, err := authz.LoadSupervisors(ctx, c, slices.Compact(slices.Sorted(slices.Values(enterpriseIDs))))
	if err != nil {
		return nil, err
	}
	type key struct {
		user, object int
		kind         Kind
	}
	seen := map[key]bool{}
	var out []Reminder
	add := func(d Due, units []int, escalation bool) error {
		o := d.Record
		o.Supervisors = supervisors[o.EnterpriseID]
		for _, u := range units {
			for _, h := range holders[u] {
				k := key{h.user, d.ObjectID, d.Kind}
				if seen[k] {
					continue
				}
				reads, err := reads(policy, h, o, now)
				if err != nil {
					return err
				}
				if !reads {
					continue // the record does not exist for this post
				}
				seen[k] = true
				out = append(out, Reminder{Due: d, UserID: h.user, Escalation: escalation, Day: DayIn(now, zones.of(d.Tenant))})
			}
		}
		return nil
	}
	for _, d := range dues {
		if err := add(d, []int{d.UnitID}, false); err != nil {
			return nil, err
		}
	}
	for _, d := range dues {
		if !now.Before(d.DueAt.Add(escalateAfter)) {
			if err := add(d, above[d.UnitID], true); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// reads decides whether holder h's post, alone, reads o at now: the viewer
// of that one post asks the policy, as a request of theirs would.
func reads(policy *authz.Policy, h holder, o authz.Object, now time.Time) (bool, error) {
	if o.Type == "" || o.Tenant != h.grant.Tenant {
		return false, nil
	}
	one := &authz.Viewer{UserID: h.user, Tenant: h.grant.Tenant, Grants: []authz.Grant{h.grant},
		PostIDs: []int{h.grant.PostID}, Policy: policy, Now: now}
	ok, err := policy.Decide(one, o, "read")
	if err != nil {
		return false, fmt.Errorf("decide whether post %d reads %s: %w", h.grant.PostID, o.Type, err)
	}
	return ok, nil
}

// unitsAbove maps each responsible unit of dues to the units an escalation
// goes to.
func unitsAbove(ctx context.Context, c *ent.Client, dues []Due) (map[int][]int, error) {
	var ids []int
	for _, d := range dues {
		ids = append(ids, d.UnitID)
	}
	units, err := c.Unit.Query().Where(unit.IDIn(ids...)).
		Select(unit.FieldID, unit.FieldKind, unit.FieldParentID, unit.FieldScopeEnterpriseID).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("responsible units: %w", err)
	}
	var enterpriseIDs []int
	for _, u := range units {
		if !u.Kind.IsGovernment() && u.ScopeEnterpriseID != nil {
			enterpriseIDs = append(enterpriseIDs, *u.ScopeEnterpriseID)
		}
	}
	enterprises, err := c.Unit.Query().Where(unit.IDIn(enterpriseIDs...)).Select(unit.FieldID, unit.FieldParentID).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("enterprises of the responsible units: %w", err)
	}
	sups, err := c.Supervision.Query().Where(supervision.EnterpriseIDIn(enterpriseIDs...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("supervising departments: %w", err)
	}
	// Per enterprise: its territory, then its supervising departments.
	byEnterprise := map[int][]int{}
	for _, e := range enterprises {
		if e.ParentID != nil {
			byEnterprise[e.ID] = append(byEnterprise[e.ID], *e.ParentID)
		}
	}
	for _, s := range sups {
		byEnterprise[s.EnterpriseID] = append(byEnterprise[s.EnterpriseID], s.DepartmentID)
	}
	out := map[int][]int{}
	for _, u := range units {
		switch {
		case !u.Kind.IsGovernment() && u.ScopeEnterpriseID != nil:
			out[u.ID] = byEnterprise[*u.ScopeEnterpriseID]
		case u.ParentID != nil:
			out[u.ID] = []int{*u.ParentID}
		}
	}
	return out, nil
}

// holder is a responsible post valid at now, held by an active user: the
// user and the post as a grant (its unit's place, role and sectors).
type holder struct {
	user  int
	grant authz.Grant
}

// postHolders maps each of units to its responsible posts valid at now held
// by active users, in user id order.
func postHolders(ctx context.Context, c *ent.Client, units []int, now time.Time) (map[int][]holder, error) {
	posts, err := c.Post.Query().
		Where(post.UnitIDIn(units...), post.RoleIn(ResponsibleRoles...), post.ValidFromLTE(now),
			post.Or(post.ValidToIsNil(), post.ValidToGT(now))).
		WithUser(func(q *ent.UserQuery) { q.Select(user.FieldStatus) }).
		WithUnit(func(q *ent.UnitQuery) { q.Select(unit.FieldKind, unit.FieldScopePath) }).
		Order(ent.Asc(post.FieldUserID), ent.Asc(post.FieldID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("responsible posts: %w", err)
	}
	out := map[int][]holder{}
	for _, p := range posts {
		if p.Edges.User == nil || p.Edges.User.Status != user.StatusACTIVE || p.Edges.Unit == nil {
			continue // a disabled user is not reminded
		}
		out[p.UnitID] = append(out[p.UnitID], holder{user: p.UserID, grant: authz.Grant{
			PostID: p.ID, Tenant: p.TenantID, UnitID: p.UnitID, UnitKind: p.Edges.Unit.Kind,
			Path: p.Edges.Unit.ScopePath, Role: string(p.Role), Sectors: p.Sectors,
		}})
	}
	return out, nil
}
