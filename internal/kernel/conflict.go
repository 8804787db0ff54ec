package kernel

import (
	"context"
	"fmt"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
)

// Changed is the CONFLICT of a step whose record changed between the read
// the step was decided on and its write: "the <what> changed: it is now
// <now>". The caller reloads and decides again.
func Changed(what, now string) *apperr.Error {
	return apperr.Newf(apperr.Conflict, "the %s changed: it is now %s; reload it and decide again", what, now)
}

// Claim writes a decided step with a conditional update: write changes the
// row only while it still holds the facts the step was decided on (UPDATE …
// WHERE id = ? AND state = ?) and returns how many rows it changed. None
// means a concurrent step committed first: CONFLICT (Changed) naming what
// current reads now, and the caller's transaction rolls back, so the loser
// writes neither history nor audit. On PostgreSQL at READ COMMITTED the
// loser's update waits for the winner's row lock and then re-checks its
// conditions against the committed row; on SQLite writers are serialised.
func Claim(what string, write func() (int, error), current func() (string, error)) error {
	n, err := write()
	switch {
	case err != nil:
		return err
	case n == 1:
		return nil
	case n > 1:
		return fmt.Errorf("conditional update of one %s changed %d rows", what, n)
	}
	now, err := current()
	if ent.IsNotFound(err) {
		now = "gone"
	} else if err != nil {
		return fmt.Errorf("reload %s after a lost race: %w", what, err)
	}
	return Changed(what, now)
}

// Affected turns the outcome of an UpdateOne restricted by Where into the
// count Claim expects: ent answers not-found when the conditions no longer
// hold.
func Affected(err error) (int, error) {
	switch {
	case err == nil:
		return 1, nil
	case ent.IsNotFound(err):
		return 0, nil
	}
	return 0, err
}

// lockable is an ent query of one record that can lock the rows it reads.
type lockable[T, Q any] interface {
	ForUpdate(opts ...sql.LockOption) Q
	Only(ctx context.Context) (T, error)
}

// Hold reads the one record of q (say c.Unit.Query().Where(unit.ID(id)))
// and locks its row until the transaction ends (SELECT … FOR UPDATE; on
// SQLite, dialectName dialect.SQLite, writers are serialised and nothing is
// added): a write that replaces a record's parts or rewrites what hangs off
// it decides on the record as held, after any concurrent write that held it
// first committed, and under READ COMMITTED each later statement sees what
// that write committed. Concurrent writes queue; the last one wins wholly.
// Read q through the caller's scope and map a miss with NotFound.
func Hold[T any, Q lockable[T, Q]](ctx context.Context, dialectName string, q Q) (T, error) {
	if dialectName != dialect.SQLite {
		q = q.ForUpdate()
	}
	return q.Only(ctx)
}
