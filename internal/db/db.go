// Package db opens the platform's database — embedded SQLite by default,
// PostgreSQL when a postgres:// URL is given — and applies the versioned
// migrations committed under migrations/ with golang-migrate.
//
// Every query goes through DB.Client, the ent client, so that ent's privacy
// layer and interceptors apply; DB.SQL is the same pool, for migrations and
// health checks only.
package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	entgo "entgo.io/ent"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	migratepg "github.com/golang-migrate/migrate/v4/database/postgres"
	migratesqlite "github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/lib/pq"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazardevent"
	"github.com/dutychain/dutychain/ent/intercept"
	entmigrate "github.com/dutychain/dutychain/ent/migrate"
	_ "github.com/dutychain/dutychain/ent/runtime" // hooks, policies and defaults of the ent schema
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/countcache"
	"github.com/dutychain/dutychain/migrations"
)

// SQLiteFile is the name of the embedded database file inside the data directory.
const SQLiteFile = "dutychain.db"

// sqliteParams are the connection settings of every embedded-database
// connection: foreign keys enforced (ent requires them), WAL so readers do not
// block the writer, a generous busy timeout, NORMAL sync (safe with WAL), and
// BEGIN IMMEDIATE for transactions so two write transactions queue on the
// busy timeout instead of deadlocking on a read-to-write lock upgrade.
// Times are written in SQLite's own format, converted to UTC (also when bound
// as query arguments), so they sort and compare correctly as text.
var sqliteParams = url.Values{
	"_pragma": {
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"journal_mode(WAL)",
		"synchronous(NORMAL)",
	},
	"_txlock":      {"immediate"},
	"_time_format": {"sqlite"},
	"_timezone":    {"UTC"},
}

// DB is an open database: the ent client and the pool under it.
type DB struct {
	// Client is the ent client; all application queries go through it.
	Client *ent.Client
	// SQL is the connection pool under Client.
	SQL *sql.DB
	// Dialect is dialect.SQLite ("sqlite3") or dialect.Postgres ("postgres").
	Dialect string

	sqliteDSN string // SQLite only: DSN for the migration connection
	where     string // safe description for messages: file path or host/database
}

// Open connects to databaseURL, or, when it is empty, opens (creating if
// needed) the embedded SQLite database <dataDir>/dutychain.db. It checks the
// connection but does not migrate; call Migrate.
func Open(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	if strings.TrimSpace(databaseURL) == "" {
		return openSQLite(ctx, dataDir)
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		// url.Error repeats (parts of) the URL, which may hold a password.
		return nil, errors.New("database URL is not a valid URL (check the host, the port, and that special characters in the user name and password are percent-encoded)")
	}
	switch u.Scheme {
	case "postgres", "postgresql":
		return openPostgres(ctx, databaseURL, u)
	default:
		return nil, fmt.Errorf("database URL: unsupported scheme %q (want postgres://user:password@host:port/database, or no URL for the embedded SQLite database)", u.Scheme)
	}
}

func openSQLite(ctx context.Context, dataDir string) (*DB, error) {
	if dataDir == "" {
		return nil, errors.New("open SQLite database: empty data directory")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("open SQLite database: create data directory: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dataDir, SQLiteFile))
	if err != nil {
		return nil, fmt.Errorf("open SQLite database: %w", err)
	}
	dsn := SQLiteDSN(path)
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	// WAL lets readers run beside the single writer; writers queue on the
	// busy timeout. A small pool is plenty for an embedded database.
	sdb.SetMaxOpenConns(8)
	sdb.SetMaxIdleConns(8)
	sdb.SetConnMaxIdleTime(10 * time.Minute)
	if err := pingWithin(ctx, sdb); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	// journal_mode(WAL) is silently ignored when it cannot be set; check.
	var mode string
	if err := sdb.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open SQLite database %s: read journal mode: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		sdb.Close()
		return nil, fmt.Errorf("open SQLite database %s: journal mode is %q, want wal", path, mode)
	}
	return newDB(sdb, dialect.SQLite, dsn, path), nil
}

// SQLiteDSN is the modernc.org/sqlite data source name, with the platform's
// connection settings, for the database file at path.
func SQLiteDSN(path string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + esc + "?" + sqliteParams.Encode()
}

func openPostgres(ctx context.Context, databaseURL string, u *url.URL) (*DB, error) {
	where := describePostgres(u)
	// Validate what lib/pq will parse, without echoing its input.
	if _, err := pq.ParseURL(databaseURL); err != nil {
		return nil, fmt.Errorf("open PostgreSQL database %s: the URL is not valid for lib/pq", where)
	}
	sdb, err := sql.Open("postgres", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL database %s: %w", where, err)
	}
	sdb.SetMaxOpenConns(25)
	sdb.SetMaxIdleConns(10)
	sdb.SetConnMaxLifetime(30 * time.Minute)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	if err := pingWithin(ctx, sdb); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("connect to PostgreSQL database %s: %w", where, err)
	}
	return newDB(sdb, dialect.Postgres, "", where), nil
}

