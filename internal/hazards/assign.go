package hazards

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// AssignmentType is the object type an assignment (交办) is decided as.
const AssignmentType = "hazard_assignment"

// MaxFollowUpDays bounds how far ahead a follow-up date may lie.
const MaxFollowUpDays = 366

// AssignInput assigns a hazard to the unit responsible for following it up.
type AssignInput struct {
	HazardID   int
	AssigneeID int
	FollowUpOn time.Time
	Note       string
}

// Assign assigns a hazard (交办) to its responsible unit — a department
// supervising its enterprise or the town it lies in, both of which see the
// hazard by §4 — with a follow-up date. It is a government act: only a
// government post with the hazard_assignment create right over the hazard
// assigns, in the name of its unit. A reassignment adds a new assignment;
// the hazard keeps the latest. Errors: NOT_FOUND (hazard or assignee
// unknown or out of scope), FORBIDDEN, BAD_USER_INPUT (closed hazard, an
// assignee not responsible for it, a bad date), CONFLICT (the hazard
// changed meanwhile). Nothing is written unless every check passes.
func (s *Service) Assign(ctx context.Context, in AssignInput) (*ent.Hazard, error) {
	v, err := kernel.Viewer(ctx)
	if err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now)
	if err := checkFollowUpOn(in.FollowUpOn, now); err != nil {
		return nil, err
	}
	in.Note = strings.TrimSpace(in.Note)
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Hazard, error) {
		h, err := kernel.Load(ctx, c.Hazard.Get, in.HazardID, "hazard", "hazardID")
		if err != nil {
			return nil, err
		}
		o, err := authz.ObjectAt(ctx, c, AssignmentType, h.TenantID, h.ScopePath, h.ScopeSector, h.ScopeEnterpriseID)
		if err != nil {
			return nil, err
		}
		ord, err := LoadOrders(ctx, c, h)
		if err != nil {
			return nil, err
		}
		g, err := assigner(v, h, o, ord)
		if err != nil {
			return nil, err
		}
		assignee, err := kernel.Unit(ctx, c, in.AssigneeID, "assigneeID")
		if err != nil {
			return nil, err
		}
		candidates, err := Assignees(ctx, c, h)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(candidates, func(u *ent.Unit) bool { return u.ID == assignee.ID }) {
			return nil, apperr.Invalid("assigneeID", fmt.Sprintf("%s is not responsible for this hazard: assign it to a department supervising its enterprise or to its town", assignee.Name))
		}
		if _, err := c.HazardAssignment.Create().SetHazardID(h.ID).SetSubjectID(h.SubjectID).
			SetAssignerID(g.UnitID).SetAssigneeID(assignee.ID).SetFollowUpOn(in.FollowUpOn).SetNote(in.Note).
			SetAssignedByID(v.UserID).SetNillablePostID(postOf(g)).SetAssignedAt(now).Save(ctx); err != nil {
			return nil, err
		}
		// Conditional on the state and assignment decided from: of two
		// concurrent assignments, the second is a CONFLICT.
		sys := authz.SystemContext(ctx)
		err = kernel.Claim("hazard", func() (int, error) {
			return c.Hazard.Update().Where(assignedAs(h)...).
				SetAssigneeID(assignee.ID).SetFollowUpOn(in.FollowUpOn).SetAssignerID(g.UnitID).Save(sys)
		}, func() (string, error) {
			cur, err := c.Hazard.Get(sys, h.ID)
			if err != nil {
				return "", err
			}
			return assignmentOf(cur), nil
		})
		if err != nil {
			return nil, err
		}
		note := fmt.Sprintf("交办 %s，%s 前督查", assignee.Name, in.FollowUpOn.Format(time.DateOnly))
		if in.Note != "" {
			note += "：" + in.Note
		}
		if _, err := addEvent(ctx, c, h, domain.HazardAssign, h.State, v.UserID, postOf(g), note, now); err != nil {
			return nil, err
		}
		return c.Hazard.Get(ctx, h.ID)
	})
}

// MayAssign reports whether v may assign h now (o its hazard_assignment
// decision object, ord its orders): the decision of Assign before its
// input's checks.
func MayAssign(v *authz.Viewer, h *ent.Hazard, o authz.Object, ord Orders) bool {
	_, err := assigner(v, h, o, ord)
	return err == nil
}

