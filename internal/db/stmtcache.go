package db

// A cache of prepared statements per PostgreSQL connection.
//
// lib/pq sends a statement that has arguments in two round trips: Parse and
// Describe, a wait for the answer, then Bind and Execute. A statement already
// prepared (named) on the connection needs only the second. Every statement
// ent builds has arguments, and the same texts come back request after
// request (the scope filter's text is rendered once, see authz), so each
// connection keeps prepared the most recently used statements it has sent
// more than once.
//
// Plans are not cached: each connection runs with plan_cache_mode =
// force_custom_plan, so every execution is planned for its own arguments, as
// lib/pq's unnamed statements were. Only the round trip and the server's
// parsing go. Behind a pooler in transaction mode (PgBouncer) the cache is
// turned off (statement-cache = 0): the session-level SET would land on one
// server connection of the pooler's, not on those running the statements.
//
// The connections are lib/pq's for everything else, with two exceptions
// this project does not use: COPY through Prepare (pq.CopyIn) is not known
// to the cache, and lib/pq's notice and notification handlers need lib/pq's
// own connection type.

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"reflect"
	"sync/atomic"

	"github.com/lib/pq"
)

// DefaultStatementCache is how many statements each PostgreSQL connection
// keeps prepared unless configured otherwise.
const DefaultStatementCache = 128

// Statements with more arguments or a longer text than these are sent as
// before, unnamed: they are batches (IN lists as long as a batch) whose
// text rarely comes back, and each would hold the server's memory for its
// parse tree as long as the connection lives.
const (
	maxCachedArgs = 256
	maxCachedText = 32 << 10
)

// StatementCacheStats counts, for every PostgreSQL connection of this
// process, statements sent as already prepared (Hits), statements prepared
// (Prepares) and prepared statements closed to stay within the bound
// (Evictions).
type StatementCacheStats struct {
	Hits, Prepares, Evictions uint64
}

var stmtHits, stmtPrepares, stmtEvictions atomic.Uint64

// StatementCache returns the process's statement cache counters.
func StatementCache() StatementCacheStats {
	return StatementCacheStats{Hits: stmtHits.Load(), Prepares: stmtPrepares.Load(), Evictions: stmtEvictions.Load()}
}

// pqConn is what database/sql uses of a lib/pq connection.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// preparedStmt is what the cache uses of a lib/pq prepared statement.
type preparedStmt interface {
	driver.Stmt
	driver.StmtQueryContext
	driver.StmtExecContext
}

// postgresConnector opens lib/pq connections for dsn; with size > 0 each
// keeps up to size statements prepared.
func postgresConnector(dsn string, size int) (driver.Connector, error) {
	pqConnector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("lib/pq connector: %w", err)
	}
	base := startupConnector{pqConnector}
	if size <= 0 {
		return base, nil
	}
	return &stmtCacheConnector{base: base, size: size}, nil
}

// startupConnector marks a connection the server closed during startup as
// bad. lib/pq returns such a close (a server shutting down or restarting)
// as a bare io.EOF, which neither database/sql retries nor Outage could
// tell from a bug; driver.ErrBadConn is both retried and an outage.
type startupConnector struct{ *pq.Connector }

// Connect opens a lib/pq connection.
func (c startupConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("the server closed the connection during startup (%v): %w", err, driver.ErrBadConn)
	}
	return conn, err
}

type stmtCacheConnector struct {
	base driver.Connector
	size int
}

// Connect opens a lib/pq connection, sets it to plan every execution for
// its own arguments, and wraps it with an empty cache.
func (c *stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(pqConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("statement cache: unexpected lib/pq connection %T", conn)
	}
	if _, err := pc.ExecContext(ctx, "SET plan_cache_mode = force_custom_plan", nil); err != nil {
		pc.Close()
		return nil, fmt.Errorf("statement cache: set plan_cache_mode: %w", err)
	}
	return &stmtCacheConn{pqConn: pc, size: c.size, stmts: make(map[string]*cachedStmt, c.size), seen: map[uint64]struct{}{}}, nil
}

