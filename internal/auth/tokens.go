package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/config"
)

// DefaultLeeway is the clock skew tolerated when checking exp, nbf and iat.
const DefaultLeeway = 30 * time.Second

// msgInvalidToken is the public message of an access token that is not
// valid (an expired one says so).
const msgInvalidToken = "invalid access token; sign in again"

// ErrInvalidToken is the internal cause of every access-token failure; the
// jwt error that made the token fail is wrapped next to it.
var ErrInvalidToken = errors.New("invalid access token")

// Claims is what a verified access token says: who and in which tenant. It
// carries no roles: those are decided per request from the user's posts.
type Claims struct {
	UserID   int
	TenantID int
	// TokenID is the jti, for logs and audit records.
	TokenID string
	// ExpiresAt is the token's exp.
	ExpiresAt time.Time
	// SessionID is the refresh-token family the token was issued in: the
	// token is valid only while that session is (authz.LoadSessionViewer).
	SessionID string
}

// accessClaims is the JSON payload of an access token.
type accessClaims struct {
	jwt.RegisteredClaims
	TenantID  int    `json:"tid"`
	SessionID string `json:"sid"`
}

// Tokens issues and verifies access tokens (JWT, EdDSA over Ed25519).
type Tokens struct {
	keys     *KeySet
	issuer   string
	audience string
	ttl      time.Duration
	leeway   time.Duration
	now      func() time.Time
	// verified remembers tokens that passed full verification (nil:
	// none).
	verified *verifiedTokens
}

// NewTokens returns the access-token service of cfg signing with keys.
func NewTokens(keys *KeySet, cfg config.Config) *Tokens {
	ttl := cfg.AccessTTL
	if ttl <= 0 {
		ttl = 15 * time.Minute
	}
	return &Tokens{keys: keys, issuer: cfg.JWTIssuer, audience: cfg.JWTAudience, ttl: ttl, leeway: DefaultLeeway, now: time.Now, verified: newVerifiedTokens(0)}
}

// WithClock returns a copy of t that reads the time from now; for tests of
// expiry at any level (a server test can mint an already expired token).
func (t *Tokens) WithClock(now func() time.Time) *Tokens {
	c := *t
	c.now = now
	if t.verified != nil {
		c.verified = newVerifiedTokens(t.verified.max)
	}
	return &c
}

// TTL returns the lifetime of new access tokens.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue returns a signed access token for userID in tenantID, valid while
// session (the refresh-token family) is, and its expiry.
func (t *Tokens) Issue(userID, tenantID int, session string) (string, time.Time, error) {
	if userID <= 0 || tenantID <= 0 || session == "" {
		return "", time.Time{}, fmt.Errorf("auth: issue token for user %d tenant %d: ids must be positive and the session set", userID, tenantID)
	}
	jti, err := randomString(16)
	if err != nil {
		return "", time.Time{}, err
	}
	now := t.now().UTC().Truncate(time.Second)
	exp := now.Add(t.ttl)
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Subject:   strconv.Itoa(userID),
			Audience:  jwt.ClaimStrings{t.audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti,
		},
		TenantID:  tenantID,
		SessionID: session,
	}
	keys := t.keys.current()
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	tok.Header["kid"] = keys.signingKID
	signed, err := tok.SignedString(keys.signing)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return signed, exp, nil
}

