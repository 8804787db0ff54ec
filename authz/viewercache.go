package authz

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/dutychain/dutychain/ent"
)

// GenerationsTable is the table of viewer generations (migration
// 0023_viewer_generations): triggers on users, posts, refresh_tokens and units
// bump a counter per (tenant, user), and per tenant (user 0) for unit moves,
// in the writing transaction.
const GenerationsTable = "viewer_generations"

// DefaultViewerCacheSize bounds the viewers a ViewerCache keeps.
const DefaultViewerCacheSize = 50_000

// ViewerCache keeps the state of recently seen viewers of one database and
// checks it on every request with one small statement: the two generations
// (the user's and the tenant's) that the database's triggers bump whenever a
// user, one of their posts or sessions, or a unit's place in the tree
// changes — through any server replica, any tool, any hand-written SQL. An
// unchanged generation serves the kept state; a changed one, a post that has
// since started or ended, or a clock that went back reads the state again
// (one statement, as without the cache). So a disabled user, an ended post or
// a revoked session is refused on the very next request on every replica,
// and the policy is always the request's current snapshot.
//
// Concurrent requests share that statement: one read serves every request
// that arrived before it was sent (generationBatcher), never one that
// arrived while it was in flight.
type ViewerCache struct {
	client    *ent.Client
	read      ReadFunc
	batch     *generationBatcher // nil: one read per request
	watch     *ViewerWatch       // nil: a generation read on every hit
	maxSize   int
	mu        sync.Mutex
	states    map[stateKey]*viewerState
	hits      uint64
	unread    uint64 // hits served without a generation read (watch)
	reloads   uint64
	evictions uint64
}

// stateKey names one kept state: a user's session (or no session).
type stateKey struct {
	tenant, user int
	session      string
}

// ReadFunc runs query, a short read without parameters, on the primary
// database and hands its rows to scan (db.DB.QueryUnwatched).
type ReadFunc func(ctx context.Context, query string, scan func(*sql.Rows) error) error

// ViewerCacheOption changes how a ViewerCache reads.
type ViewerCacheOption func(*ViewerCache)

// SingleGenerationReads makes every request send its own generation read,
// as the cache did before reads were coalesced (for benchmarks' comparison).
func SingleGenerationReads() ViewerCacheOption {
	return func(c *ViewerCache) { c.batch = nil }
}

// WatchedBy lets the cache serve a kept state without reading its
// generations while w holds its lease and has applied no change of the user
// or the tenant since the state was last checked (see ViewerWatch).
func WatchedBy(w *ViewerWatch) ViewerCacheOption {
	return func(c *ViewerCache) { c.watch = w }
}

