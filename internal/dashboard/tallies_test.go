package dashboard_test

// The dashboard's monthly tallies against the records, on both databases:
// after random writes of hazards, inspections and enforcement actions run
// concurrently through the pool (creates, transitions, moves to another
// subject, deletes — raw SQL, so that only the triggers of migration 0025
// keep the tallies and the triggers of migration 0027 their town rollups),
// the counts read from the tallies, and those read from the rollups, equal
// the counts of the records for random viewers (demo users and synthetic posts), units
// and periods (whole months, cut months, a few days).

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/dashboard"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/tally"
	"github.com/dutychain/dutychain/internal/testdb"
)

// checks is the number of cases the property test runs unless
// -rapid.checks or RAPID_CHECKS is given (e.g. -rapid.checks=200 for a
// longer search): a few, each loading writes and comparing viewers on both
// databases.
const checks = 25

// unitRow is a unit of the demo tenant with the scope columns a record of
// it carries.
type unitRow struct {
	id         int
	kind       domain.UnitKind
	path       string
	sector     sql.NullString
	enterprise sql.NullInt64
}

// table is a record table the writers copy rows of.
type table struct {
	name     string
	template int      // the row whose other columns new rows copy
	columns  []string // the columns but id
}

// tallyWorld is the demo tenant on one database with the dashboard over it.
type tallyWorld struct {
	*fixture
	store                       *authz.Store
	compared, tallied, rolled   int // dashboards compared; of them with tally-read records; with rollup-read records
	units                       []unitRow
	hazards, inspections, enfor table
}

// documentNumbers makes the created enforcement actions' numbers unique.
var documentNumbers atomic.Int64

func TestDashboardTalliesEqualTheRecordsUnderConcurrentWrites(t *testing.T) {
	testdb.PropertyChecks(t, checks)
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		w := newTallyWorld(t, d)
		rapid.Check(t, func(rt *rapid.T) {
			w.write(rt)
			for i := range rapid.IntRange(1, 4).Draw(rt, "viewers") {
				w.check(rt, i, w.viewer(rt, i), false)
			}
			// Heads of the county and a town, whom the rollups answer,
			// over whole months.
			for i, name := range []string{"county.head", "chengguan.head"} {
				w.check(rt, 10+i, w.user(rt, name), true)
			}
		})
		if w.compared == 0 || w.tallied == 0 || w.rolled == 0 {
			t.Fatalf("%d dashboards compared, %d with counts read from the tallies, %d from their town rollups: the property was not exercised",
				w.compared, w.tallied, w.rolled)
		}
	})
}

