package db_test

import (
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// beforeTableRebuilds is the last migration before the first ones that
// rebuild tables on SQLite (files in 0006, hazards in 0007).
const beforeTableRebuilds = 5

// TestEveryDownFileRevertsItsMigration walks a seeded database down one
// migration at a time past the table rebuilds and up again, keeping its
// rows, then down to no migration at all and up again: every shipped file
// runs on data, and the schema rebuilt afterwards is the ent schema again.
func TestEveryDownFileRevertsItsMigration(t *testing.T) {
	for _, dl := range testdb.Dialects(t) {
		t.Run("on "+testdb.Name(dl), func(t *testing.T) {
			d := testdb.Open(t, dl)
			if _, err := seed.Demo(ctx(t), d.Client); err != nil {
				t.Fatal(err)
			}
			hazards := d.Client.Hazard.Query().CountX(ctx(t))
			stepDown(t, d, beforeTableRebuilds)
			if err := d.Migrate(ctx(t)); err != nil {
				t.Fatalf("up again with data: %v", err)
			}
			if n := d.Client.Hazard.Query().CountX(ctx(t)); n != hazards || n == 0 {
				t.Errorf("%d hazards after down and up, want the %d seeded", n, hazards)
			}
			requireNoDrift(t, d)

			stepDown(t, d, 0)
			if left := userTables(t, d); len(left) > 0 {
				t.Errorf("tables left after reverting every migration: %s", strings.Join(left, ", "))
			}
			if err := d.Migrate(ctx(t)); err != nil {
				t.Fatalf("up again from none: %v", err)
			}
			requireNoDrift(t, d)
			if _, err := seed.Demo(ctx(t), d.Client); err != nil {
				t.Fatalf("seed the rebuilt database: %v", err)
			}
		})
	}
}

// stepDown reverts migrations one at a time until d is at version to.
func stepDown(t *testing.T, d *db.DB, to uint) {
	t.Helper()
	st, err := d.MigrationStatus(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for v := st.Version; v > to; {
		if err := d.MigrateDown(ctx(t), 1); err != nil {
			t.Fatalf("down from version %d: %v", v, err)
		}
		now, err := d.MigrationStatus(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if now.Dirty || now.Version >= v {
			t.Fatalf("down from version %d left %+v", v, now)
		}
		v = now.Version
	}
}

func requireNoDrift(t *testing.T, d *db.DB) {
	t.Helper()
	stmts, err := d.SchemaDrift(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) > 0 {
		t.Errorf("the schema after down and up differs from the ent schema:\n%s", strings.Join(stmts, "\n"))
	}
}

// userTables lists the tables of d other than the migration bookkeeping.
func userTables(t *testing.T, d *db.DB) []string {
	t.Helper()
	q := `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	if d.Dialect == dialect.SQLite {
		q = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	}
	rows, err := d.SQL.QueryContext(ctx(t), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if name != "schema_migrations" {
			out = append(out, name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigrationsOnSQLiteReportRowsReferringToMissingRows(t *testing.T) {
	d := testdb.Open(t, dialect.SQLite)
	conn, err := d.SQL.Conn(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"PRAGMA foreign_keys = off",
		`INSERT INTO units (created_at, updated_at, tenant_id, scope_path, code, name, kind, parent_id)
			VALUES (datetime('now'), datetime('now'), 1, '/1/', 'orphan', 'Orphan', 'ENTERPRISE', 424242)`,
		"PRAGMA foreign_keys = on",
	} {
		if _, err := conn.ExecContext(ctx(t), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close()
	err = d.MigrateDown(ctx(t), 1)
	if err == nil || !strings.Contains(err.Error(), "refers to a missing row of units") {
		t.Fatalf("migrate down over a dangling reference: %v, want it reported", err)
	}
}
