package auth

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/loginattempt"
	"github.com/dutychain/dutychain/ent/refreshtoken"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
)

const (
	goodPassword = "correct horse battery"
	newPassword  = "staple battery horse!"
)

type loginEnv struct {
	svc      *Service
	client   *ent.Client
	clock    *clock
	t1, t2   *fixture
	ann      *ent.User // active, tenant t1
	bob      *ent.User // active, tenant t1
	dora     *ent.User // disabled, tenant t1
	zed      *ent.User // active, tenant t2
	verified []string  // hashes passed to verifyOrDummy, in order
}

func newLoginEnv(t *testing.T, newClient func(t testing.TB) *ent.Client) *loginEnv {
	t.Helper()
	client := newClient(t)
	c := newClock()
	e := &loginEnv{client: client, clock: c}
	e.t1 = newFixture(t, client, "t1")
	e.t2 = newFixture(t, client, "t2")
	e.ann = e.t1.addUser(t, "ann", goodPassword, user.StatusACTIVE)
	e.bob = e.t1.addUser(t, "bob", goodPassword, user.StatusACTIVE)
	e.dora = e.t1.addUser(t, "dora", goodPassword, user.StatusDISABLED)
	e.zed = e.t2.addUser(t, "zed", goodPassword, user.StatusACTIVE)

	th := NewThrottle(Limits{PerAccountAddress: 3, PerAccount: 3, Window: 15 * time.Minute})
	th.now = c.Now
	e.svc = &Service{
		Client:     client,
		Tokens:     testTokens(t, newKeySet(t, newKey(t)), c),
		Throttle:   th,
		RefreshTTL: 24 * time.Hour,
		Now:        c.Now,
	}
	orig := verifyOrDummy
	verifyOrDummy = func(hash, password string) bool {
		e.verified = append(e.verified, hash)
		return orig(hash, password)
	}
	t.Cleanup(func() { verifyOrDummy = orig })
	return e
}

func (e *loginEnv) attempts(t *testing.T) []*ent.LoginAttempt {
	t.Helper()
	a, err := e.client.LoginAttempt.Query().Order(ent.Asc(loginattempt.FieldID)).All(authz.SystemContext(context.Background()))
	require.NoError(t, err)
	return a
}

func (e *loginEnv) login(t *testing.T, tenant, username, password, ip string) *Session {
	t.Helper()
	s, err := e.svc.Login(context.Background(), tenant, username, password, ip)
	require.NoError(t, err)
	return s
}

func requireBadCredentials(t *testing.T, err error) {
	t.Helper()
	ae, ok := apperr.As(err)
	require.True(t, ok, "want *apperr.Error, got %T: %v", err, err)
	require.Equal(t, apperr.Unauthenticated, ae.Code)
	require.Equal(t, "invalid tenant, username or password", ae.Message)
	require.Equal(t, apperr.ReasonCredentialsInvalid, ae.Reason)
	require.ErrorIs(t, err, ErrBadCredentials)
}

