package prevention

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/riskpoint"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Identify records a risk point of an enterprise-side unit with its control
// measures and its first grading, in one transaction.
func (s *Service) Identify(ctx context.Context, in IdentifyInput) (*ent.RiskPoint, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now)
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.RiskPoint, error) {
		u, err := kernel.Unit(ctx, c, in.UnitID, "unitID")
		if err != nil {
			return nil, err
		}
		if u.Kind.IsGovernment() {
			return nil, kernel.Invalidf("unitID", "risk points belong to an enterprise, workshop or team, not to %s", u.Name)
		}
		o, err := authz.ObjectAt(ctx, c, "risk_point", u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID)
		if err != nil {
			return nil, err
		}
		g, err := authz.EnterpriseAct(ctx, o, "create")
		if err != nil {
			return nil, err
		}
		taken, err := c.RiskPoint.Query().Where(riskpoint.UnitID(u.ID), riskpoint.Name(in.Name)).Exist(authz.SystemContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("check name: %w", err)
		}
		if taken {
			return nil, kernel.Invalidf("name", "%s already has a risk point named %s", u.Name, in.Name)
		}
		a, err := actorOf(ctx, c, g)
		if err != nil {
			return nil, err
		}
		score, level := Grade(in.Likelihood, in.Severity)
		rp, err := c.RiskPoint.Create().SetUnitID(u.ID).SetName(in.Name).SetKind(in.Kind).SetHazardSources(in.HazardSources).
			SetLikelihood(in.Likelihood).SetSeverity(in.Severity).SetScore(score).SetLevel(level).SetGradedAt(now).
			SetNillableNextCheckDue(firstDue(in.Measures, now)).Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := addMeasures(ctx, c, rp, in.Measures, now); err != nil {
			return nil, err
		}
		if err := addGrading(ctx, c, rp, nil, a, in.Reason, now); err != nil {
			return nil, err
		}
		return c.RiskPoint.Get(ctx, rp.ID)
	})
}

// firstDue is the earliest due date of measures set up at now; nil for none.
func firstDue(measures []MeasureInput, now time.Time) *time.Time {
	var first *time.Time
	for _, m := range measures {
		if due := NextDue(now, m.Frequency); first == nil || due.Before(*first) {
			first = &due
		}
	}
	return first
}

// addMeasures writes the control measures of rp, set up at now, as parts of
// it (its scope columns, written as the system after rp's own check).
func addMeasures(ctx context.Context, c *ent.Client, rp *ent.RiskPoint, measures []MeasureInput, now time.Time) error {
	if len(measures) == 0 {
		return nil
	}
	creates := make([]*ent.ControlMeasureCreate, len(measures))
	for i, m := range measures {
		creates[i] = c.ControlMeasure.Create().SetTenantID(rp.TenantID).SetRiskPointID(rp.ID).
			SetDescription(m.Description).SetResponsiblePost(m.ResponsiblePost).SetFrequency(m.Frequency).
			SetNextDue(NextDue(now, m.Frequency)).
			SetScopePath(rp.ScopePath).SetNillableScopeSector(rp.ScopeSector).SetNillableScopeEnterpriseID(rp.ScopeEnterpriseID)
	}
	if err := c.ControlMeasure.CreateBulk(creates...).Exec(authz.SystemContext(ctx)); err != nil {
		return fmt.Errorf("write control measures: %w", err)
	}
	return nil
}

// addGrading appends rp's grading as it now stands (from the level before,
// nil for the first) to its history.
func addGrading(ctx context.Context, c *ent.Client, rp *ent.RiskPoint, from *domain.RiskLevel, a actor, reason string, now time.Time) error {
	err := c.RiskGrading.Create().SetTenantID(rp.TenantID).SetRiskPointID(rp.ID).SetNillableFromLevel(from).
		SetToLevel(rp.Level).SetLikelihood(rp.Likelihood).SetSeverity(rp.Severity).SetScore(rp.Score).
		SetGradedBy(a.name).SetNillableGradedByUserID(a.userID).SetNillableGradedByPostID(a.postID).
		SetReason(reason).SetGradedAt(now).
		SetScopePath(rp.ScopePath).SetNillableScopeSector(rp.ScopeSector).SetNillableScopeEnterpriseID(rp.ScopeEnterpriseID).
		Exec(authz.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("write grading: %w", err)
	}
	return nil
}
