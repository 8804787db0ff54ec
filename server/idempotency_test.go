package server_test

// Safe retries over real HTTP, with two replicas on one database: a
// mutation retried with its Idempotency-Key runs once, whichever replica
// the retry reaches.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/server"
)

// postKeyed posts body to s as token with the Idempotency-Key key.
func postKeyed(t *testing.T, s *apitest.Server, token, key string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(server.IdempotencyKeyHeader, key)
	res, err := s.HTTP.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, out
}

// createUserBody is a createUser request for username at 城关镇 (unitID).
func createUserBody(t *testing.T, unitID, username string) []byte {
	b, err := json.Marshal(map[string]any{"query": createUserDoc, "variables": map[string]any{"in": map[string]any{
		"username": username, "displayName": "Retry test", "password": "a-long-password", "unitID": unitID}}})
	require.NoError(t, err)
	return b
}

// codeAndReason reads the first error's code and reason.
func codeAndReason(t *testing.T, body []byte) (string, string) {
	var out struct {
		Errors []struct {
			Extensions struct{ Code, Reason string }
		}
	}
	require.NoError(t, json.Unmarshal(body, &out), "%s", body)
	require.NotEmpty(t, out.Errors, "%s", body)
	return out.Errors[0].Extensions.Code, out.Errors[0].Extensions.Reason
}

func TestIdempotencyKeys(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		ttl := func(c *config.Config) { c.IdempotencyTTL = time.Hour }
		a, b := apitest.Serve(t, d, ttl), apitest.Serve(t, d, ttl)
		adminA, adminB := a.As("admin"), b.As("admin")
		var units struct {
			Units struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		a.MustDo(adminA, `{ units(where: {code: "TOWN-CG"}) { edges { node { id } } } }`, nil).Decode(t, &units)
		town := units.Units.Edges[0].Node.ID
		users := func(username string) int {
			n, err := d.Client.User.Query().Where(user.Username(username)).Count(authz.SystemContext(context.Background()))
			require.NoError(t, err)
			return n
		}
		keys := func() int {
			var n int
			require.NoError(t, d.SQL.QueryRow(`SELECT count(*) FROM idempotency_keys`).Scan(&n))
			return n
		}

		t.Run("a retried mutation writes once and gets the first response byte for byte, from either replica", func(t *testing.T) {
			body := createUserBody(t, town, "retry.once")
			first, firstBody := postKeyed(t, a, adminA, "key-once", body)
			require.Equal(t, http.StatusOK, first.StatusCode)
			var out struct{ Errors []any }
			require.NoError(t, json.Unmarshal(firstBody, &out))
			require.Empty(t, out.Errors, "%s", firstBody)
			for _, s := range []struct {
				srv   *apitest.Server
				token string
			}{{a, adminA}, {b, adminB}, {a, adminA}} {
				res, again := postKeyed(t, s.srv, s.token, "key-once", body)
				require.Equal(t, http.StatusOK, res.StatusCode)
				require.Equal(t, firstBody, again, "the retry's response is the first one")
				require.Equal(t, "true", res.Header.Get(server.IdempotentReplayedHeader))
			}
			require.Equal(t, 1, users("retry.once"), "the user is created once")
		})

		t.Run("without the header every request runs", func(t *testing.T) {
			require.Empty(t, a.Do(adminA, createUserDoc, map[string]any{"in": map[string]any{"username": "retry.free",
				"displayName": "Retry test", "password": "a-long-password", "unitID": town}}).Errors)
			require.Equal(t, "CONFLICT", a.Do(adminA, createUserDoc, map[string]any{"in": map[string]any{"username": "retry.free",
				"displayName": "Retry test", "password": "a-long-password", "unitID": town}}).Code())
		})

		t.Run("the same key with another body is refused with IDEMPOTENCY_KEY_REUSED and writes nothing", func(t *testing.T) {
			_, _ = postKeyed(t, a, adminA, "key-reused", createUserBody(t, town, "retry.first"))
			res, body := postKeyed(t, b, adminB, "key-reused", createUserBody(t, town, "retry.second"))
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
			code, reason := codeAndReason(t, body)
			require.Equal(t, []string{"BAD_USER_INPUT", server.ReasonIdempotencyKeyReused}, []string{code, reason})
			require.Equal(t, 0, users("retry.second"))
		})

		t.Run("a duplicate while the first request runs is refused with CONFLICT IN_PROGRESS", func(t *testing.T) {
			body := createUserBody(t, town, "retry.running")
			// The first request has claimed the key and not finished: its
			// row as the store writes it, on a replica still running it.
			first, firstBody := postKeyed(t, a, adminA, "key-running", body)
			require.Equal(t, http.StatusOK, first.StatusCode, "%s", firstBody)
			_, err := d.SQL.Exec(`UPDATE idempotency_keys SET status = NULL, response = NULL WHERE "key" = 'key-running'`)
			require.NoError(t, err)
			res, dup := postKeyed(t, b, adminB, "key-running", body)
			require.Equal(t, http.StatusConflict, res.StatusCode)
			require.Equal(t, "1", res.Header.Get("Retry-After"))
			code, reason := codeAndReason(t, dup)
			require.Equal(t, []string{"CONFLICT", server.ReasonInProgress}, []string{code, reason})
			require.Equal(t, 1, users("retry.running"))
		})

		t.Run("a query with a key is not stored", func(t *testing.T) {
			before := keys()
			res, _ := postKeyed(t, a, adminA, "key-query", []byte(`{"query":"{ me { user { username } } }"}`))
			require.Equal(t, http.StatusOK, res.StatusCode)
			require.Equal(t, before, keys())
		})

		t.Run("a malformed key is refused", func(t *testing.T) {
			res, body := postKeyed(t, a, adminA, "has space", createUserBody(t, town, "retry.badkey"))
			require.Equal(t, http.StatusBadRequest, res.StatusCode)
			code, reason := codeAndReason(t, body)
			require.Equal(t, []string{"BAD_USER_INPUT", server.ReasonIdempotencyKeyInvalid}, []string{code, reason})
			require.Equal(t, 0, users("retry.badkey"))
		})

		t.Run("a key lives for the configured time, then the request runs again", func(t *testing.T) {
			body := createUserBody(t, town, "retry.expired")
			_, firstBody := postKeyed(t, a, adminA, "key-expired", body)
			var lifetime int64
			require.NoError(t, d.SQL.QueryRow(`SELECT expires_at - created_at FROM idempotency_keys WHERE "key" = 'key-expired'`).Scan(&lifetime))
			require.Equal(t, time.Hour.Milliseconds(), lifetime)
			_, err := d.SQL.Exec(`UPDATE idempotency_keys SET expires_at = created_at - 1 WHERE "key" = 'key-expired'`)
			require.NoError(t, err)
			res, again := postKeyed(t, b, adminB, "key-expired", body)
			require.Empty(t, res.Header.Get(server.IdempotentReplayedHeader))
			require.NotEqual(t, firstBody, again, "the request ran again: %s", again)
			code, _ := codeAndReason(t, again)
			require.Equal(t, "CONFLICT", code, "the username is taken by the first run")
		})
	})
}
