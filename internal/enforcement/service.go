// Package enforcement records enforcement actions (执法): an enforcement
// department orders an enterprise-side unit to rectify within a deadline
// (责令限期整改), penalises it (行政处罚) or seizes (查封扣押), from an
// inspection of it and about the hazards it found. The department then
// finds the action complied with or overdue, and closes it (machine.go).
// Every write validates, decides through authz.EnforcementAct (a post at
// the issuing department itself) and runs in one transaction. See
// docs/DOMAIN.md.
package enforcement

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enforcementaction"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Limits, in characters, yuan and items.
const (
	MaxCode    = 100
	MaxText    = 2000
	MaxAmount  = 100_000_000
	MaxHazards = 50
)

// Service performs the enforcement action mutations.
type Service struct {
	Client *ent.Client
	Now    func() time.Time
}

// IssueInput is an enforcement action to issue.
type IssueInput struct {
	IssuerUnitID   int
	InspectionID   int
	Kind           domain.EnforcementKind
	DocumentNumber string
	IssuedOn       time.Time
	Deadline       *time.Time
	Findings       string
	Amount         *int
	LegalBasis     string
	HazardIDs      []int
}

// TransitionInput is a step on an enforcement action.
type TransitionInput struct {
	EnforcementActionID int
	Step                domain.EnforcementStep
	Note                string
}

// clean trims s and records a problem when it is longer than max characters
// or, when required, empty.
func clean(p *kernel.Problems, field string, s *string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	if !p.Check(required && *s == "", field, "must not be empty") {
		p.Check(utf8.RuneCountInString(*s) > max, field, "must be at most %d characters", max)
	}
}

func (in *IssueInput) validate(now time.Time) error {
	var p kernel.Problems
	clean(&p, "documentNumber", &in.DocumentNumber, MaxCode, true)
	clean(&p, "findings", &in.Findings, MaxText, true)
	clean(&p, "legalBasis", &in.LegalBasis, MaxText, false)
	p.Check(!slices.Contains(in.Kind.Values(), string(in.Kind)), "kind", "unknown kind %q", in.Kind)
	p.Check(in.IssuedOn.IsZero(), "issuedOn", "must be set")
	p.Check(in.IssuedOn.After(now), "issuedOn", "must not be in the future")
	switch in.Kind {
	case domain.RectificationOrder:
		p.Check(in.Deadline == nil, "deadline", "a rectification order needs a deadline")
	case domain.AdministrativePenalty:
		p.Check(in.Amount == nil, "amount", "an administrative penalty needs an amount")
		p.Check(in.LegalBasis == "", "legalBasis", "an administrative penalty needs its legal basis")
	}
	if in.Amount != nil {
		p.Check(in.Kind != domain.AdministrativePenalty, "amount", "only an administrative penalty has an amount")
		p.Check(*in.Amount < 1 || *in.Amount > MaxAmount, "amount", "must be between 1 and %d yuan", MaxAmount)
	}
	p.Check(in.Deadline != nil && !in.Deadline.After(in.IssuedOn), "deadline", "must be after issuedOn")
	p.Check(len(in.HazardIDs) > MaxHazards, "hazardIDs", "an action concerns at most %d hazards", MaxHazards)
	seen := map[int]bool{}
	for _, id := range in.HazardIDs {
		p.Check(seen[id], "hazardIDs", "a hazard is named twice")
		seen[id] = true
	}
	return p.Err()
}

func (in *TransitionInput) validate() error {
	var p kernel.Problems
	clean(&p, "note", &in.Note, MaxText, false)
	p.Check(!slices.Contains(in.Step.Values(), string(in.Step)), "action", "unknown step %q", in.Step)
	return p.Err()
}

