package server_test

// GraphQL over HTTP: under application/json (the default) every GraphQL
// result is 200 with errors, as Apollo Client expects; under
// application/graphql-response+json the spec's status codes apply and a
// request error carries no data key.

import (
	"fmt"
	"mime"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

const graphQLResponseJSON = "application/graphql-response+json"

func TestGraphQLOverHTTPStatusCodes(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tok := s.As("admin")
		documents := []struct {
			name, query, reason string
		}{
			{"a good query", `{ me { user { username } } }`, ""},
			{"a document that does not parse", `{ me { user { username } `, "GRAPHQL_PARSE_FAILED"},
			{"a document that does not validate", `{ me { salary } }`, "GRAPHQL_VALIDATION_FAILED"},
			{"a document refused by a limit", `{ enterprises(first: 501) { totalCount } }`, "PAGE_TOO_LARGE"},
		}
		accepts := []struct {
			name, header, contentType string
		}{
			{"no Accept header", "", "application/json"},
			{"Accept: application/json", "application/json", "application/json"},
			{"Accept: " + graphQLResponseJSON, graphQLResponseJSON, graphQLResponseJSON},
			{"Apollo Client's Accept header", graphQLResponseJSON + ",application/json;q=0.9", graphQLResponseJSON},
		}
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			for _, a := range accepts {
				for _, d := range documents {
					t.Run(fmt.Sprintf("%s by %s with %s", d.name, method, a.name), func(t *testing.T) {
						res, body := graphQLRequest(t, s, method, tok, a.header, map[string]any{"query": d.query})
						mt, _, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
						require.NoError(t, err)
						require.Equal(t, a.contentType, mt)
						r := decodeFull(t, body)
						if d.reason == "" {
							require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
							require.Empty(t, r.Errors)
							require.JSONEq(t, `{"me": {"user": {"username": "admin"}}}`, string(r.Data))
							return
						}
						require.NotEmpty(t, r.Errors, "%s", body)
						require.Equal(t, "BAD_USER_INPUT", r.Code())
						require.Equal(t, d.reason, r.Errors[0].Extensions["reason"], "%s", body)
						if a.contentType == graphQLResponseJSON {
							require.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", body)
							require.False(t, r.HasData, "a request error has no data key: %s", body)
						} else {
							require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
						}
					})
				}
			}
		}
		t.Run("an error while executing is 200 with data under "+graphQLResponseJSON, func(t *testing.T) {
			res, body := graphQLRequest(t, s, http.MethodPost, "", graphQLResponseJSON, map[string]any{"query": `{ me { user { username } } }`})
			require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
			r := decodeFull(t, body)
			require.Equal(t, "UNAUTHENTICATED", r.Code())
			require.True(t, r.HasData, "an execution result keeps its data key: %s", body)
		})
		t.Run("a body that is not JSON is 400 without data under "+graphQLResponseJSON, func(t *testing.T) {
			res, body := exchange(t, s.HTTP.URL, http.MethodPost, "/graphql",
				map[string]string{"Content-Type": "application/json", "Accept": graphQLResponseJSON}, []byte(`{"query": `))
			require.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", body)
			r := decodeFull(t, body)
			require.Equal(t, "BAD_USER_INPUT", r.Code())
			require.False(t, r.HasData, "%s", body)
		})
	})
}