// describePostgres names the server and database without any credential.
func describePostgres(u *url.URL) string {
	host := u.Host
	if host == "" {
		host = u.Query().Get("host")
	}
	if host == "" {
		host = "localhost"
	}
	dbname := strings.TrimPrefix(u.Path, "/")
	if dbname == "" {
		dbname = u.Query().Get("dbname")
	}
	return fmt.Sprintf("%q on %s", dbname, host)
}

// hazardTotals caches hazard connection totals (see countcache).
var hazardTotals countcache.Cache[ent.Value]

func newDB(sdb *sql.DB, dialectName, sqliteDSN, where string) *DB {
	// Every mutation passes through the audit hook; the driver wrapper lets
	// it give a mutation outside a transaction a transaction of its own.
	drv := audit.NewDriver(countingDriver{entsql.OpenDB(dialectName, sdb)})
	client := ent.NewClient(ent.Driver(drv))
	client.Use(authz.AuditHook(drv))
	// Events read through the hazard's `events` edge (eager-loaded in one
	// statement for a page) come oldest first, as the timeline does.
	// A hazards connection's totalCount, when its resolver marked the context
	// (countcache.WithKey), is kept for a few seconds (see countcache).
	client.Hazard.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			key, ok := countcache.KeyFrom(ctx)
			if qc := entgo.QueryFromContext(ctx); !ok || qc == nil || qc.Op != entgo.OpQueryCount {
				return next.Query(ctx, q)
			}
			return hazardTotals.Do(key, func() (ent.Value, error) { return next.Query(ctx, q) })
		})
	}))
	client.HazardEvent.Intercept(intercept.TraverseHazardEvent(func(_ context.Context, q *ent.HazardEventQuery) error {
		q.Order(ent.Asc(hazardevent.FieldAt), ent.Asc(hazardevent.FieldID))
		return nil
	}))
	return &DB{
		Client:    client,
		SQL:       sdb,
		Dialect:   dialectName,
		sqliteDSN: sqliteDSN,
		where:     where,
	}
}

func pingWithin(ctx context.Context, sdb *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return sdb.PingContext(ctx)
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.SQL.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", d, err)
	}
	return nil
}

// Close closes the ent client and the pool under it.
func (d *DB) Close() error {
	if err := d.Client.Close(); err != nil {
		return fmt.Errorf("close %s: %w", d, err)
	}
	return nil
}

// String names the database without credentials.
func (d *DB) String() string {
	if d.Dialect == dialect.SQLite {
		return "SQLite database " + d.where
	}
	return "PostgreSQL database " + d.where
}

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
		mdb, err := sql.Open("sqlite", d.sqliteDSN)
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
// processes at once (golang-migrate holds an advisory lock).
func (d *DB) Migrate(ctx context.Context) error {
	return d.runMigrations(ctx, (*migrate.Migrate).Up)
}

// MigrateTo moves the schema up or down to version: a test of a migration
// that moves data starts from the version before it.
func (d *DB) MigrateTo(ctx context.Context, version uint) error {
	return d.runMigrations(ctx, func(m *migrate.Migrate) error { return m.Migrate(version) })
}