// assigner is the government grant under which v assigns h: refused for a
// closed hazard, one of no enterprise, and a caller without a government
// post holding the right. A hazard already assigned is re-assigned (another
// assignee, another date) only from a post at the unit that made the
// current assignment or above it (ord.Assigner): the unit it was given to,
// and any other unit below the assigner, does not postpone or hand on what
// was ordered from above.
func assigner(v *authz.Viewer, h *ent.Hazard, o authz.Object, ord Orders) (authz.Grant, error) {
	switch {
	case h.State == domain.HazardClosed:
		return authz.Grant{}, apperr.Invalid("hazardID", "the hazard is CLOSED: there is nothing left to follow up")
	case h.ScopeEnterpriseID == nil:
		return authz.Grant{}, apperr.Invalid("hazardID", "only an enterprise's hazard is assigned to its responsible unit")
	}
	gov := v.Only(governmentSide.keeps)
	g, err := grantFor(gov, o)
	switch {
	case err != nil:
		return authz.Grant{}, err
	case g.UnitID == 0:
		return authz.Grant{}, apperr.ForbiddenErr("assign this hazard (a head or DEPUTY of a government unit over it only)")
	case ord.Assigner == "":
		return g, nil
	}
	if g, err = grantFor(gov.Only(atOrAbove(ord.Assigner)), o); err != nil || g.UnitID != 0 {
		return g, err
	}
	return authz.Grant{}, apperr.ForbiddenErr("re-assign this hazard: its assignment was made by a unit above yours, and only a post at that unit or above it changes it")
}

// grantFor is the grant of v under which v creates an assignment on o; a
// zero grant when v may not.
func grantFor(v *authz.Viewer, o authz.Object) (authz.Grant, error) {
	if ok, err := v.Policy.Decide(v, o, "create"); err != nil {
		return authz.Grant{}, apperr.Wrap(apperr.Internal, "internal error", err)
	} else if ok {
		if g, found := v.GrantFor(o, "create"); found {
			return g, nil
		}
	}
	return authz.Grant{}, nil
}

func postOf(g authz.Grant) *int {
	if g.PostID == 0 {
		return nil
	}
	return &g.PostID
}

// assignedAs are the conditions of an assignment's update: h still open in
// its state, with the assignment (assignee, date and assigner) it had when
// read.
func assignedAs(h *ent.Hazard) []predicate.Hazard {
	ps := []predicate.Hazard{hazard.ID(h.ID), hazard.StateEQ(h.State)}
	if h.AssigneeID == nil {
		return append(ps, hazard.AssigneeIDIsNil())
	}
	return append(ps, hazard.AssigneeID(*h.AssigneeID), hazard.FollowUpOnEQ(*h.FollowUpOn),
		intIs(h.AssignerID, hazard.AssignerIDIsNil, hazard.AssignerID))
}

// assignmentOf says where a hazard stands, for a CONFLICT.
func assignmentOf(h *ent.Hazard) string {
	if h.AssigneeID == nil {
		return string(h.State) + ", unassigned"
	}
	return string(h.State) + ", assigned to unit " + strconv.Itoa(*h.AssigneeID)
}

// checkFollowUpOn refuses a follow-up date before today or more than
// MaxFollowUpDays ahead.
func checkFollowUpOn(on, now time.Time) error {
	today := now.UTC().Truncate(24 * time.Hour)
	switch {
	case on.IsZero():
		return apperr.Invalid("followUpOn", "the follow-up date is required")
	case on.Before(today):
		return apperr.Invalid("followUpOn", "the follow-up date must not lie in the past")
	case on.After(now.AddDate(0, 0, MaxFollowUpDays)):
		return apperr.Invalid("followUpOn", fmt.Sprintf("the follow-up date lies more than %d days ahead", MaxFollowUpDays))
	}
	return nil
}

// Assignees are the units hazard h may be assigned to, whoever asks: the
// departments supervising its enterprise and the TOWN above its subject,
// government units every user of the tenant may read. Each of them sees h:
// a department's territory holds the enterprises it supervises, a town's
// its subtree.
func Assignees(ctx context.Context, c *ent.Client, h *ent.Hazard) ([]*ent.Unit, error) {
	if h.ScopeEnterpriseID == nil {
		return []*ent.Unit{}, nil
	}
	sys := authz.SystemContext(ctx)
	var ancestors []int
	for _, part := range strings.Split(strings.Trim(h.ScopePath, "/"), "/") {
		if id, err := strconv.Atoi(part); err == nil {
			ancestors = append(ancestors, id)
		}
	}
	departments, err := c.Supervision.Query().Where(supervision.EnterpriseID(*h.ScopeEnterpriseID)).
		Select(supervision.FieldDepartmentID).Ints(sys)
	if err != nil {
		return nil, fmt.Errorf("load supervising departments: %w", err)
	}
	out, err := c.Unit.Query().Where(unit.TenantID(h.TenantID), unit.Or(
		unit.And(unit.KindEQ(domain.KindTown), unit.IDIn(ancestors...)),
		unit.IDIn(departments...),
	)).Order(unit.ByID()).All(sys)
	if err != nil {
		return nil, fmt.Errorf("load assignees: %w", err)
	}
	return out, nil
}
