package server

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/config"
)

// RateLimiter keeps a token bucket per caller: one per signed-in user and
// one per client address for requests without a valid token. A signed-in
// user is charged to their own bucket only, so a noisy user behind an
// office's one address cannot starve their colleagues. Memory is bounded:
// buckets that have refilled (idle callers, indistinguishable from new ones)
// are evicted, and past MaxBuckets arbitrary ones go too.
type RateLimiter struct {
	user, address bucketKind
	maxBuckets    int
	now           func() time.Time

	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	lastSweep time.Time
}

type bucketKind struct {
	limit rate.Limit
	burst int
}

// sweepEvery is how often idle buckets are evicted when the map is not full.
const sweepEvery = time.Minute

// NewRateLimiter returns the limiter of cfg reading the time from now, or
// nil when the limits are off.
func NewRateLimiter(cfg config.RateLimits, now func() time.Time) *RateLimiter {
	if !cfg.Enabled {
		return nil
	}
	return &RateLimiter{
		user:       bucketKind{limit: rate.Limit(cfg.UserRate), burst: cfg.UserBurst},
		address:    bucketKind{limit: rate.Limit(cfg.AddressRate), burst: cfg.AddressBurst},
		maxBuckets: cfg.MaxBuckets,
		now:        now,
		buckets:    map[string]*rate.Limiter{},
	}
}

// AllowUser takes a token from the bucket of user (tenant and user id) and
// returns how long to wait when there is none.
func (l *RateLimiter) AllowUser(tenantID, userID int) (bool, time.Duration) {
	return l.take("u:"+strconv.Itoa(tenantID)+":"+strconv.Itoa(userID), l.user)
}

// AllowAddress takes a token from the bucket of the client address ip.
func (l *RateLimiter) AllowAddress(ip string) (bool, time.Duration) {
	return l.take("a:"+ip, l.address)
}

// Buckets returns how many buckets are kept.
func (l *RateLimiter) Buckets() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

func (l *RateLimiter) take(key string, kind bucketKind) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxBuckets || now.Sub(l.lastSweep) >= sweepEvery {
			l.sweep(now)
		}
		b = rate.NewLimiter(kind.limit, kind.burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now)
		return false, wait
	}
	return true, 0
}

// sweep evicts every full bucket and, while the map is still at its bound,
// arbitrary others (their callers start again with a full bucket).
func (l *RateLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < l.maxBuckets {
			break
		}
		delete(l.buckets, k)
	}
}

// writeRateLimited answers 429 with a RATE_LIMITED error and Retry-After
// (whole seconds, at least 1).
func writeRateLimited(w http.ResponseWriter, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	writeCoded(w, http.StatusTooManyRequests, apperr.New(apperr.RateLimited, "too many requests; retry after the time in the Retry-After header"))
}

// rateLimitExempt are the paths probes call: never limited.
var rateLimitExempt = map[string]bool{"/healthz": true, "/readyz": true}
