package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"sort"
	"strings"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	migratepg "github.com/golang-migrate/migrate/v4/database/postgres"
	migratesqlite "github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/dutychain/dutychain/migrations"
)

// Status is the migration state of a database.
type Status struct {
	// Version is the last applied migration; 0 when none is.
	Version uint
	// Dirty is true when the migration at Version failed halfway and the
	// database needs manual repair (then `migrate force`).
	Dirty bool
	// Latest is the newest migration shipped in this binary.
	Latest uint
	// Pending counts shipped migrations newer than Version.
	Pending int
	// Newer is true when Version is beyond Latest: the database was
	// migrated by a newer binary.
	Newer bool
}

// migrationDir returns the embedded migration files of the dialect.
func migrationDir(dialectName string) (fs.FS, error) {
	return migrations.Dir(dialectName)
}

// migrator builds a golang-migrate instance for d. For SQLite it owns a
// separate single-connection pool (golang-migrate closes its database);
// for PostgreSQL it borrows one connection of d.SQL.
func (d *DB) migrator(ctx context.Context) (*migrate.Migrate, func(), error) {
	dir, err := migrationDir(d.Dialect)
	if err != nil {
		return nil, nil, err
	}
	src, err := iofs.New(dir, ".")
	if err != nil {
		return nil, nil, fmt.Errorf("read embedded %s migrations: %w", d.Dialect, err)
	}
	var drv database.Driver
	switch d.Dialect {
	case dialect.SQLite:
		mdb, err := sql.Open("sqlite", sqliteMigrationDSN(d.sqliteDSN))
		if err != nil {
			src.Close()
			return nil, nil, err
		}
		mdb.SetMaxOpenConns(1)
		drv, err = migratesqlite.WithInstance(mdb, &migratesqlite.Config{})
		if err != nil {
			mdb.Close()
			src.Close()
			return nil, nil, err
		}
	case dialect.Postgres:
		conn, err := d.SQL.Conn(ctx)
		if err != nil {
			src.Close()
			return nil, nil, err
		}
		drv, err = migratepg.WithConnection(ctx, conn, &migratepg.Config{})
		if err != nil {
			conn.Close()
			src.Close()
			return nil, nil, err
		}
	default:
		src.Close()
		return nil, nil, fmt.Errorf("unsupported dialect %q", d.Dialect)
	}
	m, err := migrate.NewWithInstance("iofs", src, d.Dialect, drv)
	if err != nil {
		drv.Close()
		src.Close()
		return nil, nil, err
	}
	return m, func() { m.Close() }, nil
}

// Migrate applies every pending migration. It is safe to call on an
// up-to-date database (it does nothing) and, on PostgreSQL, from several
// processes at once (golang-migrate holds an advisory lock). A dirty
// database, or one newer than this binary, is refused with a *StateError.
func (d *DB) Migrate(ctx context.Context) error {
	st, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if err := st.check(false); err != nil {
		return fmt.Errorf("migrate %s: %w", d, err)
	}
	changed := false
	err = d.withMigrator(ctx, "migrate", func(m *migrate.Migrate) error {
		err := m.Up()
		if errors.Is(err, migrate.ErrNoChange) {
			return nil
		}
		changed = err == nil
		return err
	})
	if err != nil {
		return err
	}
	if err := d.migrateJobQueue(ctx); err != nil {
		return err
	}
	if !changed {
		return nil
	}
	return d.checkForeignKeys(ctx, "migrate")
}

// MigrateDown reverts the newest n applied migrations, running their down
// files: data in the dropped tables and columns is lost.
func (d *DB) MigrateDown(ctx context.Context, n int) error {
	st, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if err := st.check(false); err != nil {
		return fmt.Errorf("migrate down %s: %w", d, err)
	}
	applied, err := appliedCount(d.Dialect, st.Version)
	if err != nil {
		return err
	}
	if n < 1 || n > applied {
		return fmt.Errorf("migrate down %s: cannot revert %d migrations: %d applied", d, n, applied)
	}
	if err := d.withMigrator(ctx, "migrate down", func(m *migrate.Migrate) error { return m.Steps(-n) }); err != nil {
		return err
	}
	if n == applied {
		if err := d.dropJobQueue(ctx); err != nil {
			return err
		}
	}
	return d.checkForeignKeys(ctx, "migrate down")
}

// ForceVersion records version as applied and clean without running
// anything: the repair step after fixing a dirty database by hand. Version
// 0 records that no migration is applied.
func (d *DB) ForceVersion(ctx context.Context, version uint) error {
	versions, err := shippedVersions(d.Dialect)
	if err != nil {
		return err
	}
	target := -1 // golang-migrate's "no version"
	if version > 0 {
		if !slices.Contains(versions, version) {
			return fmt.Errorf("migrate force %s: version %d is not a migration of this binary", d, version)
		}
		target = int(version)
	}
	return d.withMigrator(ctx, "migrate force", func(m *migrate.Migrate) error { return m.Force(target) })
}

