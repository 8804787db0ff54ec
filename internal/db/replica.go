package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/dutychain/dutychain/internal/tracing"
)

// LSN is a position in PostgreSQL's write-ahead log.
type LSN uint64

// ParseLSN reads an LSN in PostgreSQL's text form, "16/B374D848".
func ParseLSN(s string) (LSN, bool) {
	hi, lo, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok || len(hi) == 0 || len(hi) > 8 || len(lo) == 0 || len(lo) > 8 {
		return 0, false
	}
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return LSN(h<<32 | l), true
}

// String is the LSN in PostgreSQL's text form.
func (l LSN) String() string { return fmt.Sprintf("%X/%X", uint64(l)>>32, uint32(l)) }

// Request is the read routing of one HTTP request: the caller's last write,
// which its reads must see, whether the request wrote, and where its reads
// went.
type Request struct {
	after  LSN
	wrote  atomic.Bool
	mu     sync.Mutex
	source string
}

type requestKey struct{}

// Track returns ctx carrying a new Request whose reads must see the write
// at after (0: none known).
func Track(ctx context.Context, after LSN) (context.Context, *Request) {
	q := &Request{after: after}
	return context.WithValue(ctx, requestKey{}, q), q
}

func requestFrom(ctx context.Context) *Request {
	q, _ := ctx.Value(requestKey{}).(*Request)
	return q
}

// Wrote reports whether the request sent a statement or opened a
// transaction on the primary outside a routed read.
func (q *Request) Wrote() bool { return q.wrote.Load() }

// Source is where the request's last routed read went: "replica", or
// "primary" with the reason; empty when nothing was routed.
func (q *Request) Source() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.source
}

func (q *Request) setSource(s string) {
	if q != nil {
		q.mu.Lock()
		q.source = s
		q.mu.Unlock()
	}
}

// markWrite notes on the request of ctx that it may have changed data.
func markWrite(ctx context.Context) {
	if q := requestFrom(ctx); q != nil {
		q.wrote.Store(true)
	}
}

type replicaKey struct{}

// onReplica reports whether ForRead sent the reads of ctx to the replica.
func onReplica(ctx context.Context) bool {
	v, _ := ctx.Value(replicaKey{}).(bool)
	return v
}

// Reads routes read-only work between the primary and a PostgreSQL
// streaming replica. Without a replica (OpenReplica not called) every read
// goes to the primary and nothing is measured.
type Reads struct {
	primary    *sql.DB
	replica    *sql.DB
	replicaDrv *entsql.Driver
	maxLag     time.Duration
	wait       time.Duration

	replayed  atomic.Uint64 // the replica's replay LSN, last seen
	status    atomic.Pointer[ReplicaStatus]
	toReplica atomic.Int64
	toPrimary atomic.Int64

	stop context.CancelFunc
	done chan struct{}
}

// ReplicaStatus is the replica as last probed.
type ReplicaStatus struct {
	// Healthy means reads may go to the replica.
	Healthy bool
	// Lag is how long ago the primary reached a WAL position the replica
	// has not replayed yet (0: caught up).
	Lag time.Duration
	// Reason says why reads go to the primary, when not Healthy.
	Reason string
}

// Configured reports whether a replica is attached.
func (r *Reads) Configured() bool { return r != nil && r.replica != nil }

// Status is the replica as last probed; without a replica, not Healthy.
func (r *Reads) Status() ReplicaStatus {
	if !r.Configured() {
		return ReplicaStatus{Reason: "no read replica configured"}
	}
	return *r.status.Load()
}

// Routed are the reads routed so far: to the replica and, with a replica
// configured but not usable for them, to the primary.
func (r *Reads) Routed() (replica, primary int64) {
	if r == nil {
		return 0, 0
	}
	return r.toReplica.Load(), r.toPrimary.Load()
}

// Check fails while reads fall back to the primary (readiness: advisory,
// the server still serves).
func (r *Reads) Check(context.Context) error {
	if s := r.Status(); !s.Healthy {
		return errors.New("reads on the primary: " + s.Reason)
	}
	return nil
}

// ForRead returns the context for a read-only operation: marked for the
// replica when it is healthy and has replayed the caller's last write
// (waiting for it up to the configured bound), else ctx itself, which reads
// from the primary.
func (r *Reads) ForRead(ctx context.Context) context.Context {
	if !r.Configured() {
		return ctx
	}
	q := requestFrom(ctx)
	if s := r.Status(); !s.Healthy {
		return r.primaryFor(ctx, q, s.Reason)
	}
	if q != nil && q.Wrote() {
		// An earlier operation of the same request (a batch) wrote.
		return r.primaryFor(ctx, q, "the request wrote")
	}
	if q != nil && q.after > 0 && !r.caughtUp(ctx, q.after) {
		return r.primaryFor(ctx, q, fmt.Sprintf("the replica has not replayed the caller's write %s within %s", q.after, r.wait))
	}
	r.toReplica.Add(1)
	q.setSource("replica")
	return context.WithValue(ctx, replicaKey{}, true)
}

