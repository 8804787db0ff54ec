package authz_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/testdb"
)

// TestViewerWatchMarks checks, without a database, which kept states a watch
// vouches for after each kind of notification.
func TestViewerWatchMarks(t *testing.T) {
	fresh := func() *authz.ViewerWatch {
		w := authz.NewViewerWatch(nil, "", time.Minute, nil)
		w.HoldLeaseFor(time.Hour)
		return w
	}
	t.Run("without a lease no state is vouched for", func(t *testing.T) {
		w := authz.NewViewerWatch(nil, "", time.Minute, nil)
		require.False(t, w.Fresh())
		require.False(t, w.Current(w.Mark(), 1, 5))
		var none *authz.ViewerWatch
		require.False(t, none.Fresh(), "a cache without a watch reads every time")
	})
	t.Run("a state checked after the last change is vouched for", func(t *testing.T) {
		w := fresh()
		w.Apply("g:1:5")
		require.True(t, w.Current(w.Mark(), 1, 5))
	})
	t.Run("a change of the user applied after the check makes the state stale", func(t *testing.T) {
		w := fresh()
		mark := w.Mark()
		w.Apply("g:1:5")
		require.False(t, w.Current(mark, 1, 5))
		require.True(t, w.Current(mark, 1, 6), "another user of the tenant stays vouched for")
		require.True(t, w.Current(mark, 2, 5), "the same user id in another tenant stays vouched for")
	})
	t.Run("a change of the tenant (a unit moved) makes all its users' states stale", func(t *testing.T) {
		w := fresh()
		mark := w.Mark()
		w.Apply("g:1:0")
		require.False(t, w.Current(mark, 1, 5))
		require.False(t, w.Current(mark, 1, 6))
		require.True(t, w.Current(mark, 2, 5))
	})
	t.Run("a reconnected listener makes every state stale", func(t *testing.T) {
		w := fresh()
		mark := w.Mark()
		w.Reset()
		require.False(t, w.Fresh(), "the lease ends until the next renewal")
		w.HoldLeaseFor(time.Hour)
		require.False(t, w.Current(mark, 2, 5))
		require.True(t, w.Current(w.Mark(), 2, 5))
	})
	t.Run("a payload it cannot read is taken as a reconnection", func(t *testing.T) {
		w := fresh()
		mark := w.Mark()
		w.Apply("g:x:5")
		w.HoldLeaseFor(time.Hour)
		require.False(t, w.Current(mark, 3, 7))
	})
	t.Run("barriers and other watchers' renewals change no state", func(t *testing.T) {
		w := fresh()
		mark := w.Mark()
		w.Apply("b:17")
		w.Apply("r:someone-else:3")
		require.True(t, w.Current(mark, 1, 5))
	})
}

