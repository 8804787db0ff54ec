// Package synth generates a synthetic tenant for benchmarks and load tests:
// a county (or a city of counties) with towns, departments, enterprises
// with workshops and teams, users and posts at every level, hazards with
// their inspections and histories, and the annual responsibility-letter
// chain. It is deterministic in Options.Seed and bulk-loads the rows
// directly (COPY on PostgreSQL, multi-row INSERTs on SQLite) in one
// transaction, stamping the scope columns exactly as the ent hooks would.
//
// Synthetic rows bypass the ent hooks, so they have no audit events; the
// tenant is marked synthetic (tenants.synthetic) and its policy is the
// default one, written by authz.EnsureTenant. The distributions are
// documented in docs/PERFORMANCE.md ("Synthetic data").
package synth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/migrations"
)

// ErrRealTenants is returned (wrapped, naming them) when the database holds
// tenants that are not synthetic and Options.AllowRealTenants is false.
var ErrRealTenants = errors.New("the database holds tenants that are not synthetic")

// ErrTenantExists is returned (wrapped) when the tenant code is taken.
var ErrTenantExists = errors.New("tenant exists")

// hazardChunk is about how many hazards are generated before they are written.
const hazardChunk = 20000

// Generate creates the synthetic tenant opts describe in d. It refuses a
// database holding a non-synthetic tenant (unless opts.AllowRealTenants)
// and a tenant code already in use.
//
// SQLite: everything is written in one transaction. PostgreSQL: the tenant,
// its units, people and letters in one transaction, then the hazards (with
// their inspections and events) by opts.Workers parallel transactions; if
// one of those fails, the tenant is deleted again. A failure leaves at most
// unused id ranges behind.
func Generate(ctx context.Context, d *db.DB, opts Options) (Result, error) {
	start := time.Now()
	res := Result{TenantCode: opts.Tenant}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC().Truncate(24 * time.Hour)
	}
	if opts.TenantName == "" {
		opts.TenantName = "合成数据（" + opts.Tenant + "）"
	}
	if opts.Workers <= 0 {
		opts.Workers = min(runtime.NumCPU(), 8)
	}
	if err := opts.Validate(); err != nil {
		return res, fmt.Errorf("synthetic data: %w", err)
	}
	sys := authz.SystemContext(ctx)
	if err := checkTenants(sys, d.Client, opts); err != nil {
		return res, err
	}
	p, err := newPlan(opts)
	if err != nil {
		return res, err
	}
	// One argon2id hash for every user: hashing is deliberately slow.
	if p.hash, err = auth.HashPassword(Password); err != nil {
		return res, fmt.Errorf("hash the synthetic password: %w", err)
	}
	pg := d.Dialect == dialect.Postgres
	if pg {
		for _, r := range p.reservations() {
			if *r.base, err = reservePostgres(ctx, d.SQL, r.table, r.n); err != nil {
				return res, err
			}
		}
	}
	tl := &tally{}
	prog := newProgress(opts.Progress, p.units+2*p.users+p.hazards+p.letters+p.notices, tl)
	defer prog.finish()
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("synthetic data: connect: %w", err)
	}
	defer conn.Close()
	if !pg {
		// A larger page cache for the load's connection: the indexes of a
		// county's hazards do not fit SQLite's default 2 MB. Set back after.
		if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -65536"); err != nil {
			return res, fmt.Errorf("synthetic data: cache size: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000") //nolint:errcheck // best effort
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("synthetic data: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if pg {
		if res.TriggersSkipped, err = skipTriggers(ctx, tx); err != nil {
			return res, err
		}
	}
	// The tenant and its default policy go through ent (hooks, defaults),
	// on the load's transaction.
	tc := ent.NewClient(ent.Driver(inTx{entsql.NewDriver(d.Dialect, entsql.Conn{ExecQuerier: tx})}))
	t, err := tc.Tenant.Create().SetCode(opts.Tenant).SetName(opts.TenantName).SetSynthetic(true).Save(sys)
	if err != nil {
		return res, fmt.Errorf("synthetic data: create tenant %q: %w", opts.Tenant, err)
	}
	p.tenantID, res.TenantID = t.ID, t.ID
	if err := authz.EnsureTenant(sys, tc, t.ID); err != nil {
		return res, fmt.Errorf("synthetic data: default policy: %w", err)
	}
	if !pg {
		for _, r := range p.reservations() {
			if *r.base, err = nextSQLite(ctx, tx, r.table); err != nil {
				return res, err
			}
		}
	}
	p.placeIDs()
	l := &loader{ctx: ctx, dialect: d.Dialect, tx: tx, counts: tl, prog: prog}
	for _, step := range []func(*loader) error{p.writeUnits, p.writeEnterprises, p.writeUsers, p.writeLetters, p.writeNotices, p.writeRecords} {
		if err := step(l); err != nil {
			return res, fmt.Errorf("synthetic data: %w", err)
		}
	}
	works := make(chan hazardWork, len(p.hazardWorks()))
	for _, w := range p.hazardWorks() {
		works <- w
	}
	close(works)
	if pg {
		prog.begin("commit")
		if err := tx.Commit(); err != nil {
			return res, fmt.Errorf("synthetic data: commit: %w", err)
		}
		committed = true
		prog.begin(fmt.Sprintf("inspections, hazards, hazard events (%d in parallel)", opts.Workers))
		if err := p.parallelHazards(ctx, d, works, tl, prog); err != nil {
			if derr := deleteTenant(context.WithoutCancel(ctx), d, t.ID); derr != nil {
				err = errors.Join(err, fmt.Errorf("delete the partial tenant %q (id %d) by hand: %w", opts.Tenant, t.ID, derr))
			}
			return res, fmt.Errorf("synthetic data: %w", err)
		}
		if err := fillDeciders(ctx, d.SQL, d.Dialect); err != nil {
			return res, fmt.Errorf("synthetic data: %w", err)
		}
		prog.begin("analyze")
		if _, err := d.SQL.ExecContext(ctx, "ANALYZE "+strings.Join(tl.c.Tables(), ", ")); err != nil {
			return res, fmt.Errorf("synthetic data: analyze: %w", err)
		}
		// The load's tally triggers left a dead row version per record in
		// the tallies and their town rollups: at county scale the county's
		// 1,158 rollup rows sat on 3,910 pages and its total took 5 ms, not 3.
		tables, err := tallyTables(ctx, d.SQL)
		if err != nil {
			return res, fmt.Errorf("synthetic data: %w", err)
		}
		for _, table := range tables {
			if _, err := d.SQL.ExecContext(ctx, "VACUUM FULL ANALYZE "+table); err != nil {
				return res, fmt.Errorf("synthetic data: compact %s: %w", table, err)
			}
		}
	} else {
		prog.begin("inspections, hazards, hazard events")
		if err := p.writeHazards(l, works); err != nil {
			return res, fmt.Errorf("synthetic data: %w", err)
		}
		if err := fillDeciders(ctx, tx, d.Dialect); err != nil {
			return res, fmt.Errorf("synthetic data: %w", err)
		}
		prog.begin("commit")
		if err := tx.Commit(); err != nil {
			return res, fmt.Errorf("synthetic data: commit: %w", err)
		}
		committed = true
	}
	prog.finish()
	res.Counts = tl.c
	// Running servers reload the policy (and so learn of the tenant) at their next poll.
	if err := authz.BumpRevision(sys, d.Client); err != nil {
		return res, fmt.Errorf("synthetic data: bump policy revision: %w", err)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// reservation is a table whose ids the plan fixes, and how many.
type reservation struct {
	table string
	n     int
	base  *int
}

func (p *plan) reservations() []reservation {
	return []reservation{
		{"units", p.units, &p.unitBase}, {"users", p.users, &p.userBase}, {"posts", p.users, &p.postBase},
		{"inspections", p.inspectionsMax, &p.inspectionBase}, {"hazards", p.hazards, &p.hazardBase},
		{"enforcement_actions", p.inspectionsMax, &p.actionBase},
		{"responsibility_letters", p.letters, &p.letterBase}, {"notices", p.notices, &p.noticeBase},
		{"trainings", p.records.trainings, &p.trainingBase}, {"emergency_plans", p.records.plans, &p.planBase},
		{"duty_rosters", p.records.rosters, &p.rosterBase}, {"risk_points", p.records.riskPoints, &p.riskBase},
	}
}

// parallelHazards loads the hazard works on PostgreSQL with one transaction
// per worker (the foreign keys they reference are committed already).
func (p *plan) parallelHazards(ctx context.Context, d *db.DB, works <-chan hazardWork, tl *tally, prog *progress) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, p.opts.Workers)
	for range p.opts.Workers {
		go func() {
			err := func() error {
				tx, err := d.SQL.BeginTx(ctx, nil)
				if err != nil {
					return fmt.Errorf("begin: %w", err)
				}
				defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
				if _, err := skipTriggers(ctx, tx); err != nil {
					return err
				}
				if err := p.writeHazards(&loader{ctx: ctx, dialect: d.Dialect, tx: tx, counts: tl, prog: prog}, works); err != nil {
					return err
				}
				return tx.Commit()
			}()
			if err != nil {
				cancel() // the other workers stop at their next statement
				for range works {
				}
			}
			errs <- err
		}()
	}
	var first error
	var causes []error // the errors that are not another worker's cancellation
	for range p.opts.Workers {
		err := <-errs
		if err != nil && first == nil {
			first = err
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			causes = append(causes, err)
		}
	}
	if len(causes) > 0 {
		return errors.Join(causes...)
	}
	return first
}

