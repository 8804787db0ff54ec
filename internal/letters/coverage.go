package letters

import (
	"context"
	stdsql "database/sql"
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// CoverageKinds are the kinds of unit that should hold a letter from their
// parent every year, in tree order.
var CoverageKinds = []domain.UnitKind{domain.KindTown, domain.KindDepartment, domain.KindEnterprise, domain.KindWorkshop, domain.KindTeam}

// CoverageInput is what letterCoverage accepts.
type CoverageInput struct {
	Year   int
	RootID int
	// Statuses and Kinds filter the rows (not the summary); empty: all.
	Statuses []domain.CoverageStatus
	Kinds    []domain.UnitKind
	First    int
	// After is the cursor of the last row of the previous page.
	After string
	// Last pages backward: the last rows before Before (or the end); it
	// wins over First.
	Last int
	// Before is the cursor of the first row of the next page.
	Before string
}

// CoverageRow is one unit of the coverage.
type CoverageRow struct {
	Unit   *ent.Unit
	Status domain.CoverageStatus
	// Issuer is the parent (nil when the caller cannot read it); Town the
	// town the unit belongs to (nil for departments).
	Issuer, Town *ent.Unit
	// Letter is the live letter from the parent this year, if any.
	Letter *ent.ResponsibilityLetter
	Cursor string
}

// Counts are the statuses of a group of rows.
type Counts struct {
	Total, Signed, Pending, Missing int
}

func (c *Counts) add(s domain.CoverageStatus, n int) {
	c.Total += n
	switch s {
	case domain.CoverageSigned:
		c.Signed += n
	case domain.CoveragePending:
		c.Pending += n
	default:
		c.Missing += n
	}
}

// Percent is part of Total in percent, rounded to one decimal; 0 when empty.
func (c Counts) Percent(part int) float64 {
	if c.Total == 0 {
		return 0
	}
	return math.Round(float64(part)*1000/float64(c.Total)) / 10
}

// KindCounts are the counts of one kind.
type KindCounts struct {
	Kind domain.UnitKind
	Counts
}

// TownCounts are the counts of one town and everything below it.
type TownCounts struct {
	Town *ent.Unit
	Counts
}

// Coverage answers letterCoverage.
type Coverage struct {
	Rows []CoverageRow
	// TotalCount counts the rows matching the filters.
	TotalCount      int
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     string
	EndCursor       string
	Total           Counts
	ByKind          []KindCounts
	ByTown          []TownCounts
}

const cursorPrefix = "cov:"

func encodeCursor(path string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + path))
}

func decodeCursor(field, c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) {
		return "", apperr.Invalid(field, "malformed cursor")
	}
	return string(b[len(cursorPrefix):]), nil
}

// Columns of the coverage base relation.
const (
	cID, cKind, cPath, cParent, cLetter, cStatus, cTown = "id", "kind", "scope_path", "parent_id", "letter_id", "status", "town_id"
)

