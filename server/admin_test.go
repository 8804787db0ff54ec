package server_test

// The admin listener: /metrics and pprof are served there, never on the
// public listener.

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
)

func TestAdminListener(t *testing.T) {
	t.Run("by default", func(t *testing.T) {
		apitest.Each(t, func(t *testing.T, s *apitest.Server) {
			doOK(t, s, s.As("admin"), `{ me { user { username } } }`, nil)
			t.Run("the public listener serves no /metrics", func(t *testing.T) {
				res, _ := exchange(t, s.HTTP.URL, http.MethodGet, "/metrics", nil, nil)
				require.Equal(t, http.StatusNotFound, res.StatusCode)
			})
			t.Run("the public listener serves no pprof", func(t *testing.T) {
				res, _ := exchange(t, s.HTTP.URL, http.MethodGet, "/debug/pprof/", nil, nil)
				require.Equal(t, http.StatusNotFound, res.StatusCode)
			})
			t.Run("the admin listener serves the public listener's metrics", func(t *testing.T) {
				res, body := exchange(t, s.Admin.URL, http.MethodGet, "/metrics", nil, nil)
				require.Equal(t, http.StatusOK, res.StatusCode)
				require.Contains(t, string(body), `dutychain_http_requests_total{code="200",route="graphql"}`)
				require.Contains(t, string(body), "go_memstats_mallocs_total")
			})
			t.Run("the admin listener serves no pprof unless asked", func(t *testing.T) {
				res, _ := exchange(t, s.Admin.URL, http.MethodGet, "/debug/pprof/", nil, nil)
				require.Equal(t, http.StatusNotFound, res.StatusCode)
			})
		})
	})
	t.Run("with pprof on and metrics off", func(t *testing.T) {
		apitest.Each(t, func(t *testing.T, s *apitest.Server) {
			t.Run("the admin listener serves pprof", func(t *testing.T) {
				res, _ := exchange(t, s.Admin.URL, http.MethodGet, "/debug/pprof/", nil, nil)
				require.Equal(t, http.StatusOK, res.StatusCode)
			})
			t.Run("the admin listener serves no /metrics", func(t *testing.T) {
				res, _ := exchange(t, s.Admin.URL, http.MethodGet, "/metrics", nil, nil)
				require.Equal(t, http.StatusNotFound, res.StatusCode)
			})
			t.Run("the public listener still serves no pprof", func(t *testing.T) {
				res, _ := exchange(t, s.HTTP.URL, http.MethodGet, "/debug/pprof/", nil, nil)
				require.Equal(t, http.StatusNotFound, res.StatusCode)
			})
		}, func(c *config.Config) { c.AdminAddr = "127.0.0.1:0"; c.Pprof = true; c.Metrics = false })
	})
}

// bodyProbe is a request body that records whether anyone read it.
type bodyProbe struct {
	r    io.Reader
	read bool
}

func (p *bodyProbe) Read(b []byte) (int, error) {
	p.read = true
	return p.r.Read(b)
}

func TestUploadsAreAuthenticatedBeforeTheBodyIsRead(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		const attach = `mutation($id: ID!, $file: Upload!) { attachLetterFile(input: {letterID: $id, file: $file}) { file { id } } }`
		ct, body := apitest.MultipartBody(attach, map[string]any{"id": "x", "file": nil},
			map[string]apitest.File{"variables.file": {Name: "a.pdf", Content: bytes.Repeat([]byte("%PDF-1.4 "), 4096)}})
		// With Expect: 100-continue the client sends the body only once the
		// server starts reading it, so an unread body is never sent.
		client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 10 * time.Second}}
		send := func(t *testing.T, token string) (*http.Response, []byte, *bodyProbe) {
			t.Helper()
			probe := &bodyProbe{r: bytes.NewReader(body)}
			req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", probe)
			require.NoError(t, err)
			req.ContentLength = int64(len(body))
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Expect", "100-continue")
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res, err := client.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			return res, b, probe
		}
		for _, c := range []struct{ name, token string }{{"without a token", ""}, {"with a forged token", "not-a-token"}} {
			t.Run("an upload "+c.name+" is UNAUTHENTICATED and its body is never read", func(t *testing.T) {
				res, b, probe := send(t, c.token)
				require.Equal(t, http.StatusUnauthorized, res.StatusCode, "%s", b)
				require.Equal(t, "UNAUTHENTICATED", decodeFull(t, b).Code(), "%s", b)
				require.False(t, probe.read, "the server asked for the body")
			})
		}
		t.Run("an upload with a valid token is read and runs", func(t *testing.T) {
			res, b, probe := send(t, s.As("admin"))
			require.True(t, probe.read)
			r := decodeFull(t, b)
			require.NotEqual(t, http.StatusUnauthorized, res.StatusCode, "%s", b)
			require.NotEqual(t, "UNAUTHENTICATED", r.Code(), "%s", b)
		})
	})
}