// TestViewerWatch runs watches on PostgreSQL, as two server replicas would:
// each with its own viewer cache, listener and lease.
func TestViewerWatch(t *testing.T) {
	skipWithoutPostgres(t)
	x := openDemo(t, dialect.Postgres)
	ctx := context.Background()
	const lease = 5 * time.Second // long: a loaded machine must not lapse it mid-test
	type replica struct {
		watch *authz.ViewerWatch
		cache *authz.ViewerCache
		stop  func()
	}
	start := func(t *testing.T) *replica {
		w, stop := testdb.StartViewerWatch(t, x.d, lease)
		return &replica{watch: w, cache: authz.NewViewerCache(x.d.Client, x.d.QueryUnwatched, 0, authz.WatchedBy(w)), stop: stop}
	}
	a, b := start(t), start(t)
	id, _ := x.built.User("county.deputy.industry")
	viewer := func(r *replica) (*authz.Viewer, error) {
		return r.cache.Viewer(ctx, x.policy, id, x.built.TenantID, "", time.Now())
	}
	exec := func(t *testing.T, q string) {
		t.Helper()
		_, err := x.d.SQL.ExecContext(ctx, q)
		require.NoError(t, err)
	}
	barrier := func(t *testing.T) {
		t.Helper()
		require.NoError(t, authz.ViewerBarrier(ctx, x.d.SQL, lease))
	}

	t.Run("a fresh watch serves a kept viewer without reading its generations", func(t *testing.T) {
		_, err := viewer(b)
		require.NoError(t, err)
		before := b.cache.Stats()
		for range 3 {
			_, err := viewer(b)
			require.NoError(t, err)
		}
		after := b.cache.Stats()
		require.Equal(t, before.Unread+3, after.Unread)
		require.Equal(t, before.GenerationRequests, after.GenerationRequests, "no generation read")
		require.Equal(t, before.Reloads, after.Reloads)
	})

	t.Run("a user disabled through one replica is refused by another on its next request after the barrier", func(t *testing.T) {
		_, err := viewer(a)
		require.NoError(t, err)
		_, err = viewer(b)
		require.NoError(t, err)
		exec(t, `UPDATE users SET status = 'DISABLED' WHERE id = `+strconv.Itoa(id))
		t.Cleanup(func() {
			exec(t, `UPDATE users SET status = 'ACTIVE' WHERE id = `+strconv.Itoa(id))
			barrier(t)
		})
		barrier(t)
		for _, r := range []*replica{a, b} {
			_, err := viewer(r)
			require.Error(t, err, "the disabled user is refused")
		}
	})

	t.Run("another user's change leaves the viewer vouched for", func(t *testing.T) {
		_, err := viewer(b)
		require.NoError(t, err)
		other, _ := x.built.User("county.head")
		exec(t, `UPDATE users SET display_name = display_name WHERE id = `+strconv.Itoa(other))
		barrier(t)
		before := b.cache.Stats()
		_, err = viewer(b)
		require.NoError(t, err)
		require.Equal(t, before.Unread+1, b.cache.Stats().Unread)
	})

	t.Run("a barrier waits for each watcher's acknowledgement", func(t *testing.T) {
		exec(t, `UPDATE posts SET title = title WHERE user_id = `+strconv.Itoa(id))
		barrier(t)
		var last int64
		require.NoError(t, x.d.SQL.QueryRowContext(ctx, `SELECT last_value FROM viewer_barriers`).Scan(&last))
		for _, r := range []*replica{a, b} {
			var acked int64
			require.NoError(t, x.d.SQL.QueryRowContext(ctx, `SELECT acked FROM viewer_watchers WHERE id = '`+r.watch.ID()+`'`).Scan(&acked))
			require.GreaterOrEqual(t, acked, last)
		}
	})

	t.Run("a watcher that stopped answering holds a barrier up only until its lease ends", func(t *testing.T) {
		exec(t, `INSERT INTO viewer_watchers (id, lease_until, acked) VALUES ('stalled', now() + interval '300 milliseconds', 0)`)
		t.Cleanup(func() { exec(t, `DELETE FROM viewer_watchers WHERE id = 'stalled'`) })
		barrier(t)
		var expired bool
		require.NoError(t, x.d.SQL.QueryRowContext(ctx, `SELECT lease_until <= now() FROM viewer_watchers WHERE id = 'stalled'`).Scan(&expired))
		require.True(t, expired, "the barrier returned only once the stalled lease had ended")
	})

	t.Run("a lost listener connection makes every kept viewer read again", func(t *testing.T) {
		_, err := viewer(b)
		require.NoError(t, err)
		resets := b.watch.Stats().Resets
		exec(t, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`)
		require.Eventually(t, func() bool { return b.watch.Stats().Resets > resets }, 20*time.Second, 5*time.Millisecond)
		before := b.cache.Stats()
		_, err = viewer(b)
		require.NoError(t, err)
		require.Equal(t, before.Unread, b.cache.Stats().Unread, "the kept viewer is not vouched for")
		require.Equal(t, before.GenerationRequests+1, b.cache.Stats().GenerationRequests, "its generations are read")
		require.Eventually(t, b.watch.Fresh, 10*time.Second, 5*time.Millisecond, "the lease comes back with the next renewal")
		before = b.cache.Stats()
		_, err = viewer(b)
		require.NoError(t, err)
		require.Equal(t, before.Unread+1, b.cache.Stats().Unread, "checked once, then vouched for again")
	})

	t.Run("a stopped watch gives its lease up at once", func(t *testing.T) {
		a.stop()
		require.False(t, a.watch.Fresh())
		var n int
		require.NoError(t, x.d.SQL.QueryRowContext(ctx, `SELECT count(*) FROM viewer_watchers WHERE id = '`+a.watch.ID()+`'`).Scan(&n))
		require.Zero(t, n, "writers no longer wait for it")
	})
}

// TestWritesViewerTable checks which statements a request's viewer barrier
// follows.
func TestWritesViewerTable(t *testing.T) {
	for _, tt := range []struct {
		query string
		want  bool
	}{
		{`INSERT INTO "posts" ("title") VALUES ($1) RETURNING "id"`, true},
		{`UPDATE "users" SET "status" = $1 WHERE "id" = $2`, true},
		{"DELETE FROM `refresh_tokens` WHERE `id` = ?", true},
		{`UPDATE "units" SET "scope_path" = $1`, true},
		{`DELETE FROM "tenants" WHERE "id" = $1`, true},
		{`update users set status = 'DISABLED'`, true},
		{`INSERT INTO "hazards" ("title") VALUES ($1)`, false},
		{`UPDATE "units_history" SET "x" = 1`, false},
		{`INSERT INTO "post_transfers" ("a") VALUES (1)`, false},
		{`SELECT "id" FROM "users"`, false},
		{`UPDATE "userships" SET "a" = 1`, false},
	} {
		t.Run(tt.query, func(t *testing.T) {
			require.Equal(t, tt.want, authz.WritesViewerTable(tt.query))
		})
	}
}

// BenchmarkViewerBarrier measures what a request that changed a user, a post
// or a session adds before it answers: the barrier, with 1 and 3 watching
// replicas (watches in this process, each with its own listener).
//
//	./scripts/test.sh ./authz -run '^$' -bench ViewerBarrier -benchtime 500x
func BenchmarkViewerBarrier(b *testing.B) {
	skipWithoutPostgres(b)
	x := openDemo(b, dialect.Postgres)
	ctx := context.Background()
	watches := 0
	for _, n := range []int{1, 3} {
		for ; watches < n; watches++ {
			testdb.StartViewerWatch(b, x.d, 0)
		}
		b.Run("watchers="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				if err := authz.ViewerBarrier(ctx, x.d.SQL, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// skipWithoutPostgres skips tb unless the tests run on PostgreSQL too: the
// viewer watch needs LISTEN/NOTIFY.
func skipWithoutPostgres(tb testing.TB) {
	tb.Helper()
	for _, dl := range testdb.Dialects(tb) {
		if dl == dialect.Postgres {
			return
		}
	}
	tb.Skip("the viewer watch needs PostgreSQL (LISTEN/NOTIFY); run with ./scripts/test.sh")
}

// TestViewerWatchStartsWithEveryStateStale: a viewer kept before the watch
// listened (a request served while its listener connected) may have missed a
// change no notification will bring; once the lease holds, it is read again.
func TestViewerWatchStartsWithEveryStateStale(t *testing.T) {
	skipWithoutPostgres(t)
	x := openDemo(t, dialect.Postgres)
	ctx := context.Background()
	id, _ := x.built.User("county.deputy.industry")
	w := authz.NewViewerWatch(x.d.SQL, testdb.PostgresURL(t, x.d), time.Second, nil)
	cache := authz.NewViewerCache(x.d.Client, x.d.QueryUnwatched, 0, authz.WatchedBy(w))
	_, err := cache.Viewer(ctx, x.policy, id, x.built.TenantID, "", time.Now()) // request served while the listener connects
	require.NoError(t, err)
	_, err = x.d.SQL.ExecContext(ctx, `UPDATE users SET status = 'DISABLED' WHERE id = `+strconv.Itoa(id)) // another replica
	require.NoError(t, err)
	require.NoError(t, authz.ViewerBarrier(ctx, x.d.SQL, time.Second)) // no row for w yet: returns at once
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(rctx) }()
	t.Cleanup(func() { cancel(); <-done })
	require.Eventually(t, w.Fresh, 10*time.Second, time.Millisecond)
	before := cache.Stats()
	_, err = cache.Viewer(ctx, x.policy, id, x.built.TenantID, "", time.Now())
	require.Error(t, err, "the disabled user is refused")
	require.Equal(t, before.Unread, cache.Stats().Unread)
}

// proxy forwards TCP to target; pause cuts every connection and refuses new
// ones for a while (a listener's network outage).
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	down   atomic.Bool
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &proxy{ln: ln, target: target}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if p.down.Load() {
				c.Close()
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return p
}

func (p *proxy) pause(d time.Duration) {
	p.down.Store(true)
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	time.AfterFunc(d, func() { p.down.Store(false) })
}

// TestViewerBarrierSurvivesAListenerOutage: a barrier whose notification a
// watcher lost while its listener reconnected is acknowledged by the
// watcher's next renewal, not left waiting for the longest lease.
func TestViewerBarrierSurvivesAListenerOutage(t *testing.T) {
	skipWithoutPostgres(t)
	x := openDemo(t, dialect.Postgres)
	ctx := context.Background()
	u, err := url.Parse(testdb.PostgresURL(t, x.d))
	require.NoError(t, err)
	p := startProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	const lease = time.Second
	w := authz.NewViewerWatch(x.d.SQL, u.String(), lease, nil)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(rctx) }()
	t.Cleanup(func() { cancel(); <-done })
	require.Eventually(t, w.Fresh, 10*time.Second, time.Millisecond)
	p.pause(1500 * time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	bdone := make(chan error, 1)
	go func() { bdone <- authz.ViewerBarrier(ctx, x.d.SQL, lease) }()
	select {
	case err := <-bdone:
		require.NoError(t, err)
	case <-time.After(15 * time.Second): // MaxViewerLease is 30 s
		t.Fatalf("the barrier is still waiting (fresh=%v, %+v)", w.Fresh(), w.Stats())
	}
}

// TestViewerWatchStopsWhilePostgresIsUnreachable: Run returns when its
// context ends even before its listener ever connected.
func TestViewerWatchStopsWhilePostgresIsUnreachable(t *testing.T) {
	skipWithoutPostgres(t)
	x := openDemo(t, dialect.Postgres)
	w := authz.NewViewerWatch(x.d.SQL, "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=1", time.Second, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// TestViewerWatchAcknowledgesNoBarrierBeforeTheFirst: a renewal without a
// lease acknowledges every barrier sent so far, and on a new database none
// has been (the sequence's last_value is 1 before its first call): the
// first barrier must still wait for the watcher.
func TestViewerWatchAcknowledgesNoBarrierBeforeTheFirst(t *testing.T) {
	skipWithoutPostgres(t)
	x := openDemo(t, dialect.Postgres)
	w, _ := testdb.StartViewerWatch(t, x.d, 5*time.Second)
	var acked int64
	require.NoError(t, x.d.SQL.QueryRowContext(context.Background(),
		`SELECT acked FROM viewer_watchers WHERE id = '`+w.ID()+`'`).Scan(&acked))
	require.Zero(t, acked)
}
