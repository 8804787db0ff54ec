package authz_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/testdb"
)

// heldReads wraps a ReadFunc: it records every statement and can hold a read
// — before it is sent (as a read waiting for a pool connection) or after its
// rows were read — until the test releases it, or fail it.
type heldReads struct {
	inner authz.ReadFunc

	mu         sync.Mutex
	queries    []string
	holdBefore map[int]bool  // reads (0-based) held before they are sent
	holdAfter  map[int]bool  // reads held after their rows were read
	fail       map[int]error // reads that fail instead

	held    chan int      // gets a held read's number
	release chan struct{} // lets one held read go on
}

func newHeldReads(inner authz.ReadFunc) *heldReads {
	return &heldReads{inner: inner, holdBefore: map[int]bool{}, holdAfter: map[int]bool{}, fail: map[int]error{},
		held: make(chan int, 4), release: make(chan struct{})}
}

func (h *heldReads) read(ctx context.Context, query string, scan func(*sql.Rows) error) error {
	h.mu.Lock()
	n := len(h.queries)
	h.queries = append(h.queries, query)
	before, after, fail := h.holdBefore[n], h.holdAfter[n], h.fail[n]
	h.mu.Unlock()
	if before {
		h.held <- n
		<-h.release
		if err := ctx.Err(); err != nil {
			return err // as the wait for a pool connection ends
		}
	}
	err := fail
	if err == nil {
		err = h.inner(ctx, query, scan)
	}
	if after {
		h.held <- n
		<-h.release
	}
	return err
}

func (h *heldReads) statements() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.queries...)
}

// genResult is one request's answer.
type genResult struct {
	userGen, tenantGen int64
	err                error
}