// deleteTenant removes a synthetic tenant written by a failed run.
func deleteTenant(ctx context.Context, d *db.DB, tenantID int) error {
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := skipTriggers(ctx, tx); err != nil {
		return err
	}
	for _, table := range []string{"risk_gradings", "control_measures", "risk_points", "duty_shifts", "duty_rosters",
		"drills", "emergency_plans", "duty_lists", "certificates", "trainees", "trainings", "notice_receipts", "notices",
		"hazard_events", "hazards", "inspections", "letter_events", "letter_signatures",
		"responsibility_letters", "posts", "users", "supervisions", "enterprises", "units"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE tenant_id = $1", tenantID); err != nil {
			return fmt.Errorf("delete from %s: %w", table, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM casbin_rules WHERE v0 = $1", strconv.Itoa(tenantID)); err != nil {
		return fmt.Errorf("delete the policy: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM tenants WHERE id = $1 AND synthetic", tenantID); err != nil {
		return fmt.Errorf("delete the tenant: %w", err)
	}
	return tx.Commit()
}

// inTx is an ent driver on the load's transaction: the transactions ent
// opens for multi-statement writes become part of it.
type inTx struct{ *entsql.Driver }

// Tx implements dialect.Driver.
func (d inTx) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d.Driver), nil }

