package dashboard

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/enforcementaction"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/tally"
)

// Group is where a count lies on the dimensions every record shares: the
// month (UTC, "2022-03"), the town of the subject enterprise (nil for a
// government unit) and the subject's sector (nil for a government unit).
type Group struct {
	Month  string
	TownID *int
	Sector *domain.Sector
}

// HazardCount is the number of hazards found in one group, level and state.
type HazardCount struct {
	Group
	Level domain.HazardLevel
	State domain.HazardState
	Count int
}

// InspectionCount is the number of inspections held in one group, of one
// type and status.
type InspectionCount struct {
	Group
	Type   inspection.Type
	Status inspection.Status
	Count  int
}

// EnforcementCount is the number of enforcement actions issued in one
// group, of one kind and state.
type EnforcementCount struct {
	Group
	Kind  domain.EnforcementKind
	State domain.EnforcementState
	Count int
}

// cell is one row of a grouped count: the record kind (an index of
// records), the shared group, two record keys.
type cell struct {
	kind int
	Group
	first, second string
	count         int
}

// record names what the dashboard counts of one kind of record: its table,
// its authz type, the column it is dated by, its two own dimensions and the
// tally table the triggers of migration 0025 keep (columns: the record
// table's scope columns, month, first, second and n).
type record struct {
	table, typ, at, first, second, tally string
}

// records are the counted kinds, in the order of their cells' kind.
var records = []record{
	{hazard.Table, "hazard", hazard.FieldFoundAt, hazard.FieldLevel, hazard.FieldState, "hazard_month_tallies"},
	{inspection.Table, "inspection", inspection.FieldInspectedOn, inspection.FieldType, inspection.FieldStatus, "inspection_month_tallies"},
	{enforcementaction.Table, "enforcement", enforcementaction.FieldIssuedOn, enforcementaction.FieldKind, enforcementaction.FieldState, "enforcement_month_tallies"},
}

const (
	kindHazard = iota
	kindInspection
	kindEnforcement
)

// noTown is the town column of the parts that name the enterprise (the
// outer query reads its town), and the enterprise column of the rollups'
// parts: a NULL typed for PostgreSQL's UNION.
const noTown = "CAST(NULL AS BIGINT)"

// monthFormat is the month of a tally row and of a count.
const monthFormat = "2006-01"

// months splits the period [from, to) at month boundaries (UTC): the whole
// months [first, last) inside it, which the tallies answer, and the days
// before first and from last on, which the records answer. ok is false
// when no whole month lies inside.
func months(from, to time.Time) (first, last time.Time, ok bool) {
	first = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if first.Before(from) {
		first = first.AddDate(0, 1, 0)
	}
	last = time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first, last, first.Before(last)
}

// source is where counts reads the whole months of a period from.
type source int

const (
	// fromRecords counts every record (the tallies' reference in the tests).
	fromRecords source = iota
	// fromTallies reads the monthly tallies when they answer the caller
	// (tally.Bucketed), never their town rollups (the rollups' reference
	// in the tests).
	fromTallies
	// fromRollups reads the town rollups of the monthly tallies when they
	// answer the caller and the territory (rolledUp), the tallies when
	// those do, the records otherwise: what the dashboard does.
	fromRollups
)

// rolledUp reports whether the town rollups of the monthly tallies of typ
// answer v within out's territory: tally.RolledUp, and the territory is the
// jurisdiction or a government unit (its path prefix selects the same
// records on rollup rows as a grant's there; see internal/tally).
func rolledUp(v *authz.Viewer, typ string, out *Dashboard) bool {
	return tally.RolledUp(v, typ) && (out.Unit == nil || out.Unit.Kind.IsGovernment())
}