// base is the coverage relation, one row per unit that should hold a letter:
//
//	SELECT u.id, u.kind, u.scope_path, u.parent_id, l.id AS letter_id,
//	       CASE … END AS status, CASE WHEN u.kind = 'TOWN' THEN u.id ELSE e.town_id END AS town_id
//	FROM units u
//	LEFT JOIN (live letters of the year the caller may read) l
//	       ON l.signee_unit_id = u.id AND l.issuer_unit_id = u.parent_id
//	LEFT JOIN enterprises e ON e.unit_id = u.scope_enterprise_id
//	WHERE <u in the caller's jurisdiction> AND u under root AND u.id <> root AND u.kind IN (…)
//
// Both scopes are the viewer's compiled predicates (the same as every list
// query): units of the jurisdiction proper (without the government
// directory, whose letters the caller may not read), letters as readable.
// One unique live letter per (year, issuer, signee) makes the join 1:1. The
// enterprises join only maps an enterprise-side unit to its town, a
// directory fact.
func (s *Service) base(v *authz.Viewer, root *ent.Unit, year int) *sql.Selector {
	d := sql.Dialect(s.Dialect)
	letters := d.Select(responsibilityletter.FieldID, responsibilityletter.FieldSigneeUnitID,
		responsibilityletter.FieldIssuerUnitID, responsibilityletter.FieldState).
		From(sql.Table(responsibilityletter.Table))
	letters.Where(sql.And(sql.EQ(letters.C(responsibilityletter.FieldYear), year), sql.EQ(letters.C(responsibilityletter.FieldLive), true)))
	v.Predicate("letter", "read")(letters)
	l := letters.As("l")

	u := sql.Table(unit.Table).As("u")
	e := sql.Table(enterprise.Table).As("e")
	status := sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("CASE WHEN ").Ident(l.C(responsibilityletter.FieldState)).
			WriteString(" IN ('SIGNED', 'ARCHIVED') THEN 'SIGNED' WHEN ").Ident(l.C(responsibilityletter.FieldState)).
			WriteString(" IN ('ISSUED', 'PARTIALLY_SIGNED') THEN 'PENDING' ELSE 'MISSING' END")
	})
	town := sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("CASE WHEN ").Ident(u.C(unit.FieldKind)).WriteString(" = 'TOWN' THEN ").Ident(u.C(unit.FieldID)).
			WriteString(" ELSE ").Ident(e.C(enterprise.FieldTownID)).WriteString(" END")
	})
	sel := d.Select(u.C(unit.FieldID), u.C(unit.FieldKind), u.C(unit.FieldScopePath), u.C(unit.FieldParentID)).
		AppendSelectAs(l.C(responsibilityletter.FieldID), cLetter).
		AppendSelectExprAs(status, cStatus).
		AppendSelectExprAs(town, cTown).
		From(u).
		LeftJoin(l).OnP(sql.And(
		sql.ColumnsEQ(l.C(responsibilityletter.FieldSigneeUnitID), u.C(unit.FieldID)),
		sql.ColumnsEQ(l.C(responsibilityletter.FieldIssuerUnitID), u.C(unit.FieldParentID)))).
		LeftJoin(e).On(e.C(enterprise.FieldUnitID), u.C(unit.FieldScopeEnterpriseID))
	v.WithoutDirectory().Predicate("unit", "read")(sel)
	kinds := make([]any, len(CoverageKinds))
	for i, k := range CoverageKinds {
		kinds[i] = string(k)
	}
	sel.Where(sql.And(
		authz.PathPrefix(sel, u.C(unit.FieldScopePath), root.ScopePath),
		sql.NEQ(u.C(unit.FieldID), root.ID),
		sql.In(u.C(unit.FieldKind), kinds...),
	))
	return sel
}

