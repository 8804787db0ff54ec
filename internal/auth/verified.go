package auth

import (
	"crypto/ed25519"
	"crypto/sha256"
	"sync"
	"time"
)

// DefaultVerifiedTokens bounds the access tokens a Tokens remembers as
// verified.
const DefaultVerifiedTokens = 20_000

// verifiedTokens remembers access tokens that passed full verification, by
// SHA-256 of the token, so that a client's next requests with the same token
// skip the Ed25519 signature check and the JSON decoding (most of the CPU of
// authenticating a request). An entry serves only while the key that
// verified it still verifies (same kid, same public key, not retired) and
// while the token's exp, nbf and iat still hold; anything else drops it and
// verifies the token afresh, which gives the exact refusal. It is per
// process and bounded; nothing in it is trusted that full verification did
// not establish.
type verifiedTokens struct {
	mu      sync.Mutex
	max     int
	entries map[[sha256.Size]byte]verifiedToken
	// Counters since start, for TokenStats.
	hits, misses, evictions uint64
}

// TokenStats counts how access tokens were checked since the process
// started.
type TokenStats struct {
	// Remembered is the tokens accepted from memory: time claims and key
	// checked, no signature check.
	Remembered uint64
	// Verified is the tokens fully verified (first use, or a remembered
	// one whose checks no longer held), whether or not they passed.
	Verified uint64
	// Evictions is the tokens dropped over the bound (verified again on
	// their next use).
	Evictions uint64
	// Size is the number of tokens remembered now.
	Size int
}

// verifiedToken is what full verification established about one token.
type verifiedToken struct {
	claims Claims
	// kid and pub name the key whose signature check the token passed.
	kid string
	pub ed25519.PublicKey
	// notBefore and issuedAt are the token's nbf and iat (zero: absent).
	notBefore, issuedAt time.Time
}

// holds reports whether e still holds at now with leeway, as the jwt
// validator checks exp, nbf and iat.
func (e verifiedToken) holds(now time.Time, leeway time.Duration) bool {
	return now.Before(e.claims.ExpiresAt.Add(leeway)) &&
		(e.notBefore.IsZero() || !now.Before(e.notBefore.Add(-leeway))) &&
		(e.issuedAt.IsZero() || !now.Before(e.issuedAt.Add(-leeway)))
}

func newVerifiedTokens(max int) *verifiedTokens {
	if max <= 0 {
		max = DefaultVerifiedTokens
	}
	return &verifiedTokens{max: max, entries: map[[sha256.Size]byte]verifiedToken{}}
}

// lookup returns the entry of key, if any.
func (v *verifiedTokens) lookup(key [sha256.Size]byte) (verifiedToken, bool) {
	v.mu.Lock()
	e, ok := v.entries[key]
	v.mu.Unlock()
	return e, ok
}

// count records how one token was checked: from memory (hit) or fully.
func (v *verifiedTokens) count(hit bool) {
	v.mu.Lock()
	if hit {
		v.hits++
	} else {
		v.misses++
	}
	v.mu.Unlock()
}

// stats returns the counters and the size.
func (v *verifiedTokens) stats() TokenStats {
	v.mu.Lock()
	defer v.mu.Unlock()
	return TokenStats{Remembered: v.hits, Verified: v.misses, Evictions: v.evictions, Size: len(v.entries)}
}

// forget drops the entry of key.
func (v *verifiedTokens) forget(key [sha256.Size]byte) {
	v.mu.Lock()
	delete(v.entries, key)
	v.mu.Unlock()
}

// remember keeps e under key; over the bound it first drops entries (expired
// ones, then arbitrary ones: they are verified again on their next use).
func (v *verifiedTokens) remember(key [sha256.Size]byte, e verifiedToken, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.entries) >= v.max {
		for k, old := range v.entries {
			if !now.Before(old.claims.ExpiresAt) {
				delete(v.entries, k)
			}
		}
		for k := range v.entries {
			if len(v.entries) < v.max*3/4 {
				break
			}
			delete(v.entries, k)
			v.evictions++
		}
	}
	v.entries[key] = e
}

// len is the number of tokens kept.
func (v *verifiedTokens) len() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.entries)
}
