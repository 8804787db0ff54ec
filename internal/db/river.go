package db

import (
	"context"
	"fmt"
	"log/slog"

	"entgo.io/ent/dialect"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// riverLockKey is the PostgreSQL advisory lock that serialises the job
// queue's migrations across replicas starting together (River's migrator
// takes none of its own).
const riverLockKey = 0x64757479 // "duty"

// migrateJobQueue brings River's own tables (river_job, river_leader, …) to
// the version of the linked River: they are River's schema, versioned by
// River's migrator, not by migrations/. Repeating it does nothing.
func (d *DB) migrateJobQueue(ctx context.Context) error {
	return d.moveJobQueue(ctx, rivermigrate.DirectionUp, nil)
}

// dropJobQueue reverts River's tables, with the jobs in them: the last step
// of reverting every migration.
func (d *DB) dropJobQueue(ctx context.Context) error {
	return d.moveJobQueue(ctx, rivermigrate.DirectionDown, &rivermigrate.MigrateOpts{TargetVersion: -1})
}

func (d *DB) moveJobQueue(ctx context.Context, dir rivermigrate.Direction, opts *rivermigrate.MigrateOpts) error {
	quiet := slog.New(slog.DiscardHandler)
	var err error
	switch d.Dialect {
	case dialect.SQLite:
		err = riverMove(ctx, riversqlite.New(d.SQL), quiet, dir, opts)
	case dialect.Postgres:
		conn, cerr := d.SQL.Conn(ctx)
		if cerr != nil {
			return fmt.Errorf("migrate the job queue of %s %s: %w", d, dir, cerr)
		}
		defer conn.Close()
		if _, cerr := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", riverLockKey); cerr != nil {
			return fmt.Errorf("migrate the job queue of %s %s: lock: %w", d, dir, cerr)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", riverLockKey) //nolint:errcheck // the session ends with the connection
		err = riverMove(ctx, riverdatabasesql.New(d.SQL), quiet, dir, opts)
	default:
		return fmt.Errorf("migrate the job queue: unsupported dialect %q", d.Dialect)
	}
	if err != nil {
		return fmt.Errorf("migrate the job queue of %s %s: %w", d, dir, err)
	}
	return nil
}

func riverMove[TTx any](ctx context.Context, drv riverdriver.Driver[TTx], log *slog.Logger, dir rivermigrate.Direction, opts *rivermigrate.MigrateOpts) error {
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: log})
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, dir, opts)
	return err
}
