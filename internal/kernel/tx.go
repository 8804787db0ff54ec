package kernel

import (
	"context"
	"errors"
	"fmt"

	"github.com/dutychain/dutychain/ent"
)

// InTx runs fn in a transaction of client: commit when fn succeeds, rollback
// when it fails or panics (the panic is re-raised). Every service writes
// through it so that a failed step writes nothing.
func InTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
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
