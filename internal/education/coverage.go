package education

import (
	"context"
	stdsql "database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/trainee"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// CoverageOrder orders the coverage rows; every order ends with the
// enterprise's name and id.
type CoverageOrder string

// Coverage orders.
const (
	ByName     CoverageOrder = "NAME"
	ByMonths   CoverageOrder = "MONTHS"
	ByTrainees CoverageOrder = "TRAINEES"
)

// MaxPage is the most rows one coverage page holds.
const MaxPage = 500

// CoverageInput is what trainingCoverage accepts.
type CoverageInput struct {
	Year    int
	Cadence domain.TrainingCadence
	// UnitID narrows to the enterprises of a unit's territory; TownID to
	// a town's; Sectors to these sectors; Status to COVERED or GAP rows.
	UnitID, TownID *int
	Sectors        []domain.Sector
	Status         *domain.TrainingCoverageStatus
	Order          CoverageOrder
	// First rows after After; or, when Last is set, the Last rows before
	// Before (before the end without Before).
	First  int
	After  string
	Last   *int
	Before string
}

// CoverageRow is one enterprise's training in the year.
type CoverageRow struct {
	Enterprise                 *ent.Unit
	Months, Quarters, Missing  []int
	Trainings, Trainees, Hours int
	Status                     domain.TrainingCoverageStatus
	Cursor                     string
}

// CoverageSummary counts every row matching the filters.
type CoverageSummary struct {
	Enterprises, Covered, Gaps, Trainees, Hours int
}

// Coverage answers trainingCoverage.
type Coverage struct {
	Rows                         []CoverageRow
	TotalCount                   int
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       string
	Summary                      CoverageSummary
}

const cursorPrefix = "tcov:"

func encodeCursor(position int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(position)))
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

// Elapsed is how many months and quarters of year are over at now: all of
// a past year, none of a future one.
func Elapsed(year int, now time.Time) (months, quarters int) {
	now = now.UTC()
	switch {
	case year < now.Year():
		return 12, 4
	case year > now.Year():
		return 0, 0
	}
	m := int(now.Month()) - 1
	return m, m / 3
}

// Periods reads a month mask (bit m set: trained in month m) as the months
// and quarters trained, and the elapsed periods of the cadence missed.
func Periods(mask int64, cadence domain.TrainingCadence, elapsedMonths, elapsedQuarters int) (months, quarters, missing []int) {
	months, quarters, missing = []int{}, []int{}, []int{}
	for m := 1; m <= 12; m++ {
		if mask&(1<<m) == 0 {
			if cadence == domain.CadenceMonthly && m <= elapsedMonths {
				missing = append(missing, m)
			}
			continue
		}
		months = append(months, m)
		if q := (m + 2) / 3; len(quarters) == 0 || quarters[len(quarters)-1] != q {
			quarters = append(quarters, q)
		}
	}
	if cadence != domain.CadenceMonthly {
		for q := 1; q <= elapsedQuarters; q++ {
			if mask&(0b1110<<(3*(q-1))) == 0 {
				missing = append(missing, q)
			}
		}
	}
	return months, quarters, missing
}

