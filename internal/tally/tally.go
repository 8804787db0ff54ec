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
	// Dialect is the database dialect: the scope predicate's path prefix is
	// a range on SQLite and a LIKE on PostgreSQL.
	Dialect string
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
	s, err := c.selector(v, where)
	if err != nil {
		return 0, err
	}
	s.Select().AppendSelectExprAs(sql.Raw("COALESCE(SUM("+s.C(ColCount)+"), 0)"), "total")
	q, args := s.Query()
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
// state and level columns).
func (c *Counter) selector(v *authz.Viewer, where *ent.HazardWhereInput) (*sql.Selector, error) {
	s := sql.Dialect(c.Dialect).Select().From(sql.Table(Table))
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
