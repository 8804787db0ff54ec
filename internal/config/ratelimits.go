package config

import (
	"errors"
	"fmt"
)

// RateLimits are the token buckets of each caller: one per signed-in user,
// and one per client address for requests without a valid token.
type RateLimits struct {
	// Enabled turns the buckets on.
	Enabled bool
	// UserRate is the sustained requests per second of one user.
	UserRate int
	// UserBurst is how many requests one user may send at once.
	UserBurst int
	// AddressRate is the sustained requests per second of one client
	// address, counted for requests without a valid token.
	AddressRate int
	// AddressBurst is how many such requests one address may send at once.
	AddressBurst int
	// MaxBuckets bounds the buckets kept in memory; idle (full) buckets are
	// evicted first.
	MaxBuckets int
}

// DefaultRateLimits are the limits of a server started without settings.
var DefaultRateLimits = RateLimits{Enabled: true, UserRate: 20, UserBurst: 100, AddressRate: 20, AddressBurst: 100, MaxBuckets: 100_000}

// bindRateLimits registers the settings of the per-caller rate limits.
func (c *Config) bindRateLimits(b *binder) {
	r := &c.RateLimits
	b.boolean(&r.Enabled, "rate-limits", "DUTYCHAIN_RATE_LIMITS", "limit requests per user and per client address (429 RATE_LIMITED with Retry-After)")
	b.integer(&r.UserRate, "user-rate", "DUTYCHAIN_USER_RATE", "sustained requests per second of one signed-in user")
	b.integer(&r.UserBurst, "user-burst", "DUTYCHAIN_USER_BURST", "requests one signed-in user may send at once")
	b.integer(&r.AddressRate, "address-rate", "DUTYCHAIN_ADDRESS_RATE", "sustained requests per second of one client address without a valid token")
	b.integer(&r.AddressBurst, "address-burst", "DUTYCHAIN_ADDRESS_BURST", "requests one client address without a valid token may send at once")
	b.integer(&r.MaxBuckets, "rate-limit-buckets", "DUTYCHAIN_RATE_LIMIT_BUCKETS", "most callers whose buckets are kept in memory (idle ones are evicted first)")
}

// verifyRateLimits checks the rate limits when they are on.
func (c *Config) verifyRateLimits() []error {
	r := c.RateLimits
	if !r.Enabled {
		return nil
	}
	var errs []error
	for _, s := range []struct {
		name string
		v    int
	}{{"user-rate", r.UserRate}, {"user-burst", r.UserBurst}, {"address-rate", r.AddressRate}, {"address-burst", r.AddressBurst}, {"rate-limit-buckets", r.MaxBuckets}} {
		if s.v <= 0 {
			errs = append(errs, fmt.Errorf("%s %d: must be positive (turn the limits off with --rate-limits=false)", s.name, s.v))
		}
	}
	if r.MaxBuckets > 0 && r.MaxBuckets < 100 {
		errs = append(errs, errors.New("rate-limit-buckets: want at least 100"))
	}
	return errs
}
