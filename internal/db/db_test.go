package db_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/testdb"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	// The ent hooks admit only the system viewer to write tenants.
	return authz.SystemContext(c)
}

func TestMigrationFilesMatchEntSchema(t *testing.T) {
	for _, dl := range []string{dialect.SQLite, dialect.Postgres} {
		if err := db.ValidateMigrationFiles(dl); err != nil {
			t.Errorf("%s: %v", testdb.Name(dl), err)
		}
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		stmts, err := d.SchemaDrift(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(stmts) > 0 {
			t.Errorf("the %s migration files do not match the ent schema; run `make migrations name=<what_changed>`. "+
				"A database built from them needs:\n%s", testdb.Name(d.Dialect), strings.Join(stmts, "\n"))
		}
	})
}

func TestMigrationDriftIsDetected(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		// Simulate a migration file that forgot an index the schema declares.
		if _, err := d.SQL.ExecContext(ctx(t), `DROP INDEX unit_parent_id`); err != nil {
			t.Fatal(err)
		}
		stmts, err := d.SchemaDrift(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(stmts) == 0 || !strings.Contains(strings.Join(stmts, "\n"), "unit_parent_id") {
			t.Fatalf("drift not reported: %q", stmts)
		}
	})
}

func TestMigrateUpIsIdempotent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		// testdb.Open migrated once already.
		before, err := d.MigrationStatus(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		// Data written between runs must survive a second run.
		tn, err := d.Client.Tenant.Create().SetCode("idem").SetName("Idempotent").Save(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := d.Migrate(ctx(t)); err != nil {
				t.Fatalf("migrate again (%d): %v", i+1, err)
			}
		}
		after, err := d.MigrationStatus(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Fatalf("status changed: %+v → %+v", before, after)
		}
		if n, err := d.Client.Tenant.Query().Count(ctx(t)); err != nil || n != 1 {
			t.Fatalf("tenants after re-migrating: %d, %v", n, err)
		}
		// sql/globalid: ids are allocated from the table's own range.
		if tn.ID>>32 == 0 {
			t.Errorf("tenant id %d is outside its global-id range: increment start missing from the migration", tn.ID)
		}
	})
}

func TestStatusReportsVersionAndNoPending(t *testing.T) {
	for _, dl := range testdb.Dialects(t) {
		t.Run("on "+testdb.Name(dl), func(t *testing.T) {
			d := testdb.OpenEmpty(t, dl)
			st, err := d.MigrationStatus(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if st.Version != 0 || st.Dirty || st.Latest == 0 || st.Pending == 0 {
				t.Fatalf("empty database: %+v, want version 0, clean, some pending", st)
			}
			if err := d.Migrate(ctx(t)); err != nil {
				t.Fatal(err)
			}
			st2, err := d.MigrationStatus(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			want := db.Status{Version: st.Latest, Latest: st.Latest}
			if st2 != want {
				t.Fatalf("migrated database: %+v, want %+v", st2, want)
			}
			if err := d.Ping(ctx(t)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOpenSQLiteDefaults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	d, err := db.Open(ctx(t), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Dialect != dialect.SQLite {
		t.Fatalf("dialect %q", d.Dialect)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("data dir: %v, %v", fi, err)
	}
	if _, err := os.Stat(filepath.Join(dir, db.SQLiteFile)); err != nil {
		t.Fatal(err)
	}
	// Every pooled connection carries the pragmas: check several at once.
	conns := make([]interface{ Close() error }, 0, 3)
	for i := 0; i < 3; i++ {
		c, err := d.SQL.Conn(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var fk, busy, sync int
		var mode string
		for q, dst := range map[string]any{
			"PRAGMA foreign_keys": &fk, "PRAGMA busy_timeout": &busy,
			"PRAGMA synchronous": &sync, "PRAGMA journal_mode": &mode,
		} {
			if err := c.QueryRowContext(ctx(t), q).Scan(dst); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if fk != 1 || busy != 10000 || sync != 1 || mode != "wal" {
			t.Fatalf("conn %d: foreign_keys=%d busy_timeout=%d synchronous=%d journal_mode=%s", i, fk, busy, sync, mode)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestSQLiteConcurrentWriteTransactions(t *testing.T) {
	d := testdb.Open(t, dialect.SQLite)
	c := ctx(t)
	// Read-then-write transactions on several connections: with deferred
	// transactions one of them fails with SQLITE_BUSY (lock upgrade
	// deadlock); with BEGIN IMMEDIATE they queue.
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func(i int) {
			tx, err := d.Client.Tx(c)
			if err != nil {
				errs <- err
				return
			}
			if _, err := tx.Tenant.Query().Count(c); err != nil {
				tx.Rollback()
				errs <- err
				return
			}
			time.Sleep(5 * time.Millisecond)
			if _, err := tx.Tenant.Create().SetCode(string(rune('a'+i)) + "-tenant").SetName("T").Save(c); err != nil {
				tx.Rollback()
				errs <- err
				return
			}
			errs <- tx.Commit()
		}(i)
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenErrorsDoNotLeakPasswords(t *testing.T) {
	for _, u := range []string{
		"postgres://alice:s3cret-pw@127.0.0.1:1/dutychain?sslmode=disable&connect_timeout=2",
		"postgres://alice:s3cret/pw@127.0.0.1/dutychain", // unescaped slash: not a valid URL
		"mysql://alice:s3cret-pw@localhost/dutychain",
		"postgres://alice:s3cret-pw@127.0.0.1:notaport/dutychain",
	} {
		_, err := db.Open(ctx(t), u, t.TempDir())
		if err == nil {
			t.Fatalf("%s: opened", u)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}