// NewViewerCache returns a cache over client; size ≤ 0 means
// DefaultViewerCacheSize. read, when not nil, runs the per-request
// generation read (a server passes db.DB.QueryUnwatched, which skips the
// goroutines that watch a cancellable context); nil runs it through client.
// Concurrent requests' generation reads are coalesced unless opts say
// otherwise.
func NewViewerCache(client *ent.Client, read ReadFunc, size int, opts ...ViewerCacheOption) *ViewerCache {
	if size <= 0 {
		size = DefaultViewerCacheSize
	}
	if read == nil {
		read = clientRead(client)
	}
	c := &ViewerCache{client: client, read: read, maxSize: size, states: map[stateKey]*viewerState{},
		batch: &generationBatcher{read: read}}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// clientRead is a ReadFunc running query through client.
func clientRead(client *ent.Client) ReadFunc {
	return func(ctx context.Context, query string, scan func(*sql.Rows) error) error {
		rows, err := client.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := scan(rows); err != nil {
			return err
		}
		return rows.Close()
	}
}

// Viewer is LoadSessionViewer (session != "") or LoadViewer (session == "")
// through the cache: one statement either way, or none for a kept state
// that the cache's ViewerWatch vouches for.
func (c *ViewerCache) Viewer(ctx context.Context, policy *Policy, userID, tenantID int, session string, now time.Time) (*Viewer, error) {
	key := stateKey{tenant: tenantID, user: userID, session: session}
	now = now.UTC()
	c.mu.Lock()
	st := c.states[key]
	var validated uint64
	if st != nil {
		validated = st.validated
	}
	c.mu.Unlock()
	if st != nil && !now.Before(st.loadedAt) && (st.expires.IsZero() || now.Before(st.expires)) {
		if c.watch.current(validated, tenantID, userID) {
			c.mu.Lock()
			c.hits++
			c.unread++
			c.mu.Unlock()
			return st.viewer(policy, now)
		}
		mark := c.watch.mark() // before the read: a change applied after it makes the state stale
		userGen, tenantGen, err := c.generations(ctx, userID, tenantID)
		if err != nil {
			return nil, err
		}
		if userGen == st.userGen && tenantGen == st.tenantGen {
			c.mu.Lock()
			c.hits++
			st.validated = max(st.validated, mark)
			c.mu.Unlock()
			return st.viewer(policy, now)
		}
	}
	mark := c.watch.mark()
	st, err := loadViewerState(ctx, c.client, userID, tenantID, session, now)
	if err != nil {
		c.mu.Lock()
		delete(c.states, key)
		c.mu.Unlock()
		return nil, err
	}
	st.validated = mark
	c.mu.Lock()
	c.reloads++
	if len(c.states) >= c.maxSize {
		// Bounded: drop arbitrary states (Go's map order); they are read
		// again on their next request.
		for k := range c.states {
			delete(c.states, k)
			c.evictions++
			if len(c.states) < c.maxSize*3/4 {
				break
			}
		}
	}
	c.states[key] = st
	c.mu.Unlock()
	return st.viewer(policy, now)
}

// generations reads the user's and the tenant's viewer generations (0 when
// no change was ever counted), in a read shared with concurrent requests
// (generationBatcher) or, with SingleGenerationReads, alone. The ids (integers from a verified token) are
// written into the statement: without parameters lib/pq sends it in one
// round trip (the simple query protocol) instead of two.
func (c *ViewerCache) generations(ctx context.Context, userID, tenantID int) (userGen, tenantGen int64, err error) {
	if c.batch != nil {
		return c.batch.generations(ctx, userID, tenantID)
	}
	q := make([]byte, 0, 112)
	q = append(q, "SELECT user_id, generation FROM "+GenerationsTable+" WHERE tenant_id = "...)
	q = strconv.AppendInt(q, int64(tenantID), 10)
	q = append(q, " AND user_id IN ("...)
	q = strconv.AppendInt(q, int64(userID), 10)
	q = append(q, ", 0)"...)
	err = c.read(ctx, string(q), func(rows *sql.Rows) error {
		for rows.Next() {
			var user, gen int64
			if err := rows.Scan(&user, &gen); err != nil {
				return err
			}
			if user == 0 {
				tenantGen = gen
			} else {
				userGen = gen
			}
		}
		return rows.Err()
	})
	if err != nil {
		return 0, 0, fmt.Errorf("read viewer generations: %w", err)
	}
	return userGen, tenantGen, nil
}

// ViewerCacheStats counts the cache's answers since it was made.
type ViewerCacheStats struct {
	// Hits served a kept state (Unread of them without reading its
	// generations, under a ViewerWatch's lease); Reloads read the state (first request,
	// changed generation, post started or ended); Evictions dropped states
	// over the size bound.
	Hits, Unread, Reloads, Evictions uint64
	// Size is the number of states kept now.
	Size int
	// GenerationReads are the statements that read generations for
	// GenerationRequests requests (coalesced reads; zero with
	// SingleGenerationReads): their difference is the reads saved.
	GenerationReads, GenerationRequests uint64
}

// Stats returns the cache's counters.
func (c *ViewerCache) Stats() ViewerCacheStats {
	var reads, served uint64
	if c.batch != nil {
		reads, served = c.batch.stats()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return ViewerCacheStats{Hits: c.hits, Unread: c.unread, Reloads: c.reloads, Evictions: c.evictions, Size: len(c.states),
		GenerationReads: reads, GenerationRequests: served}
}
