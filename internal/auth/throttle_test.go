package auth

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/loginattempt"
	"github.com/dutychain/dutychain/internal/apperr"
)

func TestThrottle(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		const window = 15 * time.Minute
		limits := Limits{PerAccountAddress: 3, PerAccount: 6, PerAddress: 9, Window: window}
		type attempt struct {
			tenant, user, ip string
			ok               bool
			at               time.Duration // offset from the start
		}
		fail := func(user, ip string, at time.Duration) attempt { return attempt{"t1", user, ip, false, at} }
		succeed := func(user, ip string, at time.Duration) attempt { return attempt{"t1", user, ip, true, at} }
		// failures of n accounts (u1…un), or of one account from n addresses.
		accounts := func(n int, ip string) []attempt {
			var out []attempt
			for i := range n {
				out = append(out, fail("u"+strconv.Itoa(i), ip, 0))
			}
			return out
		}
		addresses := func(n int, user string) []attempt {
			var out []attempt
			for i := range n {
				out = append(out, fail(user, "10.0.1."+strconv.Itoa(i), 0))
			}
			return out
		}
		tests := []struct {
			name     string
			attempts []attempt
			check    attempt // ok is ignored
			minutes  int     // 0: not throttled
		}{
			{"failures below the limit are allowed",
				[]attempt{fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", time.Minute)},
				fail("ann", "10.0.0.1", 2*time.Minute), 0},
			{"an account is throttled at an address after max failures from it",
				[]attempt{fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", time.Minute), fail("ann", "10.0.0.1", 2*time.Minute)},
				fail("ann", "10.0.0.1", 2*time.Minute), 13},
			{"the same account from another address is still allowed",
				[]attempt{fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", 0)},
				fail("ann", "10.0.0.2", 0), 0},
			{"an account is throttled everywhere after its higher limit from many addresses",
				addresses(6, "ann"), fail("ann", "10.0.0.4", 0), 15},
			{"an account in another tenant with the same username is not throttled",
				addresses(6, "ann"), attempt{"t2", "ann", "10.0.0.9", false, 0}, 0},
			{"an address is not locked out by other accounts' failures below its ceiling",
				accounts(8, "10.0.0.1"), fail("dan", "10.0.0.1", 0), 0},
			{"an address is throttled past its ceiling against many accounts",
				accounts(9, "10.0.0.1"), fail("dan", "10.0.0.1", 0), 15},
			{"another address is not throttled by an address's failures",
				accounts(9, "10.0.0.1"), fail("dan", "10.0.0.2", 0), 0},
			{"the wait shrinks as failures age",
				[]attempt{fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", 0)},
				fail("ann", "10.0.0.1", 10*time.Minute), 5},
			{"the wait ends when the max-th newest failure leaves the window",
				[]attempt{fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", 5*time.Minute), fail("ann", "10.0.0.1", 6*time.Minute), fail("ann", "10.0.0.1", 7*time.Minute)},
				fail("ann", "10.0.0.1", 18*time.Minute), 2},
			{"the throttle lifts once the failures leave the window",
				[]attempt{fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", 0)},
				fail("ann", "10.0.0.1", window+time.Second), 0},
			{"less than a minute to wait is reported as one minute",
				[]attempt{fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", 0)},
				fail("ann", "10.0.0.1", window-10*time.Second), 1},
			{"a success resets the account counter",
				append(addresses(5, "ann"), succeed("ann", "10.0.0.3", time.Minute), fail("ann", "10.0.0.4", 2*time.Minute), fail("ann", "10.0.0.5", 2*time.Minute)),
				fail("ann", "10.0.0.6", 3*time.Minute), 0},
			{"a success resets the counter of the account at the address",
				[]attempt{fail("ann", "10.0.0.1", 0), fail("ann", "10.0.0.1", 0), succeed("ann", "10.0.0.1", time.Minute), fail("ann", "10.0.0.1", 2*time.Minute), fail("ann", "10.0.0.1", 2*time.Minute)},
				fail("ann", "10.0.0.1", 3*time.Minute), 0},
			{"a success does not reset the address counter",
				append(accounts(8, "10.0.0.1"), succeed("eve", "10.0.0.1", time.Minute), fail("cat", "10.0.0.1", 2*time.Minute)),
				fail("dan", "10.0.0.1", 3*time.Minute), 12},
			{"an unknown address is not counted per address",
				accounts(9, ""), fail("dan", "", 0), 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				client := newClient(t)
				c := newClock()
				start := c.Now()
				th := NewThrottle(limits)
				th.now = c.Now
				for _, a := range tt.attempts {
					c.Advance(start.Add(a.at).Sub(c.Now()))
					require.NoError(t, th.Record(ctx, client, a.tenant, a.user, a.ip, a.ok))
				}
				c.Advance(start.Add(tt.check.at).Sub(c.Now()))
				err := th.Check(ctx, client, tt.check.tenant, tt.check.user, tt.check.ip)
				if tt.minutes == 0 {
					require.NoError(t, err)
					return
				}
				require.Error(t, err)
				ae, ok := apperr.As(err)
				require.True(t, ok)
				require.Equal(t, apperr.Unauthenticated, ae.Code)
				require.Equal(t, ReasonThrottled, ae.Reason)
				require.ErrorIs(t, err, ErrThrottled)
				unit := "minutes"
				if tt.minutes == 1 {
					unit = "minute"
				}
				require.Equal(t, "too many failed sign-in attempts; try again in "+strconv.Itoa(tt.minutes)+" "+unit, ae.Message)
			})
		}
	})
}

func TestThrottleHousekeeping(t *testing.T) {
	eachDB(t, func(t *testing.T, newClient func(t testing.TB) *ent.Client) {
		ctx := context.Background()
		client := newClient(t)
		c := newClock()
		limits := Limits{PerAccountAddress: 3, Window: 15 * time.Minute}
		th := NewThrottle(limits)
		th.now = c.Now

		t.Run("replicas on one database share the counters", func(t *testing.T) {
			other := NewThrottle(limits)
			other.now = c.Now
			for range 3 {
				require.NoError(t, th.Record(ctx, client, "t1", "ann", "10.0.0.1", false))
			}
			require.ErrorIs(t, other.Check(ctx, client, "t1", "ann", "10.0.0.1"), ErrThrottled)
		})
		t.Run("rows older than the window are pruned when attempts are recorded", func(t *testing.T) {
			c.Advance(16 * time.Minute)
			require.NoError(t, th.Record(ctx, client, "t1", "bob", "10.0.0.2", false))
			n, err := client.LoginAttempt.Query().Count(authz.SystemContext(ctx))
			require.NoError(t, err)
			require.Equal(t, 1, n)
		})
		t.Run("huge or invalid keys are stored clipped to valid UTF-8", func(t *testing.T) {
			long := strings.Repeat("é", 200) + "\xff"
			require.NoError(t, th.Record(ctx, client, long, long, long, false))
			a, err := client.LoginAttempt.Query().Order(ent.Asc(loginattempt.FieldID)).All(authz.SystemContext(ctx))
			require.NoError(t, err)
			last := a[len(a)-1]
			require.LessOrEqual(t, len(last.Username), maxKeyLen)
			require.True(t, utf8.ValidString(last.Username))
			require.NoError(t, th.Check(ctx, client, long, long, long), "one failure is below the limit")
		})
	})
}
