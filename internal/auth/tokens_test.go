package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/config"
)

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return priv
}

func newKeySet(t *testing.T, signing ed25519.PrivateKey, verify ...ed25519.PublicKey) *KeySet {
	t.Helper()
	ks, err := NewKeySet(signing, verify...)
	require.NoError(t, err)
	return ks
}

func testTokens(t *testing.T, ks *KeySet, c *clock) *Tokens {
	t.Helper()
	cfg := config.Default()
	return NewTokens(ks, cfg).WithClock(c.Now)
}

// requireRejected asserts err is the UNAUTHENTICATED token error: reason
// TOKEN_EXPIRED for an expired token (the client refreshes), TOKEN_INVALID
// with the generic message for any other.
func requireRejected(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	ae, ok := apperr.As(err)
	require.True(t, ok, "want *apperr.Error, got %T: %v", err, err)
	require.Equal(t, apperr.Unauthenticated, ae.Code)
	require.ErrorIs(t, err, ErrInvalidToken)
	if errors.Is(err, jwt.ErrTokenExpired) {
		require.Equal(t, apperr.ReasonTokenExpired, ae.Reason)
		return
	}
	require.Equal(t, apperr.ReasonTokenInvalid, ae.Reason)
	require.Equal(t, msgInvalidToken, ae.Message)
}

// forge signs claims with method and key, with the given kid header ("" for
// none).
func forge(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func TestAccessTokenRoundTrip(t *testing.T) {
	c := newClock()
	ks := newKeySet(t, newKey(t))
	tokens := testTokens(t, ks, c)

	tok, exp, err := tokens.Issue(42, 7, "session")
	require.NoError(t, err)
	require.Equal(t, c.Now().Add(15*time.Minute), exp)

	claims, err := tokens.Verify(tok)
	require.NoError(t, err)
	require.Equal(t, 42, claims.UserID)
	require.Equal(t, 7, claims.TenantID)
	require.NotEmpty(t, claims.TokenID)
	require.True(t, claims.ExpiresAt.Equal(exp))

	t.Run("the header names the signing key and the algorithm is EdDSA", func(t *testing.T) {
		var hdr map[string]any
		raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &hdr))
		require.Equal(t, "EdDSA", hdr["alg"])
		require.Equal(t, ks.SigningKID(), hdr["kid"])
	})
	t.Run("the payload carries identity and session only, no roles", func(t *testing.T) {
		var payload map[string]any
		raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &payload))
		keys := make([]string, 0, len(payload))
		for k := range payload {
			keys = append(keys, k)
		}
		require.ElementsMatch(t, []string{"iss", "aud", "sub", "tid", "iat", "nbf", "exp", "jti", "sid"}, keys)
		require.Equal(t, "42", payload["sub"])
	})
	t.Run("a token is still accepted within the leeway after expiry", func(t *testing.T) {
		late := tokens.WithClock(func() time.Time { return exp.Add(20 * time.Second) })
		_, err := late.Verify(tok)
		require.NoError(t, err)
	})
	t.Run("two tokens for the same user have different ids", func(t *testing.T) {
		other, _, err := tokens.Issue(42, 7, "session")
		require.NoError(t, err)
		oc, err := tokens.Verify(other)
		require.NoError(t, err)
		require.NotEqual(t, claims.TokenID, oc.TokenID)
	})
}

