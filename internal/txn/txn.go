// Package txn runs a unit of work in one ent transaction; every service
// (org, letters, hazards) writes through it so a failed step writes nothing.
package txn

import (
	"context"
	"errors"
	"fmt"

	"github.com/dutychain/dutychain/ent"
)

// Run runs fn in a transaction of client: commit when fn succeeds, rollback
// when it fails or panics (the panic is re-raised).
func Run(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
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
