package emergency

import (
	"context"
	stdsql "database/sql"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/drill"
	"github.com/dutychain/dutychain/ent/emergencyplan"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// Drills are an enterprise's drills of one year counted for the rule: on
// comprehensive or special plans in the year, on on-site plans in each
// half (January–June, July–December, UTC).
type Drills struct {
	PlanDrills, OnSiteFirstHalf, OnSiteSecondHalf int
}

// Assess is an enterprise's standing against the drill rule (生产安全事故应急
// 预案管理办法 第三十三条: a comprehensive or special drill at least once a
// year, an on-site drill at least once every half-year) and what it misses.
func Assess(d Drills) (domain.DrillComplianceStatus, []domain.DrillRequirement) {
	missing := []domain.DrillRequirement{}
	if d.PlanDrills == 0 {
		missing = append(missing, domain.RequireAnnualPlanDrill)
	}
	if d.OnSiteFirstHalf == 0 {
		missing = append(missing, domain.RequireOnSiteFirstHalf)
	}
	if d.OnSiteSecondHalf == 0 {
		missing = append(missing, domain.RequireOnSiteSecond)
	}
	switch {
	case len(missing) == 0:
		return domain.DrillCompliant, missing
	case d.PlanDrills+d.OnSiteFirstHalf+d.OnSiteSecondHalf == 0:
		return domain.DrillNone, missing
	}
	return domain.DrillBehind, missing
}

// HalfYears are the bounds of a year's halves: [start, mid) and [mid, end).
func HalfYears(year int) (start, mid, end time.Time) {
	return time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC), time.Date(year, time.July, 1, 0, 0, 0, 0, time.UTC),
		time.Date(year+1, time.January, 1, 0, 0, 0, 0, time.UTC)
}

// DrillPeriod is the period the drill rule counts at now: the year, or for
// on-site drills its half (UTC halves, as Compliance counts them).
func DrillPeriod(onSite bool, now time.Time) (start, end time.Time) {
	start, mid, end := HalfYears(now.UTC().Year())
	switch {
	case !onSite:
		return start, end
	case now.Before(mid):
		return start, mid
	}
	return mid, end
}

// ComplianceOrder orders the compliance rows.
type ComplianceOrder string

// Compliance orders.
const (
	ByName   ComplianceOrder = "NAME"
	ByStatus ComplianceOrder = "STATUS"
)

// ComplianceInput is what drillCompliance accepts.
type ComplianceInput struct {
	Year int
	// UnitID narrows to the enterprises below a unit (a town, the county).
	UnitID   *int
	Statuses []domain.DrillComplianceStatus
	TownID   *int
	Sectors  []domain.Sector
	// PlanGap keeps the enterprises with (true) or without (false) a plan
	// gap: no EFFECTIVE comprehensive plan, or a plan overdue for review.
	PlanGap *bool
	Order   ComplianceOrder
	Desc    bool
	First   int
	After   string
	Last    *int
	Before  string
}

// ComplianceRow is one enterprise's standing in the year.
type ComplianceRow struct {
	Enterprise *ent.Unit
	TownID     *int
	Sector     *domain.Sector
	Drills
	Status  domain.DrillComplianceStatus
	Missing []domain.DrillRequirement
	// HasComprehensivePlan: an EFFECTIVE comprehensive plan exists;
	// OverduePlans counts EFFECTIVE plans past their review at the end of
	// the year (now, for the running year).
	HasComprehensivePlan bool
	OverduePlans         int
	Cursor               string
	name                 string
	id                   int
}

// PlanGap reports whether the enterprise lacks an effective comprehensive
// plan or has a plan overdue for review.
func (r ComplianceRow) PlanGap() bool { return !r.HasComprehensivePlan || r.OverduePlans > 0 }

// Compliance is a page of drillCompliance.
type Compliance struct {
	Rows                         []ComplianceRow
	TotalCount                   int
	HasNextPage, HasPreviousPage bool
}

const complianceCursor = "dcmp:"

func encodeCursor(pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(complianceCursor + strconv.Itoa(pos)))
}

