package staffing

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"math"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/certificate"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// StatusOrder orders the certificate status rows.
type StatusOrder string

// Status orders; every order ends with the name and id of the enterprise.
const (
	ByName    StatusOrder = "NAME"
	ByMissing StatusOrder = "MISSING"
	ByExpired StatusOrder = "EXPIRED"
)

// StatusInput is what certificateStatus accepts; every filter is optional.
type StatusInput struct {
	TownID       *int
	EnterpriseID *int
	Sectors      []domain.Sector
	// WithGaps keeps the enterprises missing a required certificate or
	// holding an expired one.
	WithGaps bool
	Order    StatusOrder
	Page
}

// CertificateCounts counts certificates by status and the posts that
// require one (Requirements), Held of them by a holder with a valid
// certificate of the required kind.
type CertificateCounts struct {
	Valid, Expiring90, Expiring30, Expired int
	Required, Held, Missing                int
}

// HeldPercent is 持证率: Held in percent of Required, rounded to one
// decimal; 100 when nothing is required.
func (c CertificateCounts) HeldPercent() float64 {
	if c.Required == 0 {
		return 100
	}
	return math.Round(float64(c.Held)*1000/float64(c.Required)) / 10
}

// StatusRow is one enterprise's certificates.
type StatusRow struct {
	Enterprise *ent.Unit
	Counts     CertificateCounts
	Cursor     string
}

// StatusPage answers certificateStatus.
type StatusPage struct {
	Rows       []StatusRow
	TotalCount int
	PageInfo
	// Summary counts over every enterprise matching the filters.
	Summary CertificateCounts
}

// sumWhen is SUM(CASE WHEN <cond> THEN 1 ELSE 0 END) over a column
// compared with instants: from <= col (when from is set) and col < to
// (when to is set).
func sumWhen(col string, from, to *time.Time) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("SUM(CASE WHEN ")
		var conds []func()
		if from != nil {
			conds = append(conds, func() { b.WriteString(col).WriteString(" >= ").Arg(*from) })
		}
		if to != nil {
			conds = append(conds, func() { b.WriteString(col).WriteString(" < ").Arg(*to) })
		}
		for i, c := range conds {
			if i > 0 {
				b.WriteString(" AND ")
			}
			c()
		}
		b.WriteString(" THEN 1 ELSE 0 END)")
	})
}

// statusFrom is the enterprises the caller reads, narrowed by in, joined
// with their certificates counted by status (c) and their posts requiring
// one (r): a single statement's FROM and WHERE.
func (s *Service) statusFrom(v *authz.Viewer, in StatusInput, th Thresholds, now time.Time) *sql.Selector {
	d := sql.Dialect(s.Dialect)
	u := d.Select().From(sql.Table(unit.Table).As("u"))
	v.Predicate("unit", "read")(u)
	u.Where(sql.EQ(u.C(unit.FieldKind), string(domain.KindEnterprise)))
	if in.TownID != nil {
		u.Where(sql.EQ(u.C(unit.FieldParentID), *in.TownID))
	}
	if in.EnterpriseID != nil {
		u.Where(sql.EQ(u.C(unit.FieldID), *in.EnterpriseID))
	}
	if len(in.Sectors) > 0 {
		secs := make([]any, len(in.Sectors))
		for i, x := range in.Sectors {
			secs[i] = string(x)
		}
		u.Where(sql.In(u.C(unit.FieldScopeSector), secs...))
	}

	c := d.Select().From(sql.Table(certificate.Table).As("c"))
	v.Predicate("certificate", "read")(c)
	until := c.C(certificate.FieldValidUntil)
	c.Select(sql.As(c.C(certificate.FieldScopeEnterpriseID), "eid")).
		AppendSelectExprAs(sumWhen(until, &th.After90, nil), "valid").
		AppendSelectExprAs(sumWhen(until, &th.After30, &th.After90), "exp90").
		AppendSelectExprAs(sumWhen(until, &th.Today, &th.After30), "exp30").
		AppendSelectExprAs(sumWhen(until, nil, &th.Today), "expired").
		GroupBy(c.C(certificate.FieldScopeEnterpriseID))

	p := d.Select().From(sql.Table(post.Table).As("r"))
	role, holder, at := p.C(post.FieldRole), p.C(post.FieldUserID), p.C(post.FieldUnitID)
	var roles []any
	var matches []string
	for _, req := range Requirements {
		if req.UnitKind == domain.KindEnterprise {
			roles = append(roles, string(req.Role))
			matches = append(matches, fmt.Sprintf("(%s = '%s' AND h.kind = '%s')", role, req.Role, req.Kind))
		}
	}
	held := sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("SUM(CASE WHEN EXISTS (SELECT 1 FROM ").Ident(certificate.Table).WriteString(" h WHERE h.tenant_id = ").Arg(v.Tenant).
			WriteString(" AND h.user_id = ").WriteString(holder).WriteString(" AND h.scope_enterprise_id = ").WriteString(at).
			WriteString(" AND h.valid_until >= ").Arg(th.Today).
			WriteString(" AND (" + strings.Join(matches, " OR ") + ")) THEN 1 ELSE 0 END)")
	})
	p.Select(sql.As(at, "eid")).AppendSelectExprAs(sql.Raw("COUNT(*)"), "required").AppendSelectExprAs(held, "held").
		Where(sql.And(sql.In(role, roles...), sql.LTE(p.C(post.FieldValidFrom), now),
			sql.Or(sql.IsNull(p.C(post.FieldValidTo)), sql.GT(p.C(post.FieldValidTo), now)))).
		GroupBy(at)
	// Only the posts of the enterprises read above: a post carries its
	// unit's scope columns, so the unit read predicate on them keeps exactly
	// the posts of readable enterprises (and the tenant's only).
	v.Predicate("unit", "read")(p)
	if in.EnterpriseID != nil {
		p.Where(sql.EQ(at, *in.EnterpriseID))
	}

	cref, rref := d.Table("c"), d.Table("r")
	u.LeftJoin(c.As("c")).On(u.C(unit.FieldID), cref.C("eid")).
		LeftJoin(p.As("r")).On(u.C(unit.FieldID), rref.C("eid"))
	if in.WithGaps {
		u.Where(sql.ExprP(fmt.Sprintf("(COALESCE(%s, 0) > COALESCE(%s, 0) OR COALESCE(%s, 0) > 0)",
			rref.C("required"), rref.C("held"), cref.C("expired"))))
	}
	return u
}

