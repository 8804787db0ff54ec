package notices

import (
	"context"
	stdsql "database/sql"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/notice"
	"github.com/dutychain/dutychain/ent/noticereceipt"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// CoverageOrder orders the coverage rows.
type CoverageOrder string

// Coverage orders.
const (
	// ByNotice: newest notice first, then recipient kind and town.
	ByNotice CoverageOrder = "NOTICE"
	// ByOverdue: most overdue receipts first, then as ByNotice.
	ByOverdue CoverageOrder = "OVERDUE"
)

// CoverageInput is what noticeCoverage accepts; every filter is optional.
type CoverageInput struct {
	NoticeID       *int
	IssuerUnitID   *int
	Year           *int
	Kinds          []domain.NoticeKind
	RecipientKinds []domain.UnitKind
	TownID         *int
	// OnlyOutstanding keeps the groups with a receipt not signed for.
	OnlyOutstanding bool
	Order           CoverageOrder
	// First rows after After; or, when Last is set, the Last rows before
	// Before (before the end without Before).
	First  int
	After  string
	Last   *int
	Before string
}

// Counts are the receipts of a group: Pending are not signed for and not
// due yet, Overdue not signed for after their due date.
type Counts struct {
	Total, Received, Pending, Overdue int
}

// CoverageRow is one notice's receipts of one recipient kind in one town
// (no town: departments and the county's own units).
type CoverageRow struct {
	Notice        *ent.Notice
	RecipientKind domain.UnitKind
	Town          *ent.Unit
	Counts
	Cursor string
}

// Coverage answers noticeCoverage.
type Coverage struct {
	Rows            []CoverageRow
	TotalCount      int
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     string
	EndCursor       string
	// Total counts every receipt matching the filters.
	Total Counts
}

const cursorPrefix = "ncov:"

func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

func decodeCursor(c, field string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && strings.HasPrefix(string(b), cursorPrefix) {
		if n, err := strconv.Atoi(string(b[len(cursorPrefix):])); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, apperr.Invalid(field, "malformed cursor")
}

// filtered is the receipts the caller may read, narrowed by in.
func (s *Service) filtered(v *authz.Viewer, in CoverageInput) *sql.Selector {
	d := sql.Dialect(s.Dialect)
	r := d.Select().From(sql.Table(noticereceipt.Table))
	v.Predicate("notice", "read")(r)
	if in.NoticeID != nil {
		r.Where(sql.EQ(r.C(noticereceipt.FieldNoticeID), *in.NoticeID))
	}
	if in.IssuerUnitID != nil {
		r.Where(sql.EQ(r.C(noticereceipt.FieldIssuerUnitID), *in.IssuerUnitID))
	}
	if in.TownID != nil {
		r.Where(sql.EQ(r.C(noticereceipt.FieldTownID), *in.TownID))
	}
	if len(in.RecipientKinds) > 0 {
		kinds := make([]any, len(in.RecipientKinds))
		for i, k := range in.RecipientKinds {
			kinds[i] = string(k)
		}
		r.Where(sql.In(r.C(noticereceipt.FieldRecipientKind), kinds...))
	}
	if in.Year != nil || len(in.Kinds) > 0 {
		// Facts of the notice: its id is all the subquery yields, the
		// receipts' own scope decides what is read.
		n := d.Select(notice.FieldID).From(sql.Table(notice.Table))
		if in.Year != nil {
			n.Where(sql.EQ(notice.FieldYear, *in.Year))
		}
		if len(in.Kinds) > 0 {
			kinds := make([]any, len(in.Kinds))
			for i, k := range in.Kinds {
				kinds[i] = string(k)
			}
			n.Where(sql.In(notice.FieldKind, kinds...))
		}
		r.Where(sql.In(r.C(noticereceipt.FieldNoticeID), n))
	}
	return r
}

// sums selects the group's counts: total, received, overdue.
func sums(r *sql.Selector, now time.Time) []string {
	received := fmt.Sprintf("SUM(CASE WHEN %s IS NOT NULL THEN 1 ELSE 0 END)", r.C(noticereceipt.FieldReceivedAt))
	overdue := sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("SUM(CASE WHEN ").Ident(r.C(noticereceipt.FieldReceivedAt)).WriteString(" IS NULL AND ").
			Ident(r.C(noticereceipt.FieldDueAt)).WriteString(" < ").Arg(now).WriteString(" THEN 1 ELSE 0 END)")
	})
	r.AppendSelectExprAs(sql.Raw("COUNT(*)"), "total").AppendSelectExprAs(sql.Raw(received), "received").
		AppendSelectExprAs(overdue, "overdue")
	return []string{"total", "received", "overdue"}
}