// skipTriggers sets session_replication_role = replica for the load's
// transaction when the role may (a superuser, or one granted SET on the
// parameter): PostgreSQL then skips the foreign-key triggers, which
// otherwise cost more than the rows themselves (each check locks the
// referenced row). The generator writes every reference to a row it wrote
// before or that exists; the tests check them all. Without the right the
// load runs with the checks.
func skipTriggers(ctx context.Context, tx *sql.Tx) (bool, error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT synth_replica"); err != nil {
		return false, fmt.Errorf("synthetic data: savepoint: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT synth_replica"); err != nil {
			return false, fmt.Errorf("synthetic data: rollback to savepoint: %w", err)
		}
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT synth_replica"); err != nil {
		return false, fmt.Errorf("synthetic data: release savepoint: %w", err)
	}
	return true, nil
}

// checkTenants refuses a database with real tenants (unless allowed) and a
// taken tenant code.
func checkTenants(ctx context.Context, c *ent.Client, opts Options) error {
	if !opts.AllowRealTenants {
		real, err := c.Tenant.Query().Where(tenant.Synthetic(false)).Order(ent.Asc(tenant.FieldCode)).
			Select(tenant.FieldCode).Strings(ctx)
		if err != nil {
			return fmt.Errorf("synthetic data: list tenants: %w", err)
		}
		if len(real) > 0 {
			return fmt.Errorf("synthetic data: %w (%s); refusing to mix generated data with them (--allow-real-tenants overrides)",
				ErrRealTenants, strings.Join(real, ", "))
		}
	}
	exists, err := c.Tenant.Query().Where(tenant.Code(opts.Tenant)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("synthetic data: look up tenant %q: %w", opts.Tenant, err)
	}
	if exists {
		return fmt.Errorf("synthetic data: %w: %q; choose another --tenant or start from an empty database", ErrTenantExists, opts.Tenant)
	}
	return nil
}

// decidersBackfill is the migration that fills a hazard's deciders (the
// assigning and supervising units, the submitter, the extension's
// requester) from its history: the load writes hazards and events without
// them, as rows from before that migration were.
const decidersBackfill = "0033_hazard_deciders_backfill.up.sql"

// fillDeciders runs decidersBackfill over the loaded rows, so that the
// rules on who may lift a supervision or decide a submission apply to
// synthetic hazards as to any others.
func fillDeciders(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, dialectName string) error {
	dir, err := migrations.Dir(dialectName)
	if err != nil {
		return fmt.Errorf("fill the hazards' deciders: %w", err)
	}
	text, err := fs.ReadFile(dir, decidersBackfill)
	if err != nil {
		return fmt.Errorf("fill the hazards' deciders: %w", err)
	}
	if _, err := db.ExecContext(ctx, string(text)); err != nil {
		return fmt.Errorf("fill the hazards' deciders: %w", err)
	}
	return nil
}

// tallyTables lists the PostgreSQL tables the tally triggers maintain: the
// tallies (…_tallies) and their rollups (…_tally_rollups), from the catalog so
// that a new tally is compacted after a load without being listed here.
func tallyTables(ctx context.Context, sdb *sql.DB) ([]string, error) {
	rows, err := sdb.QueryContext(ctx, `SELECT tablename FROM pg_tables
		WHERE schemaname = current_schema() AND (tablename LIKE '%\_tallies' OR tablename LIKE '%\_tally\_rollups')
		ORDER BY tablename`)
	if err != nil {
		return nil, fmt.Errorf("list the tally tables: %w", err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("list the tally tables: %w", err)
		}
		tables = append(tables, pq.QuoteIdentifier(name))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list the tally tables: %w", err)
	}
	return tables, nil
}
