// Package tally answers hazard totals and state × level counts from
// hazard_tallies, the table of hazard counts per key that database triggers
// keep in the writing statement (migration 0022): exact on every replica the
// moment a write commits, with no cache to expire.
//
// A tally row counts the hazards of one key: tenant, scope bucket, sector,
// enterprise, level and state. The bucket is the subject enterprise's path
// for an enterprise-side hazard (its workshops' and teams' hazards fold into
// it) and the subject's own path for a government unit's. The row carries
// the hazard table's scope column names, so the viewer's compiled scope
// predicate (authz.Viewer.Predicate, the very function the read filter
// uses) applies to it unchanged. It selects exactly the rows whose hazards
// it would select on the hazard table as long as no grant is at a workshop
// or a team: for a grant at a unit G that is not below an enterprise, a
// hazard's path starts with G's path iff its enterprise's path does (G is
// then an ancestor of the enterprise or the enterprise itself), and the
// sector and enterprise are the same for every hazard of a bucket. Viewers
// with a workshop or team post, and filters on other fields than state and
// level, are counted on the hazard table (COUNT(*), exact too). The
// dashboard's monthly tallies of hazards, inspections and enforcement
// actions (migration 0025) use the same bucket and the same rule, Bucketed.
//
// # Town rollups
//
// A county head's scope holds tens of thousands of tally rows, one per
// enterprise and key. Migration 0027 keeps a second, coarser level beside
// each tally table, the rollups (Rollup: hazard_tally_rollups for
// hazard_tallies, hazard_month_tally_rollups for hazard_month_tallies, …): the same counts summed over
// the enterprises of a town. A rollup row's bucket is the fine bucket cut
// at the town — an enterprise-side bucket without the enterprise's own id,
// which is the path of the town the enterprise hangs under (an enterprise
// hangs only under a town); a government unit's records keep their own
// path — and its scope_enterprise_id is a marker: NULL for a government
// unit's records, 0 for an enterprise's. A trigger on the fine tally table
// adds every change of a fine row to its rollup row in the same statement,
// so the rollups are as exact as the tallies.
//
// The viewer's compiled predicate applies to rollup rows unchanged, and
// selects exactly the rollup rows whose records it selects, when every
// grant of the viewer that reads the type is (RolledUp):
//
//   - at a city, a county or a town, with or without sectors: for a
//     government unit G that is not an enterprise or below one, a record's
//     path starts with G's path iff its town's path does (G is then an
//     ancestor of the enterprise's town or the town itself), a government
//     unit's records keep their path, and the sector and the marker's
//     NULL-ness are the same for every record of a rollup row;
//   - DirectoryOnly: its predicate is "scope_enterprise_id IS NULL", which
//     the marker keeps.
//
// A grant at a department falls back to the fine tallies: its predicate
// adds the enterprises the department supervises (a semi-join on
// supervisions by enterprise id), which a rollup row no longer names. So
// do grants at an enterprise (its path is cut off the bucket) and at a
// workshop or a team (which fall back further, to the records; Bucketed).
// Filters stay on state and level (Answers).
package tally

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
)

// Table is the tally table; its columns are the hazard table's scope,
// level and state columns and n, the number of hazards.
const Table = "hazard_tallies"

// RollupTable is the town rollup of Table (migration 0027): the same
// columns, the bucket cut at the town and the enterprise a marker (see the
// package doc).
const RollupTable = "hazard_tally_rollups"

// Rollup names the town rollup of a tally table (migration 0027):
// hazard_tallies → hazard_tally_rollups, hazard_month_tallies →
// hazard_month_tally_rollups.
func Rollup(table string) string {
	return strings.TrimSuffix(table, "_tallies") + "_tally_rollups"
}

// ColCount is the number of hazards of a tally row.
const ColCount = "n"

// Count is the number of hazards in one state and level.
type Count struct {
	State domain.HazardState
	Level domain.HazardLevel
	Count int
}

// Counter reads the tallies of one database.
type Counter struct {
	Client *ent.Client
	// Fine reads the fine tallies only, never the town rollups (the
	// rollups' reference in the tests).
	Fine bool
	// Dialect is the database dialect: the scope predicate's path prefix is
	// a range on SQLite and a LIKE on PostgreSQL.
	Dialect string

	totals totalTexts
}

// Answers reports whether the tallies answer v's hazard counts filtered by
// where: no grant of v that reads hazards is below an enterprise, and where
// filters on state and level only.
func Answers(v *authz.Viewer, where *ent.HazardWhereInput) bool {
	return Bucketed(v, "hazard") && onTallyColumns(where)
}

// Bucketed reports whether tally rows bucketed by the subject enterprise's
// path (hazard_tallies, and the dashboard's monthly tallies of hazards,
// inspections and enforcement actions) answer v's read filter of records
// of type typ exactly: no grant of v that reads typ is at a workshop or a
// team (see the package doc).
func Bucketed(v *authz.Viewer, typ string) bool {
	if v == nil {
		return false
	}
	for _, g := range v.Grants {
		if g.DirectoryOnly || v.Policy == nil || !v.Policy.GrantAllows(g, typ, "read") {
			continue
		}
		if g.UnitKind == domain.KindWorkshop || g.UnitKind == domain.KindTeam {
			return false
		}
	}
	return true
}