func TestLogin(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		ctx := context.Background()

		t.Run("the right password signs in with a verifiable access token and a stored refresh token", func(t *testing.T) {
			e := newLoginEnv(t, newClient)
			s := e.login(t, "t1", "ann", goodPassword, "10.0.0.1")
			require.Equal(t, e.ann.ID, s.UserID)
			require.Equal(t, e.t1.tenant.ID, s.TenantID)
			require.Equal(t, e.clock.Now().Add(15*time.Minute), s.ExpiresAt)
			claims, err := e.svc.Authenticate(ctx, "Bearer "+s.AccessToken)
			require.NoError(t, err)
			require.Equal(t, e.ann.ID, claims.UserID)
			require.Equal(t, e.t1.tenant.ID, claims.TenantID)
			rt := storedToken(t, e.client, s.RefreshToken)
			require.Equal(t, e.ann.ID, rt.UserID)
			require.Equal(t, e.t1.tenant.ID, rt.TenantID)
			a := e.attempts(t)
			require.Len(t, a, 1)
			require.True(t, a[0].Success)
			require.Equal(t, []string{e.ann.PasswordHash}, e.verified)
		})

		refused := []struct {
			name             string
			tenant, username string
			password         string
			dummy            bool // verified against the dummy hash
			disabled         bool
		}{
			{"a wrong password is refused", "t1", "ann", "wrong password", false, false},
			{"an unknown user is refused the same way, after a dummy verification", "t1", "nobody", goodPassword, true, false},
			{"an unknown tenant is refused the same way, after a dummy verification", "t9", "ann", goodPassword, true, false},
			{"a user of another tenant is refused through this tenant's code", "t1", "zed", goodPassword, true, false},
			{"a disabled user with the right password is refused the same way", "t1", "dora", goodPassword, false, true},
			{"an empty password is refused", "t1", "ann", "", false, false},
			{"a username differing in case is a different, unknown user", "t1", "ANN", goodPassword, true, false},
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				e := newLoginEnv(t, newClient)
				s, err := e.svc.Login(ctx, tt.tenant, tt.username, tt.password, "10.0.0.1")
				require.Nil(t, s)
				requireBadCredentials(t, err)
				if tt.disabled {
					require.ErrorIs(t, err, ErrUserDisabled)
				} else {
					require.NotErrorIs(t, err, ErrUserDisabled)
				}
				require.Len(t, e.verified, 1, "exactly one password verification per attempt")
				if tt.dummy {
					require.Equal(t, "", e.verified[0], "an empty hash makes VerifyOrDummy verify against the dummy hash")
				} else {
					require.True(t, strings.HasPrefix(e.verified[0], "$argon2id$"), "verified against the user's real hash")
				}
				a := e.attempts(t)
				require.Len(t, a, 1, "every attempt is recorded")
				require.False(t, a[0].Success)
				require.Equal(t, tt.username, a[0].Username)
				require.Equal(t, tt.tenant, a[0].TenantCode)
				require.Equal(t, "10.0.0.1", a[0].ClientIP)
				n, err := e.client.RefreshToken.Query().Count(authz.SystemContext(ctx))
				require.NoError(t, err)
				require.Zero(t, n, "no refresh token is issued")
			})
		}
	})
}

func TestDummyHashCostsLikeARealOne(t *testing.T) {
	t.Run("the dummy hash is a valid hash with the parameters of new hashes", func(t *testing.T) {
		ok, err := VerifyPassword(dummyHash, "dutychain-timing-equaliser")
		require.NoError(t, err)
		require.True(t, ok)
		real := hashOf(t, goodPassword)
		params := func(h string) string { return strings.Join(strings.Split(h, "$")[:4], "$") }
		require.Equal(t, params(real), params(dummyHash))
	})
	t.Run("verifying against no hash never matches", func(t *testing.T) {
		require.False(t, VerifyOrDummy("", "dutychain-timing-equaliser"))
		require.False(t, VerifyOrDummy("", ""))
	})
}

func TestLoginThrottling(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		ctx := context.Background()

		t.Run("an account is throttled after repeated failures, even with the right password", func(t *testing.T) {
			e := newLoginEnv(t, newClient)
			for i := range 3 {
				_, err := e.svc.Login(ctx, "t1", "ann", "wrong password", "10.0.0."+string(rune('1'+i)))
				requireBadCredentials(t, err)
			}
			e.verified = nil
			_, err := e.svc.Login(ctx, "t1", "ann", goodPassword, "10.0.0.9")
			ae, ok := apperr.As(err)
			require.True(t, ok)
			require.Equal(t, apperr.Unauthenticated, ae.Code)
			require.Equal(t, ReasonThrottled, ae.Reason)
			require.Equal(t, "too many failed sign-in attempts; try again in 15 minutes", ae.Message)
			require.ErrorIs(t, err, ErrThrottled)
			require.Empty(t, e.verified, "a throttled attempt does not verify the password")
			require.Len(t, e.attempts(t), 3, "a throttled attempt is not counted as a failure")

			t.Run("and other accounts are not", func(t *testing.T) {
				e.login(t, "t1", "bob", goodPassword, "10.0.0.9")
			})
			t.Run("and the account signs in again once the window has passed", func(t *testing.T) {
				e.clock.Advance(15*time.Minute + time.Second)
				e.login(t, "t1", "ann", goodPassword, "10.0.0.9")
			})
		})
		t.Run("an address is throttled past its ceiling of failures against several accounts", func(t *testing.T) {
			e := newLoginEnv(t, newClient)
			for _, u := range []string{"ann", "nobody", "zed"} {
				_, err := e.svc.Login(ctx, "t1", u, "wrong password", "10.0.0.1")
				requireBadCredentials(t, err)
			}
			e.login(t, "t1", "bob", goodPassword, "10.0.0.1") // below the address ceiling of 60
			for i := range 57 {
				_, err := e.svc.Login(ctx, "t1", "nobody"+strconv.Itoa(i), "wrong password", "10.0.0.1")
				requireBadCredentials(t, err)
			}
			_, err := e.svc.Login(ctx, "t1", "bob", goodPassword, "10.0.0.1")
			require.ErrorIs(t, err, ErrThrottled)

			t.Run("while the same account from another address signs in", func(t *testing.T) {
				e.login(t, "t1", "bob", goodPassword, "10.0.0.2")
			})
		})
	})
}

