package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

// exchange sends one HTTP request with the given headers to base+path and
// returns the response (body already read) and its body.
func exchange(t testing.TB, base, method, path string, header map[string]string, body []byte) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, b
}

// graphQLRequest sends params (query, variables, extensions, …) to
// /graphql by POST, or by GET with the params in the query string, as
// token's bearer with the given Accept header ("" for none).
func graphQLRequest(t testing.TB, s *apitest.Server, method, token, accept string, params map[string]any) (*http.Response, []byte) {
	t.Helper()
	h := map[string]string{}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	if accept != "" {
		h["Accept"] = accept
	}
	if method == http.MethodGet {
		q := url.Values{}
		for k, v := range params {
			if str, ok := v.(string); ok {
				q.Set(k, str)
				continue
			}
			b, err := json.Marshal(v)
			require.NoError(t, err)
			q.Set(k, string(b))
		}
		return exchange(t, s.HTTP.URL, method, "/graphql?"+q.Encode(), h, nil)
	}
	h["Content-Type"] = "application/json"
	body, err := json.Marshal(params)
	require.NoError(t, err)
	return exchange(t, s.HTTP.URL, method, "/graphql", h, body)
}

// fullResponse is a GraphQL response with its extensions and a record of
// whether the data key was present at all.
type fullResponse struct {
	apitest.Response
	Extensions map[string]json.RawMessage `json:"extensions"`
	HasData    bool                       `json:"-"`
}

func decodeFull(t testing.TB, body []byte) *fullResponse {
	t.Helper()
	var r fullResponse
	require.NoError(t, json.Unmarshal(body, &r), "body %s", body)
	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &keys))
	_, r.HasData = keys["data"]
	apitest.RequireNoLeak(t, &r.Response)
	return &r
}
