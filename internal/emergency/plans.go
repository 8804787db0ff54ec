package emergency

import (
	"context"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/emergencyplan"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Approval is what approving a plan records: the day the principal approved
// it, the next review (default and at most ReviewYears later) and the
// filing (备案) with a government department, if done.
type Approval struct {
	ApprovedOn  time.Time
	ReviewDue   *time.Time
	FiledWithID *int
	FiledOn     *time.Time
}

// check adds the approval's problems (fields under "approval.") and
// defaults the review.
func (a *Approval) check(p *kernel.Problems) {
	var q kernel.Problems
	a.checkFields(&q)
	p.Add(prefixed("approval.", q.Err()))
}

func (a *Approval) checkFields(p *kernel.Problems) {
	checkDate(p, "approvedOn", a.ApprovedOn)
	latest := a.ApprovedOn.AddDate(ReviewYears, 0, 0)
	if a.ReviewDue == nil {
		a.ReviewDue = &latest
	} else if !p.Check(!a.ReviewDue.After(a.ApprovedOn), "reviewDue", "the review falls due after the approval") {
		p.Check(a.ReviewDue.After(latest), "reviewDue", "a plan is reviewed at most %d years after its approval (by %s)", ReviewYears, latest.Format(time.DateOnly))
	}
	p.Check((a.FiledWithID == nil) != (a.FiledOn == nil), "filedOn", "a filing (备案) names both the department and the day")
	if a.FiledOn != nil {
		checkDate(p, "filedOn", *a.FiledOn)
		p.Check(a.FiledOn.Before(a.ApprovedOn), "filedOn", "a plan is filed after it was approved")
	}
}

// PlanInput is a plan (a new version of its series) to record.
type PlanInput struct {
	UnitID  int
	Kind    domain.EmergencyPlanKind
	Topic   *domain.EmergencyPlanTopic
	Title   string
	Version string
	// Approval, when given, makes the plan EFFECTIVE at once (superseding
	// the series' effective version); without it the plan is a DRAFT.
	Approval *Approval
}

func (in *PlanInput) validate() error {
	var p kernel.Problems
	clean(&p, "title", &in.Title, MaxName, true)
	clean(&p, "version", &in.Version, MaxName, true)
	p.Check(emergencyplan.KindValidator(in.Kind) != nil, "kind", "unknown kind %q", in.Kind)
	if in.Kind == domain.PlanSpecial {
		p.Check(in.Topic == nil, "topic", "a SPECIAL plan names its topic")
	} else {
		p.Check(in.Topic != nil, "topic", "only a SPECIAL plan has a topic")
	}
	if in.Approval != nil {
		in.Approval.check(&p)
	}
	return p.Err()
}

// Series is the key of a unit's plans of one kind and topic.
func Series(kind domain.EmergencyPlanKind, topic *domain.EmergencyPlanTopic) string {
	if topic == nil {
		return string(kind)
	}
	return string(kind) + ":" + string(*topic)
}

// CreatePlan records a plan of a unit in its name (a post there that may
// create plans; with an approval, one that may approve them): a DRAFT, or
// with an approval the EFFECTIVE version superseding the series' current
// one, in one transaction.
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (*ent.EmergencyPlan, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.EmergencyPlan, error) {
		u, err := kernel.Unit(ctx, c, in.UnitID, "unitID")
		if err != nil {
			return nil, err
		}
		act := "create"
		if in.Approval != nil {
			act = "approve"
		}
		if _, err := actAt(ctx, c, "emergency_plan", act, u, "unitID"); err != nil {
			return nil, err
		}
		create := c.EmergencyPlan.Create().SetUnitID(u.ID).SetKind(in.Kind).SetNillableTopic(in.Topic).
			SetSeries(Series(in.Kind, in.Topic)).SetTitle(in.Title).SetVersion(in.Version)
		if in.Approval == nil {
			p, err := create.Save(ctx)
			if err != nil {
				return nil, err
			}
			return c.EmergencyPlan.Get(ctx, p.ID)
		}
		if err := checkFiling(ctx, c, in.Approval); err != nil {
			return nil, err
		}
		old, err := supersede(ctx, c, u.ID, Series(in.Kind, in.Topic), in.Approval.ApprovedOn)
		if err != nil {
			return nil, err
		}
		p, err := approve(create, in.Approval).SetNillableSupersedesID(old).SetState(domain.PlanEffective).Save(ctx)
		if err != nil {
			return nil, conflictOnDuplicate(err)
		}
		return c.EmergencyPlan.Get(ctx, p.ID)
	})
}

