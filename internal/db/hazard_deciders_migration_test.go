package db_test

import (
	"database/sql"
	"testing"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// beforeDeciderBackfill is the migration that added the hazards' decider
// columns (assigner, supervisor, submitter, extension requester); the next
// one fills them from the history of hazards written before them.
const beforeDeciderBackfill = 32

// deciders are the four decider columns of every hazard, by id.
func deciders(t *testing.T, d *db.DB) map[int][4]sql.NullInt64 {
	t.Helper()
	rows, err := d.SQL.QueryContext(ctx(t), `SELECT id, assigner_id, supervisor_id, submitted_by_id, extension_requested_by_id FROM hazards`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int][4]sql.NullInt64{}
	for rows.Next() {
		var id int
		var v [4]sql.NullInt64
		if err := rows.Scan(&id, &v[0], &v[1], &v[2], &v[3]); err != nil {
			t.Fatal(err)
		}
		out[id] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The backfill gives hazards written before the decider columns existed the
// deciders the hazard service would have recorded: the demo's (written by the
// seed as the service does) come back identical after the columns are emptied
// and refilled, on both databases; a submission and an extension request
// recorded only in the history name their actors.
func TestHazardDecidersAreFilledFromHistory(t *testing.T) {
	for _, dl := range testdb.Dialects(t) {
		t.Run("on "+testdb.Name(dl), func(t *testing.T) {
			d := testdb.Open(t, dl)
			if _, err := seed.Demo(ctx(t), d.Client); err != nil {
				t.Fatal(err)
			}
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := d.SQL.ExecContext(ctx(t), db.Rebind(dl, q), args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			one := func(q string, args ...any) int {
				t.Helper()
				var n int
				if err := d.SQL.QueryRowContext(ctx(t), db.Rebind(dl, q), args...).Scan(&n); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return n
			}
			// The fruit company's open hazard: submitted by one user, then an
			// extension requested by another, in its history only.
			fruit := one(`SELECT id FROM hazards WHERE description = '冷藏库疏散通道堆放杂物'`)
			submitter := one(`SELECT id FROM users WHERE username = 'xihe.deputy'`)
			requester := one(`SELECT id FROM users WHERE username = 'xihe.head'`)
			event := `INSERT INTO hazard_events (created_at, updated_at, tenant_id, scope_path, scope_sector, scope_enterprise_id,
				hazard_id, action, from_state, to_state, actor_id, note, at)
				SELECT created_at, updated_at, tenant_id, scope_path, scope_sector, scope_enterprise_id, id, ?, state, ?, ?, '', updated_at
				FROM hazards WHERE id = ?`
			exec(event, "SUBMIT", "SUBMITTED", submitter, fruit)
			exec(event, "REQUEST_EXTENSION", "SUBMITTED", requester, fruit)
			exec(`UPDATE hazards SET state = 'SUBMITTED', requested_deadline = deadline WHERE id = ?`, fruit)
			exec(`UPDATE hazards SET submitted_by_id = ?, extension_requested_by_id = ? WHERE id = ?`, submitter, requester, fruit)
			want := deciders(t, d)

			supermarket := one(`SELECT id FROM hazards WHERE description = '安全出口被货架遮挡'`)
			for _, c := range []struct {
				name       string
				column     int
				hazard     int
				unitOrUser string
			}{
				{"the supermarket's assignment is the county's", 0, supermarket, `SELECT id FROM units WHERE code = '` + seed.CodeCounty + `'`},
				{"the supermarket's supervision is 城关镇's", 1, supermarket, `SELECT id FROM units WHERE code = '` + seed.CodeTownChengguan + `'`},
				{"the fruit company's submission is xihe.deputy's", 2, fruit, `SELECT id FROM users WHERE username = 'xihe.deputy'`},
				{"the fruit company's extension request is xihe.head's", 3, fruit, `SELECT id FROM users WHERE username = 'xihe.head'`},
			} {
				if got := want[c.hazard][c.column]; !got.Valid || int(got.Int64) != one(c.unitOrUser) {
					t.Errorf("before the backfill, %s: got %v", c.name, got)
				}
			}

			if err := d.MigrateTo(ctx(t), beforeDeciderBackfill); err != nil {
				t.Fatal(err)
			}
			if n := one(`SELECT COUNT(*) FROM hazards WHERE assigner_id IS NOT NULL OR supervisor_id IS NOT NULL
				OR submitted_by_id IS NOT NULL OR extension_requested_by_id IS NOT NULL`); n != 0 {
				t.Fatalf("the backfill's down file left %d hazards with deciders", n)
			}
			if err := d.Migrate(ctx(t)); err != nil {
				t.Fatal(err)
			}
			got := deciders(t, d)
			for id, w := range want {
				if got[id] != w {
					t.Errorf("hazard %d: deciders %v after the backfill, %v as written", id, got[id], w)
				}
			}
		})
	}
}