func newTallyWorld(t *testing.T, d *db.DB) *tallyWorld {
	ctx := context.Background()
	f := newFixture(t, d) // loads the demo tenant and its policy first
	store, err := authz.NewStore(ctx, d.Client, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &tallyWorld{fixture: f, store: store}
	rows, err := d.SQL.QueryContext(ctx, w.q(`SELECT id, kind, scope_path, scope_sector, scope_enterprise_id FROM units WHERE tenant_id = ? ORDER BY id`), w.demo.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var u unitRow
		if err := rows.Scan(&u.id, &u.kind, &u.path, &u.sector, &u.enterprise); err != nil {
			t.Fatal(err)
		}
		w.units = append(w.units, u)
	}
	for _, tb := range []*table{{name: "hazards"}, {name: "inspections"}, {name: "enforcement_actions"}} {
		if err := d.SQL.QueryRowContext(ctx, w.q(`SELECT MIN(id) FROM `+tb.name+` WHERE tenant_id = ?`), w.demo.TenantID).Scan(&tb.template); err != nil {
			t.Fatalf("%s: %v", tb.name, err)
		}
		cols, err := d.SQL.QueryContext(ctx, `SELECT * FROM `+tb.name+` WHERE 1 = 0`)
		if err != nil {
			t.Fatal(err)
		}
		names, err := cols.Columns()
		cols.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range names {
			if c != "id" {
				tb.columns = append(tb.columns, c)
			}
		}
		switch tb.name {
		case "hazards":
			w.hazards = *tb
		case "inspections":
			w.inspections = *tb
		default:
			w.enfor = *tb
		}
	}
	return w
}

// q numbers the placeholders for PostgreSQL.
func (w *tallyWorld) q(query string) string { return testdb.Rebind(w.d.Dialect, query) }

// insertSQL copies the template row of tb with the columns set given.
func (w *tallyWorld) insertSQL(tb table, set ...string) string {
	cols, sel := slices.Clone(set), slices.Repeat([]string{"?"}, len(set))
	for _, c := range tb.columns {
		if !slices.Contains(set, c) {
			cols, sel = append(cols, c), append(sel, c)
		}
	}
	return w.q(`INSERT INTO ` + tb.name + ` (` + strings.Join(cols, ", ") + `) SELECT ` + strings.Join(sel, ", ") +
		` FROM ` + tb.name + ` WHERE id = ? RETURNING id`)
}

// ids lists the ids of a table's rows of the tenant.
func (w *tallyWorld) ids(rt *rapid.T, name string) []int {
	rows, err := w.d.SQL.QueryContext(context.Background(), w.q(`SELECT id FROM `+name+` WHERE tenant_id = ? ORDER BY id`), w.demo.TenantID)
	if err != nil {
		rt.Fatal(err)
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			rt.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// day draws a time between October 2021 and April 2023 (UTC), on a month's
// first instant now and then.
func day(t *rapid.T, label string) time.Time {
	base := time.Date(2021, time.October, 1, 0, 0, 0, 0, time.UTC)
	if rapid.IntRange(0, 3).Draw(t, label+".aligned") == 0 {
		return base.AddDate(0, rapid.IntRange(0, 18).Draw(t, label+".months"), 0)
	}
	return base.Add(time.Duration(rapid.Int64Range(0, int64(547*24*time.Hour/time.Second)).Draw(t, label+".seconds")) * time.Second)
}

// op is one write.
type op struct {
	table, kind, first, second string
	unit, row                  int
	at                         time.Time
}

// write runs a random sequence of writes split over concurrent writers.
func (w *tallyWorld) write(rt *rapid.T) {
	writers := rapid.IntRange(1, 3).Draw(rt, "writers")
	plans := make([][]op, writers)
	for i := range plans {
		plans[i] = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) op {
			o := op{
				table: rapid.SampledFrom([]string{"hazards", "inspections", "enforcement_actions"}).Draw(t, "table"),
				kind:  rapid.SampledFrom([]string{"create", "create", "transition", "move", "delete"}).Draw(t, "op"),
				unit:  rapid.IntRange(0, len(w.units)-1).Draw(t, "unit"),
				row:   rapid.IntRange(0, 1<<20).Draw(t, "row"),
				at:    day(t, "at"),
			}
			var firsts, seconds []string
			switch o.table {
			case "hazards":
				firsts, seconds = domain.HazardLevel("").Values(), domain.HazardState("").Values()
			case "inspections":
				firsts = []string{"ROUTINE_QUARTERLY", "SPECIAL", "DOUBLE_RANDOM", "KEY_PERIOD", "FOLLOW_UP", "SELF_CHECK"}
				seconds = []string{"PLANNED", "DONE"}
			default:
				firsts, seconds = domain.EnforcementKind("").Values(), domain.EnforcementState("").Values()
			}
			o.first = rapid.SampledFrom(firsts).Draw(t, "first")
			o.second = rapid.SampledFrom(seconds).Draw(t, "second")
			return o
		}), 1, 12).Draw(rt, fmt.Sprintf("writer%d", i))
	}
	existing := map[string][]int{}
	for _, name := range []string{"hazards", "inspections", "enforcement_actions"} {
		existing[name] = w.ids(rt, name)
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for _, plan := range plans {
		wg.Go(func() {
			mine := map[string][]int{} // rows this writer created: the only ones it deletes
			for _, o := range plan {
				if err := w.run(o, existing[o.table], mine); err != nil {
					errs <- fmt.Errorf("%s %s: %w", o.kind, o.table, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		rt.Fatal(err)
	}
}

// run runs one write.
func (w *tallyWorld) run(o op, existing []int, mine map[string][]int) error {
	ctx := context.Background()
	u := w.units[o.unit]
	id := existing[o.row%len(existing)]
	var err error
	switch o.table + " " + o.kind {
	case "hazards create":
		var newID int
		err = w.d.SQL.QueryRowContext(ctx, w.insertSQL(w.hazards, "subject_id", "scope_path", "scope_sector", "scope_enterprise_id", "level", "state", "found_at"),
			u.id, u.path, u.sector, u.enterprise, o.first, o.second, o.at, w.hazards.template).Scan(&newID)
		mine[o.table] = append(mine[o.table], newID)
	case "inspections create":
		var newID int
		err = w.d.SQL.QueryRowContext(ctx, w.insertSQL(w.inspections, "target_id", "scope_path", "scope_sector", "scope_enterprise_id", "type", "status", "inspected_on"),
			u.id, u.path, u.sector, u.enterprise, o.first, o.second, o.at, w.inspections.template).Scan(&newID)
		mine[o.table] = append(mine[o.table], newID)
	case "enforcement_actions create":
		var newID int
		number := fmt.Sprintf("TALLY-%d", documentNumbers.Add(1))
		err = w.d.SQL.QueryRowContext(ctx, w.insertSQL(w.enfor, "target_unit_id", "scope_path", "scope_sector", "scope_enterprise_id", "kind", "state", "issued_on", "document_number"),
			u.id, u.path, u.sector, u.enterprise, o.first, o.second, o.at, number, w.enfor.template).Scan(&newID)
		mine[o.table] = append(mine[o.table], newID)
	case "hazards transition", "enforcement_actions transition":
		_, err = w.d.SQL.ExecContext(ctx, w.q(`UPDATE `+o.table+` SET state = ? WHERE id = ?`), o.second, id)
	case "inspections transition":
		_, err = w.d.SQL.ExecContext(ctx, w.q(`UPDATE inspections SET status = ? WHERE id = ?`), o.second, id)
	case "hazards move":
		_, err = w.d.SQL.ExecContext(ctx, w.q(`UPDATE hazards SET subject_id = ?, scope_path = ?, scope_sector = ?, scope_enterprise_id = ? WHERE id = ?`),
			u.id, u.path, u.sector, u.enterprise, id)
	case "inspections move":
		_, err = w.d.SQL.ExecContext(ctx, w.q(`UPDATE inspections SET target_id = ?, scope_path = ?, scope_sector = ?, scope_enterprise_id = ? WHERE id = ?`),
			u.id, u.path, u.sector, u.enterprise, id)
	case "enforcement_actions move":
		_, err = w.d.SQL.ExecContext(ctx, w.q(`UPDATE enforcement_actions SET issuer_only = ? WHERE id = ?`), o.row%2 == 0, id)
	default: // delete
		if ids := mine[o.table]; len(ids) > 0 {
			_, err = w.d.SQL.ExecContext(ctx, w.q(`DELETE FROM `+o.table+` WHERE id = ?`), ids[len(ids)-1])
			mine[o.table] = ids[:len(ids)-1]
		}
	}
	return err
}

// viewer is a demo user or a viewer with one to three synthetic posts at
// random units, with random roles and sectors.
func (w *tallyWorld) viewer(rt *rapid.T, i int) *authz.Viewer {
	ctx := context.Background()
	now := time.Now()
	store := w.store
	if rapid.Bool().Draw(rt, fmt.Sprintf("demo%d", i)) {
		users := slices.Sorted(maps.Keys(w.demo.Users))
		name := rapid.SampledFrom(users).Draw(rt, fmt.Sprintf("user%d", i))
		v, err := authz.LoadViewer(ctx, w.d.Client, store.Current(), w.demo.Users[name], w.demo.TenantID, now)
		if err != nil {
			rt.Fatal(err)
		}
		return v
	}
	v := &authz.Viewer{UserID: 1, Tenant: w.demo.TenantID, Policy: store.Current(), Now: now}
	roles := domain.Role("").Values()
	sectors := domain.Sector("").Values()
	for j := range rapid.IntRange(1, 3).Draw(rt, fmt.Sprintf("posts%d", i)) {
		u := w.units[rapid.IntRange(0, len(w.units)-1).Draw(rt, fmt.Sprintf("post%d.%d", i, j))]
		g := authz.Grant{PostID: j + 1, Tenant: w.demo.TenantID, UnitID: u.id, UnitKind: u.kind, Path: u.path,
			Role: rapid.SampledFrom(roles).Draw(rt, fmt.Sprintf("role%d.%d", i, j))}
		for _, s := range rapid.SliceOfNDistinct(rapid.SampledFrom(sectors), 0, 2, func(s string) string { return s }).Draw(rt, fmt.Sprintf("sectors%d.%d", i, j)) {
			g.Sectors = append(g.Sectors, domain.Sector(s))
		}
		v.Grants = append(v.Grants, g)
		v.PostIDs = append(v.PostIDs, g.PostID)
	}
	return v
}

// months is the whole months (UTC) inside [from, to).
func months(from, to time.Time) (first, last time.Time) {
	first = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if first.Before(from) {
		first = first.AddDate(0, 1, 0)
	}
	return first, time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// user is the viewer of a demo user.
func (w *tallyWorld) user(rt *rapid.T, name string) *authz.Viewer {
	v, err := authz.LoadViewer(context.Background(), w.d.Client, w.store.Current(), w.demo.Users[name], w.demo.TenantID, time.Now())
	if err != nil {
		rt.Fatal(err)
	}
	return v
}

// check compares the dashboard's counts read from the tallies, and from
// their rollups, with the counts of the records for v, a random unit and
// period (of whole months when whole is set).
func (w *tallyWorld) check(rt *rapid.T, i int, v *authz.Viewer, whole bool) {
	for _, typ := range []string{"hazard", "inspection", "enforcement"} {
		below := slices.ContainsFunc(v.Grants, func(g authz.Grant) bool {
			return (g.UnitKind == domain.KindWorkshop || g.UnitKind == domain.KindTeam) && !g.DirectoryOnly && v.Policy.GrantAllows(g, typ, "read")
		})
		if tally.Bucketed(v, typ) == below {
			rt.Fatalf("Bucketed(%s) = %v for a viewer with a grant below an enterprise: %v", typ, !below, below)
		}
	}
	var in dashboard.Input
	if rapid.Bool().Draw(rt, fmt.Sprintf("unit%d", i)) {
		territories := slices.DeleteFunc(slices.Clone(w.units), func(u unitRow) bool {
			return u.kind != domain.KindCounty && u.kind != domain.KindCity && u.kind != domain.KindTown
		})
		u := rapid.SampledFrom(territories).Draw(rt, fmt.Sprintf("territory%d", i))
		in.UnitID = &u.id
	}
	from := day(rt, fmt.Sprintf("from%d", i))
	to := from.Add(time.Hour)
	switch rapid.IntRange(0, 2).Draw(rt, fmt.Sprintf("length%d", i)) {
	case 0: // a few days
		to = from.Add(time.Duration(rapid.IntRange(1, 10*24).Draw(rt, fmt.Sprintf("hours%d", i))) * time.Hour)
	case 1: // whole months from the start of from's
		from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
		to = from.AddDate(0, rapid.IntRange(1, 18).Draw(rt, fmt.Sprintf("months%d", i)), 0)
	default: // months, cut at both ends
		to = day(rt, fmt.Sprintf("to%d", i))
		if !to.After(from) {
			from, to = to, from.Add(time.Second)
		}
	}
	if whole {
		from = time.Date(2021, time.October+time.Month(rapid.IntRange(0, 12).Draw(rt, fmt.Sprintf("first%d", i))), 1, 0, 0, 0, 0, time.UTC)
		to = from.AddDate(0, rapid.IntRange(1, 6).Draw(rt, fmt.Sprintf("whole%d", i)), 0)
	}
	in.From, in.To = &from, &to
	ctx := authz.NewContext(context.Background(), v)
	now := time.Now()
	want, werr := w.svc.Counts(ctx, in, now, dashboard.FromRecords)
	for _, src := range []struct {
		name string
		src  dashboard.Source
	}{{"tallies", dashboard.FromTallies}, {"rollups", dashboard.FromRollups}} {
		got, gerr := w.svc.Counts(ctx, in, now, src.src)
		if gerr != nil || werr != nil {
			// Both fail alike (a unit out of reach, a viewer without the
			// tenant's root), or the tallies' statement is broken.
			if gerr == nil || werr == nil || apperr.CodeOf(gerr) != apperr.CodeOf(werr) || gerr.Error() != werr.Error() {
				rt.Fatalf("%s: %v, records: %v", src.name, gerr, werr)
			}
			return
		}
		w.compareCounts(rt, v, src.name, from, to, got, want)
	}
	w.compared++
	if first, last := months(from, to); first.Before(last) && want.HazardTotal+want.InspectionTotal+want.EnforcementTotal > 0 {
		if tally.Bucketed(v, "hazard") {
			w.tallied++
		}
		if tally.RolledUp(v, "hazard") && want.HazardTotal > 0 {
			w.rolled++
		}
	}
}

// compareCounts fails when got, read from the tallies or their rollups
// (what), differs from want, counted on the records.
func (w *tallyWorld) compareCounts(rt *rapid.T, v *authz.Viewer, what string, from, to time.Time, got, want *dashboard.Dashboard) {
	if got.HazardTotal != want.HazardTotal || got.InspectionTotal != want.InspectionTotal || got.EnforcementTotal != want.EnforcementTotal {
		rt.Fatalf("totals of %+v over %v–%v: %s %d/%d/%d, records %d/%d/%d", v.Grants, from, to, what,
			got.HazardTotal, got.InspectionTotal, got.EnforcementTotal, want.HazardTotal, want.InspectionTotal, want.EnforcementTotal)
	}
	if !reflect.DeepEqual(got.Hazards, want.Hazards) || !reflect.DeepEqual(got.Inspections, want.Inspections) ||
		!reflect.DeepEqual(got.Enforcement, want.Enforcement) {
		rt.Fatalf("counts of %+v over %v–%v: %s %+v %+v %+v, records %+v %+v %+v", v.Grants, from, to, what,
			got.Hazards, got.Inspections, got.Enforcement, want.Hazards, want.Inspections, want.Enforcement)
	}
}