// Verify checks token — signature (EdDSA only, key chosen by kid), issuer,
// audience, exp (required), nbf, iat, with a small leeway — and returns its
// claims. Every failure is an UNAUTHENTICATED *apperr.Error with reason
// TOKEN_EXPIRED (refresh it) or TOKEN_INVALID (sign in again); the cause
// (ErrInvalidToken and the jwt error) is wrapped for logs. A token without a
// session predates session tracking: it is reported expired, so that clients
// refresh it.
//
// A token that passed all of it before is remembered (by its SHA-256, per
// process, bounded) and on its next use only the time claims and its key are
// checked again: the key must still verify (same kid and public key, not
// retired nor removed), so dropping a key refuses every token it verified
// on their next use. Anything else verifies the token afresh.
func (t *Tokens) Verify(token string) (Claims, error) {
	if t.verified == nil {
		e, err := t.verify(token)
		return e.claims, err
	}
	now := t.now()
	key := sha256.Sum256([]byte(token))
	if e, ok := t.verified.lookup(key); ok {
		if pub, ok := t.keys.verificationKey(e.kid, now); ok && pub.Equal(e.pub) && e.holds(now, t.leeway) {
			t.verified.count(true)
			return e.claims, nil
		}
		t.verified.forget(key)
	}
	t.verified.count(false)
	e, err := t.verify(token)
	if err != nil {
		return Claims{}, err
	}
	t.verified.remember(key, e, now)
	return e.claims, nil
}

// Stats counts how Verify checked tokens (zero when t remembers none).
func (t *Tokens) Stats() TokenStats {
	if t.verified == nil {
		return TokenStats{}
	}
	return t.verified.stats()
}

// verify is Verify without the remembered tokens: every check, and what
// they established.
func (t *Tokens) verify(token string) (verifiedToken, error) {
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(t.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(t.leeway),
		jwt.WithTimeFunc(t.now),
		jwt.WithStrictDecoding(),
	)
	var (
		c   accessClaims
		out verifiedToken
	)
	_, err := parser.ParseWithClaims(token, &c, func(tok *jwt.Token) (any, error) {
		kid, pub, err := t.keyFor(tok)
		out.kid, out.pub = kid, pub
		return pub, err
	})
	if err != nil {
		return verifiedToken{}, invalidToken(err)
	}
	uid, err := strconv.Atoi(c.Subject)
	if err != nil || uid <= 0 || strconv.Itoa(uid) != c.Subject {
		return verifiedToken{}, invalidToken(fmt.Errorf("bad subject %q", c.Subject))
	}
	if c.TenantID <= 0 {
		return verifiedToken{}, invalidToken(errors.New("missing tenant claim"))
	}
	if c.SessionID == "" {
		return verifiedToken{}, invalidToken(fmt.Errorf("%w: no session claim", jwt.ErrTokenExpired))
	}
	if c.NotBefore != nil {
		out.notBefore = c.NotBefore.Time
	}
	if c.IssuedAt != nil {
		out.issuedAt = c.IssuedAt.Time
	}
	out.claims = Claims{UserID: uid, TenantID: c.TenantID, TokenID: c.ID, ExpiresAt: c.ExpiresAt.Time, SessionID: c.SessionID}
	return out, nil
}

// keyFor selects the verification key named by the token's kid. The method
// was already checked against the valid methods by the parser; it is checked
// again here so that a change of parser options cannot open an algorithm
// confusion.
func (t *Tokens) keyFor(tok *jwt.Token) (string, ed25519.PublicKey, error) {
	if _, ok := tok.Method.(*jwt.SigningMethodEd25519); !ok {
		return "", nil, fmt.Errorf("unexpected signing method %v", tok.Header["alg"])
	}
	kid, ok := tok.Header["kid"].(string)
	if !ok || kid == "" {
		return "", nil, errors.New("token has no kid")
	}
	pub, ok := t.keys.verificationKey(kid, t.now())
	if !ok {
		return "", nil, fmt.Errorf("unknown or retired kid %q", kid)
	}
	return kid, pub, nil
}

func invalidToken(cause error) *apperr.Error {
	cause = fmt.Errorf("%w: %w", ErrInvalidToken, cause)
	if errors.Is(cause, jwt.ErrTokenExpired) {
		return apperr.Unauth(apperr.ReasonTokenExpired, "the access token has expired; refresh it", cause)
	}
	return apperr.Unauth(apperr.ReasonTokenInvalid, msgInvalidToken, cause)
}

// randomString returns n random bytes, base64url without padding.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: read random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