func decodeCursor(c, field string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && strings.HasPrefix(string(b), complianceCursor) {
		if n, err := strconv.Atoi(string(b[len(complianceCursor):])); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, apperr.Invalid(field, "malformed cursor")
}

// Compliance answers drillCompliance with two SQL statements whatever the
// number of enterprises and drills: the page of counts, filtered, ordered
// and cut in SQL (1), then the units of the page (1); an empty page costs
// one more, its total. Only the page's rows reach the server.
func (s *Service) Compliance(ctx context.Context, in ComplianceInput) (*Compliance, error) {
	v, err := complianceViewer(ctx, in)
	if err != nil {
		return nil, err
	}
	if in.First < 0 || in.First > 500 {
		return nil, apperr.Invalid("first", "first must be between 0 and 500")
	}
	if in.Last != nil && (*in.Last < 0 || *in.Last > 500) {
		return nil, apperr.Invalid("last", "last must be between 0 and 500")
	}
	var w window
	if in.After != "" {
		if w.after, err = decodeCursor(in.After, "after"); err != nil {
			return nil, err
		}
	}
	if in.Before != "" {
		if w.before, err = decodeCursor(in.Before, "before"); err != nil {
			return nil, err
		}
	}
	rootPath, err := s.rootPath(ctx, in)
	if err != nil {
		return nil, err
	}
	rows, total, err := s.pageOf(ctx, v, in, rootPath, w)
	if err != nil {
		return nil, err
	}
	from, to := w.bounds(in, total)
	return s.withUnits(ctx, rows, from, to, total)
}

// complianceViewer is the signed-in caller of a compliance view for a valid
// year.
func complianceViewer(ctx context.Context, in ComplianceInput) (*authz.Viewer, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	if in.Year < 2000 || in.Year > 2100 {
		return nil, apperr.Invalid("year", "year must be between 2000 and 2100")
	}
	return v, nil
}

// rootPath is the path of the unit the view is narrowed to ("" for none).
func (s *Service) rootPath(ctx context.Context, in ComplianceInput) (string, error) {
	if in.UnitID == nil {
		return "", nil
	}
	root, err := s.Client.Unit.Get(ctx, *in.UnitID)
	if err != nil {
		return "", apperr.NotFoundf("unit not found")
	}
	return root.ScopePath, nil
}

// ComplianceTotals are the numbers of enterprises of a compliance view:
// all of them, the COMPLIANT ones, and those without a plan gap.
type ComplianceTotals struct {
	All, Compliant, WithoutPlanGap int
}

// Totals counts the enterprises Compliance lists for in, its status and
// plan-gap filters left aside, in one statement: the dashboard's drill and
// plan indicators without three pages of the view.
func (s *Service) Totals(ctx context.Context, in ComplianceInput) (ComplianceTotals, error) {
	v, err := complianceViewer(ctx, in)
	if err != nil {
		return ComplianceTotals{}, err
	}
	rootPath, err := s.rootPath(ctx, in)
	if err != nil {
		return ComplianceTotals{}, err
	}
	in.Statuses, in.PlanGap = nil, nil
	q, args := sql.Dialect(s.Dialect).SelectExpr(
		sql.Raw("COUNT(*)"),
		sql.Raw("COALESCE(SUM(CASE WHEN ("+statusRank+") = 2 THEN 1 ELSE 0 END), 0)"),
		sql.Raw("COALESCE(SUM(CASE WHEN "+planGap+" THEN 0 ELSE 1 END), 0)"),
	).From(s.counts(v, in, rootPath).As("c")).Query()
	rs, err := s.Client.QueryContext(ctx, q, args...)
	if err != nil {
		return ComplianceTotals{}, fmt.Errorf("drill compliance totals: %w", err)
	}
	defer rs.Close()
	var t ComplianceTotals
	for rs.Next() {
		if err := rs.Scan(&t.All, &t.Compliant, &t.WithoutPlanGap); err != nil {
			return ComplianceTotals{}, fmt.Errorf("drill compliance totals: %w", err)
		}
	}
	if err := rs.Err(); err != nil {
		return ComplianceTotals{}, fmt.Errorf("drill compliance totals: %w", err)
	}
	return t, nil
}

// window is where a page lies by position from 1: after the row at after,
// before the row at before (0: no bound).
type window struct{ after, before int }

// bounds are the positions [from, to) of the page among total rows, as
// Relay cuts them: first rows after the cursor, or the last rows before it.
func (w window) bounds(in ComplianceInput, total int) (from, to int) {
	from, to = min(w.after, total), total
	if w.before > 0 {
		to = max(min(w.before-1, total), from)
	}
	if in.Last != nil {
		return max(from, to-*in.Last), to
	}
	return from, min(to, from+in.First)
}

// withUnits loads the units of the page rows (positions from+1 … to of
// all).
func (s *Service) withUnits(ctx context.Context, rows []ComplianceRow, from, to, all int) (*Compliance, error) {
	out := &Compliance{TotalCount: all, HasPreviousPage: from > 0, HasNextPage: to < all}
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]int, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	us, err := s.Client.Unit.Query().Where(unit.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load enterprises: %w", err)
	}
	byID := make(map[int]*ent.Unit, len(us))
	for _, u := range us {
		byID[u.ID] = u
	}
	for _, r := range rows {
		if r.Enterprise = byID[r.id]; r.Enterprise != nil {
			out.Rows = append(out.Rows, r)
		}
	}
	return out, nil
}

