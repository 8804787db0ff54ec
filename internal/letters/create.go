package letters

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// checkChain enforces the chain rule (层层签订): the signee is a direct child
// of the issuer, or an enterprise the issuing department supervises.
func checkChain(ctx context.Context, c *ent.Client, issuer, signee *ent.Unit) error {
	if signee.ParentID != nil && *signee.ParentID == issuer.ID {
		return nil
	}
	if issuer.Kind == domain.KindDepartment && signee.Kind == domain.KindEnterprise {
		ok, err := c.Supervision.Query().Where(supervision.DepartmentID(issuer.ID), supervision.EnterpriseID(signee.ID)).
			Exist(authz.SystemContext(ctx))
		if err != nil {
			return fmt.Errorf("look up supervision: %w", err)
		}
		if ok {
			return nil
		}
	}
	return apperr.Invalid("signeeUnitID", fmt.Sprintf("%s is neither a direct child of %s nor an enterprise it supervises: letters are signed level by level", signee.Name, issuer.Name))
}

// liveLetter returns the live (not REVOKED) letter of (year, issuer, signee),
// if any. It reads as the system: the caller acts at the issuer, whose side
// reads every letter the issuer wrote.
func liveLetter(ctx context.Context, c *ent.Client, year, issuerID, signeeID int) (*ent.ResponsibilityLetter, error) {
	l, err := c.ResponsibilityLetter.Query().Where(responsibilityletter.Year(year), responsibilityletter.IssuerUnitID(issuerID),
		responsibilityletter.SigneeUnitID(signeeID), responsibilityletter.Live(true)).Only(authz.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return l, err
}

func conflictWith(l *ent.ResponsibilityLetter) error {
	return &apperr.Error{Code: apperr.Conflict, Field: "signeeUnitID",
		Message: fmt.Sprintf("%s already has a %d letter from %s (%s); revoke it first to write another", l.SigneeName, l.Year, l.IssuerName, l.State)}
}

// CreateInput is what createLetter accepts.
type CreateInput struct {
	Year         int
	IssuerUnitID int
	SigneeUnitID int
	Title        string
	Body         *string
	Targets      []Target
}

// Create writes a DRAFT letter.
func (s *Service) Create(ctx context.Context, in CreateInput) (*ent.ResponsibilityLetter, error) {
	t, err := cleanText(in.Title, in.Body, in.Targets)
	now := kernel.Now(s.Now)
	if err := apperr.Join(checkYear(in.Year, now), err); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.ResponsibilityLetter, error) {
		issuer, err := kernel.Unit(ctx, c, in.IssuerUnitID, "issuerUnitID")
		if err != nil {
			return nil, err
		}
		signee, err := kernel.Unit(ctx, c, in.SigneeUnitID, "signeeUnitID")
		if err != nil {
			return nil, err
		}
		o, err := objectFor(ctx, c, issuer, signee)
		if err != nil {
			return nil, err
		}
		grants, err := authz.CheckAt(ctx, o, "create", issuer.ID)
		if code := apperr.CodeOf(err); code == apperr.Forbidden || code == apperr.NotFound {
			// Both units are visible, so the refusal is about rights.
			return nil, apperr.Newf(apperr.Forbidden, "only the PARTY_SECRETARY, GOVERNMENT_HEAD or PRINCIPAL of %s may write its letters", issuer.Name)
		}
		if err != nil {
			return nil, err
		}
		if err := checkChain(ctx, c, issuer, signee); err != nil {
			return nil, err
		}
		if live, err := liveLetter(ctx, c, in.Year, issuer.ID, signee.ID); err != nil {
			return nil, err
		} else if live != nil {
			return nil, conflictWith(live)
		}
		a, err := actorOf(ctx, c, grants[0])
		if err != nil {
			return nil, err
		}
		l, err := newLetter(c, in.Year, issuer, signee, t, now).SetState(domain.LetterDraft).SetIssuerOnly(true).Save(ctx)
		if ent.IsConstraintError(err) {
			// A concurrent create won the (year, issuer, signee) slot
			// between the check above and this insert.
			return nil, &apperr.Error{Code: apperr.Conflict, Field: "signeeUnitID", Err: err,
				Message: fmt.Sprintf("%s was given a %d letter from %s meanwhile; revoke it first to write another", signee.Name, in.Year, issuer.Name)}
		}
		if err != nil {
			return nil, err
		}
		if err := s.record(ctx, c, l, letterevent.ActionCREATED, nil, a, ""); err != nil {
			return nil, err
		}
		return c.ResponsibilityLetter.Get(ctx, l.ID)
	})
}

// newLetter is the builder of a live letter from issuer to signee.
func newLetter(c *ent.Client, year int, issuer, signee *ent.Unit, t text, now time.Time) *ent.ResponsibilityLetterCreate {
	return c.ResponsibilityLetter.Create().SetYear(year).SetIssuerUnitID(issuer.ID).SetSigneeUnitID(signee.ID).
		SetIssuerName(issuer.Name).SetSigneeName(signee.Name).SetSigneeKind(signee.Kind).
		SetTitle(t.title).SetBody(t.body).SetTargets(t.targets).SetLive(true).SetCreatedAt(now)
}