func TestSessionRefresh(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		ctx := context.Background()

		t.Run("a refresh returns a new session and the old refresh token is spent", func(t *testing.T) {
			e := newLoginEnv(t, newClient)
			s1 := e.login(t, "t1", "ann", goodPassword, "10.0.0.1")
			e.clock.Advance(20 * time.Minute)
			_, err := e.svc.Authenticate(ctx, s1.AccessToken)
			require.Error(t, err, "the first access token has expired")

			s2, err := e.svc.Refresh(ctx, s1.RefreshToken)
			require.NoError(t, err)
			require.Equal(t, e.ann.ID, s2.UserID)
			require.Equal(t, e.t1.tenant.ID, s2.TenantID)
			require.NotEqual(t, s1.RefreshToken, s2.RefreshToken)
			claims, err := e.svc.Authenticate(ctx, s2.AccessToken)
			require.NoError(t, err)
			require.Equal(t, e.ann.ID, claims.UserID)

			t.Run("presenting the spent token again revokes the family, including the newest token", func(t *testing.T) {
				_, err := e.svc.Refresh(ctx, s1.RefreshToken)
				requireRefreshRejected(t, err, ErrRefreshReuse)
				var re *ReuseError
				require.ErrorAs(t, err, &re)
				require.Equal(t, e.ann.ID, re.UserID)
				_, err = e.svc.Refresh(ctx, s2.RefreshToken)
				requireRefreshRejected(t, err, ErrRefreshInvalid)
			})
		})
		t.Run("a disabled user cannot refresh and loses every refresh token", func(t *testing.T) {
			e := newLoginEnv(t, newClient)
			s1 := e.login(t, "t1", "ann", goodPassword, "10.0.0.1")
			s2 := e.login(t, "t1", "ann", goodPassword, "10.0.0.2")
			require.NoError(t, e.client.User.UpdateOneID(e.ann.ID).SetStatus(user.StatusDISABLED).Exec(authz.SystemContext(ctx)))
			_, err := e.svc.Refresh(ctx, s1.RefreshToken)
			requireRefreshRejected(t, err, ErrUserDisabled)
			n, err := e.client.RefreshToken.Query().
				Where(refreshtoken.UserID(e.ann.ID), refreshtoken.RevokedAtIsNil()).Count(authz.SystemContext(ctx))
			require.NoError(t, err)
			require.Zero(t, n)
			_, err = e.svc.Refresh(ctx, s2.RefreshToken)
			requireRefreshRejected(t, err, ErrRefreshInvalid)
		})
		t.Run("a refresh token whose user has left the token's tenant is refused", func(t *testing.T) {
			e := newLoginEnv(t, newClient)
			// A token forged into the table for ann but stamped with tenant t2.
			tok, err := e.svc.refresher().IssueRefresh(ctx, e.client, e.t2.tenant.ID, e.ann.ID, "")
			require.NoError(t, err)
			_, err = e.svc.Refresh(ctx, tok)
			requireRefreshRejected(t, err, ErrRefreshInvalid)
		})
	})
}