// Issue records an enforcement action of department in.IssuerUnitID
// against the target of inspection in.InspectionID (a government
// inspection that was done), about hazards of that target, in one
// transaction. A document number the department already used that year is
// BAD_USER_INPUT on documentNumber.
func (s *Service) Issue(ctx context.Context, in IssueInput) (*ent.EnforcementAction, error) {
	now := kernel.Now(s.Now)
	if err := in.validate(now); err != nil {
		return nil, err
	}
	year := in.IssuedOn.UTC().Year()
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.EnforcementAction, error) {
		issuer, err := kernel.Unit(ctx, c, in.IssuerUnitID, "issuerUnitID")
		if err != nil {
			return nil, err
		}
		target, err := inspectedTarget(ctx, c, in.InspectionID)
		if err != nil {
			return nil, err
		}
		o, err := authz.ObjectAt(ctx, c, "enforcement", target.TenantID, target.ScopePath, target.ScopeSector, target.ScopeEnterpriseID)
		if err != nil {
			return nil, err
		}
		grants, err := authz.EnforcementAct(ctx, o, "create", authz.PlaceOf(issuer), issuer.Name, "issuerUnitID")
		if err != nil {
			return nil, err
		}
		hazards, err := checkHazards(ctx, c, target, in.HazardIDs)
		if err != nil {
			return nil, err
		}
		sys := authz.SystemContext(ctx)
		taken, err := c.EnforcementAction.Query().Where(enforcementaction.IssuerUnitID(issuer.ID),
			enforcementaction.Year(year), enforcementaction.DocumentNumber(in.DocumentNumber)).Exist(sys)
		if err != nil {
			return nil, fmt.Errorf("look up document number: %w", err)
		}
		duplicate := kernel.Invalidf("documentNumber", "%s already issued an action numbered %s in %d", issuer.Name, in.DocumentNumber, year)
		if taken {
			return nil, duplicate
		}
		by, err := actorName(ctx, c, grants)
		if err != nil {
			return nil, err
		}
		a, err := c.EnforcementAction.Create().SetIssuerUnitID(issuer.ID).SetTargetUnitID(target.ID).
			SetInspectionID(in.InspectionID).SetKind(in.Kind).SetDocumentNumber(in.DocumentNumber).SetYear(year).
			SetIssuedOn(in.IssuedOn).SetNillableDeadline(in.Deadline).SetFindings(in.Findings).
			SetNillableAmount(in.Amount).SetLegalBasis(in.LegalBasis).SetIssuedBy(by).Save(ctx)
		if ent.IsConstraintError(err) {
			return nil, duplicate
		}
		if err != nil {
			return nil, err
		}
		if err := linkHazards(ctx, c, a, hazards); err != nil {
			return nil, err
		}
		return c.EnforcementAction.Get(ctx, a.ID)
	})
}

// inspectedTarget loads inspection id through the caller's scope and
// returns its target: a government inspection that was done, of an
// enterprise-side unit.
func inspectedTarget(ctx context.Context, c *ent.Client, id int) (*ent.Unit, error) {
	insp, err := kernel.Load(ctx, c.Inspection.Get, id, "inspection", "inspectionID")
	if err != nil {
		return nil, err
	}
	switch {
	case insp.Type == inspection.TypeSELF_CHECK:
		return nil, kernel.Invalidf("inspectionID", "a self-check is the enterprise's own: enforcement comes from a government inspection")
	case insp.Status != inspection.StatusDONE:
		return nil, kernel.Invalidf("inspectionID", "the inspection is still planned: record its results first")
	}
	target, err := kernel.Unit(ctx, c, insp.TargetID, "inspectionID")
	if err != nil {
		return nil, err
	}
	if target.Kind.IsGovernment() {
		return nil, kernel.Invalidf("inspectionID", "the inspection is of %s, a government unit: enforcement is against enterprises", target.Name)
	}
	return target, nil
}

// checkHazards loads each hazard through the caller's scope: each must be
// of target's enterprise.
func checkHazards(ctx context.Context, c *ent.Client, target *ent.Unit, ids []int) ([]*ent.Hazard, error) {
	out := make([]*ent.Hazard, 0, len(ids))
	for _, id := range ids {
		h, err := kernel.Load(ctx, c.Hazard.Get, id, "hazard", "hazardIDs")
		if err != nil {
			return nil, err
		}
		if h.ScopeEnterpriseID == nil || target.ScopeEnterpriseID == nil || *h.ScopeEnterpriseID != *target.ScopeEnterpriseID {
			return nil, kernel.Invalidf("hazardIDs", "hazard %d is not of %s, the inspected enterprise", id, target.Name)
		}
		out = append(out, h)
	}
	return out, nil
}

