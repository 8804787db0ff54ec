package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/server"
)

// assetRef matches the URL a script or stylesheet tag loads.
var assetRef = regexp.MustCompile(`<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"`)

// TestGraphiQLIsServedFromTheBinary: county networks are often isolated, so
// the page loads nothing from another host and every file it names is served
// by the server itself.
func TestGraphiQLIsServedFromTheBinary(t *testing.T) {
	// Static pages need neither a database nor a resolver behind them.
	ts := httptest.NewServer(server.New(server.Deps{
		Config: config.Default(), Resolver: &graph.Resolver{}, Log: slog.New(slog.DiscardHandler),
	}))
	defer ts.Close()
	get := func(t *testing.T, p string) (*http.Response, []byte) {
		t.Helper()
		res, err := ts.Client().Get(ts.URL + p)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, body
	}

	res, page := get(t, "/")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, res.Header.Get("Content-Type"), "text/html")
	var refs []string
	for _, m := range assetRef.FindAllStringSubmatch(string(page), -1) {
		refs = append(refs, m[1])
	}
	require.Len(t, refs, 4, "GraphiQL's script and stylesheet, React and ReactDOM: %s", page)

	t.Run("the page names no other host", func(t *testing.T) {
		for _, ref := range refs {
			require.True(t, strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//"), "not a local path: %s", ref)
			require.NotContains(t, ref, "http", ref)
		}
		require.NotContains(t, string(page), "cdn")
	})
	t.Run("the page queries this server's endpoint with the headers editor on", func(t *testing.T) {
		require.Contains(t, string(page), `new URL("/graphql"`)
		require.Contains(t, string(page), "isHeadersEditorEnabled: true")
	})
	wantType := map[string]string{".js": "text/javascript", ".css": "text/css"}
	for _, ref := range refs {
		t.Run("the page's "+path.Base(ref)+" is served with its type and a long cache", func(t *testing.T) {
			res, body := get(t, ref)
			require.Equal(t, http.StatusOK, res.StatusCode)
			require.NotEmpty(t, body)
			require.Contains(t, wantType, path.Ext(ref))
			require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), wantType[path.Ext(ref)]), res.Header.Get("Content-Type"))
			require.Contains(t, res.Header.Get("Cache-Control"), "immutable")
			require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
		})
	}
	t.Run("each package's licence is served beside it", func(t *testing.T) {
		for _, ref := range refs {
			res, body := get(t, path.Dir(ref)+"/LICENSE")
			require.Equal(t, http.StatusOK, res.StatusCode, ref)
			require.Contains(t, res.Header.Get("Content-Type"), "text/plain")
			require.Contains(t, string(body), "MIT License")
		}
	})
	t.Run("an asset directory is not listed", func(t *testing.T) {
		res, _ := get(t, path.Dir(refs[0])+"/")
		require.Equal(t, http.StatusNotFound, res.StatusCode)
	})
	t.Run("an unknown asset is 404", func(t *testing.T) {
		res, _ := get(t, "/graphiql/graphiql-0.0.0/graphiql.min.js")
		require.Equal(t, http.StatusNotFound, res.StatusCode)
	})
}