func (r *Reads) primaryFor(ctx context.Context, q *Request, reason string) context.Context {
	r.toPrimary.Add(1)
	q.setSource("primary; " + reason)
	return ctx
}

// replayPoll is how often a read waiting for the caller's write asks the
// replica how far it has replayed.
const replayPoll = 5 * time.Millisecond

// caughtUp reports whether the replica has replayed lsn, asking it until
// the wait bound passes.
func (r *Reads) caughtUp(ctx context.Context, lsn LSN) bool {
	if LSN(r.replayed.Load()) >= lsn {
		return true
	}
	deadline := time.Now().Add(r.wait)
	for {
		if replayed, err := r.replayLSN(ctx); err == nil && replayed >= lsn {
			return true
		}
		if time.Now().Add(replayPoll).After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(replayPoll):
		}
	}
}

// replayLSN asks the replica how far it has replayed and remembers it.
func (r *Reads) replayLSN(ctx context.Context) (LSN, error) {
	var text sql.NullString
	if err := r.replica.QueryRowContext(ctx, "SELECT pg_last_wal_replay_lsn()").Scan(&text); err != nil {
		return 0, fmt.Errorf("read the replica's replay position: %w", err)
	}
	lsn, ok := ParseLSN(text.String)
	if !ok {
		return 0, errors.New("the read replica is not a standby (pg_last_wal_replay_lsn is null)")
	}
	for {
		old := r.replayed.Load()
		if uint64(lsn) <= old || r.replayed.CompareAndSwap(old, uint64(lsn)) {
			return lsn, nil
		}
	}
}

// WriteLSN is the primary's current WAL insert position: every transaction
// committed before the call ends at or before it.
func (r *Reads) WriteLSN(ctx context.Context) (LSN, error) {
	var text string
	if err := r.primary.QueryRowContext(ctx, "SELECT pg_current_wal_insert_lsn()").Scan(&text); err != nil {
		return 0, fmt.Errorf("read the primary's WAL position: %w", err)
	}
	lsn, ok := ParseLSN(text)
	if !ok {
		return 0, fmt.Errorf("read the primary's WAL position: unexpected %q", text)
	}
	return lsn, nil
}

// driverFor is the replica's driver for a routed read, else nil.
func (r *Reads) driverFor(ctx context.Context) *entsql.Driver {
	if r.Configured() && onReplica(ctx) {
		return r.replicaDrv
	}
	return nil
}

// replicaFailed reports whether err, from a routed read, should be retried
// on the primary: the replica is unreachable or cancelled the query for a
// conflict with recovery. The next probe decides whether reads return.
func (r *Reads) replicaFailed(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		// 40001: canceled for a conflict with recovery; class 57: shutdown,
		// crash; class 08: connection.
		code := string(pqErr.Code)
		return code == "40001" || strings.HasPrefix(code, "57") || strings.HasPrefix(code, "08")
	}
	_, outage := Outage(err)
	return outage
}

// OpenReplica attaches the streaming replica at readURL: read-only
// operations marked by ForRead go there while it keeps within maxLag of the
// primary, and wait up to wait for it to replay the caller's own last write.
// A replica that does not answer is no error: reads use the primary until
// it does (Status says why).
func (d *DB) OpenReplica(ctx context.Context, readURL string, maxLag, wait time.Duration) error {
	if d.Dialect != dialect.Postgres {
		return errors.New("read replica: the primary is not PostgreSQL")
	}
	if d.Reads.Configured() {
		return errors.New("read replica: already attached")
	}
	u, err := url.Parse(readURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("read replica URL is not a valid postgres:// URL")
	}
	where := describePostgres(u)
	if _, err := pq.ParseURL(readURL); err != nil {
		return fmt.Errorf("read replica %s: the URL is not valid for lib/pq", where)
	}
	connector, err := postgresConnector(readURL, d.statementCache)
	if err != nil {
		return fmt.Errorf("read replica %s: %w", where, err)
	}
	sdb := tracing.OpenConnector("postgres", connector)
	sdb.SetMaxOpenConns(25)
	sdb.SetMaxIdleConns(10)
	sdb.SetConnMaxLifetime(30 * time.Minute)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	r := d.Reads
	r.replica, r.replicaDrv, r.maxLag, r.wait = sdb, entsql.OpenDB(dialect.Postgres, sdb), maxLag, wait
	m := &monitor{reads: r}
	m.probe(ctx, time.Now())
	watchCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	r.stop, r.done = stop, make(chan struct{})
	go m.run(watchCtx, r.done)
	return nil
}

// closeReplica stops the monitor and closes the replica's pool.
func (r *Reads) closeReplica() error {
	if !r.Configured() {
		return nil
	}
	r.stop()
	<-r.done
	return r.replica.Close()
}