// NewHazardLink starts the link of enforcement action actionID to hazard h,
// with the hazard's tenant and scope columns and no issuer side: a link
// names its hazard, so it is read exactly where the hazard is, not where
// the action is (an action against a workshop may concern a hazard of the
// whole enterprise, which the workshop's posts do not read; the issuing
// department reads its action from the issuer side, not every hazard it
// names). Saved as the system, after the caller's own decision.
func NewHazardLink(c *ent.Client, actionID int, h *ent.Hazard) *ent.EnforcementHazardCreate {
	return c.EnforcementHazard.Create().SetTenantID(h.TenantID).SetScopePath(h.ScopePath).
		SetNillableScopeSector(h.ScopeSector).SetNillableScopeEnterpriseID(h.ScopeEnterpriseID).
		SetEnforcementActionID(actionID).SetHazardID(h.ID)
}

// linkHazards records the hazards action a concerns, each link with its
// hazard's scope columns (NewHazardLink).
func linkHazards(ctx context.Context, c *ent.Client, a *ent.EnforcementAction, hazards []*ent.Hazard) error {
	if len(hazards) == 0 {
		return nil
	}
	creates := make([]*ent.EnforcementHazardCreate, len(hazards))
	for i, h := range hazards {
		creates[i] = NewHazardLink(c, a.ID, h)
	}
	if err := c.EnforcementHazard.CreateBulk(creates...).Exec(authz.SystemContext(ctx)); err != nil {
		return fmt.Errorf("link hazards: %w", err)
	}
	return nil
}

// Transition takes step in.Step on an enforcement action in the name of
// its issuing department. It is conditional on the state it was decided
// from: of two steps at once one wins, the other is a CONFLICT and writes
// nothing.
func (s *Service) Transition(ctx context.Context, in TransitionInput) (*ent.EnforcementAction, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now)
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.EnforcementAction, error) {
		a, err := kernel.Load(ctx, c.EnforcementAction.Get, in.EnforcementActionID, "enforcement action", "enforcementActionID")
		if err != nil {
			return nil, err
		}
		o, issuer, err := Decision(ctx, c, a)
		if err != nil {
			return nil, err
		}
		if err := MayStep(ctx, o, issuer); err != nil {
			return nil, err
		}
		to, err := Next(a.State, in.Step, a.Deadline, now)
		if err != nil {
			return nil, err
		}
		err = kernel.Claim("enforcement action's state", func() (int, error) {
			return kernel.Affected(c.EnforcementAction.UpdateOneID(a.ID).Where(enforcementaction.StateEQ(a.State)).
				SetState(to).SetStateChangedAt(now).SetStateNote(in.Note).Exec(authz.WithAction(ctx, "update")))
		}, func() (string, error) {
			cur, err := c.EnforcementAction.Get(authz.SystemContext(ctx), a.ID)
			if err != nil {
				return "", err
			}
			return string(cur.State), nil
		})
		if err != nil {
			return nil, err
		}
		return c.EnforcementAction.Get(ctx, a.ID)
	})
}

// actorName is the display name of the holder of the first of grants
// (none: the system).
func actorName(ctx context.Context, c *ent.Client, grants []authz.Grant) (string, error) {
	if len(grants) == 0 {
		return "系统", nil
	}
	p, err := c.Post.Query().Where(post.ID(grants[0].PostID)).WithUser().Only(authz.SystemContext(ctx))
	if err != nil {
		return "", fmt.Errorf("load post %d: %w", grants[0].PostID, err)
	}
	if p.Edges.User == nil {
		return "", fmt.Errorf("post %d has no user", p.ID)
	}
	return p.Edges.User.DisplayName, nil
}