// statusRank is a row's status as a number, worst first (NONE 0, BEHIND 1,
// COMPLIANT 2), computed in SQL from the counts as Assess computes it.
const statusRank = "CASE WHEN c.plan_drills > 0 AND c.h1 > 0 AND c.h2 > 0 THEN 2 WHEN c.plan_drills + c.h1 + c.h2 = 0 THEN 0 ELSE 1 END"

// planGap holds for a row of counts whose enterprise lacks a comprehensive
// plan or has one overdue for review.
const planGap = "(c.comprehensive = 0 OR c.overdue > 0)"

// ranks are the statuses' numbers in statusRank.
var ranks = map[domain.DrillComplianceStatus]int{domain.DrillNone: 0, domain.DrillBehind: 1, domain.DrillCompliant: 2}

// positioned numbers the counts of every enterprise kept by the filters in
// the requested order (pos, from 1) and tells their number (total).
func (s *Service) positioned(v *authz.Viewer, in ComplianceInput, rootPath string) *sql.Selector {
	dir := ""
	if in.Desc {
		dir = " DESC"
	}
	// Names compare byte by byte on both databases, whatever PostgreSQL's
	// collation.
	name := "c.name"
	if s.Dialect == dialect.Postgres {
		name += ` COLLATE "C"`
	}
	order := name + dir + ", c.id" + dir
	if in.Order == ByStatus {
		order = "(" + statusRank + ")" + dir + ", " + order
	}
	sel := sql.Dialect(s.Dialect).SelectExpr(sql.Raw("c.*")).
		AppendSelectExprAs(sql.Raw("ROW_NUMBER() OVER (ORDER BY "+order+")"), "pos").
		AppendSelectExprAs(sql.Raw("COUNT(*) OVER ()"), "total").
		From(s.counts(v, in, rootPath).As("c"))
	if len(in.Statuses) > 0 {
		sel.Where(sql.P(func(b *sql.Builder) {
			b.WriteString("(" + statusRank + ") IN (")
			for i, st := range in.Statuses {
				if i > 0 {
					b.Comma()
				}
				b.Arg(ranks[st])
			}
			b.WriteString(")")
		}))
	}
	if in.PlanGap != nil {
		gap := planGap
		if !*in.PlanGap {
			gap = "NOT " + gap
		}
		sel.Where(sql.ExprP(gap))
	}
	return sel
}

// pageOf selects the rows of the page in window w and the number of rows
// of every page: the rows in one statement, the number from them (or, for
// an empty page, from one more).
func (s *Service) pageOf(ctx context.Context, v *authz.Viewer, in ComplianceInput, rootPath string, w window) ([]ComplianceRow, int, error) {
	d := sql.Dialect(s.Dialect)
	page := d.SelectExpr(sql.Raw("*")).From(s.positioned(v, in, rootPath).As("r")).Where(sql.GT("pos", w.after))
	if w.before > 0 {
		page.Where(sql.LT("pos", w.before))
	}
	if in.Last != nil {
		page.OrderBy(sql.Desc("pos")).Limit(*in.Last)
	} else {
		page.OrderBy("pos").Limit(in.First)
	}
	q, args := page.Query()
	rs, err := s.Client.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("drill compliance query: %w", err)
	}
	defer rs.Close()
	var rows []ComplianceRow
	total := 0
	for rs.Next() {
		r, err := scanRow(rs, &total)
		if err != nil {
			return nil, 0, err
		}
		rows = append(rows, r)
	}
	if err := rs.Err(); err != nil {
		return nil, 0, fmt.Errorf("drill compliance rows: %w", err)
	}
	if in.Last != nil {
		slices.Reverse(rows)
	}
	if len(rows) > 0 {
		return rows, total, nil
	}
	q, args = d.Select(sql.Count("*")).From(s.positioned(v, in, rootPath).As("r")).Query()
	cs, err := s.Client.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("drill compliance total: %w", err)
	}
	defer cs.Close()
	for cs.Next() {
		if err := cs.Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("drill compliance total: %w", err)
		}
	}
	return nil, total, cs.Err()
}

