// Package ledger exports the records a county office keeps as ledgers (台账)
// — hazards, inspections, letters, enterprises, units, notices, trainings,
// certificates, emergency plans, drills, duty rosters, rescue teams,
// material reserves, risk points — as XLSX or CSV with Chinese headers.
//
// A ledger is scoped and filtered like the GraphQL list of its type: the
// rows are read through ent privacy with the caller's viewer in the
// context, filtered by the list's own where input (decoded by the
// generated coercion), in pages of PageSize records, so an export of any
// size runs in bounded memory.
package ledger

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/readiness"
)

// PageSize is how many records one statement reads.
const PageSize = 1000

// Column is one column of a ledger: its Chinese header and its width in
// characters of the XLSX sheet.
type Column struct {
	Header string
	Width  float64
}

// Kind is one ledger: a record type, its columns and how its rows are read.
type Kind struct {
	// Name names the ledger in URLs and on the command line ("hazards").
	Name string
	// Title is the sheet name and the file's title (隐患排查治理台账).
	Title string
	// WhereType is the GraphQL where input of the type's list.
	WhereType string
	Columns   []Column
	// rows calls yield with each row, in id order.
	rows func(ctx context.Context, x *Exporter, where any, yield func([]any) error) error
}

// Exporter reads ledgers from a client.
type Exporter struct {
	Client *ent.Client
	// Zone is the time zone of a tenant, in which dates are shown; nil:
	// the tenant's own zone (its settings, as readiness reads them).
	Zone func(ctx context.Context, tenant int) (*time.Location, error)
}

// Kinds lists every ledger, in the order the documentation shows them.
func Kinds() []*Kind { return kinds }

// KindNamed returns the ledger called name, or NOT_FOUND.
func KindNamed(name string) (*Kind, error) {
	for _, k := range kinds {
		if k.Name == name {
			return k, nil
		}
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Name
	}
	return nil, apperr.Newf(apperr.NotFound, "no ledger %q (ledgers: %s)", name, strings.Join(names, ", "))
}

// Rows calls yield with each row of kind for the viewer in ctx, filtered by
// where (the decoded where input of kind.WhereType, or nil), in id order.
// Cells are string, int, Day or Moment values.
func (x *Exporter) Rows(ctx context.Context, kind *Kind, where any, yield func([]any) error) error {
	if v := authz.FromContext(ctx); v == nil || v.IsSystem() {
		return apperr.New(apperr.Unauthenticated, "sign in first")
	}
	return kind.rows(ctx, x, where, yield)
}

// zone is the time zone of the viewer's tenant.
func (x *Exporter) zone(ctx context.Context) (*time.Location, error) {
	tenant := 0
	if v := authz.FromContext(ctx); v != nil {
		tenant = v.Tenant
	}
	if x.Zone != nil {
		return x.Zone(ctx, tenant)
	}
	return (&readiness.Service{Client: x.Client}).Zone(ctx, tenant)
}

// Day is a calendar date shown in the tenant's zone.
type Day time.Time

// Moment is an instant shown to the minute in the tenant's zone.
type Moment time.Time

// page is what rendering one page of records needs: the units they name
// and the zone of the dates.
type page struct {
	units map[int]*ent.Unit
	zone  *time.Location
	// now is the request time, against which overdue and expiry are judged.
	now time.Time
}

// day is t as a date in the page's zone.
func (p *page) day(t time.Time) any { return Day(wall(t, p.zone)) }

// dayOf is day for an optional date: "" when absent.
func (p *page) dayOf(t *time.Time) any {
	if t == nil {
		return ""
	}
	return p.day(*t)
}

// moment is t to the minute in the page's zone.
func (p *page) moment(t time.Time) any { return Moment(wall(t, p.zone)) }

// momentOf is moment for an optional instant.
func (p *page) momentOf(t *time.Time) any {
	if t == nil {
		return ""
	}
	return p.moment(*t)
}