// MigrateTo moves the schema up or down to version: a test of a migration
// that moves data starts from the version before it.
func (d *DB) MigrateTo(ctx context.Context, version uint) error {
	err := d.withMigrator(ctx, "migrate to", func(m *migrate.Migrate) error {
		err := m.Migrate(version)
		if errors.Is(err, migrate.ErrNoChange) {
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	return d.checkForeignKeys(ctx, "migrate to")
}

// sqliteMigrationDSN is dsn without foreign-key enforcement, for the
// migration connection. SQLite changes a table by copying it into a new one,
// dropping the old and renaming the new: with enforcement on, dropping a
// table that other rows reference fails although every id survives the copy,
// and SQLite ignores PRAGMA foreign_keys inside the transaction each
// migration runs in. checkForeignKeys verifies the result instead.
func sqliteMigrationDSN(dsn string) string {
	return strings.Replace(dsn, url.QueryEscape("foreign_keys(1)"), url.QueryEscape("foreign_keys(0)"), 1)
}

// checkForeignKeys fails when, after a migration on SQLite, a row refers to
// a row that does not exist (PRAGMA foreign_key_check), naming the first.
// PostgreSQL enforces foreign keys inside the migration itself.
func (d *DB) checkForeignKeys(ctx context.Context, op string) error {
	if d.Dialect != dialect.SQLite {
		return nil
	}
	rows, err := d.SQL.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("%s %s: check foreign keys: %w", op, d, err)
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("%s %s: check foreign keys: %w", op, d, err)
		}
		return fmt.Errorf("%s %s: after the migration, row %d of %s refers to a missing row of %s", op, d, rowid.Int64, table, parent)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s %s: check foreign keys: %w", op, d, err)
	}
	return nil
}

// withMigrator runs fn with a migrator of d, stopping it gracefully when
// ctx ends, and names the operation in its error.
func (d *DB) withMigrator(ctx context.Context, op string, fn func(m *migrate.Migrate) error) error {
	m, done, err := d.migrator(ctx)
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, d, err)
	}
	defer done()
	stop := context.AfterFunc(ctx, func() {
		select {
		case m.GracefulStop <- true:
		default:
		}
	})
	defer stop()
	if err := fn(m); err != nil {
		var dirty migrate.ErrDirty
		if errors.As(err, &dirty) {
			return fmt.Errorf("%s %s: %w", op, d, &StateError{Dirty: true, Version: uint(dirty.Version)})
		}
		return fmt.Errorf("%s %s: %w", op, d, err)
	}
	return nil
}

// MigrationStatus reports the applied version, whether it is dirty, the
// newest shipped migration and how many are pending.
func (d *DB) MigrationStatus(ctx context.Context) (Status, error) {
	var st Status
	m, done, err := d.migrator(ctx)
	if err != nil {
		return st, fmt.Errorf("migration status of %s: %w", d, err)
	}
	defer done()
	v, dirty, err := m.Version()
	switch {
	case errors.Is(err, migrate.ErrNilVersion):
		v = 0
	case err != nil:
		return st, fmt.Errorf("migration status of %s: %w", d, err)
	}
	return statusAt(d.Dialect, v, dirty)
}

// CheckCurrent reads the migration state straight from the version table
// (one cheap statement, for readiness probes) and returns a *StateError
// unless the database is clean and exactly at this binary's version.
func (d *DB) CheckCurrent(ctx context.Context) error {
	var v int64
	var dirty bool
	err := d.SQL.QueryRowContext(ctx, "SELECT version, dirty FROM schema_migrations LIMIT 1").Scan(&v, &dirty)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		if _, down := Outage(err); down {
			return err
		}
		v, dirty = 0, false // no version table yet: nothing applied
	}
	if v < 0 {
		v = 0
	}
	st, err := statusAt(d.Dialect, uint(v), dirty)
	if err != nil {
		return err
	}
	return st.check(true)
}

// CheckServable returns a *StateError when a server must not start on the
// database: dirty, newer than this binary, or (pendingToo) behind it.
func (d *DB) CheckServable(ctx context.Context, pendingToo bool) error {
	st, err := d.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	return st.check(pendingToo)
}

// statusAt is the Status of a database at version v of dialectName.
func statusAt(dialectName string, v uint, dirty bool) (Status, error) {
	st := Status{Version: v, Dirty: dirty}
	versions, err := shippedVersions(dialectName)
	if err != nil {
		return st, fmt.Errorf("read %s migrations: %w", dialectName, err)
	}
	if len(versions) > 0 {
		st.Latest = versions[len(versions)-1]
	}
	st.Newer = v > st.Latest
	for _, x := range versions {
		if x > v {
			st.Pending++
		}
	}
	return st, nil
}

