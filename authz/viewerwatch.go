package authz

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// ViewerChannel is the PostgreSQL NOTIFY channel of viewer changes
// (migration 0031_viewer_watchers): "g:<tenant>:<user>" for each generation
// bump, sent by the bump itself; "b:<n>" for a writer's barrier; "r:<watcher
// id>:<n>" for a watcher's lease renewal.
const ViewerChannel = "dutychain_viewers"

// WatchersTable holds one row per watching server replica: its lease and the
// highest barrier it acknowledged.
const WatchersTable = "viewer_watchers"

// DefaultViewerLease is how long a watcher's lease lasts; it is renewed every
// quarter of it.
const DefaultViewerLease = 2 * time.Second

// MaxViewerLease is the longest lease a replica may hold (configuration
// refuses more): a barrier never waits longer than that, and a tenth —
// well within the server's write timeout.
const MaxViewerLease = 30 * time.Second

// leaseMargin is kept off a lease's local end, for clocks that run at
// slightly different rates.
const leaseMargin = 10 // percent

// ViewerWatch lets a server replica skip the per-request viewer-generation
// read while it holds a lease, and keeps the guarantee that a change to a
// user, a post, a session or the unit tree is seen on the very next request
// on every replica:
//
//   - Every generation bump is announced by NOTIFY in the writing
//     transaction; PostgreSQL delivers notifications at commit, in commit
//     order. The watch applies them to its marks (changed), so the kept
//     states of that user, or of the whole tenant, are read again.
//   - The watch holds a lease in viewer_watchers, renewed every quarter of
//     its length by one statement that also notifies the watch itself. The
//     renewal counts only when that notification arrives: by then every
//     change committed before the renewal has been applied. The lease ends
//     locally a margin before it ends in the database.
//   - A server that bumped a generation (a request whose statements wrote
//     users, posts, refresh_tokens, units or tenants) runs ViewerBarrier
//     before it answers: a "b:<n>" notification after its commit, then a
//     wait until every watcher with an unexpired lease has acknowledged n or
//     its lease has expired. A watcher acknowledges n after applying every
//     notification before it.
//   - A lost listener connection (or any doubt) invalidates every kept
//     state and the lease until the next renewal completes.
//
// So a request that reaches any replica after a writer answered is served
// either from a state the watch checked against every change up to that
// writer's commit, or from a generation read, as without the watch.
type ViewerWatch struct {
	id    string
	db    *sql.DB
	dsn   string
	lease time.Duration
	log   *slog.Logger
	base  time.Time // monotonic origin of freshUntil

	// freshUntil is the local end of the lease, nanoseconds after base on
	// the monotonic clock; 0: no lease. wallUntil is the same end on the
	// wall clock (Unix nanoseconds): the monotonic clock stops while a
	// machine is suspended, the wall clock does not.
	freshUntil, wallUntil atomic.Int64

	mu      sync.Mutex
	seq     uint64            // notifications applied so far
	changed map[genKey]uint64 // seq of the last change per (tenant, user); user 0: tenant
	resetAt uint64            // states validated before this seq are stale
	// barrier is the highest barrier seen.
	barrier int64
	// awaited is the renewal whose notification completes the lease, sent
	// at sentAt (after base; sentWall on the wall clock); renewed is closed
	// when it arrives.
	awaited  uint64
	sentAt   time.Duration
	sentWall time.Time
	renewed  chan struct{}
	ack      chan struct{}

	renewals, lapses, resets atomic.Uint64
}

// maxChangedMarks bounds the change marks kept; past it every kept state is
// made stale at once and the marks start again.
const maxChangedMarks = 200_000