// counts counts the hazards, inspections and enforcement actions the caller
// reads, dated within the period and under the territory, by kind, month,
// town, sector and the record's two dimensions, in one statement: for each
// kind, the tally rows of the whole months of the period when the tallies
// answer the caller (tally.Bucketed; their town rollups when those answer,
// rolledUp, with the town read from the unit whose path is the rollup's
// bucket), and the records of the rest of the
// period (the days of a month the period cuts; all of it otherwise), added
// up per group. Groups of 0 (tally rows that fell to 0) are left out.
// Without tallies every kind is counted from its records (the tallies'
// reference in the tests).
func (s *Service) counts(ctx context.Context, v *authz.Viewer, out *Dashboard, src source) ([]cell, error) {
	d := sql.Dialect(s.Dialect)
	first, last, whole := months(out.From, out.To)
	var union *sql.Selector
	add := func(part *sql.Selector) {
		if union == nil {
			union = part
			return
		}
		union.UnionAll(part)
	}
	for kind, rec := range records {
		tallied := src != fromRecords && whole && tally.Bucketed(v, rec.typ)
		if tallied {
			var part *sql.Selector
			if src == fromRollups && rolledUp(v, rec.typ, out) {
				// A rollup row names no enterprise: its town is the unit
				// whose path is its bucket (an enterprise-side row's).
				t, town := d.Table(tally.Rollup(rec.tally)).As("t"), d.Table("units").As("town")
				part = d.Select().From(t).LeftJoin(town).OnP(sql.And(
					sql.ColumnsEQ(town.C(authz.ColTenant), t.C(authz.ColTenant)),
					sql.ColumnsEQ(town.C(authz.ColPath), t.C(authz.ColPath)),
					sql.NotNull(t.C(authz.ColEnterpriseID))))
				part.Select().AppendSelectExprAs(sql.Raw(strconv.Itoa(kind)), "k").
					AppendSelectAs(t.C(rec.first), "a").AppendSelectAs(t.C(rec.second), "b").
					AppendSelectExprAs(sql.Raw(noTown), "ent").AppendSelectAs(town.C("id"), "town").
					AppendSelectAs(t.C(authz.ColSector), "sector").
					AppendSelectAs(t.C("month"), "month").AppendSelectAs(t.C(tally.ColCount), "n")
			} else {
				t := d.Table(rec.tally).As("t")
				part = d.Select().From(t)
				part.Select().AppendSelectExprAs(sql.Raw(strconv.Itoa(kind)), "k").
					AppendSelectAs(t.C(rec.first), "a").AppendSelectAs(t.C(rec.second), "b").
					AppendSelectAs(t.C(authz.ColEnterpriseID), "ent").AppendSelectExprAs(sql.Raw(noTown), "town").
					AppendSelectAs(t.C(authz.ColSector), "sector").
					AppendSelectAs(t.C("month"), "month").AppendSelectAs(t.C(tally.ColCount), "n")
			}
			t := d.Table("t")
			v.Predicate(rec.typ, "read")(part)
			part.Where(sql.And(sql.GTE(t.C("month"), first.Format(monthFormat)), sql.LT(t.C("month"), last.Format(monthFormat))))
			if out.Unit != nil {
				part.Where(authz.PathPrefix(part, t.C(authz.ColPath), out.territory))
			}
			add(part)
		}
		r := d.Table(rec.table).As("r")
		period := sql.And(sql.GTE(r.C(rec.at), out.From), sql.LT(r.C(rec.at), out.To))
		if tallied {
			if first.Equal(out.From) && last.Equal(out.To) {
				continue
			}
			period = sql.Or(
				sql.And(sql.GTE(r.C(rec.at), out.From), sql.LT(r.C(rec.at), first)),
				sql.And(sql.GTE(r.C(rec.at), last), sql.LT(r.C(rec.at), out.To)))
		}
		month := "substr(" + r.C(rec.at) + ", 1, 7)"
		if s.Dialect == dialect.Postgres {
			month = "to_char(" + r.C(rec.at) + " AT TIME ZONE 'UTC', 'YYYY-MM')"
		}
		part := d.Select().From(r)
		part.Select().AppendSelectExprAs(sql.Raw(strconv.Itoa(kind)), "k").
			AppendSelectAs(r.C(rec.first), "a").AppendSelectAs(r.C(rec.second), "b").
			AppendSelectAs(r.C(authz.ColEnterpriseID), "ent").AppendSelectExprAs(sql.Raw(noTown), "town").
			AppendSelectAs(r.C(authz.ColSector), "sector").
			AppendSelectExprAs(sql.Raw(month), "month").AppendSelectExprAs(sql.Raw("COUNT(*)"), "n")
		v.Predicate(rec.typ, "read")(part)
		part.Where(period)
		if out.Unit != nil {
			part.Where(authz.PathPrefix(part, r.C(authz.ColPath), out.territory))
		}
		part.GroupBy(r.C(rec.first), r.C(rec.second), r.C(authz.ColEnterpriseID), r.C(authz.ColSector), "month")
		add(part)
	}
	u := union.As("u")
	e := d.Table(enterprise.Table).As("e")
	sel := d.Select().From(u).LeftJoin(e).On(e.C(enterprise.FieldUnitID), u.C("ent"))
	town := "COALESCE(" + e.C(enterprise.FieldTownID) + ", " + u.C("town") + ")"
	sel.Select(u.C("k"), u.C("a"), u.C("b")).AppendSelectExprAs(sql.Raw(town), "town").AppendSelect(u.C("sector"), u.C("month")).
		AppendSelectExprAs(sql.Raw("SUM("+u.C("n")+")"), "total").
		GroupBy(u.C("k"), u.C("a"), u.C("b"), town, u.C("sector"), u.C("month")).
		Having(sql.ExprP("SUM(" + u.C("n") + ") > 0"))
	q, args := sel.Query()
	rows, err := s.Client.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard counts: %w", err)
	}
	defer rows.Close()
	var cells []cell
	for rows.Next() {
		var c cell
		var town stdsql.NullInt64
		var sector, month stdsql.NullString
		if err := rows.Scan(&c.kind, &c.first, &c.second, &town, &sector, &month, &c.count); err != nil {
			return nil, fmt.Errorf("dashboard counts: %w", err)
		}
		c.Month = month.String
		if town.Valid {
			id := int(town.Int64)
			c.TownID = &id
		}
		if sector.Valid {
			x := domain.Sector(sector.String)
			c.Sector = &x
		}
		cells = append(cells, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dashboard counts: %w", err)
	}
	slices.SortFunc(cells, compareCells)
	return cells, nil
}

