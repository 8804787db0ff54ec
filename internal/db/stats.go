package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/reqctx"
)

// statements counts every SQL statement sent by any client of this process.
var statements atomic.Int64

// Statements is the number of SQL statements this process has sent through
// the ent client so far (for the metrics endpoint and benchmarks).
func Statements() int64 { return statements.Load() }

// countingDriver counts statements in the process total and in the request's
// counter (reqctx.WithStatementCounter): the benchmark harness and the
// request log report statements per request, so N+1 patterns show. Reads
// that ForRead routed go to the replica (see Reads); anything else, and
// every transaction, to the primary.
type countingDriver struct {
	*entsql.Driver
	reads *Reads
}

func count(ctx context.Context) {
	statements.Add(1)
	reqctx.CountStatement(ctx)
}

// countWrite counts a statement that may write: it also notes, for the
// request's viewer barrier, a write to the tables viewers are built from.
func countWrite(ctx context.Context, query string) {
	count(ctx)
	authz.NoteStatement(ctx, query)
}

// Exec counts and runs a statement.
func (d countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	countWrite(ctx, query)
	markWrite(ctx)
	return d.Driver.Exec(ctx, query, args, v)
}

// Query counts and runs a query, on the replica when routed there (on the
// primary again when the replica fails).
func (d countingDriver) Query(ctx context.Context, query string, args, v any) error {
	countWrite(ctx, query)
	if replica := d.reads.driverFor(ctx); replica != nil {
		err := replica.Query(ctx, query, args, v)
		if !d.reads.replicaFailed(ctx, err) {
			return err
		}
	}
	return d.Driver.Query(ctx, query, args, v)
}

// ExecContext counts and runs a raw statement (ent's execquery feature).
func (d countingDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	countWrite(ctx, query)
	markWrite(ctx)
	return d.Driver.ExecContext(ctx, query, args...)
}

// QueryContext counts and runs a raw query (ent's execquery feature), routed
// as Query is.
func (d countingDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	countWrite(ctx, query)
	if replica := d.reads.driverFor(ctx); replica != nil {
		rows, err := replica.QueryContext(ctx, query, args...)
		if !d.reads.replicaFailed(ctx, err) {
			return rows, err
		}
	}
	return d.Driver.QueryContext(ctx, query, args...)
}

// Tx starts a transaction whose statements are counted.
func (d countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	return d.BeginTx(ctx, nil)
}

// BeginTx starts a transaction with options whose statements are counted.
func (d countingDriver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	markWrite(ctx)
	tx, err := d.Driver.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	return countingTx{tx}, nil
}

type countingTx struct{ dialect.Tx }

// Exec counts and runs a statement in the transaction.
func (t countingTx) Exec(ctx context.Context, query string, args, v any) error {
	countWrite(ctx, query)
	return t.Tx.Exec(ctx, query, args, v)
}

// Query counts and runs a query in the transaction.
func (t countingTx) Query(ctx context.Context, query string, args, v any) error {
	countWrite(ctx, query)
	return t.Tx.Query(ctx, query, args, v)
}

// rawTx is what entsql's transaction offers besides dialect.Tx.
type rawTx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ExecContext counts and runs a raw statement in the transaction.
func (t countingTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	raw, ok := t.Tx.(rawTx)
	if !ok {
		return nil, fmt.Errorf("transaction %T does not run raw statements", t.Tx)
	}
	countWrite(ctx, query)
	return raw.ExecContext(ctx, query, args...)
}

// QueryContext counts and runs a raw query in the transaction.
func (t countingTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	raw, ok := t.Tx.(rawTx)
	if !ok {
		return nil, fmt.Errorf("transaction %T does not run raw queries", t.Tx)
	}
	countWrite(ctx, query)
	return raw.QueryContext(ctx, query, args...)
}
