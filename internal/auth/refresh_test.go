package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hook"
	"github.com/dutychain/dutychain/ent/refreshtoken"
	"github.com/dutychain/dutychain/internal/apperr"
)

// requireRefreshRejected asserts err is the generic UNAUTHENTICATED refresh
// error wrapping cause.
func requireRefreshRejected(t *testing.T, err error, cause error) {
	t.Helper()
	require.Error(t, err)
	ae, ok := apperr.As(err)
	require.True(t, ok, "want *apperr.Error, got %T: %v", err, err)
	require.Equal(t, apperr.Unauthenticated, ae.Code)
	require.Equal(t, msgInvalidRefresh, ae.Message)
	require.ErrorIs(t, err, cause)
}

func storedToken(t *testing.T, client *ent.Client, token string) *ent.RefreshToken {
	t.Helper()
	rt, err := client.RefreshToken.Query().Where(refreshtoken.TokenHash(HashRefreshToken(token))).
		Only(authz.SystemContext(context.Background()))
	require.NoError(t, err)
	return rt
}

func TestRefreshRotation(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		ctx := context.Background()
		client := newClient(t)
		c := newClock()
		r := Refresher{TTL: 24 * time.Hour, Now: c.Now}

		t.Run("a token is stored only as its hash", func(t *testing.T) {
			tok, err := r.IssueRefresh(ctx, client, 1, 10, "")
			require.NoError(t, err)
			require.GreaterOrEqual(t, len(tok), 43, "32 random bytes")
			rt := storedToken(t, client, tok)
			require.NotEqual(t, tok, rt.TokenHash)
			require.Len(t, rt.TokenHash, 64)
			require.Equal(t, c.Now().Add(24*time.Hour), rt.ExpiresAt.UTC())
		})
		t.Run("each login starts its own family", func(t *testing.T) {
			a, err := r.IssueRefresh(ctx, client, 1, 10, "")
			require.NoError(t, err)
			b, err := r.IssueRefresh(ctx, client, 1, 10, "")
			require.NoError(t, err)
			require.NotEqual(t, storedToken(t, client, a).Family, storedToken(t, client, b).Family)
		})
		t.Run("rotation returns the owner and a new token of the same family", func(t *testing.T) {
			t1, err := r.IssueRefresh(ctx, client, 1, 10, "")
			require.NoError(t, err)
			c.Advance(time.Hour)
			tenantID, userID, t2, err := r.Rotate(ctx, client, t1)
			require.NoError(t, err)
			require.Equal(t, 1, tenantID)
			require.Equal(t, 10, userID)
			require.NotEqual(t, t1, t2)
			old, next := storedToken(t, client, t1), storedToken(t, client, t2)
			require.Equal(t, old.Family, next.Family)
			require.NotNil(t, old.UsedAt)
			require.Nil(t, next.UsedAt)
			require.Equal(t, c.Now().Add(24*time.Hour), next.ExpiresAt.UTC(), "the lifetime slides")

			_, _, t3, err := r.Rotate(ctx, client, t2)
			require.NoError(t, err, "the new token rotates in turn")
			require.NotEmpty(t, t3)
		})

		rejected := []struct {
			name  string
			token func(t *testing.T) string
		}{
			{"an unknown token is rejected", func(t *testing.T) string { return "bm8gc3VjaCB0b2tlbg" }},
			{"an empty token is rejected", func(t *testing.T) string { return "" }},
			{"an expired token is rejected", func(t *testing.T) string {
				tok, err := r.IssueRefresh(ctx, client, 1, 10, "")
				require.NoError(t, err)
				c.Advance(24 * time.Hour)
				return tok
			}},
			{"a revoked token is rejected", func(t *testing.T) string {
				tok, err := r.IssueRefresh(ctx, client, 1, 10, "")
				require.NoError(t, err)
				require.NoError(t, r.RevokeFamilyOf(ctx, client, tok))
				return tok
			}},
			{"a token of a user signed out everywhere is rejected", func(t *testing.T) string {
				tok, err := r.IssueRefresh(ctx, client, 1, 11, "")
				require.NoError(t, err)
				require.NoError(t, r.RevokeAllForUser(ctx, client, 11))
				return tok
			}},
		}
		for _, tt := range rejected {
			t.Run(tt.name, func(t *testing.T) {
				_, _, next, err := r.Rotate(ctx, client, tt.token(t))
				requireRefreshRejected(t, err, ErrRefreshInvalid)
				require.False(t, errors.Is(err, ErrRefreshReuse))
				require.Empty(t, next)
			})
		}
	})
}

func TestRefreshReuse(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		ctx := context.Background()
		client := newClient(t)
		c := newClock()
		r := Refresher{TTL: 24 * time.Hour, Now: c.Now}

		t1, err := r.IssueRefresh(ctx, client, 1, 10, "")
		require.NoError(t, err)
		other, err := r.IssueRefresh(ctx, client, 1, 10, "") // another device of the same user
		require.NoError(t, err)
		_, _, t2, err := r.Rotate(ctx, client, t1)
		require.NoError(t, err)
		_, _, t3, err := r.Rotate(ctx, client, t2)
		require.NoError(t, err)

		t.Run("presenting a rotated token again is reported as reuse, naming the user", func(t *testing.T) {
			tenantID, userID, next, err := r.Rotate(ctx, client, t1)
			requireRefreshRejected(t, err, ErrRefreshReuse)
			require.Empty(t, next)
			require.Equal(t, 1, tenantID)
			require.Equal(t, 10, userID)
			var re *ReuseError
			require.ErrorAs(t, err, &re)
			require.Equal(t, 10, re.UserID)
			require.Equal(t, storedToken(t, client, t1).Family, re.Family)
		})
		t.Run("after reuse the newest token of the family fails too", func(t *testing.T) {
			_, _, _, err := r.Rotate(ctx, client, t3)
			requireRefreshRejected(t, err, ErrRefreshInvalid)
		})
		t.Run("after reuse every token of the family is revoked in the database", func(t *testing.T) {
			family := storedToken(t, client, t1).Family
			rows, err := client.RefreshToken.Query().Where(refreshtoken.Family(family)).All(authz.SystemContext(ctx))
			require.NoError(t, err)
			require.Len(t, rows, 3)
			for _, rt := range rows {
				require.NotNil(t, rt.RevokedAt)
			}
		})
		t.Run("other families of the same user are left alone", func(t *testing.T) {
			_, _, _, err := r.Rotate(ctx, client, other)
			require.NoError(t, err)
		})
	})
}

