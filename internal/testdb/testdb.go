// Package testdb gives tests fresh, fully migrated databases: always SQLite,
// and PostgreSQL when DUTYCHAIN_TEST_POSTGRES_URL is set (./scripts/test.sh
// starts a throwaway cluster and sets it).
//
//	func TestSomething(t *testing.T) {
//		testdb.Each(t, func(t *testing.T, d *db.DB) {
//			// d.Client is an ent client on an empty, migrated database.
//		})
//	}
//
// Environment:
//
//	DUTYCHAIN_TEST_POSTGRES_URL  superuser URL of a throwaway PostgreSQL server;
//	                             each Open creates (and at cleanup drops) its own
//	                             database dc_<random> there.
//	DUTYCHAIN_REQUIRE_POSTGRES=1 fail, rather than warn, when the URL is unset.
package testdb

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/db"
)

const (
	// EnvPostgresURL names the throwaway PostgreSQL server for tests.
	EnvPostgresURL = "DUTYCHAIN_TEST_POSTGRES_URL"
	// EnvRequirePostgres, set to 1, makes a missing EnvPostgresURL fatal.
	EnvRequirePostgres = "DUTYCHAIN_REQUIRE_POSTGRES"
)

var warnOnce sync.Once

// ParallelDialects, set by a test package before its tests run, makes Each
// run a test's SQLite and PostgreSQL subtests in parallel. Only packages
// whose tests read no process-wide counter (db.Statements, authz.Decisions)
// may set it: the two halves would add to each other's deltas.
var ParallelDialects bool

// Dialects lists the databases available to this test run: dialect.SQLite
// always, then dialect.Postgres when DUTYCHAIN_TEST_POSTGRES_URL is set.
func Dialects(t testing.TB) []string {
	t.Helper()
	ds := []string{dialect.SQLite}
	if os.Getenv(EnvPostgresURL) != "" {
		return append(ds, dialect.Postgres)
	}
	if os.Getenv(EnvRequirePostgres) == "1" {
		t.Fatalf("testdb: %s=1 but %s is not set; run the tests with ./scripts/test.sh, which starts a throwaway PostgreSQL cluster", EnvRequirePostgres, EnvPostgresURL)
	}
	warnOnce.Do(func() {
		t.Logf("testdb: WARNING: PostgreSQL NOT tested (%s unset); ran on SQLite only. Use ./scripts/test.sh to test both.", EnvPostgresURL)
	})
	return ds
}

// Each runs fn as a subtest once per available database — "on SQLite"
// always, "on PostgreSQL" when DUTYCHAIN_TEST_POSTGRES_URL is set — each with
// a fresh, fully migrated database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dl := range Dialects(t) {
		t.Run("on "+Name(dl), func(t *testing.T) {
			parallel(t)
			fn(t, Open(t, dl))
		})
	}
}

// parallel marks t parallel when ParallelDialects is set.
func parallel(t *testing.T) {
	if ParallelDialects {
		t.Parallel()
	}
}

// Name is the human name of a dialect: "SQLite" or "PostgreSQL".
func Name(dl string) string {
	switch dl {
	case dialect.SQLite:
		return "SQLite"
	case dialect.Postgres:
		return "PostgreSQL"
	}
	return dl
}

// migrated is the empty, fully migrated database every Open copies: on
// PostgreSQL a copy (CREATE DATABASE … TEMPLATE) costs a fraction of running
// the migrations again, seconds on a loaded machine. The migrations
// themselves are tested on OpenEmpty databases (internal/db, migrations).
var migrated = &Template{Name: "migrated", Build: func(context.Context, *db.DB) error { return nil }}

// Open returns a fresh, fully migrated database of the dialect
// (dialect.SQLite or dialect.Postgres), closed (and, for PostgreSQL, dropped)
// when the test ends.
func Open(t testing.TB, dl string) *db.DB {
	t.Helper()
	return migrated.Open(t, dl)
}

// OpenEmpty is Open without the migrations: an empty database.
func OpenEmpty(t testing.TB, dl string) *db.DB {
	t.Helper()
	switch dl {
	case dialect.SQLite:
		return openSQLite(t, filepath.Join(t.TempDir(), "data"))
	case dialect.Postgres:
		return openPostgres(t, "")
	}
	t.Fatalf("testdb: unknown dialect %q", dl)
	return nil
}

// openSQLite opens the SQLite database of data directory dir, closed when
// the test ends.
func openSQLite(t testing.TB, dir string) *db.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := db.Open(ctx, "", dir)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("testdb: %v", err)
		}
	})
	return d
}

// openPostgres creates a database on the test server — empty, or a copy of
// template — closed and dropped when the test ends.
func openPostgres(t testing.TB, template string) *db.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := os.Getenv(EnvPostgresURL)
	if admin == "" {
		t.Fatalf("testdb: PostgreSQL requested but %s is not set; run the tests with ./scripts/test.sh", EnvPostgresURL)
	}
	u, drop, err := db.ScratchPostgresCopy(ctx, admin, "dc_", template)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	d, err := db.Open(ctx, u, "")
	if err != nil {
		_ = drop(ctx)
		t.Fatalf("testdb: %v", err)
	}
	// Cleanups run last-in first-out: close the pool, then drop.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := drop(ctx); err != nil {
			t.Errorf("testdb: %v", err)
		}
	})
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("testdb: %v", err)
		}
	})
	return d
}

// databaseName is the database of a postgres:// URL.
func databaseName(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// Rebind turns the ? placeholders of query into PostgreSQL's $1, $2, … when
// dl is dialect.Postgres (db.Rebind), for tests that send hand-written SQL
// to both.
func Rebind(dl, query string) string { return db.Rebind(dl, query) }

// PostgresURL is the URL of d, a test database on the PostgreSQL test server
// (for a second connection of its own, such as a LISTEN).
func PostgresURL(t testing.TB, d *db.DB) string {
	t.Helper()
	var name string
	if err := d.SQL.QueryRowContext(context.Background(), "SELECT current_database()").Scan(&name); err != nil {
		t.Fatalf("testdb: current database: %v", err)
	}
	u, err := url.Parse(os.Getenv(EnvPostgresURL))
	if err != nil {
		t.Fatalf("testdb: %s: %v", EnvPostgresURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// StartViewerWatch runs an authz.ViewerWatch on d (PostgreSQL) and waits for
// its first lease. stop ends it and waits until it has given its lease up;
// the test's end stops it too, before the database is dropped. lease ≤ 0
// means authz.DefaultViewerLease.
func StartViewerWatch(tb testing.TB, d *db.DB, lease time.Duration) (w *authz.ViewerWatch, stop func()) {
	tb.Helper()
	w = authz.NewViewerWatch(d.SQL, PostgresURL(tb, d), lease, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				tb.Errorf("testdb: viewer watch: %v", err)
			}
		})
	}
	tb.Cleanup(stop)
	for deadline := time.Now().Add(10 * time.Second); !w.Fresh(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatal("testdb: the viewer watch got no lease within 10 s")
		}
	}
	return w, stop
}