// Driver is lib/pq's driver.
func (c *stmtCacheConnector) Driver() driver.Driver { return c.base.Driver() }

// stmtCacheConn is a lib/pq connection with its prepared statements, least
// recently used last. database/sql uses a connection from one goroutine at a
// time, so it needs no lock.
type stmtCacheConn struct {
	pqConn
	size       int
	stmts      map[string]*cachedStmt
	head, tail *cachedStmt         // most and least recently used
	rows       cachedRows          // the rows being read, if any
	inTx       bool                // a transaction begun through BeginTx is open
	seen       map[uint64]struct{} // hashes of texts sent once, unnamed
}

type cachedStmt struct {
	query      string
	stmt       preparedStmt
	prev, next *cachedStmt
}

// QueryContext runs a cacheable statement as a prepared one, and any other
// as lib/pq does.
func (c *stmtCacheConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.idle(); err != nil {
		return nil, err
	}
	var rows driver.Rows
	if !c.keep(query, args) {
		r, err := c.pqConn.QueryContext(ctx, query, args)
		if err != nil {
			return nil, err
		}
		rows = r
	} else {
		err := c.withPrepared(ctx, query, func(st preparedStmt) (err error) {
			rows, err = st.QueryContext(ctx, args)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	c.rows = cachedRows{Rows: rows, conn: c}
	return &c.rows, nil
}

// withPrepared runs use with query's prepared statement. When the server
// no longer has the statement as it was prepared (see stale), it is
// prepared again and, outside a transaction, use runs once more: the
// failure came at Bind, before anything ran. Inside a transaction the error
// has aborted it, so the caller gets the error.
func (c *stmtCacheConn) withPrepared(ctx context.Context, query string, use func(preparedStmt) error) error {
	cs, err := c.prepared(ctx, query)
	if err != nil {
		return err
	}
	err = use(cs.stmt)
	if err == nil || !c.stale(cs, err) || c.inTx {
		return err
	}
	if cs, err = c.prepared(ctx, query); err != nil {
		return err
	}
	return use(cs.stmt)
}

// cacheable holds for a statement worth keeping prepared: without
// arguments lib/pq already sends it in one round trip (the simple protocol).
func cacheable(query string, args []driver.NamedValue) bool {
	return len(args) > 0 && len(args) <= maxCachedArgs && len(query) <= maxCachedText
}

var seenSeed = maphash.MakeSeed()

// keep reports whether query goes through the cache: it is cacheable, and
// this connection keeps it or has sent it before. A text sent for the first
// time goes unnamed, as lib/pq sends it, so that texts that never come back
// (an IN list of every length) cost no more than before and push out none
// that do.
func (c *stmtCacheConn) keep(query string, args []driver.NamedValue) bool {
	if !cacheable(query, args) {
		return false
	}
	if _, ok := c.stmts[query]; ok {
		return true
	}
	h := maphash.String(seenSeed, query)
	if _, ok := c.seen[h]; ok {
		delete(c.seen, h)
		return true
	}
	if len(c.seen) >= 4*c.size {
		clear(c.seen)
	}
	c.seen[h] = struct{}{}
	return false
}

// errQueryInProgress is lib/pq's answer to a statement sent while another's
// rows are still being read; its prepared statements do not check.
var errQueryInProgress = errors.New("pq: there is already a query being processed")

// idle refuses a statement while rows of this connection are open: it
// would read their messages as its own answer.
func (c *stmtCacheConn) idle() error {
	if c.rows.Rows != nil {
		return errQueryInProgress
	}
	return nil
}

// ExecContext is QueryContext for statements that return no rows.
func (c *stmtCacheConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.idle(); err != nil {
		return nil, err
	}
	if !c.keep(query, args) {
		return c.pqConn.ExecContext(ctx, query, args)
	}
	var res driver.Result
	err := c.withPrepared(ctx, query, func(st preparedStmt) (err error) {
		res, err = st.ExecContext(ctx, args)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// BeginTx begins a transaction, noting it: a stale statement is not run
// again inside one.
func (c *stmtCacheConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.pqConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx = true
	return &cachedTx{Tx: tx, conn: c}, nil
}

// cachedTx clears the connection's transaction mark when it ends.
type cachedTx struct {
	driver.Tx
	conn *stmtCacheConn
}

func (t *cachedTx) Commit() error {
	t.conn.inTx = false
	return t.Tx.Commit()
}

func (t *cachedTx) Rollback() error {
	t.conn.inTx = false
	return t.Tx.Rollback()
}

// prepared returns query's statement on this connection, preparing it (and
// closing the least recently used one beyond the bound) when it is new.
func (c *stmtCacheConn) prepared(ctx context.Context, query string) (*cachedStmt, error) {
	if cs, ok := c.stmts[query]; ok {
		stmtHits.Add(1)
		c.touch(cs)
		return cs, nil
	}
	for len(c.stmts) >= c.size && c.tail != nil {
		old := c.tail
		c.unlink(old)
		delete(c.stmts, old.query)
		stmtEvictions.Add(1)
		// Closing sends Close and waits; a failure leaves the connection
		// marked bad by lib/pq, and database/sql then discards it.
		if err := old.stmt.Close(); err != nil {
			return nil, fmt.Errorf("statement cache: close a prepared statement: %w", err)
		}
	}
	st, err := c.pqConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ps, ok := st.(preparedStmt)
	if !ok {
		st.Close()
		return nil, fmt.Errorf("statement cache: unexpected lib/pq statement %T", st)
	}
	stmtPrepares.Add(1)
	cs := &cachedStmt{query: query, stmt: ps}
	c.stmts[query] = cs
	c.pushFront(cs)
	return cs, nil
}

// stale reports whether err says the server no longer has cs as it was
// prepared, and if so drops it from the cache: 26000
// (invalid_sql_statement_name) after DISCARD ALL or DEALLOCATE, or 0A000
// (feature_not_supported) "cached plan must not change result type" after
// DDL changed a column it returns. The latter still exists on the server
// and is closed.
func (c *stmtCacheConn) stale(cs *cachedStmt, err error) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "26000" && pqErr.Code != "0A000" {
		return false
	}
	if c.stmts[cs.query] == cs {
		c.unlink(cs)
		delete(c.stmts, cs.query)
		// Still a statement that comes back: its next use prepares it.
		c.seen[maphash.String(seenSeed, cs.query)] = struct{}{}
	}
	if pqErr.Code == "0A000" {
		// A failure here leaves the connection marked bad by lib/pq.
		_ = cs.stmt.Close()
	}
	return true
}

func (c *stmtCacheConn) touch(cs *cachedStmt) {
	if c.head == cs {
		return
	}
	c.unlink(cs)
	c.pushFront(cs)
}

func (c *stmtCacheConn) pushFront(cs *cachedStmt) {
	cs.prev, cs.next = nil, c.head
	if c.head != nil {
		c.head.prev = cs
	}
	c.head = cs
	if c.tail == nil {
		c.tail = cs
	}
}

func (c *stmtCacheConn) unlink(cs *cachedStmt) {
	if cs.prev != nil {
		cs.prev.next = cs.next
	} else {
		c.head = cs.next
	}
	if cs.next != nil {
		cs.next.prev = cs.prev
	} else {
		c.tail = cs.prev
	}
	cs.prev, cs.next = nil, nil
}

// cachedRows are the rows of a prepared statement; closing them frees the
// connection for the next statement. One per connection, reused, since a
// connection reads one statement's rows at a time.
type cachedRows struct {
	driver.Rows
	conn *stmtCacheConn
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.conn.rows = cachedRows{}
	return err
}

// The optional interfaces lib/pq's rows implement, passed through.

func (r *cachedRows) HasNextResultSet() bool {
	n, ok := r.Rows.(driver.RowsNextResultSet)
	return ok && n.HasNextResultSet()
}

func (r *cachedRows) NextResultSet() error {
	if n, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return n.NextResultSet()
	}
	return errors.New("statement cache: no further result set")
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
