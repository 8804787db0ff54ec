package enforcement

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
)

// Decision loads what decides a step on action a: its decision object
// (with the issuer side) and its issuing department.
func Decision(ctx context.Context, c *ent.Client, a *ent.EnforcementAction) (authz.Object, *ent.Unit, error) {
	issuer, err := c.Unit.Get(authz.SystemContext(ctx), a.IssuerUnitID)
	if err != nil {
		return authz.Object{}, nil, fmt.Errorf("load issuer %d: %w", a.IssuerUnitID, err)
	}
	o, err := authz.ObjectAt(ctx, c, "enforcement", a.TenantID, a.ScopePath, a.ScopeSector, a.ScopeEnterpriseID)
	if err != nil {
		return authz.Object{}, nil, err
	}
	if a.IssuerScopePath != nil {
		o.IssuerPath = *a.IssuerScopePath
	}
	return o, issuer, nil
}

// MayStep decides whether the caller may take steps on an action (o its
// decision object, issuer its department): enforcement:update in a post at
// the issuing department. Transition and the action's allowedActions ask it.
func MayStep(ctx context.Context, o authz.Object, issuer *ent.Unit) error {
	_, err := authz.EnforcementAct(ctx, o, "update", authz.PlaceOf(issuer), issuer.Name, "enforcementActionID")
	return err
}

// Steps lists the steps the lifecycle allows on an action in state with
// deadline at now, in table order (who may take them is MayStep's).
func Steps(state domain.EnforcementState, deadline *time.Time, now time.Time) []domain.EnforcementStep {
	var out []domain.EnforcementStep
	for _, v := range domain.EnforcementStep("").Values() {
		step := domain.EnforcementStep(v)
		if _, err := Next(state, step, deadline, now); err == nil {
			out = append(out, step)
		}
	}
	return out
}
