package tally_test

// The tallies against COUNT(*), on both databases: after random hazard
// writes run concurrently through the pool (creates, transitions, level
// changes, moves to another subject, deletes — raw SQL, so that only the
// triggers keep the tallies), every key's tally equals the hazards of that
// key, and for random viewers (the demo users and synthetic posts) and
// filters the tally-based totals and state × level counts equal COUNT(*)
// under the same compiled scope predicate. The town rollups (migration
// 0027) are checked the same way: every rollup key against the hazards of
// that key, and the counts of the viewers they answer (tally.RolledUp)
// against COUNT(*) too.

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	entsql "entgo.io/ent/dialect/sql"
	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/tally"
	"github.com/dutychain/dutychain/internal/testdb"
)

// unitRow is a unit of the demo tenant with the scope columns a hazard of
// it carries.
type unitRow struct {
	id         int
	kind       domain.UnitKind
	path       string
	sector     sql.NullString
	enterprise sql.NullInt64
}

// world is the demo tenant on one database.
type world struct {
	d        *db.DB
	demo     *seed.Built
	store    *authz.Store
	units    []unitRow
	template int            // a hazard whose other columns new hazards copy
	columns  []string       // the hazard columns but id
	counter  *tally.Counter // the rollups where they answer, the tallies otherwise
	fine     *tally.Counter // the tallies only
	rolled   int            // viewers whose hazards were counted on the rollups
}

func TestTalliesEqualCountUnderConcurrentWrites(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		rapid.Check(t, func(rt *rapid.T) {
			w.write(rt)
			w.checkKeys(rt)
			for i := range rapid.IntRange(1, 4).Draw(rt, "viewers") {
				v := w.viewer(rt, i)
				// Two filters for one viewer: Total keeps its statements
				// by the viewer's scope filter and the where input.
				for j := range 2 {
					where := drawWhere(rt, fmt.Sprintf("where%d.%d", i, j))
					w.checkViewer(rt, v, where)
				}
			}
		})
		if w.rolled == 0 {
			t.Fatal("no viewer was counted on the town rollups: the property was not exercised")
		}
	})
}

func newWorld(t *testing.T, d *db.DB) *world {
	ctx := context.Background()
	demo, err := seed.Load(ctx, d.Client, seed.TenantDemo)
	if err != nil {
		t.Fatal(err)
	}
	if err := authz.EnsureTenant(ctx, d.Client, demo.TenantID); err != nil {
		t.Fatal(err)
	}
	store, err := authz.NewStore(ctx, d.Client, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, demo: demo, store: store, counter: &tally.Counter{Client: d.Client, Dialect: d.Dialect},
		fine: &tally.Counter{Client: d.Client, Dialect: d.Dialect, Fine: true}}
	rows, err := d.SQL.QueryContext(ctx, w.q(`SELECT id, kind, scope_path, scope_sector, scope_enterprise_id FROM units WHERE tenant_id = ? ORDER BY id`), demo.TenantID)
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
	if err := d.SQL.QueryRowContext(ctx, w.q(`SELECT MIN(id) FROM hazards WHERE tenant_id = ?`), demo.TenantID).Scan(&w.template); err != nil {
		t.Fatal(err)
	}
	cols, err := d.SQL.QueryContext(ctx, `SELECT * FROM hazards WHERE 1 = 0`)
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
			w.columns = append(w.columns, c)
		}
	}
	return w
}

// q numbers the placeholders for PostgreSQL.
func (w *world) q(query string) string { return testdb.Rebind(w.d.Dialect, query) }

