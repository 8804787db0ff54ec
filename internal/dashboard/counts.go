package dashboard

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"slices"
	"strings"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/domain"
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

// cell is one row of a grouped count: the shared group, two record keys.
type cell struct {
	Group
	first, second string
	count         int
}

// grouped counts the rows of table that the caller may read as typ, dated
// by column at within the period and under the territory, grouped by month,
// town, sector and the columns first and second: one statement.
func (s *Service) grouped(ctx context.Context, v *authz.Viewer, out *Dashboard, table, typ, at, first, second string) ([]cell, error) {
	d := sql.Dialect(s.Dialect)
	r := d.Table(table).As("r")
	e := d.Table(enterprise.Table).As("e")
	month := "substr(" + r.C(at) + ", 1, 7)"
	if s.Dialect == dialect.Postgres {
		month = "to_char(" + r.C(at) + " AT TIME ZONE 'UTC', 'YYYY-MM')"
	}
	sel := d.Select().From(r).LeftJoin(e).On(e.C(enterprise.FieldUnitID), r.C(authz.ColEnterpriseID))
	sel.Select(r.C(first), r.C(second), e.C(enterprise.FieldTownID), r.C(authz.ColSector)).
		AppendSelectExprAs(sql.Raw(month), "month").
		AppendSelectExprAs(sql.Raw("COUNT(*)"), "n")
	v.Predicate(typ, "read")(sel)
	sel.Where(sql.And(sql.GTE(r.C(at), out.From), sql.LT(r.C(at), out.To)))
	if out.Unit != nil {
		sel.Where(authz.PathPrefix(sel, r.C(authz.ColPath), out.territory))
	}
	sel.GroupBy(r.C(first), r.C(second), e.C(enterprise.FieldTownID), r.C(authz.ColSector), "month")
	q, args := sel.Query()
	rows, err := s.Client.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard count of %s: %w", table, err)
	}
	defer rows.Close()
	var cells []cell
	for rows.Next() {
		var c cell
		var town stdsql.NullInt64
		var sector, month stdsql.NullString
		if err := rows.Scan(&c.first, &c.second, &town, &sector, &month, &c.count); err != nil {
			return nil, fmt.Errorf("dashboard count of %s: %w", table, err)
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
		return nil, fmt.Errorf("dashboard count of %s: %w", table, err)
	}
	slices.SortFunc(cells, compareCells)
	return cells, nil
}

// compareCells orders by month, town, sector, then the record keys.
func compareCells(a, b cell) int {
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

// countHazards counts the hazards found in the period by month, town,
// sector, level and state.
func (s *Service) countHazards(ctx context.Context, v *authz.Viewer, out *Dashboard) error {
	cells, err := s.grouped(ctx, v, out, hazard.Table, "hazard", hazard.FieldFoundAt, hazard.FieldLevel, hazard.FieldState)
	if err != nil {
		return err
	}
	out.Hazards = make([]HazardCount, len(cells))
	for i, c := range cells {
		out.Hazards[i] = HazardCount{Group: c.Group, Level: domain.HazardLevel(c.first), State: domain.HazardState(c.second), Count: c.count}
		out.HazardTotal += c.count
	}
	return nil
}

// countInspections counts the inspections dated in the period by month,
// town, sector, type and status.
func (s *Service) countInspections(ctx context.Context, v *authz.Viewer, out *Dashboard) error {
	cells, err := s.grouped(ctx, v, out, inspection.Table, "inspection", inspection.FieldInspectedOn, inspection.FieldType, inspection.FieldStatus)
	if err != nil {
		return err
	}
	out.Inspections = make([]InspectionCount, len(cells))
	for i, c := range cells {
		out.Inspections[i] = InspectionCount{Group: c.Group, Type: inspection.Type(c.first), Status: inspection.Status(c.second), Count: c.count}
		out.InspectionTotal += c.count
	}
	return nil
}
