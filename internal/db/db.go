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
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	entgo "entgo.io/ent"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	"github.com/lib/pq"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazardevent"
	"github.com/dutychain/dutychain/ent/intercept"
	entmigrate "github.com/dutychain/dutychain/ent/migrate"
	_ "github.com/dutychain/dutychain/ent/runtime" // hooks, policies and defaults of the ent schema
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/tally"
	"github.com/dutychain/dutychain/internal/tracing"
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
	// Reads routes read-only operations to a streaming replica once
	// OpenReplica attached one.
	Reads *Reads
	// Dialect is dialect.SQLite ("sqlite3") or dialect.Postgres ("postgres").
	Dialect string

	// URL is the PostgreSQL URL it was opened with (for LISTEN
	// connections); empty on SQLite.
	URL string

	sqliteDSN      string // SQLite only: DSN for the migration connection
	statementCache int    // PostgreSQL only: statements kept prepared per connection
	where          string // safe description for messages: file path or host/database
}

// Option tunes Open.
type Option func(*options)

type options struct {
	statementCache int
}

// WithStatementCache sets how many statements each PostgreSQL connection
// keeps prepared (DefaultStatementCache unless set); 0 prepares none, for
// poolers that cannot keep them (see stmtcache.go).
func WithStatementCache(n int) Option {
	return func(o *options) { o.statementCache = max(n, 0) }
}

// Open connects to databaseURL, or, when it is empty, opens (creating if
// needed) the embedded SQLite database <dataDir>/dutychain.db. It checks the
// connection but does not migrate; call Migrate.
func Open(ctx context.Context, databaseURL, dataDir string, opts ...Option) (*DB, error) {
	o := options{statementCache: DefaultStatementCache}
	for _, opt := range opts {
		opt(&o)
	}
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
		return openPostgres(ctx, databaseURL, u, o)
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
	sdb, err := tracing.OpenDB("sqlite", dsn)
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

func openPostgres(ctx context.Context, databaseURL string, u *url.URL, o options) (*DB, error) {
	where := describePostgres(u)
	// Validate what lib/pq will parse, without echoing its input.
	if _, err := pq.ParseURL(databaseURL); err != nil {
		return nil, fmt.Errorf("open PostgreSQL database %s: the URL is not valid for lib/pq", where)
	}
	connector, err := postgresConnector(databaseURL, o.statementCache)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL database %s: %w", where, err)
	}
	sdb := tracing.OpenConnector("postgres", connector)
	sdb.SetMaxOpenConns(25)
	sdb.SetMaxIdleConns(10)
	sdb.SetConnMaxLifetime(30 * time.Minute)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	if err := pingWithin(ctx, sdb); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("connect to PostgreSQL database %s: %w", where, err)
	}
	d := newDB(sdb, dialect.Postgres, "", where)
	d.URL = databaseURL
	d.statementCache = o.statementCache
	return d, nil
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

func newDB(sdb *sql.DB, dialectName, sqliteDSN, where string) *DB {
	// Every mutation passes through the audit hook; the driver wrapper lets
	// it give a mutation outside a transaction a transaction of its own.
	reads := &Reads{primary: sdb}
	drv := audit.NewDriver(countingDriver{Driver: entsql.OpenDB(dialectName, sdb), reads: reads})
	client := ent.NewClient(ent.Driver(drv))
	client.Use(authz.AuditHook(drv))
	client.Post.Use(endSessionsWithLastPost)
	// Events read through the hazard's `events` edge (eager-loaded in one
	// statement for a page) come oldest first, as the timeline does.
	// A hazards connection's totalCount, when its resolver marked the context
	// (tally.WithTotal), is read from the hazard tallies (see internal/tally).
	client.Hazard.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			total, ok := tally.TotalFrom(ctx)
			if qc := entgo.QueryFromContext(ctx); !ok || qc == nil || qc.Op != entgo.OpQueryCount {
				return next.Query(ctx, q)
			}
			return total(ctx)
		})
	}))
	client.HazardEvent.Intercept(intercept.TraverseHazardEvent(func(_ context.Context, q *ent.HazardEventQuery) error {
		q.Order(ent.Asc(hazardevent.FieldAt), ent.Asc(hazardevent.FieldID))
		return nil
	}))
	return &DB{
		Client:    client,
		Reads:     reads,
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
	if err := d.Reads.closeReplica(); err != nil {
		return fmt.Errorf("close the read replica of %s: %w", d, err)
	}
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
	if d.Dialect == dialect.Postgres {
		return d.withoutSamePartialIndexes(ctx, stmts)
	}
	return stmts, nil
}