// write runs a random sequence of writes split over concurrent writers.
func (w *world) write(rt *rapid.T) {
	writers := rapid.IntRange(1, 4).Draw(rt, "writers")
	states, levels := domain.HazardState("").Values(), domain.HazardLevel("").Values()
	type op struct {
		kind, state, level string
		unit, hazard       int
	}
	plans := make([][]op, writers)
	for i := range plans {
		plans[i] = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) op {
			return op{
				kind:   rapid.SampledFrom([]string{"create", "create", "state", "level", "move", "delete"}).Draw(t, "op"),
				state:  rapid.SampledFrom(states).Draw(t, "state"),
				level:  rapid.SampledFrom(levels).Draw(t, "level"),
				unit:   rapid.IntRange(0, len(w.units)-1).Draw(t, "unit"),
				hazard: rapid.IntRange(0, 1<<20).Draw(t, "hazard"),
			}
		}), 1, 12).Draw(rt, fmt.Sprintf("writer%d", i))
	}
	ctx := context.Background()
	var existing []int
	rows, err := w.d.SQL.QueryContext(ctx, w.q(`SELECT id FROM hazards WHERE tenant_id = ? ORDER BY id`), w.demo.TenantID)
	if err != nil {
		rt.Fatal(err)
	}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			rt.Fatal(err)
		}
		existing = append(existing, id)
	}
	rows.Close()
	insert := w.insertSQL()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for _, plan := range plans {
		wg.Go(func() {
			var mine []int // hazards this writer created: the only ones it deletes
			for _, o := range plan {
				u := w.units[o.unit]
				id := existing[o.hazard%len(existing)]
				var err error
				switch o.kind {
				case "create":
					var newID int
					err = w.d.SQL.QueryRowContext(ctx, insert, u.id, u.path, u.sector, u.enterprise, o.state, o.level, w.template).Scan(&newID)
					mine = append(mine, newID)
				case "state":
					_, err = w.d.SQL.ExecContext(ctx, w.q(`UPDATE hazards SET state = ? WHERE id = ?`), o.state, id)
				case "level":
					_, err = w.d.SQL.ExecContext(ctx, w.q(`UPDATE hazards SET level = ? WHERE id = ?`), o.level, id)
				case "move":
					_, err = w.d.SQL.ExecContext(ctx, w.q(`UPDATE hazards SET subject_id = ?, scope_path = ?, scope_sector = ?, scope_enterprise_id = ? WHERE id = ?`),
						u.id, u.path, u.sector, u.enterprise, id)
				case "delete":
					if len(mine) > 0 {
						_, err = w.d.SQL.ExecContext(ctx, w.q(`DELETE FROM hazards WHERE id = ?`), mine[len(mine)-1])
						mine = mine[:len(mine)-1]
					}
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %w", o.kind, err)
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

// insertSQL copies the template hazard under a new subject, state and level.
func (w *world) insertSQL() string {
	set := []string{"subject_id", "scope_path", "scope_sector", "scope_enterprise_id", "state", "level"}
	cols, sel := slices.Clone(set), slices.Repeat([]string{"?"}, len(set))
	for _, c := range w.columns {
		if !slices.Contains(set, c) {
			cols, sel = append(cols, c), append(sel, c)
		}
	}
	return w.q(`INSERT INTO hazards (` + strings.Join(cols, ", ") + `) SELECT ` + strings.Join(sel, ", ") + ` FROM hazards WHERE id = ? RETURNING id`)
}

// checkKeys compares every key's tally, and every town rollup key's, with
// the hazards of that key, the keys computed here from the hazard's
// columns.
func (w *world) checkKeys(rt *rapid.T) {
	ctx := context.Background()
	want, wantRollups := map[string]int{}, map[string]int{}
	rows, err := w.d.SQL.QueryContext(ctx, `SELECT tenant_id, scope_path, scope_sector, scope_enterprise_id, level, state FROM hazards`)
	if err != nil {
		rt.Fatal(err)
	}
	for rows.Next() {
		var tenant int
		var path, level, state string
		var sector sql.NullString
		var ent sql.NullInt64
		if err := rows.Scan(&tenant, &path, &sector, &ent, &level, &state); err != nil {
			rt.Fatal(err)
		}
		bucket := path
		if ent.Valid {
			seg := fmt.Sprintf("/%d/", ent.Int64)
			if i := strings.Index(path, seg); i >= 0 {
				bucket = path[:i+len(seg)]
			}
		}
		want[fmt.Sprintf("%d %s|%s|%d|%s|%s", tenant, bucket, sector.String, ent.Int64, level, state)]++
		town, marker := bucket, "0"
		if ent.Valid { // the bucket without the enterprise's id
			marker = "1"
			if seg := fmt.Sprintf("/%d/", ent.Int64); strings.HasSuffix(bucket, seg) {
				town = bucket[:len(bucket)-len(seg)+1]
			}
		}
		wantRollups[fmt.Sprintf("%d %s|%s|%s|%s|%s", tenant, town, sector.String, marker, level, state)]++
	}
	rows.Close()
	equalKeys(rt, tally.Table, want, w.keys(rt, tally.Table))
	equalKeys(rt, tally.RollupTable, wantRollups, w.keys(rt, tally.RollupTable))
}

// keys reads the non-zero rows of a tally table by tenant and key.
func (w *world) keys(rt *rapid.T, table string) map[string]int {
	got := map[string]int{}
	rows, err := w.d.SQL.QueryContext(context.Background(), `SELECT tenant_id, tally_key, n FROM `+table+` WHERE n <> 0`)
	if err != nil {
		rt.Fatal(err)
	}
	for rows.Next() {
		var tenant, n int
		var key string
		if err := rows.Scan(&tenant, &key, &n); err != nil {
			rt.Fatal(err)
		}
		got[fmt.Sprintf("%d %s", tenant, key)] = n
	}
	rows.Close()
	if len(got) == 0 {
		rt.Fatalf("%s: no row", table)
	}
	return got
}

// equalKeys fails when the rows of a tally table differ from the hazards
// counted by key.
func equalKeys(rt *rapid.T, table string, want, got map[string]int) {
	if !maps.Equal(want, got) {
		for k := range maps.Keys(want) {
			if want[k] != got[k] {
				rt.Errorf("%s key %s: %d hazards, tally %d", table, k, want[k], got[k])
			}
		}
		for k := range maps.Keys(got) {
			if _, ok := want[k]; !ok {
				rt.Errorf("%s key %s: no hazard, tally %d", table, k, got[k])
			}
		}
		rt.FailNow()
	}
}

// viewer is a demo user or a viewer with one to three synthetic posts at
// random units, with random roles and sectors.
func (w *world) viewer(rt *rapid.T, i int) *authz.Viewer {
	ctx := context.Background()
	now := time.Now()
	if rapid.Bool().Draw(rt, fmt.Sprintf("demo%d", i)) {
		users := slices.Sorted(maps.Keys(w.demo.Users))
		name := rapid.SampledFrom(users).Draw(rt, fmt.Sprintf("user%d", i))
		v, err := authz.LoadViewer(ctx, w.d.Client, w.store.Current(), w.demo.Users[name], w.demo.TenantID, now)
		if err != nil {
			rt.Fatal(err)
		}
		return v
	}
	v := &authz.Viewer{UserID: 1, Tenant: w.demo.TenantID, Policy: w.store.Current(), Now: now}
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

// drawWhere is no filter or a filter on state and level.
func drawWhere(rt *rapid.T, label string) *ent.HazardWhereInput {
	state := domain.HazardState(rapid.SampledFrom(domain.HazardState("").Values()).Draw(rt, label+".state"))
	level := domain.HazardLevel(rapid.SampledFrom(domain.HazardLevel("").Values()).Draw(rt, label+".level"))
	return rapid.SampledFrom([]*ent.HazardWhereInput{
		nil,
		{State: &state},
		{Level: &level, StateNEQ: &state},
		{Not: &ent.HazardWhereInput{State: &state}},
		{Or: []*ent.HazardWhereInput{{State: &state}, {Level: &level}}},
		{StateIn: []domain.HazardState{state, domain.HazardClosed}},
	}).Draw(rt, label)
}

// checkViewer compares the tally-based total and counts with COUNT(*)
// over the hazards under the same scope predicate and filter.
func (w *world) checkViewer(rt *rapid.T, v *authz.Viewer, where *ent.HazardWhereInput) {
	answers := tally.Answers(v, where)
	below := slices.ContainsFunc(v.Grants, func(g authz.Grant) bool {
		return (g.UnitKind == domain.KindWorkshop || g.UnitKind == domain.KindTeam) && v.Policy.GrantAllows(g, "hazard", "read")
	})
	if answers == below {
		rt.Fatalf("Answers = %v for a viewer with a grant below an enterprise: %v", answers, below)
	}
	if !answers {
		return
	}
	ctx := context.Background()
	s := entsql.Dialect(w.d.Dialect).Select().From(entsql.Table("hazards"))
	v.Predicate("hazard", "read")(s)
	if where != nil {
		p, err := where.P()
		if err != nil {
			rt.Fatal(err)
		}
		p(s)
	}
	s.Select(s.C("state"), s.C("level")).AppendSelectExprAs(entsql.Raw("COUNT(*)"), "n").GroupBy(s.C("state"), s.C("level"))
	query, args := s.Query()
	rows, err := w.d.SQL.QueryContext(ctx, query, args...)
	if err != nil {
		rt.Fatal(err)
	}
	want, total := map[string]int{}, 0
	for rows.Next() {
		var state, level string
		var n int
		if err := rows.Scan(&state, &level, &n); err != nil {
			rt.Fatal(err)
		}
		want[state+" "+level] = n
		total += n
	}
	rows.Close()
	if w.counter.TableFor(v) == tally.RollupTable {
		if !tally.RolledUp(v, "hazard") {
			rt.Fatalf("%+v: counted on the rollups, which do not answer it", v.Grants)
		}
		if total > 0 {
			w.rolled++
		}
	}
	for _, c := range []*tally.Counter{w.counter, w.fine} {
		table := c.TableFor(v)
		counts, err := c.Counts(ctx, v, where)
		if err != nil {
			rt.Fatal(err)
		}
		got := map[string]int{}
		for _, c := range counts {
			got[string(c.State)+" "+string(c.Level)] = c.Count
		}
		if !maps.Equal(want, got) {
			rt.Fatalf("counts of %+v: COUNT(*) %v, %s %v", v.Grants, want, table, got)
		}
		for range 2 { // built, then kept
			n, err := c.Total(ctx, v, where)
			if err != nil {
				rt.Fatal(err)
			}
			if n != total {
				rt.Fatalf("total of %+v where %+v: COUNT(*) %d, %s %d", v.Grants, where, total, table, n)
			}
		}
	}
}

// TestRolledUpNamesTheGrantsWhosePredicateTheRollupsKeep is the rule of
// the package doc, grant kind by grant kind: a viewer holding the MEMBER
// grant every user has (DirectoryOnly) and one post of a head.
func TestRolledUpNamesTheGrantsWhosePredicateTheRollupsKeep(t *testing.T) {
	rules, links, err := authz.DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	for i := range rules {
		rules[i].Tenant = "1"
	}
	policy, err := authz.NewPolicy(1, rules, links)
	if err != nil {
		t.Fatal(err)
	}
	member := authz.Grant{Tenant: 1, Role: authz.RoleMember, Path: "/1/", DirectoryOnly: true}
	for _, c := range []struct {
		name     string
		kind     domain.UnitKind
		path     string
		sectors  []domain.Sector
		rolledUp bool
		bucketed bool
	}{
		{"a city's head is answered from the rollups", domain.KindCity, "/1/", nil, true, true},
		{"a county's head is answered from the rollups", domain.KindCounty, "/1/2/", nil, true, true},
		{"a town's head is answered from the rollups", domain.KindTown, "/1/2/3/", nil, true, true},
		{"a county head restricted to sectors is answered from the rollups", domain.KindCounty, "/1/2/", []domain.Sector{domain.SectorFuel, domain.SectorChemicals}, true, true},
		{"a town head restricted to a sector is answered from the rollups", domain.KindTown, "/1/2/3/", []domain.Sector{domain.SectorIndustry}, true, true},
		{"a department's head falls back to the tallies (supervisions name enterprises)", domain.KindDepartment, "/1/2/9/", nil, false, true},
		{"a department's head restricted to a sector falls back to the tallies", domain.KindDepartment, "/1/2/9/", []domain.Sector{domain.SectorFuel}, false, true},
		{"an enterprise's principal falls back to the tallies (its path is cut off)", domain.KindEnterprise, "/1/2/3/40/", nil, false, true},
		{"a workshop's head falls back to the records", domain.KindWorkshop, "/1/2/3/40/41/", nil, false, false},
		{"a team's head falls back to the records", domain.KindTeam, "/1/2/3/40/41/42/", nil, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := authz.Grant{PostID: 7, Tenant: 1, UnitID: 7, UnitKind: c.kind, Path: c.path, Role: string(domain.RoleGovernmentHead), Sectors: c.sectors}
			if c.kind == domain.KindEnterprise || c.kind == domain.KindWorkshop || c.kind == domain.KindTeam {
				g.Role = string(domain.RolePrincipal)
			}
			if !policy.GrantAllows(g, "hazard", "read") {
				t.Fatalf("the default policy does not let %+v read hazards", g)
			}
			v := &authz.Viewer{UserID: 1, Tenant: 1, Policy: policy, Grants: []authz.Grant{member, g}, PostIDs: []int{7}}
			if got := tally.RolledUp(v, "hazard"); got != c.rolledUp {
				t.Errorf("RolledUp = %v, want %v", got, c.rolledUp)
			}
			if got := tally.Bucketed(v, "hazard"); got != c.bucketed {
				t.Errorf("Bucketed = %v, want %v", got, c.bucketed)
			}
			counter := &tally.Counter{Dialect: "sqlite3"}
			want := tally.Table
			if c.rolledUp {
				want = tally.RollupTable
			}
			if got := counter.TableFor(v); got != want {
				t.Errorf("counted on %s, want %s", got, want)
			}
		})
	}
	t.Run("a viewer with only the MEMBER grant (DirectoryOnly) is answered from the rollups", func(t *testing.T) {
		v := &authz.Viewer{UserID: 1, Tenant: 1, Policy: policy, Grants: []authz.Grant{member}}
		if !tally.RolledUp(v, "hazard") {
			t.Error("RolledUp = false, want true")
		}
	})
	t.Run("no viewer is answered from the rollups", func(t *testing.T) {
		if tally.RolledUp(nil, "hazard") {
			t.Error("RolledUp(nil) = true, want false")
		}
	})
}
