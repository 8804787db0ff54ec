package server

// Safe retries: a client that sends a mutation with an Idempotency-Key
// header and retries it (a phone on a poor line) gets the first response
// again, and the mutation runs once. See docs/OPERATIONS.md.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apperr"
)

// IdempotencyKeyHeader names the client's key of a request.
const IdempotencyKeyHeader = "Idempotency-Key"

// IdempotentReplayedHeader is "true" on a response replayed from the store.
const IdempotentReplayedHeader = "Idempotent-Replayed"

// maxIdempotencyKey bounds a key's length (a UUID is 36 characters).
const maxIdempotencyKey = 255

// The reasons of the errors of the Idempotency-Key header.
const (
	// ReasonIdempotencyKeyInvalid: the key is empty, too long or not
	// printable ASCII.
	ReasonIdempotencyKeyInvalid = "IDEMPOTENCY_KEY_INVALID"
	// ReasonIdempotencyKeyReused: the key was used with another body.
	ReasonIdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED"
	// ReasonInProgress: the request that first used the key is still
	// running; retry shortly.
	ReasonInProgress = "IN_PROGRESS"
)

// idempotent answers a signed-in caller's JSON POST that carries an
// Idempotency-Key and a mutation: the first request with a key runs and its
// response is stored; a retry with the same key and body gets that response
// byte for byte, the same key with another body is refused. Queries,
// anonymous requests (login) and uploads (multipart bodies differ on every
// try) pass straight through.
func idempotent(store *IdempotencyStore, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, sent := r.Header[http.CanonicalHeaderKey(IdempotencyKeyHeader)]
		v := authz.FromContext(r.Context())
		if !sent || store == nil || r.Method != http.MethodPost || v == nil || v.IsSystem() || v.UserID == 0 ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) != 1 || !validIdempotencyKey(key[0]) {
			writeCoded(w, http.StatusBadRequest, &apperr.Error{Code: apperr.BadUserInput, Reason: ReasonIdempotencyKeyInvalid, Field: IdempotencyKeyHeader,
				Message: "send one Idempotency-Key of 1 to 255 printable ASCII characters, e.g. a UUID"})
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, http.StatusBadRequest, "BAD_BODY", "the request body could not be read")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if !mutates(body) {
			next.ServeHTTP(w, r)
			return
		}
		sum := sha256.Sum256(body)
		runIdempotent(store, log, w, r, v.UserID, key[0], hex.EncodeToString(sum[:]), next)
	})
}

// runIdempotent runs r under key, or answers it from the request that first
// used key.
func runIdempotent(store *IdempotencyStore, log *slog.Logger, w http.ResponseWriter, r *http.Request, user int, key, hash string, next http.Handler) {
	// The bookkeeping outlives a client that hangs up: its retry is coming.
	ctx := context.WithoutCancel(r.Context())
	claimed, prior, err := store.claim(ctx, user, key, hash)
	switch {
	case err != nil:
		log.ErrorContext(ctx, "idempotency key", "err", err)
		writeCoded(w, http.StatusServiceUnavailable, &apperr.Error{Code: apperr.Unavailable, Reason: apperr.ReasonDatabaseUnavailable,
			Message: "the request could not be recorded; retry it with the same Idempotency-Key"})
	case !claimed && prior.bodyHash != hash:
		writeCoded(w, http.StatusUnprocessableEntity, &apperr.Error{Code: apperr.BadUserInput, Reason: ReasonIdempotencyKeyReused, Field: IdempotencyKeyHeader,
			Message: "this Idempotency-Key was used for another request; use a new key for each new request"})
	case !claimed && !prior.finished:
		w.Header().Set("Retry-After", "1")
		writeCoded(w, http.StatusConflict, &apperr.Error{Code: apperr.Conflict, Reason: ReasonInProgress, Field: IdempotencyKeyHeader,
			Message: "the first request with this Idempotency-Key is still running; retry shortly"})
	case !claimed:
		w.Header().Set("Content-Type", prior.contentType)
		w.Header().Set(IdempotentReplayedHeader, "true")
		w.WriteHeader(prior.status)
		_, _ = w.Write(prior.body)
	default:
		rec := &teeWriter{ResponseWriter: w}
		completed := false
		failed := func() bool { return rec.statusCode() >= 500 || outageMet(r.Context()) }
		defer func() {
			// A server failure (or a panic) keeps nothing: the retry runs again.
			if !completed || failed() {
				if err := store.release(ctx, user, key); err != nil {
					log.ErrorContext(ctx, "idempotency key", "err", err)
				}
			}
		}()
		next.ServeHTTP(rec, r)
		completed = true
		if !failed() {
			if err := store.finish(ctx, user, key, rec.statusCode(), rec.Header().Get("Content-Type"), rec.body.Bytes()); err != nil {
				log.ErrorContext(ctx, "idempotency key", "err", err)
			}
		}
	}
}

// outageMet reports whether the request met an unavailable storage (its
// response goes out as 503).
func outageMet(ctx context.Context) bool {
	o, ok := ctx.Value(outageKey{}).(*outage)
	return ok && o.unavailable.Load()
}

// validIdempotencyKey accepts 1 to 255 printable ASCII characters.
func validIdempotencyKey(k string) bool {
	if k == "" || len(k) > maxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// graphQLRequest is what mutates reads of a JSON request.
type graphQLRequest struct {
	Query         string `json:"query"`
	OperationName string `json:"operationName"`
}

// mutates reports whether the JSON body (one request or a batch) runs a
// mutation. A body it cannot read as GraphQL with a document runs nothing
// (the server refuses it) or a persisted document whose first try is
// refused anyway: it passes through.
func mutates(body []byte) bool {
	var reqs []graphQLRequest
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if json.Unmarshal(trimmed, &reqs) != nil {
			return false
		}
	} else {
		var one graphQLRequest
		if json.Unmarshal(trimmed, &one) != nil {
			return false
		}
		reqs = []graphQLRequest{one}
	}
	for _, q := range reqs {
		if q.Query == "" {
			continue
		}
		doc, err := parser.ParseQuery(&ast.Source{Input: q.Query})
		if err != nil {
			continue
		}
		for _, op := range doc.Operations {
			if op.Operation == ast.Mutation && (q.OperationName == "" || op.Name == q.OperationName) {
				return true
			}
		}
	}
	return false
}

// teeWriter writes the response through and keeps a copy.
type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (t *teeWriter) WriteHeader(status int) {
	if t.status == 0 {
		t.status = status
	}
	t.ResponseWriter.WriteHeader(status)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	t.body.Write(b)
	return t.ResponseWriter.Write(b)
}

func (t *teeWriter) statusCode() int {
	if t.status == 0 {
		return http.StatusOK
	}
	return t.status
}

// Unwrap lets http.ResponseController reach the connection.
func (t *teeWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