// rows selects the enterprises the caller reads, narrowed by in and
// joined with their trainees' aggregates ("a"): trainees, hours and done
// (elapsed periods trained), and for a page (page) also mask, trainings
// and trained (distinct months); the summary needs only the first three,
// and every COUNT(DISTINCT …) left out spares a sort per enterprise.
func (s *Service) rows(v *authz.Viewer, in CoverageInput, within *ent.Unit, elapsed int, page bool) *sql.Selector {
	d := sql.Dialect(s.Dialect)
	t := sql.Table(trainee.Table).As("t")
	period := "t.month"
	if in.Cadence != domain.CadenceMonthly {
		period = "(t.month + 2) / 3"
	}
	agg := d.Select(t.C(trainee.FieldEnterpriseUnitID)).From(t)
	if page {
		agg.AppendSelectExprAs(sql.Raw("SUM(DISTINCT (CAST(1 AS BIGINT) << CAST(t.month AS INTEGER)))"), "mask").
			AppendSelectExprAs(sql.Raw("COUNT(DISTINCT t.training_id)"), "trainings").
			AppendSelectExprAs(sql.Raw("COUNT(DISTINCT t.month)"), "trained")
	}
	agg.AppendSelectExprAs(sql.Raw("COUNT(*)"), "trainees").
		AppendSelectExprAs(sql.Raw("SUM(t.hours)"), "hours").
		AppendSelectExprAs(sql.Raw(fmt.Sprintf("COUNT(DISTINCT CASE WHEN %s <= %d THEN %s END)", period, elapsed, period)), "done").
		Where(sql.EQ(t.C(trainee.FieldYear), in.Year)).
		GroupBy(t.C(trainee.FieldEnterpriseUnitID))
	v.Predicate("training", "read")(agg)
	agg.As("a")

	u := sql.Table(unit.Table).As("u")
	sel := d.Select().From(u).LeftJoin(agg).On(u.C(unit.FieldID), agg.C(trainee.FieldEnterpriseUnitID))
	v.Predicate("unit", "read")(sel)
	sel.Where(sql.EQ(u.C(unit.FieldKind), string(domain.KindEnterprise)))
	if within != nil {
		inside := sql.HasPrefix(u.C(unit.FieldScopePath), within.ScopePath)
		if within.Kind == domain.KindDepartment {
			sup := d.Select("enterprise_id").From(sql.Table("supervisions")).Where(sql.EQ("department_id", within.ID))
			inside = sql.Or(inside, sql.In(u.C(unit.FieldID), sup))
		}
		sel.Where(inside)
	}
	if in.TownID != nil {
		town := d.Select(enterprise.FieldUnitID).From(sql.Table(enterprise.Table)).Where(sql.EQ(enterprise.FieldTownID, *in.TownID))
		sel.Where(sql.In(u.C(unit.FieldID), town))
	}
	if len(in.Sectors) > 0 {
		secs := make([]any, len(in.Sectors))
		for i, x := range in.Sectors {
			secs[i] = string(x)
		}
		sel.Where(sql.In(u.C(unit.FieldSector), secs...))
	}
	if in.Status != nil {
		op := ">="
		if *in.Status == domain.CoverageGap {
			op = "<"
		}
		sel.Where(sql.P(func(b *sql.Builder) { b.WriteString(fmt.Sprintf("COALESCE(a.done, 0) %s %d", op, elapsed)) }))
	}
	return sel
}