// Coverage answers the chain-coverage query with a fixed number of SQL
// statements whatever the number of units: the root (1), the counts by
// kind, town and status (1), the page (1), then the units (1) and letters
// (1) the page shows.
func (s *Service) Coverage(ctx context.Context, in CoverageInput) (*Coverage, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	if in.First < 0 {
		return nil, apperr.Invalid("first", "first must not be negative")
	}
	if in.Last < 0 {
		return nil, apperr.Invalid("last", "last must not be negative")
	}
	if in.Year < 2000 || in.Year > 2100 {
		return nil, apperr.Invalid("year", "year must be between 2000 and 2100")
	}
	after := ""
	if in.After != "" {
		var err error
		if after, err = decodeCursor("after", in.After); err != nil {
			return nil, err
		}
	}
	before := ""
	if in.Before != "" {
		var err error
		if before, err = decodeCursor("before", in.Before); err != nil {
			return nil, err
		}
	}
	root, err := kernel.Unit(ctx, s.Client, in.RootID, "rootID")
	if err != nil {
		return nil, err
	}
	d := sql.Dialect(s.Dialect)
	out := &Coverage{}

	// Counts by kind, town and status, in one pass: the summary by kind
	// and by town and the filtered total. A group per (kind, town, status)
	// keeps the answer small (a few per town) however many units there are.
	c := s.base(v, root, in.Year).As("c")
	q, args := d.Select(c.C(cKind), c.C(cTown), c.C(cStatus), sql.Count("*")).From(c).
		GroupBy(c.C(cKind), c.C(cTown), c.C(cStatus)).Query()
	byKind := map[domain.UnitKind]*Counts{}
	byTown := map[int]*Counts{}
	var townIDs []int
	err = s.scan(ctx, q, args, func(rows *stdsql.Rows) error {
		var kind, status string
		var town stdsql.NullInt64
		var n int
		if err := rows.Scan(&kind, &town, &status, &n); err != nil {
			return err
		}
		k, st := domain.UnitKind(kind), domain.CoverageStatus(status)
		if byKind[k] == nil {
			byKind[k] = &Counts{}
		}
		byKind[k].add(st, n)
		out.Total.add(st, n)
		if town.Valid {
			id := int(town.Int64)
			if byTown[id] == nil {
				byTown[id] = &Counts{}
				townIDs = append(townIDs, id)
			}
			byTown[id].add(st, n)
		}
		if (len(in.Kinds) == 0 || slices.Contains(in.Kinds, k)) && (len(in.Statuses) == 0 || slices.Contains(in.Statuses, st)) {
			out.TotalCount += n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range CoverageKinds {
		if n := byKind[k]; n != nil {
			out.ByKind = append(out.ByKind, KindCounts{Kind: k, Counts: *n})
		}
	}

	// The page, in tree order.
	type pageRow struct {
		id, parent, town, letter int
		status, path             string
	}
	var page []pageRow
	if limit := max(in.First, in.Last); limit > 0 {
		backward := in.Last > 0
		c := s.base(v, root, in.Year).As("c")
		sel := d.Select(c.C(cID), c.C(cPath), c.C(cParent), c.C(cLetter), c.C(cStatus), c.C(cTown)).From(c)
		if len(in.Kinds) > 0 {
			kinds := make([]any, len(in.Kinds))
			for i, k := range in.Kinds {
				kinds[i] = string(k)
			}
			sel.Where(sql.In(c.C(cKind), kinds...))
		}
		if len(in.Statuses) > 0 {
			sts := make([]any, len(in.Statuses))
			for i, st := range in.Statuses {
				sts[i] = string(st)
			}
			sel.Where(sql.In(c.C(cStatus), sts...))
		}
		if after != "" {
			sel.Where(sql.GT(c.C(cPath), after))
		}
		if before != "" {
			sel.Where(sql.LT(c.C(cPath), before))
		}
		order := c.C(cPath)
		if backward {
			order = sql.Desc(order)
		}
		q, args := sel.OrderBy(order).Limit(limit + 1).Query()
		err = s.scan(ctx, q, args, func(rows *stdsql.Rows) error {
			var r pageRow
			var parent, town, letter stdsql.NullInt64
			if err := rows.Scan(&r.id, &r.path, &parent, &letter, &r.status, &town); err != nil {
				return err
			}
			r.parent, r.town, r.letter = int(parent.Int64), int(town.Int64), int(letter.Int64)
			page = append(page, r)
			return nil
		})
		if err != nil {
			return nil, err
		}
		more := len(page) > limit
		if more {
			page = page[:limit]
		}
		if backward {
			slices.Reverse(page)
			out.HasPreviousPage, out.HasNextPage = more, before != ""
		} else {
			out.HasNextPage, out.HasPreviousPage = more, after != ""
		}
	}

	// The units and letters shown, through the caller's scope.
	unitIDs := slices.Clone(townIDs)
	var letterIDs []int
	for _, r := range page {
		unitIDs = append(unitIDs, r.id)
		if r.parent != 0 {
			unitIDs = append(unitIDs, r.parent)
		}
		if r.town != 0 {
			unitIDs = append(unitIDs, r.town)
		}
		if r.letter != 0 {
			letterIDs = append(letterIDs, r.letter)
		}
	}
	units := map[int]*ent.Unit{}
	if len(unitIDs) > 0 {
		slices.Sort(unitIDs)
		us, err := s.Client.Unit.Query().Where(unit.IDIn(slices.Compact(unitIDs)...)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load units: %w", err)
		}
		for _, u := range us {
			units[u.ID] = u
		}
	}
	letters := map[int]*ent.ResponsibilityLetter{}
	if len(letterIDs) > 0 {
		ls, err := s.Client.ResponsibilityLetter.Query().Where(responsibilityletter.IDIn(letterIDs...)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("load letters: %w", err)
		}
		for _, l := range ls {
			letters[l.ID] = l
		}
	}
	for _, r := range page {
		u := units[r.id]
		if u == nil {
			continue // cannot happen: the row came from the caller's scope
		}
		out.Rows = append(out.Rows, CoverageRow{Unit: u, Status: domain.CoverageStatus(r.status),
			Issuer: units[r.parent], Town: units[r.town], Letter: letters[r.letter], Cursor: encodeCursor(r.path)})
	}
	if n := len(out.Rows); n > 0 {
		out.StartCursor, out.EndCursor = out.Rows[0].Cursor, out.Rows[n-1].Cursor
	}
	// Towns in tree order.
	slices.SortFunc(townIDs, func(a, b int) int {
		ua, ub := units[a], units[b]
		if ua == nil || ub == nil {
			return a - b
		}
		return strings.Compare(ua.ScopePath, ub.ScopePath)
	})
	for _, id := range townIDs {
		if t := units[id]; t != nil {
			out.ByTown = append(out.ByTown, TownCounts{Town: t, Counts: *byTown[id]})
		}
	}
	return out, nil
}

// scan runs a query built above and calls fn for every row.
func (s *Service) scan(ctx context.Context, query string, args []any, fn func(*stdsql.Rows) error) error {
	rows, err := s.Client.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("coverage query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("coverage row: %w", err)
		}
	}
	return rows.Err()
}
