package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// QueryUnwatched runs query — a short read that takes no locks, such as the
// viewer generations every request reads — on the primary, and hands its
// rows to scan. The statement is counted like every other.
//
// The wait for a pool connection ends with ctx, as every statement's does;
// the statement itself runs with context.WithoutCancel(ctx). A context that
// can be cancelled (every server request's) makes database/sql and lib/pq
// start two goroutines per statement to watch it, which on PostgreSQL cost
// as much CPU as the rest of the read (docs/PERFORMANCE-AUTHZ.md). What
// bounds the statement without them: on SQLite the busy timeout; on
// PostgreSQL the server's answer or the TCP connection's failure. A request
// whose client leaves while its read is on the wire finishes that read
// first; at most the pool's open connections can be held so, and requests
// that wait for a connection still leave when their client does. The viewer
// cache coalesces its generation reads (authz.ViewerCache): one read in
// flight per cache, so such reads hold at most one connection of the pool,
// and the requests waiting for that read leave when their client does.
func (d *DB) QueryUnwatched(ctx context.Context, query string, scan func(*sql.Rows) error) (err error) {
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("query %s: %w", d, err)
	}
	defer func() {
		if cerr := conn.Close(); cerr != nil && !errors.Is(cerr, sql.ErrConnDone) {
			err = errors.Join(err, fmt.Errorf("release connection of %s: %w", d, cerr))
		}
	}()
	count(ctx)
	rows, err := conn.QueryContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return fmt.Errorf("query %s: %w", d, err)
	}
	defer rows.Close()
	if err := scan(rows); err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("query %s: %w", d, err)
	}
	return nil
}