// appliedCount is how many shipped migrations are at or below version v.
func appliedCount(dialectName string, v uint) (int, error) {
	versions, err := shippedVersions(dialectName)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, x := range versions {
		if x <= v {
			n++
		}
	}
	return n, nil
}

// check returns the *StateError of st: dirty, newer, or (pendingToo) behind.
func (st Status) check(pendingToo bool) error {
	switch {
	case st.Dirty:
		return &StateError{Dirty: true, Version: st.Version, Latest: st.Latest}
	case st.Newer:
		return &StateError{Newer: true, Version: st.Version, Latest: st.Latest}
	case pendingToo && st.Pending > 0:
		return &StateError{Behind: true, Version: st.Version, Latest: st.Latest}
	}
	return nil
}

// Sentinels of StateError, for errors.Is.
var (
	ErrDirty  = errors.New("database dirty")
	ErrNewer  = errors.New("database newer than binary")
	ErrBehind = errors.New("database behind binary")
)

// StateError is a migration state a server cannot run on. Its message says
// what to do, in plain words.
type StateError struct {
	Dirty, Newer, Behind bool
	Version, Latest      uint
}

func (e *StateError) Error() string {
	switch {
	case e.Dirty:
		return fmt.Sprintf("the database is dirty: migration %d failed halfway. Repair the database by hand, "+
			"then record the version it is really at with `dutychain migrate force <version>`", e.Version)
	case e.Newer:
		return fmt.Sprintf("the database is at migration %d, newer than this binary (which knows up to %d): "+
			"run the newer dutychain, or roll the database back with that binary's `dutychain migrate down`", e.Version, e.Latest)
	default:
		return fmt.Sprintf("the database is at migration %d but this binary needs %d: run `dutychain migrate up` "+
			"(or serve with --migrate)", e.Version, e.Latest)
	}
}

// Is makes errors.Is match ErrDirty, ErrNewer or ErrBehind.
func (e *StateError) Is(target error) bool {
	return (target == ErrDirty && e.Dirty) || (target == ErrNewer && e.Newer) || (target == ErrBehind && e.Behind)
}

// shippedVersions lists the embedded migration versions in ascending order.
func shippedVersions(dialectName string) ([]uint, error) {
	dir, err := migrationDir(dialectName)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(dir, ".")
	if err != nil {
		return nil, err
	}
	seen := map[uint]bool{}
	var vs []uint
	for _, e := range entries {
		m, err := source.DefaultParse(e.Name())
		if err != nil || m.Direction != source.Up || seen[m.Version] {
			continue
		}
		seen[m.Version] = true
		vs = append(vs, m.Version)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i] < vs[j] })
	return vs, nil
}

// ValidateMigrationFiles checks the embedded migration directory of the
// dialect: every up file has a down file, and atlas.sum (written by the
// generator, needed to plan the next migration) matches the files, so they
// were not edited by hand after generation.
func ValidateMigrationFiles(dialectName string) error {
	dir, err := migrationDir(dialectName)
	if err != nil {
		return err
	}
	entries, err := fs.ReadDir(dir, ".")
	if err != nil {
		return err
	}
	// atlas.sum covers every .sql file (up and down), as atlas' LocalDir
	// sees the directory when the generator writes it; check it the same way.
	mem := atlasmigrate.OpenMemDir("dutychain-validate-" + randomSuffix())
	defer mem.Close()
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := fs.ReadFile(dir, e.Name())
		if err != nil {
			return err
		}
		if err := mem.WriteFile(e.Name(), b); err != nil {
			return err
		}
	}
	if err := atlasmigrate.Validate(mem); err != nil {
		return fmt.Errorf("%s migrations: %w (regenerate with `make migrations`; never edit generated files)", dialectName, err)
	}
	ups, downs := map[uint]string{}, map[uint]string{}
	for _, e := range entries {
		m, err := source.DefaultParse(e.Name())
		if err != nil {
			continue
		}
		target := ups
		if m.Direction == source.Down {
			target = downs
		}
		if prev, ok := target[m.Version]; ok {
			return fmt.Errorf("%s migrations: version %d appears twice (%s, %s)", dialectName, m.Version, prev, e.Name())
		}
		target[m.Version] = e.Name()
	}
	if len(ups) == 0 {
		return fmt.Errorf("%s migrations: no migration files", dialectName)
	}
	for v, n := range ups {
		if _, ok := downs[v]; !ok {
			return fmt.Errorf("%s migrations: %s has no down file", dialectName, n)
		}
	}
	for v, n := range downs {
		if _, ok := ups[v]; !ok {
			return fmt.Errorf("%s migrations: %s has no up file", dialectName, n)
		}
	}
	return nil
}
