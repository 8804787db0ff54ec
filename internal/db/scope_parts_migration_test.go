package db_test

import (
	"testing"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// beforeScopedParts is the last migration before 0034, which scopes
// follow-up checks as their hazards and import jobs as the post they were
// started under.
const beforeScopedParts = 33

// Migration 0034 moves the stored rows: each follow-up check gets its
// hazard's scope columns (stored before with its inspection's, a town's path
// and no sector), and each import job its unit's path as scope_path with the
// key of every sector (which post started it was not recorded).
func TestScopedPartsMigrationMovesTheStoredRows(t *testing.T) {
	for _, dl := range testdb.Dialects(t) {
		t.Run("on "+testdb.Name(dl), func(t *testing.T) {
			d := testdb.OpenEmpty(t, dl)
			if err := d.Migrate(ctx(t)); err != nil {
				t.Fatal(err)
			}
			if _, err := seed.Demo(ctx(t), d.Client); err != nil {
				t.Fatal(err)
			}
			if err := d.MigrateTo(ctx(t), beforeScopedParts); err != nil {
				t.Fatal(err)
			}
			// Old-shape rows: the checks scoped as an inspection of a town,
			// a job with its unit's path.
			exec(t, d, `UPDATE follow_up_checks SET scope_path = '/town-inspection/', scope_sector = NULL, scope_enterprise_id = NULL`)
			exec(t, d, `INSERT INTO import_jobs (created_at, updated_at, tenant_id, created_by_user_id, created_by_name, unit_id,
				unit_path, file_name, content, dry_run, state, rows_total, rows_done, enterprises, users, posts)
				SELECT created_at, updated_at, tenant_id, 1, 'admin', id, scope_path, 'old.xlsx', NULL, false, 'SUCCEEDED', 0, 0, 0, 0, 0
				FROM units WHERE parent_id IS NULL`)

			if err := d.Migrate(ctx(t)); err != nil {
				t.Fatal(err)
			}
			t.Run("every follow-up check carries its hazard's scope columns", func(t *testing.T) {
				var n, differ int
				row := d.SQL.QueryRowContext(ctx(t), `SELECT COUNT(*), COUNT(CASE WHEN f.scope_path <> h.scope_path
					OR COALESCE(f.scope_sector, '') <> COALESCE(h.scope_sector, '')
					OR COALESCE(f.scope_enterprise_id, 0) <> COALESCE(h.scope_enterprise_id, 0) THEN 1 END)
					FROM follow_up_checks f JOIN hazards h ON h.id = f.hazard_id`)
				if err := row.Scan(&n, &differ); err != nil {
					t.Fatal(err)
				}
				if n == 0 || differ != 0 {
					t.Fatalf("%d of %d follow-up checks differ from their hazards", differ, n)
				}
			})
			t.Run("an import job is scoped at its unit with every sector", func(t *testing.T) {
				jobs, err := d.Client.ImportJob.Query().All(authz.SystemContext(ctx(t)))
				if err != nil {
					t.Fatal(err)
				}
				if len(jobs) == 0 {
					t.Fatal("no import job")
				}
				all := authz.GrantSectorKey(authz.Grant{})
				for _, j := range jobs {
					u, err := d.Client.Unit.Get(authz.SystemContext(ctx(t)), j.UnitID)
					if err != nil {
						t.Fatal(err)
					}
					if j.ScopePath != u.ScopePath || j.ScopeSector == nil || *j.ScopeSector != all || j.ScopeEnterpriseID != nil {
						t.Errorf("job %d: scope (%q, %v, %v), want (%q, %q, nil)", j.ID, j.ScopePath, deref(j.ScopeSector), j.ScopeEnterpriseID, u.ScopePath, all)
					}
				}
			})
		})
	}
}

func exec(t *testing.T, d *db.DB, q string) {
	t.Helper()
	if _, err := d.SQL.ExecContext(ctx(t), q); err != nil {
		t.Fatal(err)
	}
}
