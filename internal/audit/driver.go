package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"entgo.io/ent/dialect"
)

// Driver wraps the ent driver of the application's client so that a
// mutation issued outside a transaction can be given one: the audit hook
// calls Begin, and until Commit or Rollback every statement run with the
// returned context — the change, the hooks' own reads and writes, and the
// audit append — goes to that transaction, so the change and its event
// commit together or not at all. Statements with other contexts are not
// affected.
type Driver struct {
	dialect.Driver
}

// NewDriver wraps drv.
func NewDriver(drv dialect.Driver) *Driver { return &Driver{Driver: drv} }

type implicitKey struct{}

// implicit is the transaction Begin opened, carried by the context.
type implicit struct {
	tx          dialect.Tx
	afterCommit []func()
}

func implicitFrom(ctx context.Context) *implicit {
	it, _ := ctx.Value(implicitKey{}).(*implicit)
	return it
}

// InImplicitTx reports whether ctx runs inside a transaction opened by Begin.
func InImplicitTx(ctx context.Context) bool { return implicitFrom(ctx) != nil }

// ImplicitTx is a transaction opened by Begin.
type ImplicitTx struct{ it *implicit }

// Commit commits the implicit transaction, then runs the AfterCommit
// functions.
func (t *ImplicitTx) Commit() error {
	if err := t.it.tx.Commit(); err != nil {
		return err
	}
	for _, fn := range t.it.afterCommit {
		fn()
	}
	return nil
}

// AfterCommit makes fn run once the implicit transaction of ctx commits; it
// reports false, doing nothing, when ctx carries none.
func AfterCommit(ctx context.Context, fn func()) bool {
	it := implicitFrom(ctx)
	if it == nil {
		return false
	}
	it.afterCommit = append(it.afterCommit, fn)
	return true
}

// Rollback rolls the implicit transaction back.
func (t *ImplicitTx) Rollback() error { return t.it.tx.Rollback() }

// Begin opens a transaction that statements run with the returned context
// join. It fails when ctx already carries one.
func (d *Driver) Begin(ctx context.Context) (context.Context, *ImplicitTx, error) {
	if InImplicitTx(ctx) {
		return nil, nil, errors.New("audit: implicit transaction already open")
	}
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: begin implicit transaction: %w", err)
	}
	it := &implicit{tx: tx}
	return context.WithValue(ctx, implicitKey{}, it), &ImplicitTx{it: it}, nil
}

// Exec runs on the implicit transaction of ctx, if any.
func (d *Driver) Exec(ctx context.Context, query string, args, v any) error {
	if it := implicitFrom(ctx); it != nil {
		return it.tx.Exec(ctx, query, args, v)
	}
	return d.Driver.Exec(ctx, query, args, v)
}

// Query runs on the implicit transaction of ctx, if any.
func (d *Driver) Query(ctx context.Context, query string, args, v any) error {
	if it := implicitFrom(ctx); it != nil {
		return it.tx.Query(ctx, query, args, v)
	}
	return d.Driver.Query(ctx, query, args, v)
}

// Tx returns, inside an implicit transaction, a nested handle whose Commit
// and Rollback leave the decision to the implicit transaction (ent's
// sqlgraph opens one for a create with edges); otherwise a new transaction.
func (d *Driver) Tx(ctx context.Context) (dialect.Tx, error) {
	if it := implicitFrom(ctx); it != nil {
		return nested{it.tx}, nil
	}
	return d.Driver.Tx(ctx)
}

// BeginTx is Tx with options (ent's Client.BeginTx).
func (d *Driver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	if it := implicitFrom(ctx); it != nil {
		return nested{it.tx}, nil
	}
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return nil, errors.New("audit: driver does not support BeginTx")
	}
	return b.BeginTx(ctx, opts)
}

// ExecContext serves ent's execquery feature.
func (d *Driver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var target any = d.Driver
	if it := implicitFrom(ctx); it != nil {
		target = it.tx
	}
	ex, ok := target.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	})
	if !ok {
		return nil, errors.New("audit: driver does not support ExecContext")
	}
	return ex.ExecContext(ctx, query, args...)
}

// QueryContext serves ent's execquery feature.
func (d *Driver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	var target any = d.Driver
	if it := implicitFrom(ctx); it != nil {
		target = it.tx
	}
	q, ok := target.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	})
	if !ok {
		return nil, errors.New("audit: driver does not support QueryContext")
	}
	return q.QueryContext(ctx, query, args...)
}

// nested is a transaction handle inside an implicit transaction.
type nested struct{ dialect.Tx }

func (nested) Commit() error   { return nil }
func (nested) Rollback() error { return nil }

// ExecContext forwards to the implicit transaction.
func (n nested) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ex, ok := n.Tx.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	})
	if !ok {
		return nil, errors.New("audit: transaction does not support ExecContext")
	}
	return ex.ExecContext(ctx, query, args...)
}

// QueryContext forwards to the implicit transaction.
func (n nested) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q, ok := n.Tx.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	})
	if !ok {
		return nil, errors.New("audit: transaction does not support QueryContext")
	}
	return q.QueryContext(ctx, query, args...)
}