// NewViewerWatch returns a watch over the PostgreSQL database at dsn (the
// listener's connection) and db (renewals and acknowledgements). lease ≤ 0
// means DefaultViewerLease. It does nothing until Run.
func NewViewerWatch(db *sql.DB, dsn string, lease time.Duration, log *slog.Logger) *ViewerWatch {
	if lease <= 0 {
		lease = DefaultViewerLease
	}
	if log == nil {
		log = slog.Default()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &ViewerWatch{id: hex.EncodeToString(b[:]), db: db, dsn: dsn, lease: lease, log: log, base: time.Now(),
		changed: map[genKey]uint64{}, ack: make(chan struct{}, 1)}
}

// ID names the watch in viewer_watchers.
func (w *ViewerWatch) ID() string { return w.id }

// Lease is the length of the watch's lease.
func (w *ViewerWatch) Lease() time.Duration { return w.lease }

// Fresh reports whether the watch holds a lease now.
func (w *ViewerWatch) Fresh() bool {
	if w == nil {
		return false
	}
	now := time.Now()
	return int64(now.Sub(w.base)) < w.freshUntil.Load() && now.UnixNano() < w.wallUntil.Load()
}

// mark is the seq a state validated from now on records; 0 without a watch.
func (w *ViewerWatch) mark() uint64 {
	if w == nil {
		return 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seq
}

// current reports whether a state validated at mark is still current for
// (tenant, user): the lease holds, and no change of the user or the tenant,
// nor a reset, was applied after mark.
func (w *ViewerWatch) current(mark uint64, tenant, user int) bool {
	if !w.Fresh() {
		return false
	}
	t := int64(tenant)
	w.mu.Lock()
	defer w.mu.Unlock()
	return mark >= w.resetAt && w.changed[genKey{t, int64(user)}] <= mark && w.changed[genKey{t, 0}] <= mark
}

// Run listens and keeps the lease until ctx ends, then gives the lease up.
// It returns an error only when it cannot start listening.
func (w *ViewerWatch) Run(ctx context.Context) error {
	l := pq.NewListener(w.dsn, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			w.lapse()
			if ctx.Err() == nil {
				w.log.Warn("viewer watch: listener connection lost; viewers are read on each request until it is back", "err", err)
			}
		case pq.ListenerEventConnectionAttemptFailed:
			w.lapse()
			if ctx.Err() == nil {
				w.log.Warn("viewer watch: listener cannot connect; viewers are read on each request", "err", err)
			}
		}
	})
	// Listen waits for the first connection: end it with ctx.
	closed := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = l.Close()
		case <-closed:
		}
	}()
	if err := l.Listen(ViewerChannel); err != nil {
		close(closed)
		_ = l.Close()
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("listen on %s: %w", ViewerChannel, err)
	}
	// States kept before the listener was up may have missed changes that
	// no notification will bring: they are read again.
	w.reset()
	w.deleteExpired(ctx)
	var background sync.WaitGroup
	background.Add(2)
	go func() { defer background.Done(); w.acknowledge(ctx) }()
	go func() { defer background.Done(); w.renew(ctx) }()
	defer func() {
		w.lapse()
		close(closed)
		_ = l.Close()
		background.Wait() // no renewal may re-insert the row after it is deleted
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		// Writers stop waiting for this replica at once.
		_, _ = w.db.ExecContext(ctx, "DELETE FROM "+WatchersTable+" WHERE id = '"+w.id+"'")
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n, ok := <-l.Notify:
			if !ok {
				return nil
			}
			if n == nil {
				w.reset() // reconnected: notifications may have been lost
				continue
			}
			w.apply(n.Extra)
		}
	}
}

// deleteExpired deletes the rows of watchers whose lease ended a day ago
// (replicas that stopped without giving theirs up).
func (w *ViewerWatch) deleteExpired(ctx context.Context) {
	if _, err := w.db.ExecContext(ctx, "DELETE FROM "+WatchersTable+" WHERE lease_until < now() - interval '1 day'"); err != nil && ctx.Err() == nil {
		w.log.Warn("viewer watch: expired watchers not deleted", "err", err)
	}
}

// lapse ends the lease now.
func (w *ViewerWatch) lapse() {
	if w.freshUntil.Swap(0) != 0 {
		w.lapses.Add(1)
	}
}

// reset makes every kept state stale and ends the lease.
func (w *ViewerWatch) reset() {
	w.lapse()
	w.resets.Add(1)
	w.mu.Lock()
	w.seq++
	w.resetAt = w.seq
	clear(w.changed)
	w.mu.Unlock()
}

// apply handles one notification of ViewerChannel.
func (w *ViewerWatch) apply(payload string) {
	kind, rest, _ := strings.Cut(payload, ":")
	switch kind {
	case "g":
		t, u, _ := strings.Cut(rest, ":")
		tenant, err1 := strconv.ParseInt(t, 10, 64)
		user, err2 := strconv.ParseInt(u, 10, 64)
		if err1 != nil || err2 != nil {
			w.reset() // not ours to parse: take no chance
			return
		}
		w.mu.Lock()
		w.seq++
		if len(w.changed) >= maxChangedMarks {
			w.resetAt = w.seq
			clear(w.changed)
		}
		w.changed[genKey{tenant, user}] = w.seq
		w.mu.Unlock()
	case "b":
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return
		}
		w.mu.Lock()
		w.barrier = max(w.barrier, n)
		w.mu.Unlock()
		select {
		case w.ack <- struct{}{}:
		default:
		}
	case "r":
		id, num, _ := strings.Cut(rest, ":")
		n, err := strconv.ParseUint(num, 10, 64)
		if id != w.id || err != nil {
			return
		}
		w.mu.Lock()
		if n == w.awaited && w.renewed != nil {
			held := w.lease * (100 - leaseMargin) / 100
			w.wallUntil.Store(w.sentWall.Add(held).UnixNano())
			w.freshUntil.Store(int64(w.sentAt + held))
			w.renewals.Add(1)
			close(w.renewed)
			w.renewed = nil
		}
		w.mu.Unlock()
	}
}

// acknowledge records the highest barrier seen, after every notification
// before it was applied.
func (w *ViewerWatch) acknowledge(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.ack:
		}
		w.mu.Lock()
		n := w.barrier
		w.mu.Unlock()
		_, err := w.db.ExecContext(ctx, "UPDATE "+WatchersTable+" SET acked = GREATEST(acked, "+
			strconv.FormatInt(n, 10)+") WHERE id = '"+w.id+"'")
		if err != nil && ctx.Err() == nil {
			// The next renewal carries it; writers wait until then or
			// until the lease ends.
			w.log.Warn("viewer watch: barrier not acknowledged", "err", err)
		}
	}
}

