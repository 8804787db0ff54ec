package bench

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/gid"
)

// floorSQL is the hand-written SQL twin of each scenario for one user: the
// statements an expert would send for the same answer, with the same
// compiled scope predicate the API applies. Statements are built once; a
// request only binds values. Both floors — raw database/sql calls and the
// minimal net/http handler — run these.
type floorSQL struct {
	db *sql.DB

	list      map[string]stmt // by state: page, then total
	listTotal map[string]stmt
	count     stmt
	dashboard stmt
	units     stmt // page of ENTERPRISE units; limit bound last
	hazards   stmt // per-enterprise pages: enterprise ids array, per-parent limit
	hzTotals  stmt // per-enterprise totals: enterprise ids array
	events    stmt // events of hazard ids array
	node      stmt // hazard id
	lock      stmt // hazard id → state, supervised (FOR UPDATE, update predicate)
	update    stmt
	event     stmt
}

// stmt is a SQL text and the scope predicate's arguments, to which each
// call appends its own.
type stmt struct {
	query string
	args  []any
}

// with returns the statement's arguments with the last len(vals) — the
// per-request placeholders — replaced by vals.
func (s stmt) with(vals ...any) []any {
	n := len(s.args) - len(vals)
	return append(append(make([]any, 0, len(s.args)), s.args[:n]...), vals...)
}

// hazardStates are the states a list may filter by.
var hazardStates = []string{"REPORTED", "PLAN_SUBMITTED", "RECTIFYING", "SUBMITTED", "CLOSED"}

// newFloorSQL compiles the statements of viewer v (PostgreSQL placeholders).
func newFloorSQL(db *sql.DB, v *authz.Viewer) (*floorSQL, error) {
	f := &floorSQL{db: db, list: map[string]stmt{}, listTotal: map[string]stmt{}}
	hz := func(action string, cols ...string) *entsql.Selector {
		s := entsql.Dialect(dialect.Postgres).Select(cols...).From(entsql.Table("hazards"))
		v.Predicate("hazard", action)(s)
		return s
	}
	build := func(s *entsql.Selector) stmt {
		q, args := s.Query()
		return stmt{q, args}
	}
	// The state is bound through the predicate builder so placeholders stay
	// numbered in order; one statement per state.
	for _, st := range hazardStates {
		s := hz("read", "id", "state", "level", "category", "deadline", "found_at")
		s.Where(entsql.EQ(s.C("state"), st)).OrderBy(s.C("id")).Limit(listPage + 1)
		f.list[st] = build(s)
		c := hz("read", "COUNT(*)")
		c.Where(entsql.EQ(c.C("state"), st))
		f.listTotal[st] = build(c)
	}
	f.count = build(hz("read", "COUNT(*)"))
	d := hz("read", "state", "level", "COUNT(*)")
	d.GroupBy(d.C("state"), d.C("level"))
	f.dashboard = build(d)

	u := entsql.Dialect(dialect.Postgres).Select("id", "name").From(entsql.Table("units"))
	v.Predicate("unit", "read")(u)
	u.Where(entsql.EQ(u.C("kind"), "ENTERPRISE")).OrderBy(u.C("id"))
	f.units = build(u)
	f.units.query += fmt.Sprintf(" LIMIT $%d", len(f.units.args)+1)
	f.units.args = append(f.units.args, 0)

	// Per-request values are bound through the builder as placeholders
	// (any) and replaced by with(): the predicate's parentheses stay ent's.
	var anyIDs any = pq.Array([]int64{})
	inner := hz("read", "id", "state", "level", "scope_enterprise_id",
		"ROW_NUMBER() OVER (PARTITION BY scope_enterprise_id ORDER BY id) AS rn")
	inner.Where(entsql.P(func(b *entsql.Builder) {
		b.Ident("scope_enterprise_id").WriteString(" = ANY(").Arg(anyIDs).WriteByte(')')
	}))
	inner.As("t")
	outer := entsql.Dialect(dialect.Postgres).Select("id", "state", "level", "scope_enterprise_id").From(inner)
	outer.Where(entsql.LTE("rn", 0)).OrderBy("scope_enterprise_id", "id")
	f.hazards = build(outer)

	tot := hz("read", "scope_enterprise_id", "COUNT(*)")
	tot.Where(entsql.P(func(b *entsql.Builder) {
		b.Ident("scope_enterprise_id").WriteString(" = ANY(").Arg(anyIDs).WriteByte(')')
	}))
	tot.GroupBy("scope_enterprise_id")
	f.hzTotals = build(tot)

	ev := entsql.Dialect(dialect.Postgres).Select("hazard_id", "action", "at").From(entsql.Table("hazard_events"))
	v.Predicate("hazard", "read")(ev)
	ev.Where(entsql.P(func(b *entsql.Builder) { b.Ident("hazard_id").WriteString(" = ANY(").Arg(anyIDs).WriteByte(')') }))
	ev.OrderBy("hazard_id", "at", "id")
	f.events = build(ev)

	nd := hz("read", "id")
	nd.Where(entsql.EQ(nd.C("id"), 0))
	f.node = build(nd)

	lk := hz("supervise", "state", "supervised")
	lk.Where(entsql.EQ(lk.C("id"), 0)).ForUpdate()
	f.lock = build(lk)
	// As the API: a supervision records the unit of the post that ordered it
	// (only a post there or above lifts it), a lift clears it.
	f.update = stmt{query: "UPDATE hazards SET supervised = $2, updated_at = $3, " +
		"supervisor_id = CASE WHEN $2 THEN (SELECT unit_id FROM posts WHERE id = $4) END WHERE id = $1"}
	f.event = stmt{query: `INSERT INTO hazard_events (created_at, updated_at, tenant_id, scope_path, scope_sector, scope_enterprise_id,
  hazard_id, action, from_state, to_state, actor_id, post_id, note, at)
SELECT $2, $2, tenant_id, scope_path, scope_sector, scope_enterprise_id, id, $3, state, state, $4, $5, '', $2 FROM hazards WHERE id = $1`}
	return f, nil
}

