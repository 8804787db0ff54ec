package notices

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/notice"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// IssueInput is a notice to issue.
type IssueInput struct {
	IssuerUnitID     int
	DocumentNumber   string
	Kind             domain.NoticeKind
	Title            string
	Body             string
	IssuedOn         time.Time
	ReceiptDue       time.Time
	ReplyDue         *time.Time
	RecipientUnitIDs []int
}

func (in *IssueInput) validate() error {
	in.DocumentNumber, in.Title, in.Body = strings.TrimSpace(in.DocumentNumber), strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	for _, err := range []error{
		checkText("documentNumber", in.DocumentNumber, MaxNumber, true),
		checkText("title", in.Title, MaxTitle, true),
		checkText("body", in.Body, MaxBody, false),
		checkDate("issuedOn", in.IssuedOn),
		checkDate("receiptDue", in.ReceiptDue),
	} {
		if err != nil {
			return err
		}
	}
	if in.ReceiptDue.Before(in.IssuedOn) {
		return apperr.Invalid("receiptDue", "the receipt due date is not before the issue date")
	}
	if in.ReplyDue != nil {
		if err := checkDate("replyDue", *in.ReplyDue); err != nil {
			return err
		}
		if in.ReplyDue.Before(in.IssuedOn) {
			return apperr.Invalid("replyDue", "the reply due date is not before the issue date")
		}
	}
	switch n := len(in.RecipientUnitIDs); {
	case n == 0:
		return apperr.Invalid("recipientUnitIDs", "a notice goes to at least one unit")
	case n > MaxRecipients:
		return kernel.Invalidf("recipientUnitIDs", "a notice goes to at most %d units", MaxRecipients)
	}
	seen := map[int]bool{}
	for _, id := range in.RecipientUnitIDs {
		if seen[id] {
			return apperr.Invalid("recipientUnitIDs", "a unit is named twice")
		}
		seen[id] = true
	}
	return nil
}

// Issue issues a notice from a government unit where the caller holds a
// post that may, to units below it (or, from a department, to enterprises
// it supervises): the notice and one receipt per recipient, in one
// transaction. A document number already used by the issuing unit is
// refused.
func (s *Service) Issue(ctx context.Context, in IssueInput) (*ent.Notice, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Notice, error) {
		issuer, err := kernel.Unit(ctx, c, in.IssuerUnitID, "issuerUnitID")
		if err != nil {
			return nil, err
		}
		o, err := authz.ObjectAt(ctx, c, "notice", issuer.TenantID, issuer.ScopePath, issuer.ScopeSector, issuer.ScopeEnterpriseID)
		if err != nil {
			return nil, err
		}
		o.IssuerPath = issuer.ScopePath
		if _, err := authz.ActFor(ctx, o, "create", authz.PlaceOf(issuer), issuer.Name, true, "issuerUnitID"); err != nil {
			return nil, err
		}
		sys := authz.SystemContext(ctx)
		taken, err := c.Notice.Query().Where(notice.IssuerUnitID(issuer.ID), notice.DocumentNumber(in.DocumentNumber)).Exist(sys)
		if err != nil {
			return nil, fmt.Errorf("look up document number: %w", err)
		}
		if taken {
			return nil, kernel.Invalidf("documentNumber", "%s already issued a notice numbered %s", issuer.Name, in.DocumentNumber)
		}
		recipients, towns, err := s.recipients(ctx, c, issuer, in.RecipientUnitIDs)
		if err != nil {
			return nil, err
		}
		create := c.Notice.Create().SetIssuerUnitID(issuer.ID).SetDocumentNumber(in.DocumentNumber).SetKind(in.Kind).
			SetTitle(in.Title).SetBody(in.Body).SetYear(in.IssuedOn.UTC().Year()).SetIssuedOn(in.IssuedOn).
			SetReceiptDue(in.ReceiptDue).SetNillableReplyDue(in.ReplyDue).SetRecipientCount(len(recipients))
		n, err := create.Save(ctx)
		if ent.IsConstraintError(err) {
			return nil, kernel.Invalidf("documentNumber", "%s already issued a notice numbered %s", issuer.Name, in.DocumentNumber)
		}
		if err != nil {
			return nil, err
		}
		if err := CreateReceipts(ctx, c, n, recipients, towns); err != nil {
			return nil, err
		}
		return c.Notice.Get(ctx, n.ID)
	})
}