// wall is t's wall clock in zone, carried as UTC so that every writer shows
// those very digits.
func wall(t time.Time, zone *time.Location) time.Time {
	l := t.In(zone)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// name is the name of unit id, "" when it is not readable.
func (p *page) name(id int) string {
	if u := p.units[id]; u != nil {
		return u.Name
	}
	return ""
}

// nameOf is name for an optional unit id.
func (p *page) nameOf(id *int) string {
	if id == nil {
		return ""
	}
	return p.name(*id)
}

// ofKind is the name of the unit of kind on the scope path, "" when there
// is none (or it is not readable): a record's town (属地) or enterprise.
func (p *page) ofKind(path string, kind domain.UnitKind) string {
	for _, id := range pathIDs(path) {
		if u := p.units[id]; u != nil && u.Kind == kind {
			return u.Name
		}
	}
	return ""
}

// nowOf is the request time of the viewer in ctx.
func nowOf(ctx context.Context) time.Time {
	if v := authz.FromContext(ctx); v != nil && !v.Now.IsZero() {
		return v.Now
	}
	return time.Now()
}

// pathIDs are the unit ids of a scope path ("/1/5/9/").
func pathIDs(path string) []int {
	var ids []int
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.Atoi(part); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// newPage loads the units a page names (one statement; the viewer's
// privacy applies, so a unit out of their reach shows blank).
func (x *Exporter) newPage(ctx context.Context, zone *time.Location, ids []int) (*page, error) {
	p := &page{units: map[int]*ent.Unit{}, zone: zone, now: nowOf(ctx)}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return p, nil
	}
	us, err := x.Client.Unit.Query().Where(unit.IDIn(ids...)).Select(unit.FieldID, unit.FieldName, unit.FieldKind).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		p.units[u.ID] = u
	}
	return p, nil
}

// source says how one record type is read and shown.
type source[T any] struct {
	// query is the type's query filtered by where.
	query func(c *ent.Client, where any) (pager[T], error)
	// units lists the unit ids a record names (scope path included).
	units func(T) []int
	// extra loads what the rows of a page need besides units (receipt
	// counts, shifts); nil: nothing.
	extra func(ctx context.Context, c *ent.Client, records []T) (any, error)
	// render returns the rows of one record (usually one).
	render func(p *page, extra any, r T) [][]any
}

// stream reads src page by page and yields its rows.
func stream[T any](src source[T]) func(ctx context.Context, x *Exporter, where any, yield func([]any) error) error {
	return func(ctx context.Context, x *Exporter, where any, yield func([]any) error) error {
		zone, err := x.zone(ctx)
		if err != nil {
			return err
		}
		q, err := src.query(x.Client, where)
		if err != nil {
			return err
		}
		ids, err := q.ids(ctx)
		if err != nil {
			return err
		}
		for len(ids) > 0 {
			chunk := ids[:min(PageSize, len(ids))]
			ids = ids[len(chunk):]
			records, err := q.page(ctx, chunk)
			if err != nil {
				return err
			}
			var unitIDs []int
			for _, r := range records {
				unitIDs = append(unitIDs, src.units(r)...)
			}
			p, err := x.newPage(ctx, zone, unitIDs)
			if err != nil {
				return err
			}
			var extra any
			if src.extra != nil && len(records) > 0 {
				if extra, err = src.extra(ctx, x.Client, records); err != nil {
					return err
				}
			}
			for _, r := range records {
				for _, row := range src.render(p, extra, r) {
					if err := yield(row); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
}

// pager reads a filtered query in pages: first the ids of every matching
// record in id order (one statement, eight bytes a record), then the
// records of PageSize ids at a time by primary key. Keyset pages (id >
// last ORDER BY id LIMIT n) would be cheaper in memory but not in time:
// with the viewer's scope predicate the planner reads every record in
// scope through the scope index and sorts them again for each page.
type pager[T any] interface {
	ids(ctx context.Context) ([]int, error)
	page(ctx context.Context, ids []int) ([]T, error)
}

// entQuery is what a generated ent query Q of records T offers; P and O
// are the predicate and order option types of its package.
type entQuery[T any, P ~func(*sql.Selector), O ~func(*sql.Selector), Q any] interface {
	Where(...P) Q
	Order(...O) Q
	Clone() Q
	IDs(context.Context) ([]int, error)
	All(context.Context) ([]T, error)
}

// query is the pager over an ent query.
type query[T any, P ~func(*sql.Selector), O ~func(*sql.Selector), Q entQuery[T, P, O, Q]] struct{ q Q }

func (x query[T, P, O, Q]) ids(ctx context.Context) ([]int, error) {
	return x.q.Clone().Order(O(ent.Asc("id"))).IDs(ctx)
}

func (x query[T, P, O, Q]) page(ctx context.Context, ids []int) ([]T, error) {
	return x.q.Clone().Where(P(sql.FieldIn("id", ids...))).Order(O(ent.Asc("id"))).All(ctx)
}

// paged returns the pager of q.
func paged[T any, P ~func(*sql.Selector), O ~func(*sql.Selector), Q entQuery[T, P, O, Q]](q Q) pager[T] {
	return query[T, P, O, Q]{q}
}

// filter applies where when it is the where input W of the query Q.
func filter[W interface{ Filter(Q) (Q, error) }, Q any](where any, q Q) (Q, error) {
	if w, ok := where.(W); ok {
		return w.Filter(q)
	}
	return q, nil
}

// with appends the unit ids of a scope path to ids.
func with(path string, ids ...int) []int { return append(pathIDs(path), ids...) }