// renew renews the lease every quarter of its length until ctx ends.
func (w *ViewerWatch) renew(ctx context.Context) {
	t := time.NewTicker(w.lease / 4)
	defer t.Stop()
	cleaned := time.Now()
	for {
		if err := w.renewOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("viewer watch: lease not renewed; viewers are read on each request until it is", "err", err)
		}
		if time.Since(cleaned) > time.Hour {
			w.deleteExpired(ctx)
			cleaned = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// renewOnce extends the lease in the database, acknowledging the barriers
// seen, and waits for its own notification.
func (w *ViewerWatch) renewOnce(ctx context.Context) error {
	w.mu.Lock()
	// Under mu: once awaited moves on, no earlier renewal's notification
	// can make the watch fresh, so fresh stays false until this one's.
	fresh := w.Fresh()
	w.awaited++
	n, acked := w.awaited, w.barrier
	renewed := make(chan struct{})
	w.renewed = renewed
	w.sentWall = time.Now()
	w.sentAt = w.sentWall.Sub(w.base)
	w.mu.Unlock()
	ackedSQL := strconv.FormatInt(acked, 10)
	if !fresh {
		// Without a lease every request reads its generations, and this
		// renewal counts only once every change committed before it has
		// been applied: it may acknowledge every barrier sent so far, also
		// those whose notification was lost while the listener reconnected.
		// (A sequence never called has last_value 1 and is_called false:
		// barrier 1 is not sent yet.)
		ackedSQL = "GREATEST(" + ackedSQL + ", (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM viewer_barriers))"
	}
	ms := strconv.FormatInt(w.lease.Milliseconds(), 10)
	q := "WITH w AS (INSERT INTO " + WatchersTable + " AS w (id, lease_until, acked) VALUES ('" + w.id +
		"', now() + interval '" + ms + " milliseconds', " + ackedSQL + ")" +
		" ON CONFLICT (id) DO UPDATE SET lease_until = EXCLUDED.lease_until, acked = GREATEST(w.acked, EXCLUDED.acked) RETURNING 1)" +
		" SELECT pg_notify('" + ViewerChannel + "', 'r:" + w.id + ":" + strconv.FormatUint(n, 10) + "') FROM w"
	if _, err := w.db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("renew viewer lease: %w", err)
	}
	select {
	case <-renewed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(w.lease / 2):
		return errors.New("renew viewer lease: its notification did not arrive within half the lease")
	}
}

// WatchStats are a watch's counters.
type WatchStats struct {
	Renewals, Lapses, Resets uint64
}

// Stats returns the watch's counters.
func (w *ViewerWatch) Stats() WatchStats {
	return WatchStats{Renewals: w.renewals.Load(), Lapses: w.lapses.Load(), Resets: w.resets.Load()}
}

// ViewerBarrier waits, after a commit that bumped viewer generations, until
// every watching replica has applied it: until each watcher whose lease has
// not expired has acknowledged a barrier sent now, or its lease has expired.
// A replica that stopped answering holds it up until that replica's lease
// ends (at most MaxViewerLease). When the database cannot be asked, it waits
// lease (this replica's; DefaultViewerLease when ≤ 0: every replica of a
// deployment should have the same) instead — every lease that was valid at the commit has then
// either ended or been renewed through a notification after the commit — and
// returns the error for the log.
func ViewerBarrier(ctx context.Context, db *sql.DB, lease time.Duration) error {
	if lease <= 0 {
		lease = DefaultViewerLease
	}
	start := time.Now()
	ctx = context.WithoutCancel(ctx) // the change is made: finish the wait even if the client left
	wait := func(err error) error {
		time.Sleep(time.Until(start.Add(lease + lease*leaseMargin/100)))
		return err
	}
	end := start.Add(MaxViewerLease + MaxViewerLease*leaseMargin/100)
	var n int64
	var ignored string
	err := db.QueryRowContext(ctx, "SELECT x, pg_notify('"+ViewerChannel+"', 'b:' || x)::text FROM (SELECT nextval('viewer_barriers') AS x) s").Scan(&n, &ignored)
	if err != nil {
		return wait(fmt.Errorf("send viewer barrier: %w", err))
	}
	q := "SELECT count(*) FROM " + WatchersTable + " WHERE lease_until > now() AND acked < " + strconv.FormatInt(n, 10)
	pause := 200 * time.Microsecond
	for {
		var behind int
		if err := db.QueryRowContext(ctx, q).Scan(&behind); err != nil {
			return wait(fmt.Errorf("wait for viewer barrier %d: %w", n, err))
		}
		if behind == 0 || time.Now().After(end) {
			return nil
		}
		time.Sleep(pause)
		pause = min(2*pause, 10*time.Millisecond)
	}
}