// Coverage answers the receipt coverage with four SQL statements whatever
// the number of notices and recipients: the totals (1), the page of groups
// with their number (1), then the notices (1) and towns (1) it shows.
func (s *Service) Coverage(ctx context.Context, in CoverageInput) (*Coverage, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	if in.First < 0 || in.First > 500 {
		return nil, apperr.Invalid("first", "first must be between 0 and 500")
	}
	if in.Last != nil && (*in.Last < 0 || *in.Last > 500) {
		return nil, apperr.Invalid("last", "last must be between 0 and 500")
	}
	// A cursor is its row's position from 1: after c starts at offset c,
	// before c ends at offset c-1 (-1: the end).
	offset, end := 0, -1
	if in.After != "" {
		var err error
		if offset, err = decodeCursor(in.After, "after"); err != nil {
			return nil, err
		}
	}
	if in.Before != "" {
		b, err := decodeCursor(in.Before, "before")
		if err != nil {
			return nil, err
		}
		end = max(b-1, 0)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if s.Now != nil {
		now = s.Now().UTC().Truncate(time.Microsecond)
	}
	out := &Coverage{}

	tot := s.filtered(v, in)
	sums(tot, now)
	if in.OnlyOutstanding {
		tot.Where(sql.IsNull(tot.C(noticereceipt.FieldReceivedAt)))
	}
	q, args := tot.Query()
	err := s.scan(ctx, q, args, func(rows *stdsql.Rows) error {
		var total, received, overdue stdsql.NullInt64
		if err := rows.Scan(&total, &received, &overdue); err != nil {
			return err
		}
		out.Total = counts(total.Int64, received.Int64, overdue.Int64)
		return nil
	})
	if err != nil {
		return nil, err
	}

	page := s.filtered(v, in)
	page.Select(page.C(noticereceipt.FieldNoticeID), page.C(noticereceipt.FieldRecipientKind), page.C(noticereceipt.FieldTownID))
	sums(page, now)
	page.AppendSelectExprAs(sql.Raw("COUNT(*) OVER ()"), "groups").
		GroupBy(page.C(noticereceipt.FieldNoticeID), page.C(noticereceipt.FieldRecipientKind), page.C(noticereceipt.FieldTownID))
	if in.OnlyOutstanding {
		page.Having(sql.P(func(b *sql.Builder) {
			b.WriteString("SUM(CASE WHEN ").Ident(page.C(noticereceipt.FieldReceivedAt)).WriteString(" IS NULL THEN 1 ELSE 0 END) > 0")
		}))
	}
	if in.Order == ByOverdue {
		page.OrderExpr(sql.Raw("overdue DESC"))
	}
	// Departments and the county's own units have no town: 0 sorts them
	// first on both databases (NULLs sort differently).
	page.OrderBy(sql.Desc(page.C(noticereceipt.FieldNoticeID)), page.C(noticereceipt.FieldRecipientKind)).
		OrderExpr(sql.Expr("COALESCE(" + page.C(noticereceipt.FieldTownID) + ", 0)"))
	type group struct {
		notice, town          int
		kind                  string
		total, received, over int64
	}
	if in.Last != nil && end < 0 {
		// The last rows: where the end is needs the number of groups.
		if err := s.countGroups(ctx, page.Clone(), out); err != nil {
			return nil, err
		}
		end = out.TotalCount
	}
	limit := in.First
	if in.Last != nil {
		from := max(offset, end-*in.Last)
		offset, limit = from, end-from
	} else if end >= 0 {
		limit = min(limit, end-offset)
	}
	var groups []group
	counting := page.Clone() // before the page's limit
	if limit > 0 {
		page.Limit(limit).Offset(offset)
		q, args = page.Query()
		err = s.scan(ctx, q, args, func(rows *stdsql.Rows) error {
			var g group
			var town stdsql.NullInt64
			var n int
			if err := rows.Scan(&g.notice, &g.kind, &town, &g.total, &g.received, &g.over, &n); err != nil {
				return err
			}
			g.town, out.TotalCount = int(town.Int64), n
			groups = append(groups, g)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(groups) == 0 {
		// No row carried the window's count: count the groups alone.
		return out, s.countGroups(ctx, counting, out)
	}
	out.HasPreviousPage = offset > 0
	out.HasNextPage = offset+len(groups) < out.TotalCount
	var noticeIDs, townIDs []int
	for _, g := range groups {
		noticeIDs = append(noticeIDs, g.notice)
		if g.town != 0 {
			townIDs = append(townIDs, g.town)
		}
	}
	// The notices as delivered: the groups came from receipts the caller
	// reads, whose notices they read through them.
	ns, err := s.Client.Notice.Query().Where(notice.IDIn(noticeIDs...)).All(authz.SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("load notices: %w", err)
	}
	notices := map[int]*ent.Notice{}
	for _, n := range ns {
		notices[n.ID] = n
	}
	towns := map[int]*ent.Unit{}
	if len(townIDs) > 0 {
		us, err := s.Client.Unit.Query().Where(unit.IDIn(townIDs...)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load towns: %w", err)
		}
		for _, u := range us {
			towns[u.ID] = u
		}
	}
	for i, g := range groups {
		out.Rows = append(out.Rows, CoverageRow{Notice: notices[g.notice], RecipientKind: domain.UnitKind(g.kind),
			Town: towns[g.town], Counts: counts(g.total, g.received, g.over), Cursor: encodeCursor(offset + i + 1)})
	}
	out.StartCursor, out.EndCursor = out.Rows[0].Cursor, out.Rows[len(out.Rows)-1].Cursor
	return out, nil
}

// countGroups answers totalCount alone (first: 0).
func (s *Service) countGroups(ctx context.Context, page *sql.Selector, out *Coverage) error {
	d := sql.Dialect(s.Dialect)
	q, args := d.Select(sql.Count("*")).From(page.As("g")).Query()
	return s.scan(ctx, q, args, func(rows *stdsql.Rows) error { return rows.Scan(&out.TotalCount) })
}

func counts(total, received, overdue int64) Counts {
	return Counts{Total: int(total), Received: int(received), Overdue: int(overdue), Pending: int(total - received - overdue)}
}

// scan runs a query built above and calls fn for every row.
func (s *Service) scan(ctx context.Context, query string, args []any, fn func(*stdsql.Rows) error) error {
	rows, err := s.Client.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("notice coverage query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("notice coverage row: %w", err)
		}
	}
	return rows.Err()
}

// ReceivedPercent is Received in percent of Total, rounded to one decimal;
// 0 when Total is 0.
func (c Counts) ReceivedPercent() float64 {
	if c.Total == 0 {
		return 0
	}
	return math.Round(float64(c.Received)*1000/float64(c.Total)) / 10
}