// CreateReceipts writes one unsigned receipt of notice n per recipient,
// through the scope hooks (the seed writes them as the system). towns maps
// a recipient to its town.
func CreateReceipts(ctx context.Context, c *ent.Client, n *ent.Notice, recipients []*ent.Unit, towns map[int]int) error {
	creates := make([]*ent.NoticeReceiptCreate, len(recipients))
	for i, u := range recipients {
		cr := c.NoticeReceipt.Create().SetTenantID(n.TenantID).SetNoticeID(n.ID).SetIssuerUnitID(n.IssuerUnitID).SetRecipientUnitID(u.ID).
			SetRecipientName(u.Name).SetRecipientKind(u.Kind).SetDueAt(n.ReceiptDue)
		if t, ok := towns[u.ID]; ok {
			cr.SetTownID(t)
		}
		creates[i] = cr
	}
	if err := c.NoticeReceipt.CreateBulk(creates...).Exec(ctx); err != nil {
		return fmt.Errorf("write receipts: %w", err)
	}
	return nil
}

// recipients loads the recipient units through the caller's scope, in
// input order, and the town of each (itself for a town, the enterprise's
// town for an enterprise-side unit). Each lies strictly below the issuer,
// or is an enterprise-side unit of an enterprise the issuing department
// supervises.
func (s *Service) recipients(ctx context.Context, c *ent.Client, issuer *ent.Unit, ids []int) ([]*ent.Unit, map[int]int, error) {
	us, err := c.Unit.Query().Where(unit.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load recipients: %w", err)
	}
	byID := map[int]*ent.Unit{}
	for _, u := range us {
		byID[u.ID] = u
	}
	out := make([]*ent.Unit, 0, len(ids))
	var entIDs []int
	for _, id := range ids {
		u := byID[id]
		if u == nil {
			return nil, nil, kernel.NotFound(&ent.NotFoundError{}, "unit", "recipientUnitIDs")
		}
		out = append(out, u)
		if u.ScopeEnterpriseID != nil {
			entIDs = append(entIDs, *u.ScopeEnterpriseID)
		}
	}
	sys := authz.SystemContext(ctx)
	supervised := map[int]bool{}
	if issuer.Kind == domain.KindDepartment && len(entIDs) > 0 {
		sup, err := c.Supervision.Query().Where(supervision.DepartmentID(issuer.ID), supervision.EnterpriseIDIn(entIDs...)).
			Select(supervision.FieldEnterpriseID).Ints(sys)
		if err != nil {
			return nil, nil, fmt.Errorf("load supervision: %w", err)
		}
		for _, id := range sup {
			supervised[id] = true
		}
	}
	towns := map[int]int{}
	if len(entIDs) > 0 {
		slices.Sort(entIDs)
		profiles, err := c.Enterprise.Query().Where(enterprise.UnitIDIn(slices.Compact(entIDs)...)).
			Select(enterprise.FieldUnitID, enterprise.FieldTownID).All(sys)
		if err != nil {
			return nil, nil, fmt.Errorf("load enterprises: %w", err)
		}
		townOf := map[int]int{}
		for _, p := range profiles {
			if p.TownID != nil {
				townOf[p.UnitID] = *p.TownID
			}
		}
		for _, u := range out {
			if u.ScopeEnterpriseID != nil {
				if t, ok := townOf[*u.ScopeEnterpriseID]; ok {
					towns[u.ID] = t
				}
			}
		}
	}
	for _, u := range out {
		if u.Kind == domain.KindTown {
			towns[u.ID] = u.ID
		}
		below := u.ID != issuer.ID && strings.HasPrefix(u.ScopePath, issuer.ScopePath)
		if !below && !(u.ScopeEnterpriseID != nil && supervised[*u.ScopeEnterpriseID]) {
			return nil, nil, kernel.Invalidf("recipientUnitIDs", "%s is neither below %s nor an enterprise it supervises", u.Name, issuer.Name)
		}
	}
	return out, towns, nil
}
