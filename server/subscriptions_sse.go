package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/apperr"
)

// serveEvents serves a subscription over server-sent events, authenticated
// by the Authorization header (authenticate has loaded the viewer). When
// the session must end (see watchSession) the stream gets a last event
// with the UNAUTHENTICATED or FORBIDDEN error and its reason, then
// "complete", and closes.
func serveEvents(d Deps, gql http.Handler, w http.ResponseWriter, r *http.Request) {
	v := authz.FromContext(r.Context())
	if v == nil || v.IsSystem() {
		gql.ServeHTTP(w, r) // answers the subscription with the authentication error
		return
	}
	claims, err := verifyBearer(r.Header.Get("Authorization"), d.Tokens)
	if err != nil {
		gql.ServeHTTP(w, r)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	sw := &sseWriter{ResponseWriter: w}
	ending := func(code int, reason string) {
		errCode := apperr.Unauthenticated
		if code == CloseForbidden {
			errCode = apperr.Forbidden
		}
		name, message, _ := strings.Cut(reason, ": ")
		sw.end(errCode, name, message)
		cancel()
	}
	ctx = graph.WithEventCheck(ctx, eventCheck(d, claims, v, ending))
	go func() {
		if code, reason, ok := watchSession(ctx, d, claims, v); ok {
			ending(code, reason)
		}
	}()
	gql.ServeHTTP(sw, r.WithContext(ctx))
}

// sseWriter serialises gqlgen's writes and the server's closing event;
// nothing is written after that event.
type sseWriter struct {
	http.ResponseWriter
	mu    sync.Mutex
	ended bool
}

func (s *sseWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return len(b), nil
	}
	return s.ResponseWriter.Write(b)
}

func (s *sseWriter) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.ResponseWriter.(http.Flusher); ok && !s.ended {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *sseWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *sseWriter) end(code apperr.Code, reason, message string) {
	body, _ := json.Marshal(map[string]any{"errors": []map[string]any{{
		"message": message, "extensions": map[string]any{"code": string(code), "reason": reason},
	}}})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	_, _ = s.ResponseWriter.Write([]byte("event: next\ndata: " + string(body) + "\n\nevent: complete\n\n"))
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	s.ended = true
}