// listPage is the page the list scenario asks for.
const listPage = 20

// The JSON shapes below mirror the GraphQL answers field for field, so the
// handler floor writes the same bytes the API does (checked at start).

type hazardRow struct {
	ID       string    `json:"id"`
	State    string    `json:"state"`
	Level    string    `json:"level"`
	Category string    `json:"category"`
	Deadline time.Time `json:"deadline"`
	FoundAt  time.Time `json:"foundAt"`
}

type listResult struct {
	Hazards struct {
		TotalCount int `json:"totalCount"`
		Edges      []struct {
			Node hazardRow `json:"node"`
		} `json:"edges"`
	} `json:"hazards"`
}

func (f *floorSQL) runList(ctx context.Context, state string) (listResult, int, error) {
	var out listResult
	rows, err := f.db.QueryContext(ctx, f.list[state].query, f.list[state].args...)
	if err != nil {
		return out, 0, fmt.Errorf("list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			h  hazardRow
			id int
		)
		if err := rows.Scan(&id, &h.State, &h.Level, &h.Category, &h.Deadline, &h.FoundAt); err != nil {
			return out, 1, fmt.Errorf("list: scan: %w", err)
		}
		h.ID = gid.Encode(id)
		if len(out.Hazards.Edges) < listPage {
			out.Hazards.Edges = append(out.Hazards.Edges, struct {
				Node hazardRow `json:"node"`
			}{h})
		}
	}
	if err := rows.Err(); err != nil {
		return out, 1, fmt.Errorf("list: %w", err)
	}
	if out.Hazards.Edges == nil {
		out.Hazards.Edges = []struct {
			Node hazardRow `json:"node"`
		}{}
	}
	t := f.listTotal[state]
	if err := f.db.QueryRowContext(ctx, t.query, t.args...).Scan(&out.Hazards.TotalCount); err != nil {
		return out, 2, fmt.Errorf("list total: %w", err)
	}
	return out, 2, nil
}

