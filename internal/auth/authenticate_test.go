package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strconv"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// authEnv is a seeded demo database with the services a server
// authenticates requests with.
type authEnv struct {
	d       *db.DB
	svc     *auth.Service
	keys    *auth.KeySet
	cfg     config.Config
	store   *authz.Store
	viewers *authz.ViewerCache
}

func newAuthEnv(tb testing.TB, dl string) *authEnv {
	tb.Helper()
	ctx := context.Background()
	d := testdb.Open(tb, dl)
	if _, err := seed.Demo(ctx, d.Client); err != nil {
		tb.Fatal(err)
	}
	tn, err := authz.TenantByCode(ctx, d.Client, seed.TenantDemo)
	if err != nil {
		tb.Fatal(err)
	}
	if err := authz.EnsureTenant(ctx, d.Client, tn.ID); err != nil {
		tb.Fatal(err)
	}
	store, err := authz.NewStore(ctx, d.Client, nil)
	if err != nil {
		tb.Fatal(err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := auth.NewKeySet(key)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := config.Default()
	svc := auth.NewService(d.Client, keys, cfg)
	svc.Throttle = nil
	return &authEnv{d: d, svc: svc, keys: keys, cfg: cfg, store: store, viewers: authz.NewViewerCache(d.Client, d.QueryUnwatched, 0)}
}

// request authenticates one request with bearer as a server does.
func (e *authEnv) request(ctx context.Context, bearer string) (*authz.Viewer, error) {
	claims, err := e.svc.Authenticate(ctx, bearer)
	if err != nil {
		return nil, err
	}
	return e.viewers.Viewer(ctx, e.store.Current(), claims.UserID, claims.TenantID, claims.SessionID, time.Now())
}

// TestAuthenticateRevokedOnNextRequest checks that a request authenticated
// as a server does it — a remembered token, then the viewer cache reading
// the generations unwatched, with a request's cancellable context — is
// refused on the very next request after the session, the user or their
// posts change, although the token itself stays valid.
func TestAuthenticateRevokedOnNextRequest(t *testing.T) {
	tests := []struct {
		name   string
		user   string
		revoke func(t *testing.T, e *authEnv, s *auth.Session)
	}{
		{"a signed-out session is refused on the next request", "bureau.chief", func(t *testing.T, e *authEnv, s *auth.Session) {
			require.NoError(t, e.svc.Logout(context.Background(), s.UserID, s.RefreshToken))
		}},
		{"a user disabled by hand-written SQL is refused on the next request", "county.head", func(t *testing.T, e *authEnv, s *auth.Session) {
			_, err := e.d.SQL.ExecContext(context.Background(), `UPDATE users SET status = 'DISABLED' WHERE id = `+strconv.Itoa(s.UserID))
			require.NoError(t, err)
		}},
		{"a user whose posts ended is refused on the next request", "cement.principal", func(t *testing.T, e *authEnv, s *auth.Session) {
			n, err := e.d.Client.Post.Update().Where(post.UserID(s.UserID), post.ValidToIsNil()).
				SetValidTo(time.Now().Add(-time.Second)).Save(authz.SystemContext(context.Background()))
			require.NoError(t, err)
			require.Positive(t, n)
		}},
	}
	for _, dl := range testdb.Dialects(t) {
		t.Run("on "+testdb.Name(dl), func(t *testing.T) {
			modes := []string{"reading the generations on each request"}
			if dl == dialect.Postgres {
				modes = append(modes, "vouched for by a viewer watch, after the writer's barrier")
			}
			for _, mode := range modes {
				t.Run(mode, func(t *testing.T) {
					e := newAuthEnv(t, dl) // each mode revokes the same users
					var watch *authz.ViewerWatch
					if dl == dialect.Postgres && mode != modes[0] {
						watch, _ = testdb.StartViewerWatch(t, e.d, 5*time.Second) // long: a loaded machine must not lapse it
						e.viewers = authz.NewViewerCache(e.d.Client, e.d.QueryUnwatched, 0, authz.WatchedBy(watch))
					}
					for _, tt := range tests {
						t.Run(tt.name, func(t *testing.T) {
							ctx, cancel := context.WithCancel(context.Background())
							defer cancel()
							s, err := e.svc.Login(ctx, seed.TenantDemo, tt.user, seed.DemoPassword, "127.0.0.1")
							require.NoError(t, err)
							if watch != nil {
								require.NoError(t, authz.ViewerBarrier(ctx, e.d.SQL, watch.Lease()))
							}
							bearer := "Bearer " + s.AccessToken
							for range 2 { // verified, then remembered and kept
								v, err := e.request(ctx, bearer)
								require.NoError(t, err)
								require.Equal(t, s.UserID, v.UserID)
							}
							hits := e.viewers.Stats()

							tt.revoke(t, e, s)
							if watch != nil {
								require.NoError(t, authz.ViewerBarrier(ctx, e.d.SQL, watch.Lease()))
							}
							_, err = e.svc.Authenticate(ctx, bearer)
							require.NoError(t, err, "the token itself stays valid")
							_, err = e.request(ctx, bearer)
							require.Error(t, err)
							ae, ok := apperr.As(err)
							require.True(t, ok, "want *apperr.Error, got %T: %v", err, err)
							require.Equal(t, apperr.Unauthenticated, ae.Code)
							require.Equal(t, apperr.ReasonTokenRevoked, ae.Reason)
							require.Positive(t, hits.Hits, "the requests before were not served by the cache")
							if watch != nil {
								require.Positive(t, hits.Unread, "the kept viewer was served without a generation read")
							}
						})
					}
				})
			}
		})
	}
}