// Coverage answers the training coverage with three SQL statements whatever
// the number of enterprises and trainees (four with a unit): the unit, the
// summary, the page with its row count, and the page's enterprises.
func (s *Service) Coverage(ctx context.Context, in CoverageInput) (*Coverage, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	var p kernel.Problems
	p.Check(in.Year < 2000 || in.Year > 2100, "year", "must be between 2000 and 2100")
	p.Check(in.First < 0 || in.First > MaxPage, "first", "must be between 0 and %d", MaxPage)
	p.Check(in.Last != nil && (*in.Last < 0 || *in.Last > MaxPage), "last", "must be between 0 and %d", MaxPage)
	if err := p.Err(); err != nil {
		return nil, err
	}
	if in.Cadence == "" {
		in.Cadence = domain.CadenceQuarterly
	}
	// A cursor is its row's position from 1: after c starts at offset c,
	// before c ends at offset c-1 (-1: the end).
	offset, end := 0, -1
	var err error
	if in.After != "" {
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
	var within *ent.Unit
	if in.UnitID != nil {
		if within, err = kernel.Unit(ctx, s.Client, *in.UnitID, "unitID"); err != nil {
			return nil, err
		}
	}
	months, quarters := Elapsed(in.Year, kernel.Now(s.Now))
	elapsed := quarters
	if in.Cadence == domain.CadenceMonthly {
		elapsed = months
	}
	out := &Coverage{}

	sum := s.rows(v, in, within, elapsed, false).Select().
		AppendSelectExprAs(sql.Raw("COUNT(*)"), "enterprises").
		AppendSelectExprAs(sql.Raw(fmt.Sprintf("SUM(CASE WHEN COALESCE(a.done, 0) >= %d THEN 1 ELSE 0 END)", elapsed)), "covered").
		AppendSelectExprAs(sql.Raw("SUM(COALESCE(a.trainees, 0))"), "trainees").
		AppendSelectExprAs(sql.Raw("SUM(COALESCE(a.hours, 0))"), "hours")
	err = s.scan(ctx, sum, func(rows *stdsql.Rows) error {
		var n, covered, trainees, hours stdsql.NullInt64
		if err := rows.Scan(&n, &covered, &trainees, &hours); err != nil {
			return err
		}
		out.Summary = CoverageSummary{Enterprises: int(n.Int64), Covered: int(covered.Int64),
			Gaps: int(n.Int64 - covered.Int64), Trainees: int(trainees.Int64), Hours: int(hours.Int64)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.TotalCount = out.Summary.Enterprises

	if end < 0 {
		end = out.TotalCount
	}
	end = min(end, out.TotalCount)
	limit := min(in.First, end-offset)
	if in.Last != nil {
		from := max(offset, end-*in.Last)
		offset, limit = from, end-from
	}
	if limit <= 0 {
		return out, nil
	}
	page := s.rows(v, in, within, elapsed, true)
	page.Select(page.C(unit.FieldID)).AppendSelectExpr(sql.Raw("a.mask"), sql.Raw("a.trainings"), sql.Raw("a.trainees"),
		sql.Raw("a.hours"), sql.Raw("a.done"))
	switch in.Order {
	case ByMonths:
		page.OrderExpr(sql.Raw("COALESCE(a.trained, 0)"))
	case ByTrainees:
		page.OrderExpr(sql.Raw("COALESCE(a.trainees, 0)"))
	}
	page.OrderBy(page.C(unit.FieldName), page.C(unit.FieldID)).Limit(limit).Offset(offset)
	type row struct {
		id                                     int
		mask, trainings, trainees, hours, done stdsql.NullInt64
	}
	var found []row
	err = s.scan(ctx, page, func(rows *stdsql.Rows) error {
		var r row
		if err := rows.Scan(&r.id, &r.mask, &r.trainings, &r.trainees, &r.hours, &r.done); err != nil {
			return err
		}
		found = append(found, r)
		return nil
	})
	if err != nil || len(found) == 0 {
		return out, err
	}
	ids := make([]int, len(found))
	for i, r := range found {
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
	for i, r := range found {
		row := CoverageRow{Enterprise: byID[r.id], Trainings: int(r.trainings.Int64), Trainees: int(r.trainees.Int64),
			Hours: int(r.hours.Int64), Status: domain.CoverageCovered, Cursor: encodeCursor(offset + i + 1)}
		row.Months, row.Quarters, row.Missing = Periods(r.mask.Int64, in.Cadence, months, quarters)
		if int(r.done.Int64) < elapsed {
			row.Status = domain.CoverageGap
		}
		out.Rows = append(out.Rows, row)
	}
	out.HasPreviousPage = offset > 0
	out.HasNextPage = offset+len(out.Rows) < out.TotalCount
	out.StartCursor, out.EndCursor = out.Rows[0].Cursor, out.Rows[len(out.Rows)-1].Cursor
	return out, nil
}

// scan runs sel and calls fn for every row.
func (s *Service) scan(ctx context.Context, sel *sql.Selector, fn func(*stdsql.Rows) error) error {
	query, args := sel.Query()
	rows, err := s.Client.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("education query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("education row: %w", err)
		}
	}
	return rows.Err()
}

// CursorAt is the cursor of the row at position (from 1) of a coverage.
func CursorAt(position int) string { return encodeCursor(position) }