// scanRow reads one row of pageOf, its position as its cursor and the
// number of rows into total.
func scanRow(rs interface{ Scan(...any) error }, total *int) (ComplianceRow, error) {
	var r ComplianceRow
	var sector stdsql.NullString
	var town stdsql.NullInt64
	var comprehensive, pos int
	if err := rs.Scan(&r.id, &r.name, &sector, &town, &r.PlanDrills, &r.OnSiteFirstHalf, &r.OnSiteSecondHalf,
		&comprehensive, &r.OverduePlans, &pos, total); err != nil {
		return r, fmt.Errorf("drill compliance row: %w", err)
	}
	if sector.Valid {
		x := domain.Sector(sector.String)
		r.Sector = &x
	}
	if town.Valid {
		t := int(town.Int64)
		r.TownID = &t
	}
	r.HasComprehensivePlan = comprehensive > 0
	r.Status, r.Missing = Assess(r.Drills)
	r.Cursor = encodeCursor(pos)
	return r, nil
}

// counts selects, for every enterprise the caller reads below rootPath, its
// drills of the year and its plan facts: for wide viewers each a group of one pass over the
// drills of the year, or the EFFECTIVE plans, of the enterprises the caller
// reads below rootPath, joined to them; not one sub-query per enterprise
// (five index probes each, and, under the totals' CASE expressions, each
// evaluated twice).
//
// Viewers whose enterprises are few (no post at a county, city or
// department, or narrowed to a town) get probed instead: the same rows.
func (s *Service) counts(v *authz.Viewer, in ComplianceInput, rootPath string) *sql.Selector {
	if !wide(v, in) {
		return s.probed(v, in, rootPath)
	}
	d := sql.Dialect(s.Dialect)
	u := sql.Table(unit.Table).As("u")
	e := sql.Table(enterprise.Table).As("e")
	start, mid, end := HalfYears(in.Year)
	now := s.judgedAt(end)
	// enterprises are the ids of the enterprises the caller reads below
	// rootPath (the rows' filter without the town and sectors), so that
	// the groups below read only their records.
	enterprises := func() *sql.Selector {
		m := sql.Table(unit.Table).As("m")
		sel := d.Select(m.C(unit.FieldID)).From(m)
		v.WithoutDirectory().Predicate("unit", "read")(sel)
		sel.Where(sql.EQ(m.C(unit.FieldKind), string(domain.KindEnterprise)))
		if rootPath != "" {
			sel.Where(authz.PathPrefix(sel, m.C(unit.FieldScopePath), rootPath))
		}
		return sel
	}
	count := func(cond func(*sql.Builder)) sql.Querier {
		return sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("SUM(CASE WHEN ")
			cond(b)
			b.WriteString(" THEN 1 ELSE 0 END)")
		})
	}
	kindIn := func(b *sql.Builder, col string, kinds ...domain.EmergencyPlanKind) {
		b.Ident(col).WriteString(" IN (")
		for i, k := range kinds {
			if i > 0 {
				b.Comma()
			}
			b.Arg(string(k))
		}
		b.WriteString(")")
	}
	dt := sql.Table(drill.Table).As("dt")
	kind, held := dt.C(drill.FieldPlanKind), dt.C(drill.FieldHeldOn)
	drills := d.Select(dt.C(drill.FieldScopeEnterpriseID)).From(dt).
		AppendSelectExprAs(count(func(b *sql.Builder) { kindIn(b, kind, domain.PlanComprehensive, domain.PlanSpecial) }), "plan_drills").
		AppendSelectExprAs(count(func(b *sql.Builder) {
			kindIn(b, kind, domain.PlanOnSite)
			b.WriteString(" AND ").Ident(held).WriteString(" < ").Arg(mid)
		}), "h1").
		AppendSelectExprAs(count(func(b *sql.Builder) {
			kindIn(b, kind, domain.PlanOnSite)
			b.WriteString(" AND ").Ident(held).WriteString(" >= ").Arg(mid)
		}), "h2").
		Where(sql.And(sql.GTE(held, start), sql.LT(held, end),
			sql.In(dt.C(drill.FieldScopeEnterpriseID), enterprises()))).
		GroupBy(dt.C(drill.FieldScopeEnterpriseID)).As("dr")
	pc := sql.Table(emergencyplan.Table).As("pc")
	plans := d.Select(pc.C(emergencyplan.FieldUnitID)).AppendSelectExprAs(sql.Raw("COUNT(*)"), "n").From(pc).
		Where(sql.And(sql.EQ(pc.C(emergencyplan.FieldKind), string(domain.PlanComprehensive)),
			sql.EQ(pc.C(emergencyplan.FieldState), string(domain.PlanEffective)),
			sql.In(pc.C(emergencyplan.FieldUnitID), enterprises()))).
		GroupBy(pc.C(emergencyplan.FieldUnitID)).As("cp")
	po := sql.Table(emergencyplan.Table).As("po")
	overdue := d.Select(po.C(emergencyplan.FieldScopeEnterpriseID)).AppendSelectExprAs(sql.Raw("COUNT(*)"), "n").From(po).
		Where(sql.And(sql.EQ(po.C(emergencyplan.FieldState), string(domain.PlanEffective)),
			sql.LT(po.C(emergencyplan.FieldReviewDue), now),
			sql.In(po.C(emergencyplan.FieldScopeEnterpriseID), enterprises()))).
		GroupBy(po.C(emergencyplan.FieldScopeEnterpriseID)).As("op")
	sel := d.Select(u.C(unit.FieldID), u.C(unit.FieldName), u.C(unit.FieldSector), e.C(enterprise.FieldTownID)).
		AppendSelectExprAs(sql.Raw("COALESCE(dr.plan_drills, 0)"), "plan_drills").
		AppendSelectExprAs(sql.Raw("COALESCE(dr.h1, 0)"), "h1").
		AppendSelectExprAs(sql.Raw("COALESCE(dr.h2, 0)"), "h2").
		AppendSelectExprAs(sql.Raw("COALESCE(cp.n, 0)"), "comprehensive").
		AppendSelectExprAs(sql.Raw("COALESCE(op.n, 0)"), "overdue").
		From(u).LeftJoin(e).On(e.C(enterprise.FieldUnitID), u.C(unit.FieldID)).
		LeftJoin(drills).On(drills.C(drill.FieldScopeEnterpriseID), u.C(unit.FieldID)).
		LeftJoin(plans).On(plans.C(emergencyplan.FieldUnitID), u.C(unit.FieldID)).
		LeftJoin(overdue).On(overdue.C(emergencyplan.FieldScopeEnterpriseID), u.C(unit.FieldID))
	return enterprisesOf(sel, v, in, rootPath, u, e)
}