func TestRefreshConcurrentRotation(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		ctx := context.Background()
		client := newClient(t)
		r := Refresher{TTL: time.Hour}

		for round := range 5 {
			tok, err := r.IssueRefresh(ctx, client, 1, 10+round, "")
			require.NoError(t, err)
			const racers = 4
			var (
				wg        sync.WaitGroup
				mu        sync.Mutex
				successes []string
				failures  []error
			)
			start := make(chan struct{})
			for range racers {
				wg.Go(func() {
					<-start
					_, _, next, err := r.Rotate(ctx, client, tok)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						failures = append(failures, err)
					} else {
						successes = append(successes, next)
					}
				})
			}
			close(start)
			wg.Wait()
			require.Len(t, successes, 1, "round %d: exactly one rotation of a token succeeds (failures: %v)", round, failures)
			for _, err := range failures {
				require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(err), "round %d: %v", round, err)
				require.True(t, errors.Is(err, ErrRefreshReuse) || errors.Is(err, ErrRefreshInvalid), "round %d: %v", round, err)
			}
			reused := 0
			for _, err := range failures {
				if errors.Is(err, ErrRefreshReuse) {
					reused++
				}
			}
			require.Positive(t, reused, "round %d: a loser reports the reuse", round)
			require.NotNil(t, storedToken(t, client, successes[0]).RevokedAt, "round %d: the winner's new token is revoked with the family", round)
		}
	})
}

func TestRefreshLostRace(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		ctx := context.Background()
		client := newClient(t)
		r := Refresher{TTL: time.Hour}
		tok, err := r.IssueRefresh(ctx, client, 1, 10, "")
		require.NoError(t, err)

		// Simulate a concurrent rotation that commits between this rotation's
		// lookup and its update (what READ COMMITTED on PostgreSQL allows; SQLite
		// serializes the transactions instead): just before the conditional
		// update runs, the row is marked used behind its back.
		var fired atomic.Bool
		client.RefreshToken.Use(func(next ent.Mutator) ent.Mutator {
			return hook.RefreshTokenFunc(func(ctx context.Context, m *ent.RefreshTokenMutation) (ent.Value, error) {
				if _, ok := m.UsedAt(); ok && m.Op().Is(ent.OpUpdate) && fired.CompareAndSwap(false, true) {
					err = m.Client().RefreshToken.Update().
						Where(refreshtoken.TokenHash(HashRefreshToken(tok))).
						SetUsedAt(time.Now()).Exec(ctx)
				}
				return next.Mutate(ctx, m)
			})
		})
		_, _, next, rerr := r.Rotate(ctx, client, tok)
		require.NoError(t, err)
		t.Run("the rotation whose conditional update finds the token used fails as a reuse", func(t *testing.T) {
			requireRefreshRejected(t, rerr, ErrRefreshReuse)
			require.Empty(t, next)
		})
		t.Run("and the family is revoked", func(t *testing.T) {
			require.NotNil(t, storedToken(t, client, tok).RevokedAt)
		})
	})
}

func TestRefreshHousekeeping(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		ctx := context.Background()
		client := newClient(t)
		c := newClock()
		r := Refresher{TTL: time.Hour, Now: c.Now}

		t.Run("signing a user out everywhere revokes only that user's tokens", func(t *testing.T) {
			a, err := r.IssueRefresh(ctx, client, 1, 20, "")
			require.NoError(t, err)
			b, err := r.IssueRefresh(ctx, client, 1, 20, "")
			require.NoError(t, err)
			keep, err := r.IssueRefresh(ctx, client, 1, 21, "")
			require.NoError(t, err)
			require.NoError(t, r.RevokeAllForUser(ctx, client, 20))
			require.NotNil(t, storedToken(t, client, a).RevokedAt)
			require.NotNil(t, storedToken(t, client, b).RevokedAt)
			require.Nil(t, storedToken(t, client, keep).RevokedAt)
		})
		t.Run("revoking the family of an unknown token is not an error", func(t *testing.T) {
			require.NoError(t, r.RevokeFamilyOf(ctx, client, "unknown"))
		})
		t.Run("pruning deletes expired tokens only", func(t *testing.T) {
			fresh, err := r.IssueRefresh(ctx, client, 1, 22, "")
			require.NoError(t, err)
			n, err := r.PruneExpired(ctx, client, c.Now().Add(30*time.Minute))
			require.NoError(t, err)
			require.Zero(t, n)
			n, err = r.PruneExpired(ctx, client, c.Now().Add(2*time.Hour))
			require.NoError(t, err)
			require.Positive(t, n)
			_, err = client.RefreshToken.Query().Where(refreshtoken.TokenHash(HashRefreshToken(fresh))).
				Only(authz.SystemContext(ctx))
			require.True(t, ent.IsNotFound(err))
		})
	})
}