type countResult struct {
	Hazards struct {
		TotalCount int `json:"totalCount"`
	} `json:"hazards"`
}

func (f *floorSQL) runCount(ctx context.Context) (countResult, int, error) {
	var out countResult
	err := f.db.QueryRowContext(ctx, f.count.query, f.count.args...).Scan(&out.Hazards.TotalCount)
	if err != nil {
		return out, 1, fmt.Errorf("count: %w", err)
	}
	return out, 1, nil
}

type hazardCount struct {
	State string `json:"state"`
	Level string `json:"level"`
	Count int    `json:"count"`
}

type dashboardResult struct {
	HazardCounts []hazardCount `json:"hazardCounts"`
}

func (f *floorSQL) runDashboard(ctx context.Context) (dashboardResult, int, error) {
	out := dashboardResult{HazardCounts: []hazardCount{}}
	rows, err := f.db.QueryContext(ctx, f.dashboard.query, f.dashboard.args...)
	if err != nil {
		return out, 1, fmt.Errorf("dashboard: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c hazardCount
		if err := rows.Scan(&c.State, &c.Level, &c.Count); err != nil {
			return out, 1, fmt.Errorf("dashboard: scan: %w", err)
		}
		out.HazardCounts = append(out.HazardCounts, c)
	}
	sort.Slice(out.HazardCounts, func(i, j int) bool {
		a, b := out.HazardCounts[i], out.HazardCounts[j]
		if a.Level != b.Level {
			return a.Level < b.Level
		}
		return a.State < b.State
	})
	return out, 1, rows.Err()
}

type eventRow struct {
	Action string    `json:"action"`
	At     time.Time `json:"at"`
}

type nestedHazard struct {
	ID     string     `json:"id"`
	State  string     `json:"state"`
	Level  string     `json:"level"`
	Events []eventRow `json:"events"`
}

type nestedUnit struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	EnterpriseHazards struct {
		TotalCount int `json:"totalCount"`
		Edges      []struct {
			Node *nestedHazard `json:"node"`
		} `json:"edges"`
	} `json:"enterpriseHazards"`
}

type nestedResult struct {
	Units struct {
		Edges []struct {
			Node *nestedUnit `json:"node"`
		} `json:"edges"`
	} `json:"units"`
}

// runNested answers enterprise units → their hazards → events in four
// statements whatever the page sizes: units, hazard pages (one window
// query), hazard totals (one grouped count), events.
func (f *floorSQL) runNested(ctx context.Context, units, hazards int) (nestedResult, int, error) {
	var out nestedResult
	out.Units.Edges = []struct {
		Node *nestedUnit `json:"node"`
	}{}
	rows, err := f.db.QueryContext(ctx, f.units.query, f.units.with(units)...)
	if err != nil {
		return out, 1, fmt.Errorf("nested units: %w", err)
	}
	byUnit := map[int64]*nestedUnit{}
	var ids []int64
	for rows.Next() {
		var (
			id int64
			u  nestedUnit
		)
		if err := rows.Scan(&id, &u.Name); err != nil {
			rows.Close()
			return out, 1, fmt.Errorf("nested units: scan: %w", err)
		}
		u.ID = gid.Encode(int(id))
		u.EnterpriseHazards.Edges = []struct {
			Node *nestedHazard `json:"node"`
		}{}
		byUnit[id] = &u
		ids = append(ids, id)
		out.Units.Edges = append(out.Units.Edges, struct {
			Node *nestedUnit `json:"node"`
		}{&u})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return out, 1, err
	}
	rows, err = f.db.QueryContext(ctx, f.hazards.query, f.hazards.with(pq.Array(ids), hazards)...)
	if err != nil {
		return out, 2, fmt.Errorf("nested hazards: %w", err)
	}
	byHazard := map[int64]*nestedHazard{}
	var hids []int64
	for rows.Next() {
		var (
			id, ent int64
			h       nestedHazard
		)
		if err := rows.Scan(&id, &h.State, &h.Level, &ent); err != nil {
			rows.Close()
			return out, 2, fmt.Errorf("nested hazards: scan: %w", err)
		}
		h.ID = gid.Encode(int(id))
		h.Events = []eventRow{}
		byHazard[id] = &h
		hids = append(hids, id)
		u := byUnit[ent]
		u.EnterpriseHazards.Edges = append(u.EnterpriseHazards.Edges, struct {
			Node *nestedHazard `json:"node"`
		}{&h})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, 2, err
	}
	rows, err = f.db.QueryContext(ctx, f.hzTotals.query, f.hzTotals.with(pq.Array(ids))...)
	if err != nil {
		return out, 3, fmt.Errorf("nested totals: %w", err)
	}
	for rows.Next() {
		var ent int64
		var n int
		if err := rows.Scan(&ent, &n); err != nil {
			rows.Close()
			return out, 3, fmt.Errorf("nested totals: scan: %w", err)
		}
		byUnit[ent].EnterpriseHazards.TotalCount = n
	}
	rows.Close()
	if len(hids) == 0 {
		return out, 3, rows.Err()
	}
	rows, err = f.db.QueryContext(ctx, f.events.query, f.events.with(pq.Array(hids))...)
	if err != nil {
		return out, 4, fmt.Errorf("nested events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			hid int64
			e   eventRow
		)
		if err := rows.Scan(&hid, &e.Action, &e.At); err != nil {
			return out, 4, fmt.Errorf("nested events: scan: %w", err)
		}
		if h := byHazard[hid]; h != nil {
			h.Events = append(h.Events, e)
		}
	}
	return out, 4, rows.Err()
}

