package dashboard_test

// Migrations 0025's and 0027's back-fills, on both databases: the monthly
// tallies 0025 computes from the records, and the town rollups 0027
// computes from the tallies, equal the ones the triggers kept while the
// demo tenant was loaded.

import (
	"context"
	"fmt"
	"maps"
	"os"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/db"
)

// tallyTables are the tables of migration 0025.
var tallyTables = []string{"hazard_month_tallies", "inspection_month_tallies", "enforcement_month_tallies"}

// rollupTables are the tables of migration 0027.
var rollupTables = []string{"hazard_tally_rollups", "hazard_month_tally_rollups", "inspection_month_tally_rollups", "enforcement_month_tally_rollups"}

// backFills returns the INSERT … SELECT statements of migration file for
// the dialect of d, in the order of tables.
func backFills(t *testing.T, d *db.DB, file string, tables []string) []string {
	dir, end, quote := "sqlite", ";\n\n", "`"
	if d.Dialect == dialect.Postgres {
		dir, end, quote = "postgres", ";\n", ""
	}
	b, err := os.ReadFile("../../migrations/" + dir + "/" + file)
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	var out []string
	for _, table := range tables {
		i := strings.Index(src, "INSERT INTO "+quote+table+quote+" (")
		if i < 0 {
			t.Fatalf("no back-fill of %s", table)
		}
		j := strings.Index(src[i:], end)
		out = append(out, src[i:i+j])
	}
	return out
}

// tallies reads the non-zero rows of a tally table.
func tallies(t *testing.T, d *db.DB, table string) map[string]int {
	rows, err := d.SQL.QueryContext(context.Background(), `SELECT tenant_id, tally_key, n FROM `+table+` WHERE n <> 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var tenant, n int
		var key string
		if err := rows.Scan(&tenant, &key, &n); err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("%d %s", tenant, key)] = n
	}
	return out
}

// TestMigrationBackFillsWhatTheTriggersKeep: for each table of migrations
// 0025 and 0027, the rows the triggers kept while the demo tenant loaded are
// deleted and recomputed by the migration's back-fill statement.
func TestMigrationBackFillsWhatTheTriggersKeep(t *testing.T) {
	migrations := []struct {
		file   string
		tables []string
	}{
		{"0025_dashboard_tallies.up.sql", tallyTables},
		{"0027_tally_rollups.up.sql", rollupTables},
	}
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		newFixture(t, d) // loads the demo tenant through the triggers
		for _, m := range migrations {
			for i, stmt := range backFills(t, d, m.file, m.tables) {
				table := m.tables[i]
				t.Run(table+" is back-filled as its triggers kept it", func(t *testing.T) {
					kept := tallies(t, d, table)
					if len(kept) == 0 {
						t.Fatalf("%s: the demo tenant left no rows", table)
					}
					if _, err := d.SQL.ExecContext(context.Background(), `DELETE FROM `+table); err != nil {
						t.Fatal(err)
					}
					if _, err := d.SQL.ExecContext(context.Background(), stmt); err != nil {
						t.Fatalf("%s: %v", stmt, err)
					}
					if filled := tallies(t, d, table); !maps.Equal(kept, filled) {
						t.Fatalf("%s: the triggers kept %v, the back-fill computes %v", table, kept, filled)
					}
				})
			}
		}
	})
}
