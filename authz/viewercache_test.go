package authz_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// TestViewerCache checks the cache against the database it keeps viewers
// of, on both databases.
func TestViewerCache(t *testing.T) {
	for _, dl := range testdb.Dialects(t) {
		t.Run("on "+testdb.Name(dl), func(t *testing.T) {
			x := openDemo(t, dl)
			ctx := context.Background()
			id, _ := x.built.User("county.deputy.industry")
			cache := authz.NewViewerCache(x.d.Client, x.d.QueryUnwatched, 0)
			get := func() *authz.Viewer {
				t.Helper()
				v, err := cache.Viewer(ctx, x.policy, id, x.built.TenantID, "", time.Now())
				require.NoError(t, err)
				return v
			}

			t.Run("a kept viewer equals a freshly loaded one", func(t *testing.T) {
				want := x.viewer(t, x.d.Client, "county.deputy.industry")
				for range 2 {
					got := get()
					require.Equal(t, want.Grants, got.Grants)
					require.Equal(t, want.PostIDs, got.PostIDs)
					require.Equal(t, want.Username, got.Username)
				}
				require.Equal(t, uint64(1), cache.Stats().Reloads)
				require.Equal(t, uint64(1), cache.Stats().Hits)
			})

			t.Run("each request gets its own viewer, with the policy it passes", func(t *testing.T) {
				v1, v2 := get(), get()
				require.NotSame(t, v1, v2)
				other := policyFor(t, x.built.TenantID)
				v3, err := cache.Viewer(ctx, other, id, x.built.TenantID, "", time.Now())
				require.NoError(t, err)
				require.Same(t, other, v3.Policy)
			})

			t.Run("a change to the user's posts by SQL is read at once", func(t *testing.T) {
				before := cache.Stats().Reloads
				_, err := x.d.SQL.ExecContext(ctx, `UPDATE posts SET title = title WHERE user_id = `+strconv.Itoa(id))
				require.NoError(t, err)
				get()
				require.Equal(t, before+1, cache.Stats().Reloads)
				get()
				require.Equal(t, before+1, cache.Stats().Reloads)
			})

			t.Run("another user's change leaves this viewer kept", func(t *testing.T) {
				before := cache.Stats().Reloads
				other, _ := x.built.User("county.head")
				_, err := x.d.SQL.ExecContext(ctx, `UPDATE users SET display_name = display_name WHERE id = `+strconv.Itoa(other))
				require.NoError(t, err)
				get()
				require.Equal(t, before, cache.Stats().Reloads)
			})

			t.Run("a new unit leaves every viewer kept, a moved one reads them again", func(t *testing.T) {
				town, err := x.built.Unit(seed.CodeTownQiaotou)
				require.NoError(t, err)
				other, err := x.built.Unit(seed.CodeTownXihe)
				require.NoError(t, err)
				get()
				before := cache.Stats().Reloads
				// Created through ent: the insert, then the hook's update
				// that completes the path from ''.
				u, err := x.d.Client.Unit.Create().SetTenantID(x.built.TenantID).SetKind(domain.KindEnterprise).
					SetName("新建企业").SetCode("NEW-VIEWERS").SetParentID(town).SetSector(domain.SectorIndustry).
					Save(authz.SystemContext(ctx))
				require.NoError(t, err)
				require.NotEmpty(t, u.ScopePath)
				get()
				require.Equal(t, before, cache.Stats().Reloads, "creating a unit reloaded the viewer")
				var path string
				require.NoError(t, x.d.SQL.QueryRowContext(ctx, `SELECT scope_path FROM units WHERE id = `+strconv.Itoa(other)).Scan(&path))
				_, err = x.d.SQL.ExecContext(ctx, `UPDATE units SET scope_path = '`+path+strconv.Itoa(u.ID)+`/' WHERE id = `+strconv.Itoa(u.ID))
				require.NoError(t, err)
				get()
				require.Equal(t, before+1, cache.Stats().Reloads, "moving a unit kept the viewer")
			})

			t.Run("a clock that goes back reads the viewer again", func(t *testing.T) {
				before := cache.Stats().Reloads
				_, err := cache.Viewer(ctx, x.policy, id, x.built.TenantID, "", time.Now().Add(-time.Hour))
				require.NoError(t, err)
				require.Equal(t, before+1, cache.Stats().Reloads)
			})

			t.Run("a full cache drops states and stays bounded", func(t *testing.T) {
				small := authz.NewViewerCache(x.d.Client, x.d.QueryUnwatched, 2)
				for _, name := range benchUsers {
					uid, _ := x.built.User(name)
					_, err := small.Viewer(ctx, x.policy, uid, x.built.TenantID, "", time.Now())
					require.NoError(t, err)
				}
				require.LessOrEqual(t, small.Stats().Size, 2)
				require.Positive(t, small.Stats().Evictions)
			})

			t.Run("concurrent requests and writes never serve a viewer older than the last write", func(t *testing.T) {
				var wg sync.WaitGroup
				errs := make(chan error, 64)
				for range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range 25 {
							if _, err := cache.Viewer(ctx, x.policy, id, x.built.TenantID, "", time.Now()); err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				for range 5 {
					if _, err := x.d.SQL.ExecContext(ctx, `UPDATE posts SET title = title WHERE user_id = `+strconv.Itoa(id)); err != nil {
						errs <- err
					}
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					require.NoError(t, err)
				}
				// After the last write, the next request reads again or
				// already holds the state read after it.
				_, err := x.d.SQL.ExecContext(ctx, `UPDATE posts SET title = title WHERE user_id = `+strconv.Itoa(id))
				require.NoError(t, err)
				before := cache.Stats().Reloads
				get()
				require.Equal(t, before+1, cache.Stats().Reloads)
			})

			t.Run("a user disabled while a read was in flight is refused by the request that arrived after", func(t *testing.T) {
				uid, _ := x.built.User("bureau.chief")
				reads := newHeldReads(x.d.QueryUnwatched)
				held := authz.NewViewerCache(x.d.Client, reads.read, 0)
				queued := make(chan struct{}, 4)
				authz.OnGenerationQueued(held, func() { queued <- struct{}{} })
				request := func() <-chan error {
					out := make(chan error, 1)
					go func() {
						_, err := held.Viewer(ctx, x.policy, uid, x.built.TenantID, "", time.Now())
						out <- err
					}()
					return out
				}
				for range 2 { // read, then kept
					require.NoError(t, <-request())
				}
				require.Equal(t, uint64(1), held.Stats().Hits)

				reads.mu.Lock()
				reads.holdAfter[len(reads.queries)] = true
				reads.mu.Unlock()
				first := request()
				<-reads.held // sent and answered: the user was active
				_, err := x.d.SQL.ExecContext(ctx, `UPDATE users SET status = 'DISABLED' WHERE id = `+strconv.Itoa(uid))
				require.NoError(t, err)
				t.Cleanup(func() {
					_, err := x.d.SQL.ExecContext(context.Background(), `UPDATE users SET status = 'ACTIVE' WHERE id = `+strconv.Itoa(uid))
					require.NoError(t, err)
				})
				second := request()
				<-queued // arrived while the first read was in flight
				reads.release <- struct{}{}
				require.NoError(t, <-first, "the first request arrived before the user was disabled")
				err = <-second
				ae, ok := apperr.As(err)
				require.True(t, ok, "want *apperr.Error, got %T: %v", err, err)
				require.Equal(t, apperr.ReasonTokenRevoked, ae.Reason)
			})
		})
	}
}

// BenchmarkViewerCache: what authenticating a request costs with the cache
// (a hit: one statement reading two generations, then building the viewer
// from the kept state), beside BenchmarkLoadViewer (reading it every time).
//
//	./scripts/test.sh ./authz -run '^$' -bench 'LoadViewer|ViewerCache' -benchtime 2000x
func BenchmarkViewerCache(b *testing.B) {
	for _, dl := range testdb.Dialects(b) {
		x := openDemo(b, dl)
		// unwatched is what a server runs (db.DB.QueryUnwatched); client,
		// the generation read through the ent client with the request's
		// context, is what it ran before.
		caches := []struct {
			name  string
			cache *authz.ViewerCache
		}{
			{"unwatched", authz.NewViewerCache(x.d.Client, x.d.QueryUnwatched, 0)},
			{"client", authz.NewViewerCache(x.d.Client, nil, 0)},
		}
		for _, name := range benchUsers {
			id, _ := x.built.User(name)
			// A server request's context can be cancelled (the client
			// leaves): database/sql and lib/pq watch such a context, a
			// background one they do not.
			for _, cx := range []struct {
				name string
				ctx  func() (context.Context, context.CancelFunc)
			}{
				{"background", func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }},
				{"request", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
			} {
				for _, c := range caches {
					b.Run(testdb.Name(dl)+"/"+name+"/"+c.name+"/"+cx.name, func(b *testing.B) {
						ctx, cancel := cx.ctx()
						defer cancel()
						loopCPU(b, func() {
							v, err := c.cache.Viewer(ctx, x.policy, id, x.built.TenantID, "", time.Now())
							if err != nil {
								b.Fatal(err)
							}
							sink += len(v.Grants)
						})
					})
				}
			}
		}
	}
}
