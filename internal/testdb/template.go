package testdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/internal/db"
)

// Template is a database built once per test process and dialect — migrated,
// then filled by Build — and copied for every test that opens it. Copying is
// a file write on SQLite and CREATE DATABASE … TEMPLATE on PostgreSQL, so a
// test gets the demo tenants for the price of a copy instead of a seed run.
//
//	var demo = &testdb.Template{Name: "demo", Build: func(ctx context.Context, d *db.DB) error {
//		_, err := seed.Demo(ctx, d.Client)
//		return err
//	}}
//
//	demo.Each(t, func(t *testing.T, d *db.DB) { … })
type Template struct {
	// Name names the template in messages and in the PostgreSQL database name.
	Name string
	// Build fills a freshly migrated database.
	Build func(ctx context.Context, d *db.DB) error

	mu       sync.Mutex
	sqlite   []byte // the SQLite database file
	postgres string // the PostgreSQL template database
	failed   map[string]error
}

// Each runs fn as a subtest once per available database, each with a fresh
// copy of the template.
func (tp *Template) Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dl := range Dialects(t) {
		t.Run("on "+Name(dl), func(t *testing.T) {
			parallel(t)
			fn(t, tp.Open(t, dl))
		})
	}
}

// Open returns a fresh copy of the template on dialect dl, closed (and, for
// PostgreSQL, dropped) when the test ends.
func (tp *Template) Open(t testing.TB, dl string) *db.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := tp.build(ctx, dl); err != nil {
		t.Fatalf("testdb: template %s on %s: %v", tp.Name, Name(dl), err)
	}
	switch dl {
	case dialect.SQLite:
		dir := filepath.Join(t.TempDir(), "data")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatalf("testdb: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, db.SQLiteFile), tp.sqlite, 0o600); err != nil {
			t.Fatalf("testdb: copy template %s: %v", tp.Name, err)
		}
		return openSQLite(t, dir)
	case dialect.Postgres:
		return openPostgres(t, tp.postgres)
	}
	t.Fatalf("testdb: unknown dialect %q", dl)
	return nil
}

// build makes the template of dl once; a failure is remembered so that every
// later test fails with it at once.
func (tp *Template) build(ctx context.Context, dl string) error {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if err := tp.failed[dl]; err != nil {
		return err
	}
	if (dl == dialect.SQLite && tp.sqlite != nil) || (dl == dialect.Postgres && tp.postgres != "") {
		return nil
	}
	var err error
	switch dl {
	case dialect.SQLite:
		tp.sqlite, err = tp.buildSQLite(ctx)
	case dialect.Postgres:
		tp.postgres, err = tp.buildPostgres(ctx)
	default:
		err = fmt.Errorf("unknown dialect %q", dl)
	}
	if err != nil {
		if tp.failed == nil {
			tp.failed = map[string]error{}
		}
		tp.failed[dl] = err
	}
	return err
}

func (tp *Template) fill(ctx context.Context, d *db.DB) error {
	if err := d.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := tp.Build(ctx, d); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	return nil
}

// buildSQLite fills a database in a scratch directory and returns its file,
// written out whole by VACUUM INTO (the live file may have pages in its WAL).
func (tp *Template) buildSQLite(ctx context.Context) ([]byte, error) {
	dir, err := os.MkdirTemp("", "dutychain-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, "", filepath.Join(dir, "data"))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if err := tp.fill(ctx, d); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "template.db")
	if _, err := d.SQL.ExecContext(ctx, "VACUUM INTO '"+strings.ReplaceAll(out, "'", "''")+"'"); err != nil {
		return nil, fmt.Errorf("vacuum into: %w", err)
	}
	return os.ReadFile(out)
}

// buildPostgres fills a new database and closes every connection to it, as
// CREATE DATABASE … TEMPLATE requires. The template lives as long as the
// server: ./scripts/test.sh removes the whole throwaway cluster at the end.
func (tp *Template) buildPostgres(ctx context.Context) (string, error) {
	admin := os.Getenv(EnvPostgresURL)
	if admin == "" {
		return "", fmt.Errorf("PostgreSQL requested but %s is not set; run the tests with ./scripts/test.sh", EnvPostgresURL)
	}
	u, _, err := db.ScratchPostgres(ctx, admin, "dc_template_"+tp.Name+"_")
	if err != nil {
		return "", err
	}
	d, err := db.Open(ctx, u, "")
	if err != nil {
		return "", err
	}
	if err := tp.fill(ctx, d); err != nil {
		d.Close()
		return "", err
	}
	if err := d.Close(); err != nil {
		return "", err
	}
	return databaseName(u), nil
}