// compareCells orders by kind, month, town, sector, then the record keys.
func compareCells(a, b cell) int {
	if a.kind != b.kind {
		return a.kind - b.kind
	}
	if c := strings.Compare(a.Month, b.Month); c != 0 {
		return c
	}
	if c := compareRef(a.TownID, b.TownID); c != 0 {
		return c
	}
	if c := compareRef(a.Sector, b.Sector); c != 0 {
		return c
	}
	if c := strings.Compare(a.first, b.first); c != 0 {
		return c
	}
	return strings.Compare(a.second, b.second)
}

// compareRef orders nil first.
func compareRef[T int | domain.Sector](a, b *T) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	case *a < *b:
		return -1
	case *a > *b:
		return 1
	}
	return 0
}

// count fills the hazard, inspection and enforcement counts of out.
func (s *Service) count(ctx context.Context, v *authz.Viewer, out *Dashboard, src source) error {
	cells, err := s.counts(ctx, v, out, src)
	if err != nil {
		return err
	}
	out.Hazards, out.Inspections, out.Enforcement = []HazardCount{}, []InspectionCount{}, []EnforcementCount{}
	for _, c := range cells {
		switch c.kind {
		case kindHazard:
			out.Hazards = append(out.Hazards, HazardCount{Group: c.Group, Level: domain.HazardLevel(c.first), State: domain.HazardState(c.second), Count: c.count})
			out.HazardTotal += c.count
		case kindInspection:
			out.Inspections = append(out.Inspections, InspectionCount{Group: c.Group, Type: inspection.Type(c.first), Status: inspection.Status(c.second), Count: c.count})
			out.InspectionTotal += c.count
		case kindEnforcement:
			out.Enforcement = append(out.Enforcement, EnforcementCount{Group: c.Group, Kind: domain.EnforcementKind(c.first), State: domain.EnforcementState(c.second), Count: c.count})
			out.EnforcementTotal += c.count
		}
	}
	return nil
}
