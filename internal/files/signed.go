package files

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/dutychain/dutychain/internal/gid"
)

// Query parameters of a signed file URL.
const (
	paramExpires   = "expires"
	paramUser      = "user"
	paramTenant    = "tenant"
	paramSignature = "signature"
	// ParamDownload=1 asks for Content-Disposition: attachment.
	ParamDownload = "download"
)

// URLSigner mints and checks signed file URLs: /files/<id>?expires=…&user=…
// &tenant=…&signature=…, an HMAC-SHA256 of the file, tenant, user and expiry
// under a server secret. Replicas sharing the secret accept each other's
// URLs. A URL works without an Authorization header until it expires.
type URLSigner struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewURLSigner returns a signer with key (at least 32 bytes), URLs valid
// for ttl, on the clock now (nil: time.Now).
func NewURLSigner(key []byte, ttl time.Duration, now func() time.Time) (*URLSigner, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("files: the URL signing key has %d bytes, want at least 32", len(key))
	}
	if ttl <= 0 {
		return nil, errors.New("files: signed URLs need a positive lifetime")
	}
	if now == nil {
		now = time.Now
	}
	return &URLSigner{key: key, ttl: ttl, now: now}, nil
}

// Sign returns the URL of file id, of tenant, for user, valid for the
// signer's lifetime (whole seconds, rounded up).
func (s *URLSigner) Sign(id, tenant, user int) string {
	exp := s.now().Add(s.ttl + time.Second - 1).Unix()
	q := url.Values{}
	q.Set(paramExpires, strconv.FormatInt(exp, 10))
	q.Set(paramUser, gid.Encode(user))
	q.Set(paramTenant, strconv.Itoa(tenant))
	q.Set(paramSignature, s.mac(id, tenant, user, exp))
	return URL(id) + "?" + q.Encode()
}

func (s *URLSigner) mac(id, tenant, user int, exp int64) string {
	m := hmac.New(sha256.New, s.key)
	fmt.Fprintf(m, "dutychain file url v1\n%d\n%d\n%d\n%d", id, tenant, user, exp)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Signed reports whether q carries a signature (a signed URL rather than a
// header-authenticated download).
func Signed(q url.Values) bool { return q.Has(paramSignature) }

// Grant is what a valid signed URL grants: file, read as user of tenant.
type Grant struct {
	File, Tenant, User int
}

// Refusal reasons of a signed URL.
var (
	// ErrURLExpired: the URL is past its expiry (410 Gone).
	ErrURLExpired = errors.New("this file link has expired; read the file's url again for a new one")
	// ErrURLInvalid: the URL was altered or belongs to another file (403).
	ErrURLInvalid = errors.New("this file link is not valid")
)

// Verify checks the signed URL of file id (its query q) and returns what
// it grants, or ErrURLInvalid or ErrURLExpired. The signature is checked
// first, so an altered expiry is invalid rather than expired.
func (s *URLSigner) Verify(id int, q url.Values) (Grant, error) {
	exp, err1 := strconv.ParseInt(q.Get(paramExpires), 10, 64)
	user, err2 := gid.Decode(q.Get(paramUser))
	tenant, err3 := strconv.Atoi(q.Get(paramTenant))
	if err := errors.Join(err1, err2, err3); err != nil {
		return Grant{}, ErrURLInvalid
	}
	if !hmac.Equal([]byte(s.mac(id, tenant, user, exp)), []byte(q.Get(paramSignature))) {
		return Grant{}, ErrURLInvalid
	}
	if s.now().Unix() >= exp {
		return Grant{}, ErrURLExpired
	}
	return Grant{File: id, Tenant: tenant, User: user}, nil
}
