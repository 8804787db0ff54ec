package reqctx

import (
	"context"
	"sync/atomic"
)

type statementsKey struct{}

// WithStatementCounter returns ctx carrying a fresh counter of the SQL
// statements run on its behalf (see internal/db's counting driver).
func WithStatementCounter(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, statementsKey{}, n), n
}

// CountStatement adds one to the counter in ctx, if any.
func CountStatement(ctx context.Context) {
	if n, ok := ctx.Value(statementsKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}
