package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/testdb"
)

// migrationTarget is a database reachable by the commands' flags.
type migrationTarget struct {
	flags []string
	open  func(t *testing.T) *db.DB
}

// migrationTargets gives an empty SQLite data directory and, when
// available, an empty PostgreSQL database.
func migrationTargets(t *testing.T) map[string]migrationTarget {
	out := map[string]migrationTarget{}
	for _, dl := range testdb.Dialects(t) {
		switch dl {
		case dialect.SQLite:
			dir := filepath.Join(t.TempDir(), "data")
			out[testdb.Name(dl)] = migrationTarget{flags: []string{"--data-dir", dir}, open: func(t *testing.T) *db.DB {
				d, err := db.Open(context.Background(), "", dir)
				require.NoError(t, err)
				return d
			}}
		case dialect.Postgres:
			url, drop, err := db.ScratchPostgres(context.Background(), os.Getenv(testdb.EnvPostgresURL), "dc_migcli")
			require.NoError(t, err)
			t.Cleanup(func() { _ = drop(context.Background()) })
			out[testdb.Name(dl)] = migrationTarget{flags: []string{"--database-url", url, "--data-dir", t.TempDir()}, open: func(t *testing.T) *db.DB {
				d, err := db.Open(context.Background(), url, "")
				require.NoError(t, err)
				return d
			}}
		}
	}
	return out
}

// setVersion writes the version table by hand, as a failed or foreign
// migration would leave it.
func setVersion(t *testing.T, target migrationTarget, version uint, dirty bool) {
	d := target.open(t)
	defer d.Close()
	_, err := d.SQL.ExecContext(context.Background(),
		"UPDATE schema_migrations SET version = "+strconv.Itoa(int(version))+", dirty = "+strconv.FormatBool(dirty))
	require.NoError(t, err)
}

func latestVersion(t *testing.T, target migrationTarget) db.Status {
	d := target.open(t)
	defer d.Close()
	st, err := d.MigrationStatus(context.Background())
	require.NoError(t, err)
	return st
}

// requirePlainRefusal checks err is a refusal in plain words, without
// golang-migrate's own text.
func requirePlainRefusal(t *testing.T, err error, want string) {
	t.Helper()
	require.Error(t, err)
	require.Contains(t, err.Error(), want)
	for _, raw := range []string{"Dirty database version", "no migration found", "file does not exist"} {
		require.NotContains(t, err.Error(), raw)
	}
}

func TestMigrateCommandsRefuseDirtyAndNewerDatabasesAndRepairThem(t *testing.T) {
	for name, target := range migrationTargets(t) {
		t.Run("on "+name, func(t *testing.T) {
			ctx := context.Background()
			run := func(args ...string) error { return migrateCommand(ctx, append(args, target.flags...)) }
			serve := func(args ...string) error {
				return serveCommand(ctx, append(append([]string{"--addr", freeAddr(t), "--log-level", "error", "--seed-demo=false"}, target.flags...), args...))
			}
			require.NoError(t, run("up"))
			require.NoError(t, run("status"), "a current database has a clean status")
			latest := latestVersion(t, target).Version

			t.Run("a dirty database fails status and is not served, with or without --migrate", func(t *testing.T) {
				setVersion(t, target, latest, true)
				requirePlainRefusal(t, run("status"), "dirty")
				requirePlainRefusal(t, run("up"), "dirty")
				requirePlainRefusal(t, serve(), "dirty")
				requirePlainRefusal(t, serve("--migrate=false"), "dirty")
			})
			t.Run("force records a version as clean", func(t *testing.T) {
				require.NoError(t, run("force", strconv.Itoa(int(latest))))
				require.NoError(t, run("status"))
				require.Error(t, run("force", "999999"), "a version this binary does not ship is refused")
			})
			t.Run("down reverts migrations and a server without --migrate refuses the older database", func(t *testing.T) {
				require.Error(t, run("down", "100000"), "more migrations than applied")
				require.Error(t, run("down"), "down needs a number")
				require.Error(t, run("down", "0"), "down needs a number of at least 1")
				require.NoError(t, run("down", "1"))
				st := latestVersion(t, target)
				require.Less(t, st.Version, latest)
				require.Equal(t, 1, st.Pending)
				require.NoError(t, run("status"), "a database behind the binary is not an error for status")
				requirePlainRefusal(t, serve("--migrate=false"), "migrate up")
				require.NoError(t, run("up"))
				require.Equal(t, latest, latestVersion(t, target).Version)
			})
			t.Run("a database newer than the binary fails status and is not served", func(t *testing.T) {
				setVersion(t, target, latest+1, false)
				requirePlainRefusal(t, run("status"), "newer than this binary")
				requirePlainRefusal(t, run("up"), "newer than this binary")
				requirePlainRefusal(t, run("down", "1"), "newer than this binary")
				requirePlainRefusal(t, serve(), "newer than this binary")
				err := serve("--migrate=false")
				requirePlainRefusal(t, err, "newer than this binary")
				require.True(t, strings.HasPrefix(err.Error(), "not serving "), err.Error())
			})
		})
	}
}
