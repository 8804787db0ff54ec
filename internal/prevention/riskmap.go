package prevention

import (
	"context"
	"fmt"
	"slices"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/ent/riskpoint"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// ColourCounts counts risk points by colour.
type ColourCounts struct {
	Red, Orange, Yellow, Blue, Total int
}

func (c *ColourCounts) add(l domain.RiskLevel, n int) {
	switch l.Colour() {
	case domain.ColourRed:
		c.Red += n
	case domain.ColourOrange:
		c.Orange += n
	case domain.ColourYellow:
		c.Yellow += n
	default:
		c.Blue += n
	}
	c.Total += n
}

// TownRisk is the count of one town's risk points by colour.
type TownRisk struct {
	TownID int
	Counts ColourCounts
}

// SectorRisk is the count of one sector's risk points by colour.
type SectorRisk struct {
	Sector domain.Sector
	Counts ColourCounts
}

// RiskMap is the risk map (风险四色图) of a unit as data: its risk points in
// the caller's scope counted by colour, in all, per town and per sector.
type RiskMap struct {
	UnitID   int
	Total    ColourCounts
	ByTown   []TownRisk
	BySector []SectorRisk
}

// cell is one row of the risk map's count: a town (the parent of the
// risk points' enterprise), a sector and a level with the number of risk
// points (those of workshops and teams included).
type cell struct {
	TownID *int    `json:"town_id"`
	Sector *string `json:"scope_sector"`
	Level  string  `json:"level"`
	Count  int     `json:"count"`
}

// RiskMap counts the risk points under unit unitID that the caller may
// read: under its subtree, or for a DEPARTMENT those of the enterprises it
// supervises. Two statements whatever the number of risk points: the unit,
// then the count grouped by the enterprise's parent (its town), sector and
// level — at most towns × sectors × levels rows.
func (s *Service) RiskMap(ctx context.Context, unitID int) (*RiskMap, error) {
	u, err := kernel.Unit(ctx, s.Client, unitID, "unitID")
	if err != nil {
		return nil, err
	}
	q := s.Client.RiskPoint.Query().Where(riskpoint.ScopePathHasPrefix(u.ScopePath))
	if u.Kind == domain.KindDepartment {
		q = s.Client.RiskPoint.Query().Where(func(sel *sql.Selector) {
			sel.Where(sql.In(sel.C(riskpoint.FieldScopeEnterpriseID),
				sql.Select("enterprise_id").From(sql.Table("supervisions")).Where(sql.EQ("department_id", u.ID))))
		})
	}
	var cells []cell
	err = q.Modify(func(sel *sql.Selector) {
		e := sql.Table(unit.Table).As("e")
		town, sector, level := e.C(unit.FieldParentID), sel.C(riskpoint.FieldScopeSector), sel.C(riskpoint.FieldLevel)
		sel.LeftJoin(e).On(sel.C(riskpoint.FieldScopeEnterpriseID), e.C(unit.FieldID)).
			Select(sql.As(town, "town_id"), sql.As(sector, "scope_sector"), sql.As(level, "level"), sql.As(sql.Count("*"), "count")).
			GroupBy(town, sector, level)
	}).Scan(ctx, &cells)
	if err != nil {
		return nil, fmt.Errorf("count risk points: %w", err)
	}
	m := &RiskMap{UnitID: u.ID}
	byTown, bySector := map[int]*ColourCounts{}, map[domain.Sector]*ColourCounts{}
	for _, c := range cells {
		level := domain.RiskLevel(c.Level)
		m.Total.add(level, c.Count)
		if c.TownID != nil {
			counts(byTown, *c.TownID).add(level, c.Count)
		}
		if c.Sector != nil {
			counts(bySector, domain.Sector(*c.Sector)).add(level, c.Count)
		}
	}
	for _, id := range sortedKeys(byTown) {
		m.ByTown = append(m.ByTown, TownRisk{TownID: id, Counts: *byTown[id]})
	}
	for _, sec := range sortedKeys(bySector) {
		m.BySector = append(m.BySector, SectorRisk{Sector: sec, Counts: *bySector[sec]})
	}
	return m, nil
}

func counts[K comparable](m map[K]*ColourCounts, k K) *ColourCounts {
	if m[k] == nil {
		m[k] = &ColourCounts{}
	}
	return m[k]
}

func sortedKeys[K int | domain.Sector](m map[K]*ColourCounts) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