func TestAccessTokenAttacks(t *testing.T) {
	c := newClock()
	signing := newKey(t)
	ks := newKeySet(t, signing)
	tokens := testTokens(t, ks, c)
	cfg := config.Default()
	pub := signing.Public().(ed25519.PublicKey)
	now := c.Now()

	valid := func() jwt.MapClaims {
		return jwt.MapClaims{
			"iss": cfg.JWTIssuer, "aud": []string{cfg.JWTAudience}, "sub": "42", "tid": 7,
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(), "jti": "x", "sid": "session",
		}
	}
	with := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		m := valid()
		mod(m)
		return m
	}
	good, _, err := tokens.Issue(42, 7, "session")
	require.NoError(t, err)
	stranger := newKey(t)

	tests := []struct {
		name  string
		token func(t *testing.T) string
		why   error // the jwt error expected in the chain; nil: any
	}{
		{"an expired token is rejected", func(t *testing.T) string {
			tok, _, err := tokens.WithClock(func() time.Time { return now.Add(-time.Hour) }).Issue(42, 7, "session")
			require.NoError(t, err)
			return tok
		}, jwt.ErrTokenExpired},
		{"a token without a session (issued before sessions were tracked) is reported expired", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, signing, ks.SigningKID(), with(func(m jwt.MapClaims) { delete(m, "sid") }))
		}, jwt.ErrTokenExpired},
		{"a token not yet valid is rejected", func(t *testing.T) string {
			tok, _, err := tokens.WithClock(func() time.Time { return now.Add(10 * time.Minute) }).Issue(42, 7, "session")
			require.NoError(t, err)
			return tok
		}, jwt.ErrTokenNotValidYet},
		{"a token with nbf in the future but a current iat is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, signing, ks.SigningKID(), with(func(m jwt.MapClaims) {
				m["nbf"] = now.Add(10 * time.Minute).Unix()
			}))
		}, jwt.ErrTokenNotValidYet},
		{"a token issued in the future is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, signing, ks.SigningKID(), with(func(m jwt.MapClaims) {
				m["iat"] = now.Add(10 * time.Minute).Unix()
				delete(m, "nbf")
			}))
		}, jwt.ErrTokenUsedBeforeIssued},
		{"a token from another issuer is rejected", func(t *testing.T) string {
			other := *tokens
			other.issuer = "evil"
			tok, _, err := other.Issue(42, 7, "session")
			require.NoError(t, err)
			return tok
		}, jwt.ErrTokenInvalidIssuer},
		{"a token for another audience is rejected", func(t *testing.T) string {
			other := *tokens
			other.audience = "another-api"
			tok, _, err := other.Issue(42, 7, "session")
			require.NoError(t, err)
			return tok
		}, jwt.ErrTokenInvalidAudience},
		{"a token without an audience is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, signing, ks.SigningKID(), with(func(m jwt.MapClaims) { delete(m, "aud") }))
		}, jwt.ErrTokenRequiredClaimMissing},
		{"an unsigned token with alg none is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, ks.SigningKID(), valid())
		}, jwt.ErrTokenSignatureInvalid},
		{"an HS256 token keyed with the Ed25519 public key bytes is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodHS256, []byte(pub), ks.SigningKID(), valid())
		}, jwt.ErrTokenSignatureInvalid},
		{"an HS256 token keyed with the PEM public key is rejected", func(t *testing.T) string {
			pemKey, err := PublicKeyPEM(pub)
			require.NoError(t, err)
			return forge(t, jwt.SigningMethodHS256, pemKey, ks.SigningKID(), valid())
		}, jwt.ErrTokenSignatureInvalid},
		{"a token with a tampered payload is rejected", func(t *testing.T) string {
			parts := strings.Split(good, ".")
			raw, err := base64.RawURLEncoding.DecodeString(parts[1])
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(raw, &m))
			m["sub"] = "1"
			m["tid"] = 1
			raw, err = json.Marshal(m)
			require.NoError(t, err)
			parts[1] = base64.RawURLEncoding.EncodeToString(raw)
			return strings.Join(parts, ".")
		}, jwt.ErrTokenSignatureInvalid},
		// Malformed or merely invalid depending on the signature's last
		// bits (base64 padding bits happen to be zero one time in 16):
		// either way rejected.
		{"a token with a truncated signature is rejected", func(t *testing.T) string {
			return good[:len(good)-4]
		}, nil},
		{"a token signed by an unknown key under its own kid is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, stranger, KeyID(stranger.Public().(ed25519.PublicKey)), valid())
		}, jwt.ErrTokenUnverifiable},
		{"a token signed by an unknown key under our kid is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, stranger, ks.SigningKID(), valid())
		}, jwt.ErrTokenSignatureInvalid},
		{"a token with an unknown kid is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, signing, "no-such-key", valid())
		}, jwt.ErrTokenUnverifiable},
		{"a token without a kid is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, signing, "", valid())
		}, jwt.ErrTokenUnverifiable},
		{"a token without exp is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, signing, ks.SigningKID(), with(func(m jwt.MapClaims) { delete(m, "exp") }))
		}, jwt.ErrTokenRequiredClaimMissing},
		{"a token without a tenant is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, signing, ks.SigningKID(), with(func(m jwt.MapClaims) { delete(m, "tid") }))
		}, nil},
		{"a token with a non-numeric subject is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, signing, ks.SigningKID(), with(func(m jwt.MapClaims) { m["sub"] = "admin" }))
		}, nil},
		{"a token with a padded subject is rejected", func(t *testing.T) string {
			return forge(t, jwt.SigningMethodEdDSA, signing, ks.SigningKID(), with(func(m jwt.MapClaims) { m["sub"] = "042" }))
		}, nil},
		{"an empty token is rejected", func(t *testing.T) string { return "" }, jwt.ErrTokenMalformed},
		{"garbage is rejected", func(t *testing.T) string { return "not.a.token" }, jwt.ErrTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tokens.Verify(tt.token(t))
			requireRejected(t, err)
			if tt.why != nil {
				require.ErrorIs(t, err, tt.why)
			}
		})
	}

	t.Run("the forging helper makes tokens the verifier accepts when nothing is wrong", func(t *testing.T) {
		_, err := tokens.Verify(forge(t, jwt.SigningMethodEdDSA, signing, ks.SigningKID(), valid()))
		require.NoError(t, err)
	})
}