// approve sets the facts of an approval on a plan's create or update.
func approve[M interface {
	SetApprovedOn(time.Time) M
	SetNillableReviewDue(*time.Time) M
	SetNillableFiledWithID(*int) M
	SetNillableFiledOn(*time.Time) M
}](m M, a *Approval) M {
	return m.SetApprovedOn(a.ApprovedOn).SetNillableReviewDue(a.ReviewDue).SetNillableFiledWithID(a.FiledWithID).SetNillableFiledOn(a.FiledOn)
}

// ApprovePlan approves a DRAFT plan in its unit's name: it becomes the
// EFFECTIVE version of its series and supersedes the current one, in one
// transaction, each step conditional on the state it was decided from.
func (s *Service) ApprovePlan(ctx context.Context, planID int, a Approval) (*ent.EmergencyPlan, error) {
	var p kernel.Problems
	a.check(&p)
	if err := p.Err(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.EmergencyPlan, error) {
		plan, err := kernel.Load(ctx, c.EmergencyPlan.Get, planID, "emergency plan", "planID")
		if err != nil {
			return nil, err
		}
		u, o, err := placeOf(ctx, c, plan)
		if err != nil {
			return nil, err
		}
		if err := MayApprove(ctx, plan, o, u); err != nil {
			return nil, err
		}
		if err := checkFiling(ctx, c, &a); err != nil {
			return nil, err
		}
		old, err := supersede(ctx, c, plan.UnitID, plan.Series, a.ApprovedOn)
		if err != nil {
			return nil, err
		}
		upd := approve(c.EmergencyPlan.UpdateOneID(plan.ID).Where(emergencyplan.StateEQ(domain.PlanDraft)), &a).
			SetNillableSupersedesID(old).SetState(domain.PlanEffective)
		err = kernel.Claim("emergency plan", func() (int, error) {
			return kernel.Affected(conflictOnDuplicate(upd.Exec(authz.WithAction(ctx, "approve"))))
		}, func() (string, error) {
			now, err := c.EmergencyPlan.Get(authz.SystemContext(ctx), plan.ID)
			if err != nil {
				return "", err
			}
			return string(now.State), nil
		})
		if err != nil {
			return nil, err
		}
		return c.EmergencyPlan.Get(ctx, plan.ID)
	})
}

// MayApprove decides approving plan (of unit u, o its decision object)
// for the caller: a DRAFT, approved in u's name. allowedActions asks it too.
func MayApprove(ctx context.Context, plan *ent.EmergencyPlan, o authz.Object, u *ent.Unit) error {
	if plan.State != domain.PlanDraft {
		return kernel.Invalidf("planID", "only a DRAFT is approved; this plan is %s", plan.State)
	}
	_, err := actIn(ctx, o, "approve", u, "planID")
	return err
}

// MayRevise decides recording the reviewed version of plan (of unit u, o
// its decision object) for the caller: an EFFECTIVE plan, and a post at u
// that may create plans, as createEmergencyPlan decides a DRAFT there.
// RevisePlan and allowedActions (REVISE) ask it.
func MayRevise(ctx context.Context, plan *ent.EmergencyPlan, o authz.Object, u *ent.Unit) error {
	if plan.State != domain.PlanEffective {
		return kernel.Invalidf("planID", "only the EFFECTIVE version is reviewed; this plan is %s", plan.State)
	}
	_, err := actIn(ctx, o, "create", u, "planID")
	return err
}

// RevisePlan records the reviewed version (修订) of an EFFECTIVE plan as a
// DRAFT of its series, in its unit's name. The plan reviewed stays in
// effect until the draft is approved; should another version supersede it
// meanwhile, the draft still belongs to the series and its approval
// supersedes whichever version is then in effect.
func (s *Service) RevisePlan(ctx context.Context, planID int, title *string, version string) (*ent.EmergencyPlan, error) {
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.EmergencyPlan, error) {
		plan, err := kernel.Load(ctx, c.EmergencyPlan.Get, planID, "emergency plan", "planID")
		if err != nil {
			return nil, err
		}
		in := PlanInput{UnitID: plan.UnitID, Kind: plan.Kind, Topic: plan.Topic, Title: plan.Title, Version: version}
		if title != nil {
			in.Title = *title
		}
		if err := in.validate(); err != nil {
			return nil, err
		}
		u, o, err := placeOf(ctx, c, plan)
		if err != nil {
			return nil, err
		}
		if err := MayRevise(ctx, plan, o, u); err != nil {
			return nil, err
		}
		if in.Version == plan.Version {
			return nil, kernel.Invalidf("version", "the reviewed version needs a new version name; %s is the plan's own", plan.Version)
		}
		p, err := c.EmergencyPlan.Create().SetUnitID(u.ID).SetKind(in.Kind).SetNillableTopic(in.Topic).
			SetSeries(plan.Series).SetTitle(in.Title).SetVersion(in.Version).Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.EmergencyPlan.Get(ctx, p.ID)
	})
}