func (d *DB) runMigrations(ctx context.Context, run func(*migrate.Migrate) error) error {
	m, done, err := d.migrator(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", d, err)
	}
	defer done()
	stop := context.AfterFunc(ctx, func() {
		select {
		case m.GracefulStop <- true:
		default:
		}
	})
	defer stop()
	err = run(m)
	var dirty migrate.ErrDirty
	switch {
	case err == nil, errors.Is(err, migrate.ErrNoChange):
		return nil
	case errors.As(err, &dirty):
		return fmt.Errorf("migrate %s: the database is dirty at version %d (a migration failed halfway); repair it by hand, then mark the version with golang-migrate's `force`: %w", d, dirty.Version, err)
	default:
		return fmt.Errorf("migrate %s: %w", d, err)
	}
}

// MigrationStatus reports the applied version, whether it is dirty, the
// newest shipped migration and how many are pending.
func (d *DB) MigrationStatus(ctx context.Context) (Status, error) {
	var st Status
	versions, err := shippedVersions(d.Dialect)
	if err != nil {
		return st, fmt.Errorf("migration status of %s: %w", d, err)
	}
	if len(versions) > 0 {
		st.Latest = versions[len(versions)-1]
	}
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
	st.Version, st.Dirty = v, dirty
	for _, x := range versions {
		if x > v {
			st.Pending++
		}
	}
	return st, nil
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

// schemaMu serialises use of ent's migration planner, which mutates the
// package-level table descriptions of ent/migrate.
var schemaMu sync.Mutex

// SchemaDrift compares the ent schema with the tables, columns, indexes and
// foreign keys of the connected database and returns the SQL statements that
// would bring the database to the schema; none means no drift. Run it on a
// database built by Migrate from the committed migration files: any statement
// means the migration files lag behind ent/schema (run `make migrations`).
func (d *DB) SchemaDrift(ctx context.Context) ([]string, error) {
	schemaMu.Lock()
	defer schemaMu.Unlock()
	name := "dutychain-drift-" + randomSuffix()
	dir := atlasmigrate.OpenMemDir(name)
	defer dir.Close()
	m, err := schema.NewMigrate(entsql.OpenDB(d.Dialect, d.SQL),
		schema.WithDir(dir),
		schema.WithFormatter(atlasmigrate.DefaultFormatter), // one file, up statements only
		schema.WithMigrationMode(schema.ModeInspect),
		schema.WithDialect(d.Dialect),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
		schema.WithErrNoPlan(true),
	)
	if err != nil {
		return nil, fmt.Errorf("schema drift: %w", err)
	}
	err = m.NamedDiff(ctx, "drift", entmigrate.Tables...)
	if errors.Is(err, atlasmigrate.ErrNoPlan) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("schema drift: %w", err)
	}
	files, err := dir.Files()
	if err != nil {
		return nil, fmt.Errorf("schema drift: %w", err)
	}
	var stmts []string
	for _, f := range files {
		ss, err := f.Stmts()
		if err != nil {
			return nil, fmt.Errorf("schema drift: %w", err)
		}
		stmts = append(stmts, ss...)
	}
	return stmts, nil
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

// ScratchPostgres creates a new, empty database on the PostgreSQL server of
// adminURL (a role allowed to create databases) and returns its URL and a
// function that drops it, terminating its connections first. It serves the
// tests (internal/testdb) and the migration generator.
func ScratchPostgres(ctx context.Context, adminURL, prefix string) (string, func(context.Context) error, error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, errors.New("scratch PostgreSQL database: the admin URL is not a postgres:// URL")
	}
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("scratch PostgreSQL database: %w", err)
	}
	name := prefix + randomSuffix()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("scratch PostgreSQL database on %s: create %s: %w", describePostgres(u), name, err)
	}
	nu := *u
	nu.Path = "/" + name
	q := nu.Query()
	q.Del("dbname")
	nu.RawQuery = q.Encode()
	drop := func(ctx context.Context) error {
		defer admin.Close()
		if _, err := admin.ExecContext(ctx,
			"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name); err != nil {
			return fmt.Errorf("drop %s: terminate connections: %w", name, err)
		}
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
		return nil
	}
	return nu.String(), drop, nil
}

func randomSuffix() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
