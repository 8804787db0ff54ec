package emergency

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/drill"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/hazards"
	"github.com/dutychain/dutychain/internal/kernel"
)

// HazardOf is how a drill's problem is recorded as a hazard of the drill's
// unit (its description is the problem's).
type HazardOf struct {
	Level             domain.HazardLevel
	Category          string
	Location          string
	Requirement       string
	Deadline          time.Time
	ResponsiblePerson string
}

// ProblemInput is one problem a drill found, recorded as a hazard when
// Hazard is given.
type ProblemInput struct {
	Description string
	Hazard      *HazardOf
}

// DrillInput is a drill to record.
type DrillInput struct {
	// PlanID is the plan drilled; the drill is its unit's.
	PlanID       int
	HeldOn       time.Time
	Form         domain.DrillForm
	Participants int
	Scenario     string
	Evaluation   string
	Problems     []ProblemInput
}

func (in *DrillInput) validate(now time.Time) error {
	var p kernel.Problems
	clean(&p, "scenario", &in.Scenario, MaxText, true)
	clean(&p, "evaluation", &in.Evaluation, MaxText, false)
	p.Check(drill.FormValidator(in.Form) != nil, "form", "unknown form %q", in.Form)
	checkDate(&p, "heldOn", in.HeldOn)
	p.Check(in.HeldOn.After(now.Add(24*time.Hour)), "heldOn", "a drill is recorded after it was held")
	p.Check(in.Participants < 1 || in.Participants > MaxParticipants, "participants", "must be between 1 and %d", MaxParticipants)
	p.Check(len(in.Problems) > MaxProblems, "problems", "at most %d problems", MaxProblems)
	for i := range in.Problems {
		pr := &in.Problems[i]
		clean(&p, fmt.Sprintf("problems[%d].description", i), &pr.Description, MaxText, true)
		if pr.Hazard != nil {
			p.Add(prefixed(fmt.Sprintf("problems[%d].hazard.", i), pr.newHazard(0).Validate(now)))
		}
	}
	return p.Err()
}

// newHazard is the hazard problem pr records at unit subject: a SELF_CHECK,
// the enterprise's own finding.
func (pr ProblemInput) newHazard(subject int) hazards.NewHazard {
	h := pr.Hazard
	return hazards.NewHazard{SubjectID: subject, Source: domain.SourceSelfCheck, Level: h.Level, Category: h.Category,
		Location: h.Location, Description: pr.Description, Requirement: h.Requirement, Deadline: h.Deadline,
		ResponsiblePerson: h.ResponsiblePerson}
}

// prefixed puts prefix before the field of every input problem of err.
func prefixed(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err
	}
	var out []error
	for _, e := range apperr.ProblemsOf(err) {
		c := *e
		if c.Field != "" {
			c.Field = prefix + c.Field
		}
		out = append(out, &c)
	}
	return apperr.Join(out...)
}

// RecordDrill records a drill held on an approved plan, in the plan unit's
// name (a post there that may), with its problems; those to be recorded
// as hazards go through the hazards service in the same transaction, so a
// bad problem writes nothing at all.
func (s *Service) RecordDrill(ctx context.Context, in DrillInput) (*ent.Drill, error) {
	v, err := kernel.Viewer(ctx)
	if err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now)
	if err := in.validate(now); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Drill, error) {
		plan, err := kernel.Load(ctx, c.EmergencyPlan.Get, in.PlanID, "emergency plan", "planID")
		if err != nil {
			return nil, err
		}
		held, err := unitOf(ctx, c, plan.UnitID)
		if err != nil {
			return nil, err
		}
		o, err := authz.ObjectAt(ctx, c, "drill", held.TenantID, held.ScopePath, held.ScopeSector, held.ScopeEnterpriseID)
		if err != nil {
			return nil, err
		}
		if err := MayRecordDrill(ctx, plan, o, held); err != nil {
			return nil, err
		}
		if in.HeldOn.Before(*plan.ApprovedOn) {
			return nil, kernel.Invalidf("heldOn", "the drill lies before its plan was approved (%s)", plan.ApprovedOn.Format(time.DateOnly))
		}
		problems := make([]domain.DrillProblem, len(in.Problems))
		for i, pr := range in.Problems {
			problems[i].Description = pr.Description
			if pr.Hazard == nil {
				continue
			}
			if held.Kind.IsGovernment() {
				return nil, kernel.Invalidf(fmt.Sprintf("problems[%d].hazard", i), "a hazard is a finding at an enterprise; %s is a government unit", held.Name)
			}
			h, err := hazards.Report(ctx, c, v, pr.newHazard(held.ID), now)
			if err != nil {
				return nil, prefixed(fmt.Sprintf("problems[%d].hazard.", i), err)
			}
			problems[i].HazardID = &h.ID
		}
		d, err := c.Drill.Create().SetPlanID(plan.ID).SetUnitID(held.ID).SetPlanKind(plan.Kind).SetHeldOn(in.HeldOn).
			SetForm(in.Form).SetParticipants(in.Participants).SetScenario(in.Scenario).SetEvaluation(in.Evaluation).
			SetProblems(problems).Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Drill.Get(ctx, d.ID)
	})
}

// MayRecordDrill decides recording a drill on plan (of unit u, o the
// decision object of a drill of u) for the caller: an approved plan, and a
// post at u that may create drills. RecordDrill and allowedActions
// (RECORD_DRILL) ask it.
func MayRecordDrill(ctx context.Context, plan *ent.EmergencyPlan, o authz.Object, u *ent.Unit) error {
	if plan.ApprovedOn == nil {
		return kernel.Invalidf("planID", "a drill is held on an approved plan; this one is a %s", plan.State)
	}
	_, err := actIn(ctx, o, "create", u, "planID")
	return err
}

// AttachToDrill stores an uploaded file (photos, the evaluation report)
// and attaches it to a drill, in its plan unit's name.
func (s *Service) AttachToDrill(ctx context.Context, drillID int, up files.Upload, desc string) (*ent.File, error) {
	desc, err := description(desc)
	if err != nil {
		return nil, err
	}
	up.Description = desc
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.File, error) {
		d, err := kernel.Load(ctx, c.Drill.Get, drillID, "drill", "drillID")
		if err != nil {
			return nil, err
		}
		u, err := unitOf(ctx, c, d.UnitID)
		if err != nil {
			return nil, err
		}
		return s.attach(ctx, c, "drill", u, files.Owner{ID: d.ID, Tenant: d.TenantID, Path: d.ScopePath,
			Sector: d.ScopeSector, EnterpriseID: d.ScopeEnterpriseID}, "drillID", up)
	})
}