// RolledUp reports whether the town rollups (Rollup) answer v's read
// filter of records of type typ exactly: every grant of v that reads typ
// is DirectoryOnly or at a city, a county or a town (see the package doc).
// A viewer the rollups answer is also Bucketed.
func RolledUp(v *authz.Viewer, typ string) bool {
	if v == nil {
		return false
	}
	for _, g := range v.Grants {
		if g.DirectoryOnly || v.Policy == nil || !v.Policy.GrantAllows(g, typ, "read") {
			continue
		}
		switch g.UnitKind {
		case domain.KindCity, domain.KindCounty, domain.KindTown:
		default:
			return false
		}
	}
	return true
}

// onTallyColumns reports whether every predicate of where is on state or
// level (the generated fields State, StateNEQ, StateIn, …, Level…), also
// under not, and, or. Filters set by input resolvers (Predicates) are not.
func onTallyColumns(where *ent.HazardWhereInput) bool {
	if where == nil {
		return true
	}
	if len(where.Predicates) > 0 || !onTallyColumns(where.Not) {
		return false
	}
	for _, w := range append(append([]*ent.HazardWhereInput{}, where.And...), where.Or...) {
		if !onTallyColumns(w) {
			return false
		}
	}
	val := reflect.ValueOf(where).Elem()
	for i := range val.NumField() {
		name := val.Type().Field(i).Name
		switch {
		case name == "Predicates" || name == "Not" || name == "And" || name == "Or":
		case strings.HasPrefix(name, "State") || strings.HasPrefix(name, "Level"):
		case !val.Field(i).IsZero():
			return false
		}
	}
	return true
}

// Counts returns v's hazards matching where by state and level, empty
// groups left out, in one statement over the tallies. The caller checks
// Answers first.
func (c *Counter) Counts(ctx context.Context, v *authz.Viewer, where *ent.HazardWhereInput) ([]Count, error) {
	s, err := c.selector(v, where)
	if err != nil {
		return nil, err
	}
	s.Select(s.C("state"), s.C("level")).AppendSelectExprAs(sql.Raw("SUM("+s.C(ColCount)+")"), "total").
		GroupBy(s.C("state"), s.C("level")).
		Having(sql.ExprP("SUM(" + s.C(ColCount) + ") > 0"))
	q, args := s.Query()
	rows, err := c.Client.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("hazard tallies: %w", err)
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var n Count
		if err := rows.Scan(&n.State, &n.Level, &n.Count); err != nil {
			return nil, fmt.Errorf("hazard tallies: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("hazard tallies: %w", err)
	}
	return out, nil
}

// Total returns the number of v's hazards matching where, in one statement
// over the tallies. The caller checks Answers first.
func (c *Counter) Total(ctx context.Context, v *authz.Viewer, where *ent.HazardWhereInput) (int, error) {
	q, args, err := c.totalStatement(v, where)
	if err != nil {
		return 0, err
	}
	rows, err := c.Client.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("hazard total: %w", err)
	}
	defer rows.Close()
	var n int
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("hazard total: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("hazard total: %w", err)
	}
	return n, nil
}

// selector selects the tally rows of v's scope (the compiled hazard read
// predicate) matching where (its generated predicates, which name the same
// state and level columns): the town rollups' rows when they answer v.
func (c *Counter) selector(v *authz.Viewer, where *ent.HazardWhereInput) (*sql.Selector, error) {
	s := sql.Dialect(c.Dialect).Select().From(sql.Table(c.TableFor(v)))
	v.Predicate("hazard", "read")(s)
	if where == nil {
		return s, nil
	}
	p, err := where.P()
	switch {
	case err == ent.ErrEmptyHazardWhereInput:
	case err != nil:
		return nil, fmt.Errorf("hazard tallies: %w", err)
	default:
		p(s)
	}
	return s, nil
}

// TableFor is the table c reads v's counts from: the town rollups when
// they answer v (RolledUp), the fine tallies otherwise.
func (c *Counter) TableFor(v *authz.Viewer) string {
	if !c.Fine && RolledUp(v, "hazard") {
		return RollupTable
	}
	return Table
}

type totalKey struct{}

// WithTotal marks ctx so that the next hazard count query run with it (a
// hazards connection's totalCount) is answered by total instead; see
// TotalFrom and internal/db.
func WithTotal(ctx context.Context, total func(context.Context) (int, error)) context.Context {
	return context.WithValue(ctx, totalKey{}, total)
}

// TotalFrom returns the function WithTotal set, if any.
func TotalFrom(ctx context.Context) (func(context.Context) (int, error), bool) {
	f, ok := ctx.Value(totalKey{}).(func(context.Context) (int, error))
	return f, ok
}
