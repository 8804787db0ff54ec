package server_test

// CORS: the configured browser origins may call /graphql and /files; a
// preflight is answered once and cached; other origins get no CORS header.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
)

const (
	appOrigin   = "http://localhost:5173"
	otherOrigin = "https://evil.example"
)

func preflight(t *testing.T, s *apitest.Server, path, origin string) (*http.Response, []byte) {
	t.Helper()
	return exchange(t, s.HTTP.URL, http.MethodOptions, path, map[string]string{
		"Origin": origin, "Access-Control-Request-Method": "POST",
		"Access-Control-Request-Headers": "authorization, content-type, x-request-id",
	}, nil)
}

// corsHeaders returns the Access-Control-* headers of a response.
func corsHeaders(h http.Header) []string {
	var out []string
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			out = append(out, k)
		}
	}
	return out
}

func TestCORS(t *testing.T) {
	t.Run("with an allowed origin configured", func(t *testing.T) {
		apitest.Each(t, func(t *testing.T, s *apitest.Server) {
			tok := s.As("admin")
			for _, path := range []string{"/graphql", "/files/some-file"} {
				t.Run("a preflight to "+path+" from the allowed origin is 204 with methods, headers and max age", func(t *testing.T) {
					res, _ := preflight(t, s, path, appOrigin)
					require.Equal(t, http.StatusNoContent, res.StatusCode)
					h := res.Header
					require.Equal(t, appOrigin, h.Get("Access-Control-Allow-Origin"))
					require.Contains(t, h.Get("Access-Control-Allow-Methods"), "POST")
					require.Contains(t, h.Get("Access-Control-Allow-Methods"), "GET")
					for _, want := range []string{"Authorization", "Content-Type", "X-Request-Id", "Apollo-Require-Preflight"} {
						require.Contains(t, h.Get("Access-Control-Allow-Headers"), want)
					}
					require.Equal(t, "600", h.Get("Access-Control-Max-Age"))
					require.Contains(t, h.Values("Vary"), "Origin")
					require.Empty(t, h.Get("Access-Control-Allow-Credentials"), "bearer tokens, no cookies")
				})
			}
			t.Run("a query from the allowed origin may read X-Request-Id and Retry-After", func(t *testing.T) {
				res, body := exchange(t, s.HTTP.URL, http.MethodPost, "/graphql", map[string]string{
					"Origin": appOrigin, "Content-Type": "application/json", "Authorization": "Bearer " + tok,
				}, []byte(`{"query": "{ me { user { username } } }"}`))
				require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
				require.JSONEq(t, `{"me": {"user": {"username": "admin"}}}`, string(decodeFull(t, body).Data))
				require.Equal(t, appOrigin, res.Header.Get("Access-Control-Allow-Origin"))
				require.Contains(t, res.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id")
				require.Contains(t, res.Header.Get("Access-Control-Expose-Headers"), "Retry-After")
				require.Contains(t, res.Header.Values("Vary"), "Origin")
				require.NotEmpty(t, res.Header.Get("X-Request-Id"))
			})
			t.Run("a refused file download from the allowed origin still carries CORS headers, so the client can read the 401", func(t *testing.T) {
				res, _ := exchange(t, s.HTTP.URL, http.MethodGet, "/files/some-file", map[string]string{"Origin": appOrigin}, nil)
				require.Equal(t, http.StatusUnauthorized, res.StatusCode)
				require.Equal(t, appOrigin, res.Header.Get("Access-Control-Allow-Origin"))
			})
			t.Run("a preflight from another origin is refused and has no CORS header", func(t *testing.T) {
				res, _ := preflight(t, s, "/graphql", otherOrigin)
				require.Equal(t, http.StatusForbidden, res.StatusCode)
				require.Empty(t, corsHeaders(res.Header))
			})
			t.Run("a query from another origin has no CORS header", func(t *testing.T) {
				res, _ := exchange(t, s.HTTP.URL, http.MethodPost, "/graphql", map[string]string{
					"Origin": otherOrigin, "Content-Type": "application/json", "Authorization": "Bearer " + tok,
				}, []byte(`{"query": "{ me { user { username } } }"}`))
				require.Empty(t, corsHeaders(res.Header))
			})
			t.Run("an origin that differs only by port is another origin", func(t *testing.T) {
				res, _ := preflight(t, s, "/graphql", "http://localhost:5174")
				require.Empty(t, corsHeaders(res.Header))
			})
		}, func(c *config.Config) { c.CORSOrigins = []string{appOrigin}; c.CORSMaxAge = 10 * time.Minute })
	})
	t.Run("by default", func(t *testing.T) {
		apitest.Each(t, func(t *testing.T, s *apitest.Server) {
			t.Run("a preflight gets no CORS header", func(t *testing.T) {
				res, _ := preflight(t, s, "/graphql", appOrigin)
				require.Empty(t, corsHeaders(res.Header))
			})
			t.Run("a query gets no CORS header", func(t *testing.T) {
				res, _ := exchange(t, s.HTTP.URL, http.MethodPost, "/graphql", map[string]string{
					"Origin": appOrigin, "Content-Type": "application/json",
				}, []byte(`{"query": "{ __typename }"}`))
				require.Equal(t, http.StatusOK, res.StatusCode)
				require.Empty(t, corsHeaders(res.Header))
			})
		})
	})
}
