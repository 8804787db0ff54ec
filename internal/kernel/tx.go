package kernel

import (
	"context"
	"errors"
	"fmt"

	"github.com/dutychain/dutychain/ent"
)

// InTx runs fn in a transaction of client: commit when fn succeeds, rollback
// when it fails or panics (the panic is re-raised). Every service writes
// through it so that a failed step writes nothing. Inside a transaction
// carried by ctx (ent.NewTxContext, see Batch) fn joins it instead: a
// batch of writes (an import) commits or rolls back as one.
func InTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	if outer := ent.TxFromContext(ctx); outer != nil {
		return fn(outer)
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback()
			panic(v)
		}
	}()
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Record is an ent record read in a transaction: Unwrap detaches it from the
// transaction so that its edges can be loaded after the commit.
type Record[T any] interface {
	Unwrap() T
}

// Write runs fn on the client of one transaction (InTx) and returns the
// record fn returns, detached from the transaction. fn must return a record
// when it succeeds.
func Write[T Record[T]](ctx context.Context, client *ent.Client, fn func(c *ent.Client) (T, error)) (T, error) {
	var out T
	err := InTx(ctx, client, func(tx *ent.Tx) error {
		var err error
		out, err = fn(tx.Client())
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out.Unwrap(), nil
}

// Batch runs fn with a context carrying one transaction of client, which
// every service write inside fn joins (InTx): commit when fn returns nil
// and keep is true, rollback otherwise (a dry run keeps nothing).
func Batch(ctx context.Context, client *ent.Client, keep bool, fn func(ctx context.Context) error) error {
	errDryRun := errors.New("dry run")
	err := InTx(ctx, client, func(tx *ent.Tx) error {
		if err := fn(ent.NewTxContext(ctx, tx)); err != nil {
			return err
		}
		if !keep {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}
