package server_test

// Persisted queries: automatic (APQ, as Apollo's persisted-query link speaks
// it) by default, and a persisted-only mode that runs nothing but the
// documents of a trusted file.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/server"
)

func sha(doc string) string {
	h := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(h[:])
}

// persisted is the extensions member of a persisted-query request.
func persisted(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

func TestAutomaticPersistedQueries(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tok := s.As("admin")
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			doc := `query Me` + method + ` { me { user { username } } }`
			hash := sha(doc)
			t.Run("by "+method+" a hash the server has not seen is PERSISTED_QUERY_NOT_FOUND with 200", func(t *testing.T) {
				res, body := graphQLRequest(t, s, method, tok, "", map[string]any{"extensions": persisted(hash)})
				require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
				require.Equal(t, "PERSISTED_QUERY_NOT_FOUND", decodeFull(t, body).Code(), "%s", body)
			})
			t.Run("by "+method+" the hash with its query runs and registers it", func(t *testing.T) {
				res, body := graphQLRequest(t, s, method, tok, "", map[string]any{"query": doc, "extensions": persisted(hash)})
				require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
				r := decodeFull(t, body)
				require.Empty(t, r.Errors)
				require.JSONEq(t, `{"me": {"user": {"username": "admin"}}}`, string(r.Data))
			})
			t.Run("by "+method+" then the hash alone runs the query", func(t *testing.T) {
				res, body := graphQLRequest(t, s, method, tok, "", map[string]any{"extensions": persisted(hash)})
				require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
				r := decodeFull(t, body)
				require.Empty(t, r.Errors)
				require.JSONEq(t, `{"me": {"user": {"username": "admin"}}}`, string(r.Data))
			})
		}
		t.Run("a hash that is not the query's is BAD_USER_INPUT", func(t *testing.T) {
			_, body := graphQLRequest(t, s, http.MethodPost, tok, "", map[string]any{
				"query": `{ me { user { id } } }`, "extensions": persisted(sha("something else")),
			})
			r := decodeFull(t, body)
			require.Equal(t, "BAD_USER_INPUT", r.Code(), "%s", body)
			require.Contains(t, []string{"", "null"}, string(r.Data))
		})
	})
}

func TestPersistedOnlyMode(t *testing.T) {
	const (
		login   = `mutation($in: LoginInput!) { login(input: $in) { accessToken refreshToken } }`
		trusted = `query Me { me { user { username } } }`
		other   = `{ me { user { id } } }`
	)
	file := filepath.Join(t.TempDir(), "documents.json")
	b, err := json.Marshal(map[string]string{sha(login): login, sha(trusted): trusted})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, b, 0o600))

	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tok := s.As("admin") // the login document is in the file
		ok := func(t *testing.T, body []byte) {
			t.Helper()
			r := decodeFull(t, body)
			require.Empty(t, r.Errors, "%s", body)
			require.JSONEq(t, `{"me": {"user": {"username": "admin"}}}`, string(r.Data))
		}
		notInList := func(t *testing.T, res *http.Response, body []byte) {
			t.Helper()
			require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
			r := decodeFull(t, body)
			require.Equal(t, "BAD_USER_INPUT", r.Code(), "%s", body)
			require.Equal(t, "PERSISTED_QUERY_NOT_IN_LIST", r.Errors[0].Extensions["reason"], "%s", body)
			require.Contains(t, []string{"", "null"}, string(r.Data))
		}
		t.Run("a trusted document sent by hash runs", func(t *testing.T) {
			_, body := graphQLRequest(t, s, http.MethodPost, tok, "", map[string]any{"extensions": persisted(sha(trusted))})
			ok(t, body)
		})
		t.Run("a trusted document sent by hash over GET runs", func(t *testing.T) {
			_, body := graphQLRequest(t, s, http.MethodGet, tok, "", map[string]any{"extensions": persisted(sha(trusted))})
			ok(t, body)
		})
		t.Run("a trusted document sent as text runs", func(t *testing.T) {
			_, body := graphQLRequest(t, s, http.MethodPost, tok, "", map[string]any{"query": trusted})
			ok(t, body)
		})
		t.Run("a document not in the file is refused with PERSISTED_QUERY_NOT_IN_LIST", func(t *testing.T) {
			res, body := graphQLRequest(t, s, http.MethodPost, tok, "", map[string]any{"query": other})
			notInList(t, res, body)
		})
		t.Run("an unknown hash is refused outright, not answered PERSISTED_QUERY_NOT_FOUND", func(t *testing.T) {
			res, body := graphQLRequest(t, s, http.MethodPost, tok, "", map[string]any{"extensions": persisted(sha(other))})
			notInList(t, res, body)
		})
		t.Run("registering an unknown document by APQ is refused and registers nothing", func(t *testing.T) {
			res, body := graphQLRequest(t, s, http.MethodPost, tok, "", map[string]any{"query": other, "extensions": persisted(sha(other))})
			notInList(t, res, body)
			res, body = graphQLRequest(t, s, http.MethodPost, tok, "", map[string]any{"extensions": persisted(sha(other))})
			notInList(t, res, body)
		})
	}, func(c *config.Config) { c.PersistedDocumentsFile = file })
}

func TestLoadPersistedDocuments(t *testing.T) {
	write := func(t *testing.T, docs map[string]string) string {
		f := filepath.Join(t.TempDir(), "documents.json")
		b, err := json.Marshal(docs)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(f, b, 0o600))
		return f
	}
	t.Run("a file whose keys are the documents' SHA-256 loads", func(t *testing.T) {
		docs, err := server.LoadPersistedDocuments(write(t, map[string]string{sha("{ me { id } }"): "{ me { id } }"}))
		require.NoError(t, err)
		require.Len(t, docs, 1)
	})
	t.Run("a key that is not its document's SHA-256 is refused", func(t *testing.T) {
		_, err := server.LoadPersistedDocuments(write(t, map[string]string{sha("{ a }"): "{ me { id } }"}))
		require.ErrorContains(t, err, "SHA-256")
	})
	t.Run("a file that is not a JSON object is refused", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "documents.json")
		require.NoError(t, os.WriteFile(f, []byte(`["{ me { id } }"]`), 0o600))
		_, err := server.LoadPersistedDocuments(f)
		require.ErrorContains(t, err, "JSON object")
	})
}
