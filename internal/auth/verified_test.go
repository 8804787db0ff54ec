package auth

import (
	"crypto/ed25519"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/config"
)

// TestVerifiedTokens checks that a token remembered as verified is served
// only while full verification would still accept it.
func TestVerifiedTokens(t *testing.T) {
	// withKeys replaces what ks verifies with, as a reread of the keys does.
	withKeys := func(ks *KeySet, edit func(verify map[string]verifyKey)) {
		st := *ks.state.Load()
		st.verify = maps.Clone(st.verify)
		edit(st.verify)
		ks.state.Store(&st)
	}
	tests := []struct {
		name string
		// change happens between the first, verified use and the second.
		change func(c *clock, ks *KeySet)
		// reason is the refusal of the second use ("" accepts it).
		reason string
	}{
		{"a token used again is accepted from memory",
			func(*clock, *KeySet) {}, ""},
		{"a token used again within the leeway after its expiry is accepted",
			func(c *clock, _ *KeySet) { c.Advance(15*time.Minute + 20*time.Second) }, ""},
		{"a remembered token past its expiry and the leeway is refused as expired",
			func(c *clock, _ *KeySet) { c.Advance(15*time.Minute + DefaultLeeway) }, apperr.ReasonTokenExpired},
		{"a remembered token is refused when the clock is back before it was issued",
			func(c *clock, _ *KeySet) { c.Advance(-time.Minute) }, apperr.ReasonTokenInvalid},
		{"a remembered token whose verify key was removed is refused",
			func(_ *clock, ks *KeySet) {
				withKeys(ks, func(v map[string]verifyKey) { clear(v) })
			}, apperr.ReasonTokenInvalid},
		{"a remembered token whose verify key was retired is refused",
			func(c *clock, ks *KeySet) {
				withKeys(ks, func(v map[string]verifyKey) {
					for kid, k := range v {
						v[kid] = verifyKey{pub: k.pub, until: c.Now()}
					}
				})
			}, apperr.ReasonTokenInvalid},
		{"a remembered token whose kid now names another public key is refused",
			func(_ *clock, ks *KeySet) {
				other := newKey(t).Public().(ed25519.PublicKey)
				withKeys(ks, func(v map[string]verifyKey) {
					for kid := range v {
						v[kid] = verifyKey{pub: other}
					}
				})
			}, apperr.ReasonTokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			ks := newKeySet(t, newKey(t))
			tokens := testTokens(t, ks, c)
			tok, _, err := tokens.Issue(42, 7, "session")
			require.NoError(t, err)
			first, err := tokens.Verify(tok)
			require.NoError(t, err)
			require.Equal(t, 1, tokens.verified.len())

			tt.change(c, ks)
			second, err := tokens.Verify(tok)
			if tt.reason == "" {
				require.NoError(t, err)
				require.Equal(t, first, second)
				require.Equal(t, 1, tokens.verified.len())
				return
			}
			requireRejected(t, err)
			ae, _ := apperr.As(err)
			require.Equal(t, tt.reason, ae.Reason)
			require.Zero(t, tokens.verified.len(), "a refused token stays remembered")
		})
	}
}

// TestVerifiedTokensRemember checks what is remembered and how much.
func TestVerifiedTokensRemember(t *testing.T) {
	c := newClock()
	ks := newKeySet(t, newKey(t))
	tests := []struct {
		name string
		run  func(t *testing.T, tokens *Tokens)
	}{
		{"a token whose signature fails is never remembered", func(t *testing.T, tokens *Tokens) {
			tok, _, err := tokens.Issue(42, 7, "session")
			require.NoError(t, err)
			parts := strings.Split(tok, ".")
			sig := []byte(parts[2])
			sig[0] ^= 'A' ^ 'B'
			if sig[0] == parts[2][0] {
				sig[0] = 'A'
			}
			for range 2 {
				_, err = tokens.Verify(parts[0] + "." + parts[1] + "." + string(sig))
				requireRejected(t, err)
			}
			require.Zero(t, tokens.verified.len())
		}},
		{"a token signed by an unknown key is never remembered", func(t *testing.T, tokens *Tokens) {
			other := testTokens(t, newKeySet(t, newKey(t)), c)
			tok, _, err := other.Issue(42, 7, "session")
			require.NoError(t, err)
			_, err = tokens.Verify(tok)
			requireRejected(t, err)
			require.Zero(t, tokens.verified.len())
		}},
		{"a token without a session is never remembered", func(t *testing.T, tokens *Tokens) {
			now := c.Now()
			tok := forge(t, jwt.SigningMethodEdDSA, ksSigning(ks), ks.SigningKID(), accessClaims{RegisteredClaims: jwt.RegisteredClaims{
				Issuer: config.Default().JWTIssuer, Subject: "42", Audience: jwt.ClaimStrings{config.Default().JWTAudience},
				ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now),
			}, TenantID: 7})
			_, err := tokens.Verify(tok)
			requireRejected(t, err)
			require.Zero(t, tokens.verified.len())
		}},
		{"the remembered tokens stay within their bound", func(t *testing.T, tokens *Tokens) {
			tokens.verified = newVerifiedTokens(4)
			for i := range 10 {
				tok, _, err := tokens.Issue(i+1, 7, "session")
				require.NoError(t, err)
				_, err = tokens.Verify(tok)
				require.NoError(t, err)
				require.LessOrEqual(t, tokens.verified.len(), 4)
			}
			st := tokens.Stats()
			require.Equal(t, uint64(10), st.Verified)
			require.Positive(t, st.Evictions, "tokens over the bound are counted as evicted")
			require.Equal(t, tokens.verified.len(), st.Size)
		}},
		{"the stats count tokens accepted from memory apart from those verified", func(t *testing.T, tokens *Tokens) {
			tok, _, err := tokens.Issue(42, 7, "session")
			require.NoError(t, err)
			for range 3 {
				_, err = tokens.Verify(tok)
				require.NoError(t, err)
			}
			_, err = tokens.Verify(tok + "x")
			requireRejected(t, err)
			require.Equal(t, TokenStats{Remembered: 2, Verified: 2, Size: 1}, tokens.Stats())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, testTokens(t, ks, c))
		})
	}
}

// ksSigning is the signing key of ks.
func ksSigning(ks *KeySet) ed25519.PrivateKey { return ks.state.Load().signing }
