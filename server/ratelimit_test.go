package server

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/config"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestLimiter(clock *fakeClock, maxBuckets int) *RateLimiter {
	return NewRateLimiter(config.RateLimits{Enabled: true, UserRate: 2, UserBurst: 5, AddressRate: 1, AddressBurst: 3, MaxBuckets: maxBuckets}, clock.now)
}

func TestRateLimiter(t *testing.T) {
	t.Run("limits that are off build no limiter", func(t *testing.T) {
		require.Nil(t, NewRateLimiter(config.RateLimits{}, time.Now))
	})

	t.Run("a noisy user is throttled while a colleague on the same address is not", func(t *testing.T) {
		clock := &fakeClock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
		l := newTestLimiter(clock, 1000)
		for i := range 5 {
			ok, _ := l.AllowUser(1, 10)
			require.True(t, ok, "request %d is within the burst", i)
		}
		ok, wait := l.AllowUser(1, 10)
		require.False(t, ok, "the sixth request at once is over the burst")
		require.Equal(t, 500*time.Millisecond, wait, "one token comes back every half second at 2/s")
		for range 100 {
			l.AllowUser(1, 10) // refusals take no token and push nothing back
		}
		for i := range 5 {
			ok, _ := l.AllowUser(1, 11)
			require.True(t, ok, "the colleague's request %d is admitted", i)
		}
		ok, _ = l.AllowAddress("192.0.2.7")
		require.True(t, ok, "anonymous requests from the address are not charged for the users")
		clock.advance(wait)
		ok, _ = l.AllowUser(1, 10)
		require.True(t, ok, "after the announced wait the noisy user is admitted again")
	})

	t.Run("the same user id in another tenant has its own bucket", func(t *testing.T) {
		clock := &fakeClock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
		l := newTestLimiter(clock, 1000)
		for range 5 {
			l.AllowUser(1, 10)
		}
		ok, _ := l.AllowUser(2, 10)
		require.True(t, ok)
	})

	t.Run("an address over its limit waits for one token", func(t *testing.T) {
		clock := &fakeClock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
		l := newTestLimiter(clock, 1000)
		for range 3 {
			ok, _ := l.AllowAddress("192.0.2.7")
			require.True(t, ok)
		}
		ok, wait := l.AllowAddress("192.0.2.7")
		require.False(t, ok)
		require.Equal(t, time.Second, wait)
		ok, _ = l.AllowAddress("192.0.2.8")
		require.True(t, ok, "another address has its own bucket")
	})

	t.Run("idle buckets are evicted and the count stays bounded", func(t *testing.T) {
		clock := &fakeClock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
		l := newTestLimiter(clock, 100)
		for i := range 1000 {
			l.AllowAddress("10.0.0." + strconv.Itoa(i))
			require.LessOrEqual(t, l.Buckets(), 100, "never more buckets than the bound")
		}
		clock.advance(sweepEvery)
		l.AllowAddress("10.1.0.1")
		require.Equal(t, 1, l.Buckets(), "after a minute every old bucket has refilled and is evicted")
	})

	t.Run("a busy bucket survives the sweep", func(t *testing.T) {
		clock := &fakeClock{t: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)}
		l := newTestLimiter(clock, 1000)
		for range 5 {
			l.AllowUser(1, 10)
		}
		clock.advance(sweepEvery - time.Second)
		for range 5 {
			l.AllowUser(1, 10)
		}
		clock.advance(time.Second)
		l.AllowAddress("10.1.0.1")
		require.Equal(t, 2, l.Buckets(), "the user who emptied their bucket a second ago keeps it")
		ok, _ := l.AllowUser(1, 10)
		require.True(t, ok, "two tokens came back in that second")
		ok, _ = l.AllowUser(1, 10)
		require.True(t, ok)
		ok, _ = l.AllowUser(1, 10)
		require.False(t, ok, "but not a third: the bucket was kept, not reset")
	})
}
