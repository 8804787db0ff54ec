package hazards

import (
	"context"
	"strconv"
	"strings"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// Orders are where the decisions on a hazard that bind the units below were
// taken (§4a: the governed side cannot change what governs it): the unit
// whose assignment (交办) is current and the unit that put it under
// supervision (督办), as their materialized paths. An order of unit A is
// changed or lifted only by a post at A or at a unit above it (whose path
// A's path extends), never by the unit it was given to nor by any other
// unit below A. Empty when there is no such order.
type Orders struct {
	Assigner   string
	Supervisor string
}

// UnitLoader loads a unit by id, as the caller may: a government unit is in
// every user's directory.
type UnitLoader func(ctx context.Context, id int) (*ent.Unit, error)

// OrdersOf are h's orders. A unit on h's own path needs no statement (its
// path is a prefix of h's); a department is loaded with load. An order whose
// unit is not recorded (rows written before it was, a unit gone) counts as
// the tenant root's: only the top lifts what nobody below is known to have
// ordered.
func OrdersOf(ctx context.Context, h *ent.Hazard, load UnitLoader) (Orders, error) {
	var out Orders
	var err error
	if h.AssigneeID != nil {
		if out.Assigner, err = orderPath(ctx, h, h.AssignerID, load); err != nil {
			return Orders{}, err
		}
	}
	if h.Supervised {
		if out.Supervisor, err = orderPath(ctx, h, h.SupervisorID, load); err != nil {
			return Orders{}, err
		}
	}
	return out, nil
}

// LoadOrders are h's orders read in c's transaction.
func LoadOrders(ctx context.Context, c *ent.Client, h *ent.Hazard) (Orders, error) {
	sys := authz.SystemContext(ctx)
	return OrdersOf(ctx, h, func(_ context.Context, id int) (*ent.Unit, error) { return c.Unit.Get(sys, id) })
}

func orderPath(ctx context.Context, h *ent.Hazard, unitID *int, load UnitLoader) (string, error) {
	parts := strings.Split(strings.Trim(h.ScopePath, "/"), "/")
	if unitID == nil {
		return "/" + parts[0] + "/", nil
	}
	id := strconv.Itoa(*unitID)
	for i, p := range parts {
		if p == id {
			return "/" + strings.Join(parts[:i+1], "/") + "/", nil
		}
	}
	u, err := load(ctx, *unitID)
	switch {
	case ent.IsNotFound(err) || (err == nil && u == nil):
		return "/" + parts[0] + "/", nil
	case err != nil:
		return "", err
	}
	return u.ScopePath, nil
}

// atOrAbove keeps the grants of posts at the unit of path or above it.
func atOrAbove(path string) func(authz.Grant) bool {
	return func(g authz.Grant) bool { return !g.DirectoryOnly && g.Path != "" && strings.HasPrefix(path, g.Path) }
}

// submitterOf is the user whose submission step a decides on h: the
// rectification (CLOSE, REJECT), the plan (APPROVE_PLAN) or the extension
// request (APPROVE/REJECT_EXTENSION); nil when a decides none or nobody is
// recorded.
func submitterOf(h *ent.Hazard, a domain.HazardAction) *int {
	switch a {
	case domain.HazardClose, domain.HazardReject:
		if h.State == domain.HazardSubmitted {
			return h.SubmittedByID
		}
	case domain.HazardApprovePlan:
		if h.State == domain.HazardPlanSubmitted {
			return h.SubmittedByID
		}
	case domain.HazardApproveExtension, domain.HazardRejectExtension:
		return h.ExtensionRequestedByID
	}
	return nil
}

// ownSubmission refuses v's decision a on h when v submitted what it
// decides (separation of duties: nobody approves their own work, whichever
// posts they hold on either side).
func ownSubmission(v *authz.Viewer, h *ent.Hazard, a domain.HazardAction) error {
	by := submitterOf(h, a)
	if by == nil || *by != v.UserID || v.IsSystem() {
		return nil
	}
	what := "the rectification"
	switch a {
	case domain.HazardApprovePlan:
		what = "the plan"
	case domain.HazardApproveExtension, domain.HazardRejectExtension:
		what = "the extension request"
	}
	return apperr.Newf(apperr.Forbidden, "you may not %s this hazard: you submitted %s yourself, and someone else decides it (separation of duties)",
		actionWords(a), what)
}

// actionWords is a step as words: "lift supervision".
func actionWords(a domain.HazardAction) string {
	return strings.ToLower(strings.ReplaceAll(string(a), "_", " "))
}