// checkFiling checks that a plan is filed with a government department.
func checkFiling(ctx context.Context, c *ent.Client, a *Approval) error {
	if a.FiledWithID == nil {
		return nil
	}
	d, err := kernel.Unit(ctx, c, *a.FiledWithID, "approval.filedWithID")
	if err != nil {
		return err
	}
	if d.Kind != domain.KindDepartment {
		return kernel.Invalidf("approval.filedWithID", "a plan is filed (备案) with a government department; %s is not one", d.Name)
	}
	return nil
}

// supersede marks the EFFECTIVE version of a unit's series SUPERSEDED for a
// version approved on approvedOn, conditional on it still being EFFECTIVE
// (a concurrent approval that superseded it first wins: CONFLICT), and
// returns its id (nil when the series had none).
func supersede(ctx context.Context, c *ent.Client, unitID int, series string, approvedOn time.Time) (*int, error) {
	old, err := c.EmergencyPlan.Query().Where(emergencyplan.UnitID(unitID), emergencyplan.Series(series),
		emergencyplan.StateEQ(domain.PlanEffective)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, kernel.NotFound(err, "emergency plan", "")
	}
	if old.ApprovedOn != nil && !approvedOn.After(*old.ApprovedOn) {
		return nil, kernel.Invalidf("approval.approvedOn", "a new version is approved after the one it supersedes (%s, approved %s)",
			old.Version, old.ApprovedOn.Format(time.DateOnly))
	}
	err = kernel.Claim("emergency plan", func() (int, error) {
		return kernel.Affected(c.EmergencyPlan.UpdateOneID(old.ID).Where(emergencyplan.StateEQ(domain.PlanEffective)).
			SetState(domain.PlanSuperseded).Exec(authz.WithAction(ctx, "approve")))
	}, func() (string, error) {
		now, err := c.EmergencyPlan.Get(authz.SystemContext(ctx), old.ID)
		if err != nil {
			return "", err
		}
		return "version " + now.Version + " " + string(now.State), nil
	})
	if err != nil {
		return nil, err
	}
	return &old.ID, nil
}

// Status is where plan p stands on day on: SUPERSEDED or DRAFT by its
// state; an EFFECTIVE plan OVERDUE past its review, REVIEW_DUE_90 when the
// review falls due within ReviewWarningDays, CURRENT otherwise.
func Status(p *ent.EmergencyPlan, on time.Time) domain.EmergencyPlanStatus {
	switch {
	case p.State == domain.PlanSuperseded:
		return domain.PlanStatusSuperseded
	case p.State == domain.PlanDraft:
		return domain.PlanStatusDraft
	case p.ReviewDue == nil || p.ReviewDue.Before(on):
		return domain.PlanStatusOverdue
	case p.ReviewDue.Before(on.AddDate(0, 0, ReviewWarningDays)):
		return domain.PlanStatusReviewDue
	}
	return domain.PlanStatusCurrent
}

// AttachToPlan stores an uploaded file (the plan's text, its filing
// receipt) and attaches it to a plan, in its unit's name.
func (s *Service) AttachToPlan(ctx context.Context, planID int, up files.Upload, desc string) (*ent.File, error) {
	desc, err := description(desc)
	if err != nil {
		return nil, err
	}
	up.Description = desc
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.File, error) {
		p, err := kernel.Load(ctx, c.EmergencyPlan.Get, planID, "emergency plan", "planID")
		if err != nil {
			return nil, err
		}
		u, err := unitOf(ctx, c, p.UnitID)
		if err != nil {
			return nil, err
		}
		return s.attach(ctx, c, "emergency_plan", u, files.Owner{ID: p.ID, Tenant: p.TenantID, Path: p.ScopePath,
			Sector: p.ScopeSector, EnterpriseID: p.ScopeEnterpriseID}, "planID", up)
	})
}

// MayAttach decides attaching a file to a record (o its decision object)
// of unit u. allowedActions asks it.
func MayAttach(ctx context.Context, o authz.Object, u *ent.Unit) error {
	_, err := actIn(ctx, o, "attach", u, "id")
	return err
}

// placeOf loads what a decision on plan reads: its unit and its decision
// object.
func placeOf(ctx context.Context, c *ent.Client, plan *ent.EmergencyPlan) (*ent.Unit, authz.Object, error) {
	u, err := unitOf(ctx, c, plan.UnitID)
	if err != nil {
		return nil, authz.Object{}, err
	}
	o, err := authz.ObjectAt(ctx, c, "emergency_plan", plan.TenantID, plan.ScopePath, plan.ScopeSector, plan.ScopeEnterpriseID)
	if err != nil {
		return nil, authz.Object{}, err
	}
	return u, o, nil
}
