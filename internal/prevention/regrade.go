package prevention

import (
	"context"
	"fmt"
	"slices"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/controlmeasure"
	"github.com/dutychain/dutychain/ent/riskpoint"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Regrade grades a risk point again and appends the grading to its
// history. It is decided from the level the caller saw (in.FromLevel): when
// the point no longer has it, or another grading commits first, CONFLICT
// and nothing is written.
func (s *Service) Regrade(ctx context.Context, in RegradeInput) (*ent.RiskPoint, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now)
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.RiskPoint, error) {
		rp, err := kernel.Load(ctx, c.RiskPoint.Get, in.RiskPointID, "risk point", "riskPointID")
		if err != nil {
			return nil, err
		}
		o, err := objectOf(ctx, c, rp)
		if err != nil {
			return nil, err
		}
		g, err := MayGrade(ctx, o)
		if err != nil {
			return nil, err
		}
		if rp.Level != in.FromLevel {
			return nil, kernel.Changed("risk point's level", string(rp.Level))
		}
		a, err := actorOf(ctx, c, g)
		if err != nil {
			return nil, err
		}
		score, level := Grade(in.Likelihood, in.Severity)
		err = kernel.Claim("risk point's level", func() (int, error) {
			return kernel.Affected(c.RiskPoint.UpdateOneID(rp.ID).
				Where(riskpoint.LevelEQ(rp.Level), riskpoint.Likelihood(rp.Likelihood), riskpoint.Severity(rp.Severity)).
				SetLikelihood(in.Likelihood).SetSeverity(in.Severity).SetScore(score).SetLevel(level).SetGradedAt(now).
				Exec(authz.WithAction(ctx, "grade")))
		}, func() (string, error) {
			cur, err := c.RiskPoint.Get(authz.SystemContext(ctx), rp.ID)
			if err != nil {
				return "", err
			}
			return string(cur.Level), nil
		})
		if err != nil {
			return nil, err
		}
		from := rp.Level
		rp.Likelihood, rp.Severity, rp.Score, rp.Level = in.Likelihood, in.Severity, score, level
		if err := addGrading(ctx, c, rp, &from, a, in.Reason, now); err != nil {
			return nil, err
		}
		return c.RiskPoint.Get(ctx, rp.ID)
	})
}

// RecordCheck records a check of a control measure now: its last check and
// next due date move on, and so does its risk point's earliest due date.
// Conditional on the last check the caller's decision read: of two checks
// at once, one wins and the other is a CONFLICT.
func (s *Service) RecordCheck(ctx context.Context, measureID int) (*ent.ControlMeasure, *ent.RiskPoint, error) {
	now := kernel.Now(s.Now)
	var rp *ent.RiskPoint
	m, err := kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.ControlMeasure, error) {
		m, err := kernel.Load(ctx, c.ControlMeasure.Get, measureID, "control measure", "controlMeasureID")
		if err != nil {
			return nil, err
		}
		if rp, err = c.RiskPoint.Get(ctx, m.RiskPointID); err != nil {
			return nil, kernel.NotFound(err, "control measure", "controlMeasureID")
		}
		o, err := objectOf(ctx, c, rp)
		if err != nil {
			return nil, err
		}
		g, err := MayCheck(ctx, o)
		if err != nil {
			return nil, err
		}
		a, err := actorOf(ctx, c, g)
		if err != nil {
			return nil, err
		}
		sys := authz.SystemContext(ctx)
		err = kernel.Claim("control measure", func() (int, error) {
			u := c.ControlMeasure.UpdateOneID(m.ID).Where(controlmeasure.NextDue(m.NextDue)).
				SetLastCheckedAt(now).SetLastCheckedBy(a.name).SetNextDue(NextDue(now, m.Frequency))
			return kernel.Affected(u.Exec(sys))
		}, func() (string, error) { return "checked by someone else", nil })
		if err != nil {
			return nil, err
		}
		if rp, err = s.moveDue(ctx, c, rp); err != nil {
			return nil, err
		}
		return c.ControlMeasure.Get(ctx, m.ID)
	})
	return m, rp, err
}

// moveDue sets rp's earliest due date from its measures as they now stand.
func (s *Service) moveDue(ctx context.Context, c *ent.Client, rp *ent.RiskPoint) (*ent.RiskPoint, error) {
	ms, err := c.ControlMeasure.Query().Where(controlmeasure.RiskPointID(rp.ID)).All(authz.SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("load due dates: %w", err)
	}
	if len(ms) == 0 {
		return rp, nil
	}
	first := slices.MinFunc(ms, func(a, b *ent.ControlMeasure) int { return a.NextDue.Compare(b.NextDue) }).NextDue
	if rp.NextCheckDue != nil && rp.NextCheckDue.Equal(first) {
		return rp, nil
	}
	if err := c.RiskPoint.UpdateOneID(rp.ID).SetNextCheckDue(first).Exec(authz.WithAction(ctx, "check")); err != nil {
		return nil, fmt.Errorf("move the risk point's due date: %w", err)
	}
	return c.RiskPoint.Get(ctx, rp.ID)
}
