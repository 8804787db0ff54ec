package graph

import (
	"context"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enforcementaction"
	"github.com/dutychain/dutychain/ent/enforcementhazard"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/enforcement"
	"github.com/dutychain/dutychain/internal/kernel"
)

// enforcementLoaders load enforcement actions by inspection and by hazard,
// and the hazards of actions: one statement per kind for a whole page.
type enforcementLoaders struct {
	byInspection childLoader[*ent.EnforcementAction]
	// linksByHazard and linksByAction are the hazard links with the other
	// side loaded (through its own scope filter: nil when out of scope).
	linksByHazard childLoader[*ent.EnforcementHazard]
	linksByAction childLoader[*ent.EnforcementHazard]
}

func newEnforcementLoaders(client *ent.Client) enforcementLoaders {
	return enforcementLoaders{
		byInspection: newChildLoader(func(ctx context.Context, ids []int) ([]*ent.EnforcementAction, error) {
			return client.EnforcementAction.Query().Where(enforcementaction.InspectionIDIn(ids...)).
				Order(ent.Asc(enforcementaction.FieldID)).All(ctx)
		}, func(a *ent.EnforcementAction) int { return a.InspectionID }),
		linksByHazard: newChildLoader(func(ctx context.Context, ids []int) ([]*ent.EnforcementHazard, error) {
			return client.EnforcementHazard.Query().Where(enforcementhazard.HazardIDIn(ids...)).
				WithEnforcementAction().Order(ent.Asc(enforcementhazard.FieldEnforcementActionID)).All(ctx)
		}, func(l *ent.EnforcementHazard) int { return l.HazardID }),
		linksByAction: newChildLoader(func(ctx context.Context, ids []int) ([]*ent.EnforcementHazard, error) {
			return client.EnforcementHazard.Query().Where(enforcementhazard.EnforcementActionIDIn(ids...)).
				WithHazard().Order(ent.Asc(enforcementhazard.FieldID)).All(ctx)
		}, func(l *ent.EnforcementHazard) int { return l.EnforcementActionID }),
	}
}

// actionsOfHazard are the enforcement actions concerning hazard id that the
// caller can read.
func (l *Loaders) actionsOfHazard(ctx context.Context, id int) ([]*ent.EnforcementAction, error) {
	links, err := l.enforcement.linksByHazard.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []*ent.EnforcementAction{}
	for _, k := range links {
		if k.Edges.EnforcementAction != nil {
			out = append(out, k.Edges.EnforcementAction)
		}
	}
	return out, nil
}

// hazardsOfAction are the hazards action id concerns that the caller can read.
func (l *Loaders) hazardsOfAction(ctx context.Context, id int) ([]*ent.Hazard, error) {
	links, err := l.enforcement.linksByAction.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []*ent.Hazard{}
	for _, k := range links {
		if k.Edges.Hazard != nil {
			out = append(out, k.Edges.Hazard)
		}
	}
	return out, nil
}

// enforcementAllowed lists the steps the caller may take on a now: those
// of the lifecycle, when a post at the issuing department may act.
func (r *Resolver) enforcementAllowed(ctx context.Context, a *ent.EnforcementAction) ([]domain.EnforcementStep, error) {
	none := []domain.EnforcementStep{}
	if signedIn(ctx) == nil {
		return none, nil
	}
	steps := enforcement.Steps(a.State, a.Deadline, kernel.Now(r.Enforcement.Now))
	if len(steps) == 0 {
		return none, nil
	}
	l := loadersFrom(ctx, r.Client)
	issuer, err := l.loadUnit(ctx, a.IssuerUnitID)
	if err != nil || issuer == nil {
		return none, err
	}
	o, err := l.object(ctx, "enforcement", a.TenantID, a.ScopePath, a.ScopeSector, a.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	if a.IssuerScopePath != nil {
		o.IssuerPath = *a.IssuerScopePath
	}
	if enforcement.MayStep(ctx, o, issuer) != nil {
		return none, nil
	}
	return steps, nil
}
