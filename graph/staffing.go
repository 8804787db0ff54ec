package graph

import (
	"context"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/dutylist"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/staffing"
)

// newDutyListLoader loads the duty list of posts by post id (at most one each).
func newDutyListLoader(client *ent.Client) childLoader[*ent.DutyList] {
	return newChildLoader(func(ctx context.Context, ids []int) ([]*ent.DutyList, error) {
		return client.DutyList.Query().Where(dutylist.PostIDIn(ids...)).All(ctx)
	}, func(d *ent.DutyList) int { return d.PostID })
}

// requestNow is the caller's request time (the wall clock without one).
func requestNow(ctx context.Context) time.Time {
	if v := authz.FromContext(ctx); v != nil && !v.Now.IsZero() {
		return v.Now
	}
	return time.Now()
}

// staffingPage converts the paging arguments of a staffing view.
func staffingPage(first *int, after *ent.Cursor, last *int, before *ent.Cursor) staffing.Page {
	return staffing.Page{First: derefOr(first, 50), After: coverageCursorValue(after), Last: last, Before: coverageCursorValue(before)}
}

// staffingPageInfo converts a staffing view's page information.
func staffingPageInfo(pi staffing.PageInfo) *ent.PageInfo {
	out := &ent.PageInfo{HasNextPage: pi.HasNextPage, HasPreviousPage: pi.HasPreviousPage}
	if pi.EndCursor != "" {
		out.StartCursor, out.EndCursor = coverageCursor(pi.StartCursor), coverageCursor(pi.EndCursor)
	}
	return out
}

// certificateStatusInput converts certificateStatus's filters and order.
func certificateStatusInput(where *model.CertificateStatusWhereInput, orderBy *model.CertificateStatusOrder, page staffing.Page) staffing.StatusInput {
	in := staffing.StatusInput{Order: staffing.ByName, Page: page}
	if orderBy != nil {
		in.Order = staffing.StatusOrder(orderBy.Field)
	}
	if where != nil {
		in.TownID, in.EnterpriseID, in.Sectors = where.TownID, where.EnterpriseID, where.Sectors
		in.WithGaps = derefOr(where.WithGaps, false)
	}
	return in
}

// certificateStatusConnection converts a certificate status page.
func certificateStatusConnection(p *staffing.StatusPage) *model.CertificateStatusConnection {
	out := &model.CertificateStatusConnection{TotalCount: p.TotalCount, Summary: &p.Summary,
		PageInfo: staffingPageInfo(p.PageInfo), Edges: []*model.CertificateStatusEdge{}}
	for i := range p.Rows {
		out.Edges = append(out.Edges, &model.CertificateStatusEdge{Cursor: *coverageCursor(p.Rows[i].Cursor), Node: &p.Rows[i]})
	}
	return out
}

// dutyListGapInput converts dutyListGaps's filters and order.
func dutyListGapInput(where *model.DutyListGapWhereInput, orderBy *model.DutyListGapOrder, page staffing.Page) staffing.GapInput {
	in := staffing.GapInput{Order: staffing.ByUnit, Page: page}
	if orderBy != nil {
		in.Order = staffing.GapOrder(orderBy.Field)
	}
	if where != nil {
		in.UnitID, in.Reasons, in.Roles = where.UnitID, where.Reasons, where.Roles
	}
	return in
}

// dutyListGapConnection converts a gap page.
func dutyListGapConnection(p *staffing.GapPage) *model.DutyListGapConnection {
	out := &model.DutyListGapConnection{TotalCount: p.TotalCount, PageInfo: staffingPageInfo(p.PageInfo), Edges: []*model.DutyListGapEdge{}}
	for i := range p.Rows {
		out.Edges = append(out.Edges, &model.DutyListGapEdge{Cursor: *coverageCursor(p.Rows[i].Cursor), Node: &p.Rows[i]})
	}
	return out
}

func (r *Resolver) certificateAllowed(ctx context.Context, c *ent.Certificate) ([]domain.CertificateAction, error) {
	if signedIn(ctx) == nil {
		return []domain.CertificateAction{}, nil
	}
	o, err := loadersFrom(ctx, r.Client).object(ctx, "certificate", c.TenantID, c.ScopePath, c.ScopeSector, c.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	return staffing.CertificateAllowed(ctx, o), nil
}

func (r *Resolver) dutyListAllowed(ctx context.Context, d *ent.DutyList) ([]domain.DutyListAction, error) {
	if signedIn(ctx) == nil {
		return []domain.DutyListAction{}, nil
	}
	ld := loadersFrom(ctx, r.Client)
	o, err := ld.object(ctx, "duty_list", d.TenantID, d.ScopePath, d.ScopeSector, d.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	p, err := ld.loadPost(ctx, d.PostID)
	if err != nil {
		return nil, err
	}
	return staffing.DutyListAllowed(ctx, o, d, p, requestNow(ctx)), nil
}