func TestLogout(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		ctx := context.Background()
		tests := []struct {
			name        string
			token       func(e *loginEnv, laptop, phone, other *Session) string
			laptopAlive bool
			phoneAlive  bool
		}{
			{"signing out with a refresh token ends that session only",
				func(e *loginEnv, laptop, phone, other *Session) string { return laptop.RefreshToken }, false, true},
			{"signing out without a refresh token ends every session",
				func(e *loginEnv, laptop, phone, other *Session) string { return "" }, false, false},
			{"signing out with another user's refresh token ends every own session and none of theirs",
				func(e *loginEnv, laptop, phone, other *Session) string { return other.RefreshToken }, false, false},
			{"signing out with an unknown refresh token ends every session",
				func(e *loginEnv, laptop, phone, other *Session) string { return "unknown" }, false, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newLoginEnv(t, newClient)
				laptop := e.login(t, "t1", "ann", goodPassword, "10.0.0.1")
				phone := e.login(t, "t1", "ann", goodPassword, "10.0.0.2")
				other := e.login(t, "t1", "bob", goodPassword, "10.0.0.3")
				require.NoError(t, e.svc.Logout(ctx, e.ann.ID, tt.token(e, laptop, phone, other)))
				for _, c := range []struct {
					s     *Session
					alive bool
				}{{laptop, tt.laptopAlive}, {phone, tt.phoneAlive}, {other, true}} {
					_, err := e.svc.Refresh(ctx, c.s.RefreshToken)
					if c.alive {
						require.NoError(t, err)
					} else {
						requireRefreshRejected(t, err, ErrRefreshInvalid)
					}
				}
			})
		}
	})
}

func TestChangePassword(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		ctx := context.Background()
		invalid := []struct {
			name          string
			current, next string
			field         string
			wrongPassword bool
		}{
			{"a short new password is refused", goodPassword, "short", "newPassword", false},
			{"a new password equal to the current one is refused", goodPassword, goodPassword, "newPassword", false},
			{"a wrong current password is refused", "wrong password", newPassword, "currentPassword", true},
		}
		for _, tt := range invalid {
			t.Run(tt.name, func(t *testing.T) {
				e := newLoginEnv(t, newClient)
				err := e.svc.ChangePassword(ctx, e.ann.ID, tt.current, tt.next)
				ae, ok := apperr.As(err)
				require.True(t, ok, "%v", err)
				require.Equal(t, apperr.BadUserInput, ae.Code)
				require.Equal(t, tt.field, ae.Field)
				require.NotEmpty(t, ae.Message)
				if tt.wrongPassword {
					require.ErrorIs(t, err, ErrWrongPassword)
				}
				e.login(t, "t1", "ann", goodPassword, "10.0.0.1") // unchanged
			})
		}
		t.Run("a changed password replaces the old one and ends every session", func(t *testing.T) {
			e := newLoginEnv(t, newClient)
			s := e.login(t, "t1", "ann", goodPassword, "10.0.0.1")
			require.NoError(t, e.svc.ChangePassword(ctx, e.ann.ID, goodPassword, newPassword))
			_, err := e.svc.Refresh(ctx, s.RefreshToken)
			requireRefreshRejected(t, err, ErrRefreshInvalid)
			_, err = e.svc.Login(ctx, "t1", "ann", goodPassword, "10.0.0.1")
			requireBadCredentials(t, err)
			e.login(t, "t1", "ann", newPassword, "10.0.0.1")
		})
		t.Run("guessing the current password is throttled like signing in", func(t *testing.T) {
			e := newLoginEnv(t, newClient)
			for range 3 {
				err := e.svc.ChangePassword(ctx, e.ann.ID, "wrong password", newPassword)
				require.ErrorIs(t, err, ErrWrongPassword)
			}
			err := e.svc.ChangePassword(ctx, e.ann.ID, goodPassword, newPassword)
			require.ErrorIs(t, err, ErrThrottled)
		})
		t.Run("a disabled user cannot change their password", func(t *testing.T) {
			e := newLoginEnv(t, newClient)
			err := e.svc.ChangePassword(ctx, e.dora.ID, goodPassword, newPassword)
			require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(err))
			require.ErrorIs(t, err, ErrUserDisabled)
		})
	})
}
