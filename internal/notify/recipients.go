package notify

import (
	"context"
	"fmt"
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
// enterprise, or the parent of a government unit. A user is notified once
// per record and kind, as responsible if they are both; a reminder's day is
// the tenant's (zones). A fixed number of statements, as the system.
func Plan(ctx context.Context, c *ent.Client, dues []Due, now time.Time, escalateAfter time.Duration, zones Zones) ([]Reminder, error) {
	ctx = authz.SystemContext(ctx)
	if len(dues) == 0 {
		return nil, nil
	}
	above, err := unitsAbove(ctx, c, dues)
	if err != nil {
		return nil, err
	}
	var unitIDs []int
	for _, d := range dues {
		unitIDs = append(unitIDs, d.UnitID)
		unitIDs = append(unitIDs, above[d.UnitID]...)
	}
	holders, err := postHolders(ctx, c, unitIDs, now)
	if err != nil {
		return nil, err
	}
	type key struct {
		user, object int
		kind         Kind
	}
	seen := map[key]bool{}
	var out []Reminder
	add := func(d Due, units []int, escalation bool) {
		for _, u := range units {
			for _, uid := range holders[u] {
				k := key{uid, d.ObjectID, d.Kind}
				if !seen[k] {
					seen[k] = true
					out = append(out, Reminder{Due: d, UserID: uid, Escalation: escalation, Day: DayIn(now, zones.of(d.Tenant))})
				}
			}
		}
	}
	for _, d := range dues {
		add(d, []int{d.UnitID}, false)
	}
	for _, d := range dues {
		if !now.Before(d.DueAt.Add(escalateAfter)) {
			add(d, above[d.UnitID], true)
		}
	}
	return out, nil
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

// postHolders maps each of units to the active users holding a responsible
// post there valid at now, in id order.
func postHolders(ctx context.Context, c *ent.Client, units []int, now time.Time) (map[int][]int, error) {
	posts, err := c.Post.Query().
		Where(post.UnitIDIn(units...), post.RoleIn(ResponsibleRoles...), post.ValidFromLTE(now),
			post.Or(post.ValidToIsNil(), post.ValidToGT(now))).
		WithUser(func(q *ent.UserQuery) { q.Select(user.FieldStatus) }).
		Order(ent.Asc(post.FieldUserID)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("responsible posts: %w", err)
	}
	out := map[int][]int{}
	for _, p := range posts {
		if p.Edges.User == nil || p.Edges.User.Status != user.StatusACTIVE {
			continue // a disabled user is not reminded
		}
		if n := len(out[p.UnitID]); n == 0 || out[p.UnitID][n-1] != p.UserID {
			out[p.UnitID] = append(out[p.UnitID], p.UserID)
		}
	}
	return out, nil
}
