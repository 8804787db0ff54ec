package files

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/gid"
)

// URL is where a file is downloaded with an Authorization header; File.url
// gives a signed URL that needs none (URLSigner).
func URL(id int) string { return "/files/" + gid.Encode(id) }

// inlineTypes are shown by the browser (an <img>, a PDF preview); anything
// else is downloaded.
var inlineTypes = map[string]bool{"image/jpeg": true, "image/png": true, "application/pdf": true}

// Refusal reasons of signed URLs (extensions.reason).
const (
	ReasonURLExpired = "URL_EXPIRED"
	ReasonURLInvalid = "URL_INVALID"
	ReasonURLRevoked = "URL_REVOKED"
	// ReasonContentMissing: the file is known but its bytes are not in the file store.
	ReasonContentMissing = "CONTENT_MISSING"
)

// writeError answers with a GraphQL-shaped error body, like every other
// error of the server, so clients handle one format.
func writeError(w http.ResponseWriter, status int, code apperr.Code, reason, msg string) {
	ext := map[string]any{"code": string(code)}
	if reason != "" {
		ext["reason"] = reason
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": msg, "extensions": ext}}})
}

// RetryAfterSeconds is the Retry-After of a download refused while the
// storage is down.
const RetryAfterSeconds = "5"

// writeFailure answers a download that failed on the server's side: 503
// UNAVAILABLE with Retry-After when the database or file store is down or
// full (the client may retry), 500 INTERNAL otherwise. The cause is never
// shown.
func writeFailure(w http.ResponseWriter, err error) {
	if o, down := db.Outage(err); down {
		w.Header().Set("Retry-After", RetryAfterSeconds)
		writeError(w, http.StatusServiceUnavailable, o.Code, o.Reason, o.Message)
		return
	}
	writeError(w, http.StatusInternalServerError, apperr.Internal, "", "internal error")
}

// Handler serves GET /files/{id} to an authenticated request: the file's
// bytes when the viewer in the request context may read the File row (its
// owner's jurisdiction), 404 otherwise, exactly as for an id that does not
// exist. The server authenticates the request before it gets here.
func (s *Service) Handler(client *ent.Client) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := gid.Decode(r.PathValue("id"))
		if err != nil {
			writeError(w, http.StatusNotFound, apperr.NotFound, "", "file not found")
			return
		}
		s.serveReadable(w, r, client, id, false)
	})
}

// ViewerLoader loads the viewer user of tenant as a request of theirs
// would: an error when the account is disabled or gone.
type ViewerLoader func(ctx context.Context, user, tenant int) (*authz.Viewer, error)

// SignedHandler serves GET /files/{id}?…&signature=… without an
// Authorization header. The URL must carry a valid signature for this file
// (else 403 URL_INVALID) and not have expired (else 410 URL_EXPIRED); the
// user it was minted for must still be active and still read the file
// through their current posts (else 403 URL_REVOKED): two small reads.
func (s *Service) SignedHandler(client *ent.Client, signer *URLSigner, load ViewerLoader) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := gid.Decode(r.PathValue("id"))
		if err != nil {
			writeError(w, http.StatusForbidden, apperr.Forbidden, ReasonURLInvalid, ErrURLInvalid.Error())
			return
		}
		g, err := signer.Verify(id, r.URL.Query())
		switch {
		case errors.Is(err, ErrURLExpired):
			writeError(w, http.StatusGone, apperr.Forbidden, ReasonURLExpired, err.Error())
			return
		case err != nil:
			writeError(w, http.StatusForbidden, apperr.Forbidden, ReasonURLInvalid, err.Error())
			return
		}
		v, err := load(r.Context(), g.User, g.Tenant)
		if apperr.CodeOf(err) == apperr.Unauthenticated {
			writeError(w, http.StatusForbidden, apperr.Forbidden, ReasonURLRevoked, "this file link's account is no longer active")
			return
		}
		if err != nil {
			writeFailure(w, err)
			return
		}
		s.serveReadable(w, r.WithContext(authz.NewContext(r.Context(), v)), client, id, true)
	})
}

// serveReadable serves file id when the viewer of r reads its row: 404 (a
// header download) or 403 URL_REVOKED (a signed URL) otherwise.
func (s *Service) serveReadable(w http.ResponseWriter, r *http.Request, client *ent.Client, id int, signed bool) {
	f, err := client.File.Get(r.Context(), id)
	switch {
	case ent.IsNotFound(err) && signed:
		writeError(w, http.StatusForbidden, apperr.Forbidden, ReasonURLRevoked, "this file link's account no longer reads this file")
		return
	case ent.IsNotFound(err):
		writeError(w, http.StatusNotFound, apperr.NotFound, "", "file not found")
		return
	case err != nil:
		writeFailure(w, err)
		return
	}
	content, err := s.Store.Open(r.Context(), f.Sha256)
	if errors.Is(err, ErrNotExist) {
		// The row is there but its bytes are not (a restore without the
		// file store): the client learns the file cannot be served.
		writeError(w, http.StatusNotFound, apperr.NotFound, ReasonContentMissing, "the file's content is missing from the file store")
		return
	}
	if err != nil {
		writeFailure(w, err)
		return
	}
	defer content.Close()
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", Disposition(f.ContentType, f.Filename, r.URL.Query().Get(ParamDownload) == "1"))
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("ETag", `"`+f.Sha256+`"`)
	http.ServeContent(w, r, "", f.CreatedAt, content)
}

// Disposition is the Content-Disposition of a file of contentType named
// name: inline for images and PDF unless download, attachment otherwise.
// The name goes out twice (RFC 6266): an ASCII fallback in filename and
// the UTF-8 name in filename* (RFC 5987), so Chinese names survive.
func Disposition(contentType, name string, download bool) string {
	kind := "attachment"
	if ct, _, _ := mime.ParseMediaType(contentType); inlineTypes[ct] && !download {
		kind = "inline"
	}
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	return kind + `; filename="` + fallback + `"; filename*=UTF-8''` + extValue(name)
}

// extValue percent-encodes s as an RFC 5987 ext-value: every byte outside
// attr-char.
func extValue(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