// recreatedIndex matches the pair of statements the planner gives for a
// partial index whose predicate it compares as text.
var recreatedIndex = regexp.MustCompile(`^CREATE (UNIQUE )?INDEX "([^"]+)" ON (.+) WHERE (.+?);?$`)

// withoutSamePartialIndexes drops from stmts each DROP INDEX / CREATE INDEX
// pair of a partial index that PostgreSQL itself deems unchanged: the
// planner compares predicates as text, but PostgreSQL stores them normalized
// (state = 'EFFECTIVE' comes back as ((state)::text = 'EFFECTIVE'::text)).
// The desired index is built under a probe name in a transaction that is
// rolled back, and both definitions are compared as PostgreSQL prints them.
func (d *DB) withoutSamePartialIndexes(ctx context.Context, stmts []string) ([]string, error) {
	same := map[string]bool{}
	for _, st := range stmts {
		m := recreatedIndex.FindStringSubmatch(strings.TrimSpace(st))
		if m == nil {
			continue
		}
		name := m[2]
		var live string
		if err := d.SQL.QueryRowContext(ctx, "SELECT pg_get_indexdef(to_regclass($1))", name).Scan(&live); err != nil {
			continue // no such index: a real difference
		}
		tx, err := d.SQL.BeginTx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("schema drift: %w", err)
		}
		probe := "dutychain_drift_probe"
		var desired string
		_, err = tx.ExecContext(ctx, "CREATE "+m[1]+"INDEX "+probe+" ON "+m[3]+" WHERE "+m[4])
		if err == nil {
			err = tx.QueryRowContext(ctx, "SELECT pg_get_indexdef(to_regclass($1))", probe).Scan(&desired)
		}
		_ = tx.Rollback()
		if err == nil && (strings.Replace(desired, probe, name, 1) == live || strings.Replace(desired, probe, pq.QuoteIdentifier(name), 1) == live) {
			same[name] = true
		}
	}
	var out []string
	for _, st := range stmts {
		t := strings.TrimSpace(st)
		if m := recreatedIndex.FindStringSubmatch(t); m != nil && same[m[2]] {
			continue
		}
		if strings.HasPrefix(t, "DROP INDEX ") {
			if name := strings.Trim(strings.TrimSuffix(strings.TrimPrefix(t, "DROP INDEX "), ";"), `"`); same[name] {
				continue
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// ScratchPostgres creates a new, empty database on the PostgreSQL server of
// adminURL (a role allowed to create databases) and returns its URL and a
// function that drops it, terminating its connections first. It serves the
// tests (internal/testdb) and the migration generator.
func ScratchPostgres(ctx context.Context, adminURL, prefix string) (string, func(context.Context) error, error) {
	return scratchPostgres(ctx, adminURL, prefix, "")
}

// ScratchPostgresCopy is ScratchPostgres with the new database a copy of the
// database template (CREATE DATABASE … TEMPLATE), which must have no open
// connections.
func ScratchPostgresCopy(ctx context.Context, adminURL, prefix, template string) (string, func(context.Context) error, error) {
	return scratchPostgres(ctx, adminURL, prefix, template)
}

func scratchPostgres(ctx context.Context, adminURL, prefix, template string) (string, func(context.Context) error, error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, errors.New("scratch PostgreSQL database: the admin URL is not a postgres:// URL")
	}
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("scratch PostgreSQL database: %w", err)
	}
	name := prefix + randomSuffix()
	create := "CREATE DATABASE " + pq.QuoteIdentifier(name)
	if template != "" {
		create += " TEMPLATE " + pq.QuoteIdentifier(template)
	}
	if _, err := admin.ExecContext(ctx, create); err != nil {
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
