package authz

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"sync"
)

// MaxGenerationBatch bounds the requests one coalesced generation read
// serves: at most 2 × 128 = 256 (tenant, user) pairs in one statement.
// Requests beyond it wait for the following read.
const MaxGenerationBatch = 128

// generationBatcher coalesces the viewer-generation reads of concurrent
// requests ("group commit" for reads): one statement reads the user's and the
// tenant's generation of every request of a batch, and each request gets its
// own rows.
//
// The rule that keeps the viewer cache's guarantee (a change committed before
// a request arrives is seen by that request): a request only uses a read that
// was sent after it arrived. A read already in flight when a request arrives
// may carry a snapshot older than a commit the request must see, so it never
// serves that request. Hence at most one read is in flight at a time; a
// request that arrives during a flight joins the queue for the next read,
// which is sent as soon as the current one returns, by one of its own
// requests (the leader: the first of the queue). A request that finds nothing
// in flight sends its read at once, alone: no timer, no added latency.
//
// The leader runs the read with its own context, through the cache's
// ReadFunc (db.DB.QueryUnwatched: the wait for a pool connection ends with
// the context, the statement runs without it). A waiter whose context ends
// stops waiting and returns ctx.Err(); a leader whose context ends while it
// waits for a connection returns ctx.Err() and hands its batch, unread, to
// the next leader (those requests still arrived before that read is sent).
// An error of the statement goes to every request of its batch.
//
// Bounds: with QueryUnwatched the statement, once sent, runs to the server's
// answer or the connection's failure (SQLite: its busy timeout), also when
// the leader's client has left; then it still answers the rest of its batch.
// Being one at a time, these reads hold at most one pool connection per
// cache, and every request waiting behind a stalled read still leaves when
// its client does. The statement is counted in the leader's request
// (reqctx.CountStatement); the requests it also answers count none.
type generationBatcher struct {
	read ReadFunc
	// queued, when not nil, is called (under mu) when a request joins the
	// queue behind a read in flight (tests).
	queued func()

	mu       sync.Mutex
	inFlight bool // a read is in flight or a leader is about to send one
	queue    []*genWaiter
	reads    uint64 // statements sent
	served   uint64 // requests answered by them
}

// waiter states.
const (
	genWaiting = iota // queued, or in the batch of the read in flight
	genDone           // answered: gens and err are set
	genLeading        // first of the queue when a read returned: send the next
	genLeft           // its context ended first
)

// genWaiter is one request waiting for its generations.
type genWaiter struct {
	tenant, user int
	state        int           // under the batcher's mu
	done         chan struct{} // closed when state leaves genWaiting
	userGen      int64
	tenantGen    int64
	err          error
}

// generations returns the user's and the tenant's generation from a read
// sent after the call began.
func (b *generationBatcher) generations(ctx context.Context, userID, tenantID int) (userGen, tenantGen int64, err error) {
	w := &genWaiter{tenant: tenantID, user: userID}
	b.mu.Lock()
	b.queue = append(b.queue, w)
	if !b.inFlight {
		b.inFlight = true
		b.mu.Unlock()
		return b.lead(ctx, w)
	}
	w.done = make(chan struct{})
	if b.queued != nil {
		b.queued()
	}
	b.mu.Unlock()
	select {
	case <-w.done:
	case <-ctx.Done():
		b.mu.Lock()
		if w.state == genWaiting {
			w.state = genLeft
			b.remove(w)
			b.mu.Unlock()
			return 0, 0, ctx.Err()
		}
		b.mu.Unlock()
		// Answered or made leader just now: the state is final.
	}
	if w.state == genLeading {
		return b.lead(ctx, w)
	}
	return w.userGen, w.tenantGen, w.err
}

// lead sends one read for the first requests of the queue, self among them
// (it is the queue's first), answers them and makes the next queued request
// leader of the following read.
func (b *generationBatcher) lead(ctx context.Context, self *genWaiter) (userGen, tenantGen int64, err error) {
	b.mu.Lock()
	if err := ctx.Err(); err != nil {
		self.state = genLeft
		b.remove(self)
		b.handOff()
		b.mu.Unlock()
		return 0, 0, err
	}
	r := genReads.Get().(*genRead)
	defer r.release()
	n := min(len(b.queue), MaxGenerationBatch)
	r.batch = append(r.batch[:0], b.queue[:n]...)
	batch := r.batch
	b.queue = slices.Delete(b.queue, 0, n)
	b.mu.Unlock()

	rerr := r.run(ctx, b.read)

	b.mu.Lock()
	defer b.mu.Unlock()
	if rerr != nil && ctx.Err() != nil {
		// Most likely this request's client left while its read waited for
		// a connection: the others wait for the next read, which is sent
		// after they arrived too.
		self.state = genLeft
		var rest []*genWaiter
		for _, w := range batch {
			if w != self && w.state == genWaiting {
				rest = append(rest, w)
			}
		}
		b.queue = append(rest, b.queue...)
		b.handOff()
		return 0, 0, ctx.Err()
	}
	b.reads++
	for _, w := range batch {
		if w != self && w.state != genWaiting {
			continue // its context ended
		}
		b.served++
		w.state = genDone
		if rerr != nil {
			w.err = rerr
		} else {
			w.userGen, w.tenantGen = r.rows.of(w.tenant, w.user)
		}
		if w != self {
			close(w.done)
		}
	}
	b.handOff()
	return self.userGen, self.tenantGen, self.err
}

// handOff makes the first queued request leader of the next read, or notes
// that none is in flight. Called under mu by a leader that is done.
func (b *generationBatcher) handOff() {
	if len(b.queue) == 0 {
		b.inFlight = false
		return
	}
	next := b.queue[0]
	next.state = genLeading
	close(next.done)
}