func TestKeyRotation(t *testing.T) {
	c := newClock()
	oldKey, newKeyPriv := newKey(t), newKey(t)
	oldTokens := testTokens(t, newKeySet(t, oldKey), c)
	oldTok, _, err := oldTokens.Issue(1, 1, "session")
	require.NoError(t, err)

	tests := []struct {
		name   string
		keys   *KeySet
		accept bool
	}{
		{"a token signed with the old key verifies when the old key is listed for verification",
			newKeySet(t, newKeyPriv, oldKey.Public().(ed25519.PublicKey)), true},
		{"a token signed with the old key is rejected once the old key is dropped",
			newKeySet(t, newKeyPriv), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := testTokens(t, tt.keys, c)
			_, err := tokens.Verify(oldTok)
			if tt.accept {
				require.NoError(t, err)
			} else {
				requireRejected(t, err)
			}
			// New tokens are signed with the new key and verify too.
			tok, _, err := tokens.Issue(2, 1, "session")
			require.NoError(t, err)
			_, err = tokens.Verify(tok)
			require.NoError(t, err)
			_, err = oldTokens.Verify(tok)
			requireRejected(t, err)
		})
	}
}

func TestAuthenticate(t *testing.T) {
	c := newClock()
	s := &Service{Tokens: testTokens(t, newKeySet(t, newKey(t)), c)}
	tok, _, err := s.Tokens.Issue(5, 3, "session")
	require.NoError(t, err)

	tests := []struct {
		name   string
		bearer string
		ok     bool
		cause  error
	}{
		{"a bare token is accepted", tok, true, nil},
		{"an Authorization header value is accepted", "Bearer " + tok, true, nil},
		{"the scheme is case-insensitive", "bearer " + tok, true, nil},
		{"no token at all asks to sign in", "", false, ErrNoToken},
		{"a scheme without a token asks to sign in", "Bearer ", false, ErrNoToken},
		{"a bad token is rejected", "Bearer x" + tok, false, ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, err := s.Authenticate(t.Context(), tt.bearer)
			if tt.ok {
				require.NoError(t, err)
				require.Equal(t, Claims{UserID: 5, TenantID: 3, TokenID: claims.TokenID, ExpiresAt: claims.ExpiresAt, SessionID: "session"}, claims)
				return
			}
			require.Equal(t, apperr.Unauthenticated, apperr.CodeOf(err))
			require.True(t, errors.Is(err, tt.cause), "want %v in %v", tt.cause, err)
		})
	}
}