// judgedAt is the moment plans are judged at for a year ending at end: the
// year's end for a past year, now for the running year.
func (s *Service) judgedAt(end time.Time) time.Time {
	now := time.Now().UTC()
	if s.Now != nil {
		now = s.Now().UTC()
	}
	if now.After(end) {
		return end
	}
	return now
}

// wide reports whether the enterprises of a compliance view may be many: not
// narrowed to a town, and the caller holds a post at a county, city or
// department. Only the plan differs; both forms select the same rows.
func wide(v *authz.Viewer, in ComplianceInput) bool {
	if in.TownID != nil {
		return false
	}
	for _, g := range v.Grants {
		switch g.UnitKind {
		case domain.KindCounty, domain.KindCity, domain.KindDepartment:
			if !g.DirectoryOnly {
				return true
			}
		}
	}
	return false
}

// probed selects what counts selects with five sub-queries per enterprise,
// each an index probe: cheaper than the groups when the enterprises are few
// (a town's, an enterprise's own), dearer for a county's.
func (s *Service) probed(v *authz.Viewer, in ComplianceInput, rootPath string) *sql.Selector {
	d := sql.Dialect(s.Dialect)
	u := sql.Table(unit.Table).As("u")
	e := sql.Table(enterprise.Table).As("e")
	start, mid, end := HalfYears(in.Year)
	now := s.judgedAt(end)
	drills := func(kinds []domain.EmergencyPlanKind, from, to time.Time) sql.Querier {
		return sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("(SELECT COUNT(*) FROM ").Ident(drill.Table).WriteString(" WHERE ").
				Ident(drill.Table).WriteByte('.').Ident(drill.FieldScopeEnterpriseID).WriteString(" = ").Ident(u.C(unit.FieldID)).
				WriteString(" AND ").Ident(drill.Table).WriteByte('.').Ident(drill.FieldPlanKind).WriteString(" IN (")
			for i, k := range kinds {
				if i > 0 {
					b.Comma()
				}
				b.Arg(string(k))
			}
			b.WriteString(") AND ").Ident(drill.Table).WriteByte('.').Ident(drill.FieldHeldOn).WriteString(" >= ").Arg(from).
				WriteString(" AND ").Ident(drill.Table).WriteByte('.').Ident(drill.FieldHeldOn).WriteString(" < ").Arg(to).WriteString(")")
		})
	}
	plans := sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("(SELECT COUNT(*) FROM ").Ident(emergencyplan.Table).WriteString(" WHERE ").
			Ident(emergencyplan.Table).WriteByte('.').Ident(emergencyplan.FieldUnitID).WriteString(" = ").Ident(u.C(unit.FieldID)).
			WriteString(" AND ").Ident(emergencyplan.Table).WriteByte('.').Ident(emergencyplan.FieldKind).WriteString(" = ").Arg(string(domain.PlanComprehensive)).
			WriteString(" AND ").Ident(emergencyplan.Table).WriteByte('.').Ident(emergencyplan.FieldState).WriteString(" = ").Arg(string(domain.PlanEffective)).WriteString(")")
	})
	overdue := sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("(SELECT COUNT(*) FROM ").Ident(emergencyplan.Table).WriteString(" WHERE ").
			Ident(emergencyplan.Table).WriteByte('.').Ident(emergencyplan.FieldScopeEnterpriseID).WriteString(" = ").Ident(u.C(unit.FieldID)).
			WriteString(" AND ").Ident(emergencyplan.Table).WriteByte('.').Ident(emergencyplan.FieldState).WriteString(" = ").Arg(string(domain.PlanEffective)).
			WriteString(" AND ").Ident(emergencyplan.Table).WriteByte('.').Ident(emergencyplan.FieldReviewDue).WriteString(" < ").Arg(now).WriteString(")")
	})
	both := []domain.EmergencyPlanKind{domain.PlanComprehensive, domain.PlanSpecial}
	onSite := []domain.EmergencyPlanKind{domain.PlanOnSite}
	sel := d.Select(u.C(unit.FieldID), u.C(unit.FieldName), u.C(unit.FieldSector), e.C(enterprise.FieldTownID)).
		AppendSelectExprAs(drills(both, start, end), "plan_drills").
		AppendSelectExprAs(drills(onSite, start, mid), "h1").
		AppendSelectExprAs(drills(onSite, mid, end), "h2").
		AppendSelectExprAs(plans, "comprehensive").
		AppendSelectExprAs(overdue, "overdue").
		From(u).LeftJoin(e).On(e.C(enterprise.FieldUnitID), u.C(unit.FieldID))
	return enterprisesOf(sel, v, in, rootPath, u, e)
}

// enterprisesOf narrows sel, over units u joined to their enterprise rows e,
// to the enterprises of a compliance view: those v reads (not through a
// directory-only grant), under rootPath, in the town and sectors asked for.
// The grouped (counts) and probed forms share it, so both select the same
// rows.
func enterprisesOf(sel *sql.Selector, v *authz.Viewer, in ComplianceInput, rootPath string, u, e *sql.SelectTable) *sql.Selector {
	v.WithoutDirectory().Predicate("unit", "read")(sel)
	sel.Where(sql.EQ(u.C(unit.FieldKind), string(domain.KindEnterprise)))
	if rootPath != "" {
		sel.Where(authz.PathPrefix(sel, u.C(unit.FieldScopePath), rootPath))
	}
	if in.TownID != nil {
		sel.Where(sql.EQ(e.C(enterprise.FieldTownID), *in.TownID))
	}
	if len(in.Sectors) > 0 {
		sectors := make([]any, len(in.Sectors))
		for i, x := range in.Sectors {
			sectors[i] = string(x)
		}
		sel.Where(sql.In(u.C(unit.FieldSector), sectors...))
	}
	return sel
}
