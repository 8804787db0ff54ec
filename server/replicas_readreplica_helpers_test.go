package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

// roundRobin is a client behind a round-robin load balancer: each request
// goes to the next server, with one cookie jar (cookies ignore ports, as
// they would behind one balancer address).
type roundRobin struct {
	t       *testing.T
	servers []*apitest.Server
	next    int
	client  *http.Client
}

func newRoundRobin(t *testing.T, servers []*apitest.Server) *roundRobin {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &roundRobin{t: t, servers: servers, client: &http.Client{Jar: jar}}
}

// turn is the server of the next request.
func (rr *roundRobin) turn() *apitest.Server {
	s := rr.servers[rr.next%len(rr.servers)]
	rr.next++
	return s
}

// do sends a GraphQL request to the next server.
func (rr *roundRobin) do(token, query string, vars map[string]any) (*apitest.Response, http.Header) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(rr.t, err)
	return rr.send(rr.turn(), token, "application/json", body)
}

// upload sends a multipart GraphQL request to the next server.
func (rr *roundRobin) upload(token, query string, vars map[string]any, files map[string]apitest.File) (*apitest.Response, http.Header) {
	ct, body := apitest.MultipartBody(query, vars, files)
	return rr.send(rr.turn(), token, ct, body)
}

func (rr *roundRobin) send(s *apitest.Server, token, contentType string, body []byte) (*apitest.Response, http.Header) {
	rr.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(body))
	require.NoError(rr.t, err)
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := rr.client.Do(req)
	require.NoError(rr.t, err)
	defer res.Body.Close()
	var out apitest.Response
	require.NoError(rr.t, json.NewDecoder(res.Body).Decode(&out))
	out.Status = res.StatusCode
	return &out, res.Header
}

// get fetches path from the next server.
func (rr *roundRobin) get(token, path string) (*http.Response, []byte) {
	rr.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, rr.turn().HTTP.URL+path, nil)
	require.NoError(rr.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := rr.client.Do(req)
	require.NoError(rr.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(rr.t, err)
	return res, body
}

// login signs in through the next server.
func (rr *roundRobin) login(username, password string) string {
	rr.t.Helper()
	r, _ := rr.do("", `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{"tenant": "demo", "username": username, "password": password}})
	require.Empty(rr.t, r.Errors)
	var out struct{ Login struct{ AccessToken string } }
	r.Decode(rr.t, &out)
	return out.Login.AccessToken
}

// mustDo is do that fails the test on errors.
func (rr *roundRobin) mustDo(token, query string, vars map[string]any) (*apitest.Response, http.Header) {
	rr.t.Helper()
	r, h := rr.do(token, query, vars)
	require.Empty(rr.t, r.Errors, "query: %s", query)
	return r, h
}

// withDatabase is rawURL (a postgres:// URL) naming database name.
func withDatabase(t *testing.T, rawURL, name string) string {
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}

// metric is the value of the unlabelled (or first) sample of name in a
// Prometheus text exposition, "" when absent.
func metric(body, name string) string {
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}
