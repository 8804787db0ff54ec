package graph

import (
	"context"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/notice"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/notices"
)

// newDeliveredLoader loads notices by id as the system: it serves
// NoticeReceipt.notice and the coverage rows only, whose receipts the
// caller has read (a recipient reads a notice through its receipt).
func newDeliveredLoader(client *ent.Client) mappedLoader[int, *ent.Notice] {
	return newMappedLoader(func(ctx context.Context, ids []int) (map[int]*ent.Notice, error) {
		ns, err := client.Notice.Query().Where(notice.IDIn(ids...)).All(authz.SystemContext(ctx))
		if err != nil {
			return nil, err
		}
		out := make(map[int]*ent.Notice, len(ns))
		for _, n := range ns {
			out[n.ID] = n
		}
		return out, nil
	})
}

// newRecipientCountsLoader counts, by notice id, the receipts the caller
// reads: one grouped statement per page, asked only for the notices whose
// stored count the caller is not certain to read whole
// (notices.RecipientsReadAll).
func newRecipientCountsLoader(client *ent.Client) mappedLoader[int, int] {
	return newMappedLoader(func(ctx context.Context, ids []int) (map[int]int, error) {
		return zeroFilled(ids)(notices.CountReceipts(ctx, client, ids))
	})
}

// recipientCount is how many receipts of n the caller reads: n's stored
// count when it certainly reads them all, else its readable receipts
// counted with those of the page. A recipient reading a notice through its
// receipt (NoticeReceipt.notice) counts only the receipts it reads.
func (r *Resolver) recipientCount(ctx context.Context, n *ent.Notice) (int, error) {
	if notices.RecipientsReadAll(ctx, n) {
		return n.RecipientCount, nil
	}
	return loadersFrom(ctx, r.Client).recipientCounts.Load(ctx, n.ID)
}

// receiptStatus is where receipt r stands at now.
func receiptStatus(r *ent.NoticeReceipt, now time.Time) domain.ReceiptStatus {
	switch {
	case r.ReceivedAt != nil:
		return domain.ReceiptReceived
	case r.DueAt.Before(now):
		return domain.ReceiptOverdue
	}
	return domain.ReceiptPending
}

// coverageInput converts noticeCoverage's arguments.
func coverageInput(where *model.NoticeCoverageWhereInput, orderBy *model.NoticeCoverageOrder, first *int, after *ent.Cursor, last *int, before *ent.Cursor) notices.CoverageInput {
	in := notices.CoverageInput{First: derefOr(first, 50), After: coverageCursorValue(after), Last: last,
		Before: coverageCursorValue(before), Order: notices.ByNotice}
	if orderBy != nil && orderBy.Field == model.NoticeCoverageOrderFieldOverdue {
		in.Order = notices.ByOverdue
	}
	if where != nil {
		in.NoticeID, in.IssuerUnitID, in.Year, in.TownID = where.NoticeID, where.IssuerUnitID, where.Year, where.TownID
		in.Kinds, in.RecipientKinds = where.Kinds, where.RecipientKinds
		in.OnlyOutstanding = derefOr(where.Outstanding, false)
	}
	return in
}

// coverageConnection converts a coverage page.
func coverageConnection(c *notices.Coverage) *model.NoticeCoverageConnection {
	out := &model.NoticeCoverageConnection{TotalCount: c.TotalCount, Summary: &c.Total,
		PageInfo: &ent.PageInfo{HasNextPage: c.HasNextPage, HasPreviousPage: c.HasPreviousPage}, Edges: []*model.NoticeCoverageEdge{}}
	if c.EndCursor != "" {
		out.PageInfo.StartCursor, out.PageInfo.EndCursor = coverageCursor(c.StartCursor), coverageCursor(c.EndCursor)
	}
	for i := range c.Rows {
		out.Edges = append(out.Edges, &model.NoticeCoverageEdge{Cursor: *coverageCursor(c.Rows[i].Cursor), Node: &c.Rows[i]})
	}
	return out
}

// receiptAllowed lists what the caller may do with receipt rc now, by the
// decisions receiveNotice and replyToNotice take (notices.MayReceive,
// notices.MayReply), on data the request's loaders batch.
func (r *Resolver) receiptAllowed(ctx context.Context, rc *ent.NoticeReceipt) ([]model.NoticeReceiptAction, error) {
	if signedIn(ctx) == nil {
		return []model.NoticeReceiptAction{}, nil
	}
	ld := loadersFrom(ctx, r.Client)
	o, err := ld.object(ctx, "notice", rc.TenantID, rc.ScopePath, rc.ScopeSector, rc.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	if rc.IssuerScopePath != nil {
		o.IssuerPath = *rc.IssuerScopePath
	}
	u, err := ld.loadUnit(ctx, rc.RecipientUnitID)
	if err != nil {
		return nil, err
	}
	receive, reply := errUnreadable, errUnreadable
	if u != nil {
		receive, reply = notices.MayReceive(ctx, rc, o, u), notices.MayReply(ctx, rc, o, u)
	}
	return when(decided(model.NoticeReceiptActionReceive, receive), decided(model.NoticeReceiptActionReply, reply)), nil
}