// selectCounts appends the counts every statement selects, in
// CertificateCounts order, each wrapped in agg (SUM for the totals).
func selectCounts(d *sql.DialectBuilder, q *sql.Selector, agg string) {
	c, r := d.Table("c"), d.Table("r")
	for i, col := range []string{c.C("valid"), c.C("exp90"), c.C("exp30"), c.C("expired"), r.C("required"), r.C("held")} {
		q.AppendSelectExprAs(sql.Raw(fmt.Sprintf("%s(COALESCE(%s, 0))", agg, col)), fmt.Sprintf("n%d", i))
	}
}

// CertificateStatus answers the certificate status per enterprise with
// three SQL statements whatever the number of enterprises and
// certificates: the totals (1), the page (1), the page's enterprises (1).
func (s *Service) CertificateStatus(ctx context.Context, in StatusInput) (*StatusPage, error) {
	v, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now).Truncate(time.Microsecond)
	th := ThresholdsAt(now)
	d := sql.Dialect(s.Dialect)
	out := &StatusPage{}

	tot := s.statusFrom(v, in, th, now)
	tot.Select().AppendSelectExprAs(sql.Raw("COUNT(*)"), "enterprises")
	selectCounts(d, tot, "SUM")
	var counts [7]stdsql.NullInt64
	err = s.scan(ctx, tot, func(rows *stdsql.Rows) error {
		if err := rows.Scan(&counts[0], &counts[1], &counts[2], &counts[3], &counts[4], &counts[5], &counts[6]); err != nil {
			return err
		}
		out.TotalCount, out.Summary = int(counts[0].Int64), countsOf(counts[1:])
		return nil
	})
	if err != nil {
		return nil, err
	}
	offset, limit, err := in.window(out.TotalCount)
	if err != nil || limit == 0 {
		out.PageInfo = info(offset, 0, out.TotalCount)
		return out, err
	}

	page := s.statusFrom(v, in, th, now)
	page.Select(page.C(unit.FieldID))
	selectCounts(d, page, "")
	switch in.Order {
	case ByMissing:
		page.OrderExpr(sql.Expr(fmt.Sprintf("COALESCE(%s, 0) - COALESCE(%s, 0) DESC", d.Table("r").C("required"), d.Table("r").C("held"))))
	case ByExpired:
		page.OrderExpr(sql.Expr(fmt.Sprintf("COALESCE(%s, 0) DESC", d.Table("c").C("expired"))))
	}
	page.OrderBy(page.C(unit.FieldName), page.C(unit.FieldID)).Limit(limit).Offset(offset)
	type row struct {
		id     int
		counts CertificateCounts
	}
	var rows []row
	err = s.scan(ctx, page, func(rs *stdsql.Rows) error {
		var id int
		var n [6]stdsql.NullInt64
		if err := rs.Scan(&id, &n[0], &n[1], &n[2], &n[3], &n[4], &n[5]); err != nil {
			return err
		}
		rows = append(rows, row{id, countsOf(n[:])})
		return nil
	})
	if err != nil {
		return nil, err
	}
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	us, err := s.Client.Unit.Query().Where(unit.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load enterprises: %w", err)
	}
	byID := map[int]*ent.Unit{}
	for _, u := range us {
		byID[u.ID] = u
	}
	for i, r := range rows {
		out.Rows = append(out.Rows, StatusRow{Enterprise: byID[r.id], Counts: r.counts, Cursor: cursorAt(offset + i + 1)})
	}
	out.PageInfo = info(offset, len(rows), out.TotalCount)
	return out, nil
}

func countsOf(n []stdsql.NullInt64) CertificateCounts {
	c := CertificateCounts{Valid: int(n[0].Int64), Expiring90: int(n[1].Int64), Expiring30: int(n[2].Int64),
		Expired: int(n[3].Int64), Required: int(n[4].Int64), Held: int(n[5].Int64)}
	c.Missing = c.Required - c.Held
	return c
}

// scan runs a built query and calls fn for every row.
func (s *Service) scan(ctx context.Context, q *sql.Selector, fn func(*stdsql.Rows) error) error {
	query, args := q.Query()
	rows, err := s.Client.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("staffing view query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("staffing view row: %w", err)
		}
	}
	return rows.Err()
}