// remove drops w from the queue (it may already be out of it: in the batch
// of the read in flight). Called under mu.
func (b *generationBatcher) remove(w *genWaiter) {
	if i := slices.Index(b.queue, w); i >= 0 {
		b.queue = slices.Delete(b.queue, i, i+1)
	}
}

// genKey is one row of the generations table.
type genKey struct{ tenant, user int64 }

// genRows are the rows one read returned.
type genRows struct {
	one  [2]genRow // a lone request's (at most two rows)
	n    int
	many map[genKey]int64 // more than two rows
}

type genRow struct {
	key genKey
	gen int64
}

func (g *genRows) add(tenant, user, gen int64) {
	k := genKey{tenant, user}
	if len(g.many) == 0 && g.n < len(g.one) {
		g.one[g.n] = genRow{k, gen}
		g.n++
		return
	}
	if g.many == nil {
		g.many = make(map[genKey]int64, 8)
	}
	if g.n > 0 {
		for _, r := range g.one[:g.n] {
			g.many[r.key] = r.gen
		}
		g.n = 0
	}
	g.many[k] = gen
}

func (g *genRows) get(k genKey) int64 {
	for _, r := range g.one[:g.n] {
		if r.key == k {
			return r.gen
		}
	}
	return g.many[k] // 0 when no change was ever counted
}

// of returns the user's and the tenant's generation.
func (g *genRows) of(tenantID, userID int) (userGen, tenantGen int64) {
	t := int64(tenantID)
	return g.get(genKey{t, int64(userID)}), g.get(genKey{t, 0})
}

// reset empties g, keeping its map's room.
func (g *genRows) reset() {
	g.n = 0
	clear(g.many)
}

// genRead is one coalesced read: its requests, its statement and its rows.
// Pooled: a server sends one per request at low load.
type genRead struct {
	batch             []*genWaiter
	q                 []byte
	rows              genRows
	tenant, user, gen int64 // scan targets
	scan              func(*sql.Rows) error
}

var genReads = sync.Pool{New: func() any {
	r := &genRead{q: make([]byte, 0, 128)}
	r.scan = r.scanRows
	return r
}}

// release returns r to the pool, holding no request.
func (r *genRead) release() {
	clear(r.batch)
	r.batch = r.batch[:0]
	r.rows.reset()
	if cap(r.q) > 8<<10 {
		r.q = nil
	}
	genReads.Put(r)
}

// run reads the generations of r's batch in one statement:
//
//	SELECT tenant_id, user_id, generation FROM viewer_generations
//	WHERE (tenant_id = 1 AND user_id IN (5, 7, 0)) OR (tenant_id = 2 AND …)
//
// a key lookup per tenant on the primary key (tenant_id, user_id). The ids
// (integers from verified tokens) are written into the statement: without
// parameters lib/pq sends it in one round trip (the simple query protocol).
func (r *genRead) run(ctx context.Context, read ReadFunc) error {
	r.q = appendGenerationsQuery(r.q[:0], r.batch)
	if err := read(ctx, string(r.q), r.scan); err != nil {
		return fmt.Errorf("read viewer generations of %d requests: %w", len(r.batch), err)
	}
	return nil
}

func (r *genRead) scanRows(rows *sql.Rows) error {
	for rows.Next() {
		if err := rows.Scan(&r.tenant, &r.user, &r.gen); err != nil {
			return err
		}
		r.rows.add(r.tenant, r.user, r.gen)
	}
	return rows.Err()
}

// appendGenerationsQuery appends the statement reading the generations of
// batch: each tenant once, each of its users once, and its user 0. A lone
// request's is "… WHERE tenant_id = T AND user_id IN (U, 0)".
func appendGenerationsQuery(q []byte, batch []*genWaiter) []byte {
	q = append(q, "SELECT tenant_id, user_id, generation FROM "+GenerationsTable+" WHERE "...)
	if len(batch) == 1 {
		return appendTenantTerm(q, batch[0].tenant, []int{batch[0].user})
	}
	keys := make([]genKey, 0, len(batch))
	for _, w := range batch {
		keys = append(keys, genKey{int64(w.tenant), int64(w.user)})
	}
	slices.SortFunc(keys, func(a, b genKey) int {
		if a.tenant != b.tenant {
			return cmp.Compare(a.tenant, b.tenant)
		}
		return cmp.Compare(a.user, b.user)
	})
	keys = slices.Compact(keys)
	several := keys[0].tenant != keys[len(keys)-1].tenant
	users := make([]int, 0, len(keys))
	for i := 0; i < len(keys); {
		t := keys[i].tenant
		users = users[:0]
		for ; i < len(keys) && keys[i].tenant == t; i++ {
			users = append(users, int(keys[i].user))
		}
		if several {
			if q[len(q)-1] == ')' {
				q = append(q, " OR "...)
			}
			q = append(q, '(')
		}
		q = appendTenantTerm(q, int(t), users)
		if several {
			q = append(q, ')')
		}
	}
	return q
}

// appendTenantTerm appends "tenant_id = T AND user_id IN (u, …, 0)": users
// (distinct), then the tenant's row, user 0.
func appendTenantTerm(q []byte, tenant int, users []int) []byte {
	q = append(q, "tenant_id = "...)
	q = strconv.AppendInt(q, int64(tenant), 10)
	q = append(q, " AND user_id IN ("...)
	for _, u := range users {
		if u != 0 {
			q = strconv.AppendInt(q, int64(u), 10)
			q = append(q, ", "...)
		}
	}
	return append(q, "0)"...)
}

// stats returns the reads sent and the requests they answered.
func (b *generationBatcher) stats() (reads, served uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.reads, b.served
}