// TestGenerationBatch checks the coalesced generation reads of the viewer
// cache on both databases: who shares a read, who must not, and what a
// cancelled request or a failed read leaves behind. Reads are held by the
// test (no clock): a request "arrives during a flight" when the cache says
// it queued behind a held read.
func TestGenerationBatch(t *testing.T) {
	const t1, t2 = 9001, 9002
	errBroken := errors.New("connection broken")

	type env struct {
		t      *testing.T
		d      *sql.DB
		reads  *heldReads
		cache  *authz.ViewerCache
		queued chan struct{}
	}
	// start runs one request's generation read in a goroutine.
	start := func(e *env, ctx context.Context, user, tenant int) <-chan genResult {
		out := make(chan genResult, 1)
		go func() {
			u, tg, err := authz.Generations(ctx, e.cache, user, tenant)
			out <- genResult{u, tg, err}
		}()
		return out
	}
	// waitQueued waits until n requests queued behind the read in flight.
	waitQueued := func(e *env, n int) {
		for range n {
			<-e.queued
		}
	}
	exec := func(e *env, stmt string) {
		e.t.Helper()
		_, err := e.d.ExecContext(context.Background(), stmt)
		require.NoError(e.t, err)
	}

	tests := []struct {
		name string
		run  func(t *testing.T, e *env)
	}{
		{"a lone request sends exactly one statement, at once", func(t *testing.T, e *env) {
			u, tg, err := authz.Generations(context.Background(), e.cache, 11, t1)
			require.NoError(t, err)
			require.Equal(t, [2]int64{111, 100}, [2]int64{u, tg})
			require.Equal(t, []string{"SELECT tenant_id, user_id, generation FROM viewer_generations WHERE tenant_id = 9001 AND user_id IN (11, 0)"},
				e.reads.statements())
			st := e.cache.Stats()
			require.Equal(t, [2]uint64{1, 1}, [2]uint64{st.GenerationReads, st.GenerationRequests})
		}},
		{"concurrent requests of different users each get their own generations from one read", func(t *testing.T, e *env) {
			e.reads.holdAfter[0] = true
			first := start(e, context.Background(), 11, t1)
			<-e.reads.held
			type req struct {
				user, tenant       int
				userGen, tenantGen int64
			}
			reqs := []req{{12, t1, 112, 100}, {21, t2, 221, 200}, {13, t1, 0, 100}, {11, t1, 111, 100}, {99, 9003, 0, 0}, {12, t1, 112, 100}}
			outs := make([]<-chan genResult, len(reqs))
			for i, r := range reqs {
				outs[i] = start(e, context.Background(), r.user, r.tenant)
			}
			waitQueued(e, len(reqs))
			e.reads.release <- struct{}{}
			require.Equal(t, genResult{111, 100, nil}, <-first)
			for i, r := range reqs {
				require.Equal(t, genResult{r.userGen, r.tenantGen, nil}, <-outs[i], "request %d (tenant %d, user %d)", i, r.tenant, r.user)
			}
			stmts := e.reads.statements()
			require.Len(t, stmts, 2, "the six requests that arrived during the first read share the second")
			require.Equal(t, "SELECT tenant_id, user_id, generation FROM viewer_generations WHERE "+
				"(tenant_id = 9001 AND user_id IN (11, 12, 13, 0)) OR (tenant_id = 9002 AND user_id IN (21, 0)) OR (tenant_id = 9003 AND user_id IN (99, 0))",
				stmts[1])
			st := e.cache.Stats()
			require.Equal(t, [2]uint64{2, 7}, [2]uint64{st.GenerationReads, st.GenerationRequests})
		}},
		{"a bump committed before a request arrives is seen by it although a read was in flight at its arrival", func(t *testing.T, e *env) {
			e.reads.holdAfter[0] = true
			first := start(e, context.Background(), 11, t1)
			<-e.reads.held // sent, its rows read: its snapshot predates the bump
			exec(e, "UPDATE viewer_generations SET generation = generation + 1 WHERE tenant_id = 9001 AND user_id = 11")
			second := start(e, context.Background(), 11, t1)
			waitQueued(e, 1)
			e.reads.release <- struct{}{}
			require.Equal(t, genResult{111, 100, nil}, <-first, "the first request arrived before the bump")
			require.Equal(t, genResult{112, 100, nil}, <-second, "the second request was served by the read in flight")
			require.Len(t, e.reads.statements(), 2)
		}},
		{"a cancelled waiter returns while the read it waits behind is still held", func(t *testing.T, e *env) {
			e.reads.holdAfter[0] = true
			first := start(e, context.Background(), 11, t1)
			<-e.reads.held
			ctx, cancel := context.WithCancel(context.Background())
			second := start(e, ctx, 12, t1)
			waitQueued(e, 1)
			cancel()
			require.ErrorIs(t, (<-second).err, context.Canceled)
			e.reads.release <- struct{}{}
			require.NoError(t, (<-first).err)
			u, _, err := authz.Generations(context.Background(), e.cache, 12, t1)
			require.NoError(t, err)
			require.Equal(t, int64(112), u)
			require.Len(t, e.reads.statements(), 2, "the cancelled request sent no read, the next one sent its own")
		}},
		{"a leader whose client left while it waited for a connection hands its batch to the next read", func(t *testing.T, e *env) {
			e.reads.holdAfter[0] = true
			e.reads.holdBefore[1] = true
			first := start(e, context.Background(), 11, t1)
			<-e.reads.held
			ctx, cancel := context.WithCancel(context.Background())
			leader := start(e, ctx, 12, t1) // first of the queue: leads the next read
			waitQueued(e, 1)
			other := start(e, context.Background(), 21, t2)
			waitQueued(e, 1)
			e.reads.release <- struct{}{}
			require.NoError(t, (<-first).err)
			<-e.reads.held // the second read, of both, waits for a connection
			cancel()
			e.reads.release <- struct{}{}
			require.ErrorIs(t, (<-leader).err, context.Canceled)
			require.Equal(t, genResult{221, 200, nil}, <-other, "the other request of the batch was not answered by the leader's cancellation")
			stmts := e.reads.statements()
			require.Len(t, stmts, 3)
			require.Contains(t, stmts[1], "9002")
			require.Equal(t, "SELECT tenant_id, user_id, generation FROM viewer_generations WHERE tenant_id = 9002 AND user_id IN (21, 0)", stmts[2])
		}},
		{"a read error reaches every waiter of its batch", func(t *testing.T, e *env) {
			e.reads.holdAfter[0] = true
			e.reads.fail[1] = errBroken
			first := start(e, context.Background(), 11, t1)
			<-e.reads.held
			outs := []<-chan genResult{start(e, context.Background(), 12, t1), start(e, context.Background(), 21, t2)}
			waitQueued(e, len(outs))
			e.reads.release <- struct{}{}
			require.NoError(t, (<-first).err)
			for _, out := range outs {
				err := (<-out).err
				require.ErrorIs(t, err, errBroken)
				require.ErrorContains(t, err, "read viewer generations of 2 requests")
			}
			u, _, err := authz.Generations(context.Background(), e.cache, 12, t1)
			require.NoError(t, err, "the next read is unaffected")
			require.Equal(t, int64(112), u)
		}},
		{"more requests than one read holds wait for the following read", func(t *testing.T, e *env) {
			e.reads.holdAfter[0] = true
			first := start(e, context.Background(), 11, t1)
			<-e.reads.held
			n := authz.MaxGenerationBatch + 2
			outs := make([]<-chan genResult, n)
			for i := range outs {
				outs[i] = start(e, context.Background(), 1000+i, t1)
			}
			waitQueued(e, n)
			e.reads.release <- struct{}{}
			require.NoError(t, (<-first).err)
			for _, out := range outs {
				r := <-out
				require.NoError(t, r.err)
				require.Equal(t, int64(100), r.tenantGen)
			}
			stmts := e.reads.statements()
			require.Len(t, stmts, 3)
			inList := func(stmt string) int { return strings.Count(stmt[strings.Index(stmt, " IN ("):], ",") + 1 }
			require.Equal(t, authz.MaxGenerationBatch+1, inList(stmts[1]), "the second read's users and user 0")
			require.Equal(t, 3, inList(stmts[2]))
		}},
	}
	for _, dl := range testdb.Dialects(t) {
		t.Run("on "+testdb.Name(dl), func(t *testing.T) {
			d := testdb.Open(t, dl)
			_, err := d.SQL.ExecContext(context.Background(), `INSERT INTO viewer_generations (tenant_id, user_id, generation) VALUES
				(9001, 0, 100), (9001, 11, 111), (9001, 12, 112), (9002, 0, 200), (9002, 21, 221)`)
			require.NoError(t, err)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					// The rows each case starts from.
					_, err := d.SQL.ExecContext(context.Background(), `UPDATE viewer_generations SET generation = 100 * (tenant_id - 9000) + user_id`)
					require.NoError(t, err)
					e := &env{t: t, d: d.SQL, queued: make(chan struct{}, 1024)}
					e.reads = newHeldReads(d.QueryUnwatched)
					e.cache = authz.NewViewerCache(d.Client, e.reads.read, 0)
					authz.OnGenerationQueued(e.cache, func() { e.queued <- struct{}{} })
					tt.run(t, e)
				})
			}
		})
	}
}
