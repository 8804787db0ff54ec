package letters

import (
	"context"
	"fmt"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// BulkInput is what bulkIssueLetters accepts.
type BulkInput struct {
	Year         int
	IssuerUnitID int
	// Supervised selects the enterprises the issuing department supervises
	// rather than its children.
	Supervised bool
	Kinds      []domain.UnitKind
	Sectors    []domain.Sector
	Title      string
	Body       *string
	Targets    []Target
}

// BulkResult is what a bulk issue did.
type BulkResult struct {
	Created []*ent.ResponsibilityLetter
	Skipped []BulkSkip
}

// BulkSkip is a signee skipped by a bulk issue and its live letter.
type BulkSkip struct {
	Signee *ent.Unit
	Letter *ent.ResponsibilityLetter
}

// BulkIssue issues one letter from a template to every child of the issuer
// (or every enterprise the issuing department supervises) that has no live
// letter from it for the year, all in one transaction: either every letter
// is created and ISSUED, or nothing is written.
func (s *Service) BulkIssue(ctx context.Context, in BulkInput) (*BulkResult, error) {
	t, err := cleanText(in.Title, in.Body, in.Targets)
	if err != nil {
		return nil, err
	}
	if len(t.targets) == 0 {
		return nil, apperr.Invalid("targets", "the template needs at least one responsibility target")
	}
	now := kernel.Now(s.Now)
	if err := checkYear(in.Year, now); err != nil {
		return nil, err
	}
	res := &BulkResult{Created: []*ent.ResponsibilityLetter{}, Skipped: []BulkSkip{}}
	err = kernel.InTx(ctx, s.Client, func(tx *ent.Tx) error {
		c := tx.Client()
		issuer, err := kernel.Unit(ctx, c, in.IssuerUnitID, "issuerUnitID")
		if err != nil {
			return err
		}
		grants, err := mayIssueFrom(ctx, issuer)
		if err != nil {
			return err
		}
		signees, err := bulkSignees(ctx, c, issuer, in)
		if err != nil {
			return err
		}
		ids := make([]int, len(signees))
		for i, u := range signees {
			ids[i] = u.ID
		}
		existing, err := c.ResponsibilityLetter.Query().Where(responsibilityletter.Year(in.Year),
			responsibilityletter.IssuerUnitID(issuer.ID), responsibilityletter.SigneeUnitIDIn(ids...),
			responsibilityletter.Live(true)).All(ctx)
		if err != nil {
			return fmt.Errorf("list existing letters: %w", err)
		}
		have := map[int]*ent.ResponsibilityLetter{}
		for _, l := range existing {
			have[l.SigneeUnitID] = l
		}
		a, err := actorOf(ctx, c, grants[0])
		if err != nil {
			return err
		}
		issueCtx := authz.WithAction(ctx, policyOf(domain.LetterIssue))
		for _, u := range signees {
			if l, ok := have[u.ID]; ok {
				res.Skipped = append(res.Skipped, BulkSkip{Signee: u, Letter: l})
				continue
			}
			l, err := newLetter(c, in.Year, issuer, u, t, now).SetState(domain.LetterIssued).SetIssuedAt(now).Save(issueCtx)
			if err != nil {
				return err
			}
			draft := domain.LetterDraft
			l.State = draft
			if err := s.record(ctx, c, l, letterevent.ActionCREATED, nil, a, "bulk issue"); err != nil {
				return err
			}
			l.State = domain.LetterIssued
			if err := s.record(ctx, c, l, letterevent.ActionISSUED, &draft, a, "bulk issue"); err != nil {
				return err
			}
			res.Created = append(res.Created, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, l := range res.Created {
		res.Created[i] = l.Unwrap()
	}
	for i, sk := range res.Skipped {
		res.Skipped[i] = BulkSkip{Signee: sk.Signee.Unwrap(), Letter: sk.Letter.Unwrap()}
	}
	return res, nil
}

// mayIssueFrom decides the right to issue from issuer at all: a letter whose
// signee sits at the issuer's own place. Each letter is decided again by the
// hooks when it is written.
func mayIssueFrom(ctx context.Context, issuer *ent.Unit) ([]authz.Grant, error) {
	self := authz.Object{Type: "letter", Tenant: issuer.TenantID, Path: issuer.ScopePath, IssuerPath: issuer.ScopePath}
	if issuer.ScopeSector != nil {
		self.Sector = domain.Sector(*issuer.ScopeSector)
	}
	if issuer.ScopeEnterpriseID != nil {
		self.EnterpriseID = *issuer.ScopeEnterpriseID
	}
	grants, err := authz.CheckAt(ctx, self, policyOf(domain.LetterIssue), issuer.ID)
	if code := apperr.CodeOf(err); code == apperr.Forbidden || code == apperr.NotFound {
		return nil, apperr.Newf(apperr.Forbidden, "only the PARTY_SECRETARY, GOVERNMENT_HEAD or PRINCIPAL of %s may issue its letters", issuer.Name)
	}
	return grants, err
}

// bulkSignees are the units a bulk issue writes to, ordered by place.
func bulkSignees(ctx context.Context, c *ent.Client, issuer *ent.Unit, in BulkInput) ([]*ent.Unit, error) {
	q := c.Unit.Query()
	if in.Supervised {
		if issuer.Kind != domain.KindDepartment {
			return nil, apperr.Invalid("to", fmt.Sprintf("%s is a %s: only a DEPARTMENT supervises enterprises", issuer.Name, issuer.Kind))
		}
		ids, err := c.Supervision.Query().Where(supervision.DepartmentID(issuer.ID)).Select(supervision.FieldEnterpriseID).
			Ints(authz.SystemContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("list supervised enterprises: %w", err)
		}
		q.Where(unit.IDIn(ids...))
	} else {
		q.Where(unit.ParentID(issuer.ID))
	}
	if len(in.Kinds) > 0 {
		q.Where(unit.KindIn(in.Kinds...))
	}
	if len(in.Sectors) > 0 {
		q.Where(unit.Or(unit.SectorIsNil(), unit.SectorIn(in.Sectors...)))
	}
	// Read through the caller's scope: a signee they cannot see is not
	// offered (and would be refused by the hook).
	signees, err := q.Order(ent.Asc(unit.FieldScopePath)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list signees: %w", err)
	}
	return signees, nil
}