type nodeResult struct {
	Node *struct {
		ID string `json:"id"`
	} `json:"node"`
}

func (f *floorSQL) runNode(ctx context.Context, id int) (nodeResult, int, error) {
	var out nodeResult
	var got int
	err := f.db.QueryRowContext(ctx, f.node.query, f.node.with(id)...).Scan(&got)
	if err == sql.ErrNoRows {
		return out, 1, nil
	}
	if err != nil {
		return out, 1, fmt.Errorf("node: %w", err)
	}
	out.Node = &struct {
		ID string `json:"id"`
	}{gid.Encode(got)}
	return out, 1, nil
}

type transitionResult struct {
	TransitionHazard struct {
		Hazard struct {
			ID         string `json:"id"`
			Supervised bool   `json:"supervised"`
		} `json:"hazard"`
	} `json:"transitionHazard"`
}

// runTransition puts a hazard under supervision or lifts it, as the API's
// SUPERVISE / LIFT_SUPERVISION do (scope check under lock, update, event) —
// without the audit append the API also makes.
func (f *floorSQL) runTransition(ctx context.Context, id int, supervise bool, actor, post int) (transitionResult, int, error) {
	var out transitionResult
	tx, err := f.db.BeginTx(ctx, nil)
	if err != nil {
		return out, 0, fmt.Errorf("transition: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var (
		state      string
		supervised bool
	)
	if err := tx.QueryRowContext(ctx, f.lock.query, f.lock.with(id)...).Scan(&state, &supervised); err != nil {
		return out, 1, fmt.Errorf("transition: lock: %w", err)
	}
	if supervised == supervise {
		return out, 1, fmt.Errorf("transition: hazard %d already supervised=%v", id, supervised)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if _, err := tx.ExecContext(ctx, f.update.query, id, supervise, now, post); err != nil {
		return out, 2, fmt.Errorf("transition: update: %w", err)
	}
	action := "LIFT_SUPERVISION"
	if supervise {
		action = "SUPERVISE"
	}
	if _, err := tx.ExecContext(ctx, f.event.query, id, now, action, actor, post); err != nil {
		return out, 3, fmt.Errorf("transition: event: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return out, 3, fmt.Errorf("transition: commit: %w", err)
	}
	out.TransitionHazard.Hazard.ID = gid.Encode(id)
	out.TransitionHazard.Hazard.Supervised = supervise
	return out, 3, nil
}
