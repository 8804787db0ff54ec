// Package apitest runs the whole server over real HTTP on a real database
// (SQLite, and PostgreSQL when available) with the demo tenants loaded, and
// sends GraphQL documents to it as a client would.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dutychain/dutychain/internal/app"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb/demodb"

	_ "github.com/dutychain/dutychain/ent/runtime"
)

// Server is a running dutychain on a test database.
type Server struct {
	T      testing.TB
	DB     *db.DB
	App    *app.App
	HTTP   *httptest.Server
	Config config.Config
	// Clock is the server's clock; tests may move it.
	Clock *Clock
	// Admin is the admin listener (/metrics, pprof when configured).
	Admin *httptest.Server

	mu       sync.Mutex
	tokens   map[string]string
	jobsOnce sync.Once
}

// StartJobs starts the server's job queue, once, without its periodic jobs
// (no reminder scan, no import sweep): queued work such as import jobs runs.
// It is stopped when the test ends, after the import jobs enqueued here.
func (s *Server) StartJobs() {
	s.T.Helper()
	s.jobsOnce.Do(func() {
		if err := s.App.Jobs.StartUnscheduled(context.Background()); err != nil {
			s.T.Fatalf("start the job queue: %v", err)
		}
		s.T.Cleanup(func() {
			s.App.Imports.Wait()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := s.App.Jobs.Stop(ctx); err != nil {
				s.T.Errorf("stop the job queue: %v", err)
			}
		})
	})
}

// Clock is a settable clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		return time.Now()
	}
	return c.now
}

// Set fixes the clock at t (zero: follow the wall clock).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// TestKeySecret is the key secret of test servers (base64 of 32 bytes).
const TestKeySecret = "ZHV0eWNoYWluIHRlc3Qga2V5IHNlY3JldCwgMzIgYnk="

// Option adjusts the configuration before the server starts.
type Option func(*config.Config)

// Demo is the template database of the demo tenants: seeded once per test
// process and dialect, copied for each server.
var Demo = demodb.Template

// Start runs a server on d with the demo tenants loaded.
func Start(t testing.TB, d *db.DB, opts ...Option) *Server {
	t.Helper()
	if _, err := seed.Demo(context.Background(), d.Client); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	return Serve(t, d, opts...)
}

// Serve runs a server on d, which already holds the demo tenants: a copy of
// Demo (Demo.Open, Demo.Each), which costs a file copy or CREATE DATABASE …
// TEMPLATE where Start runs the seed.
func Serve(t testing.TB, d *db.DB, opts ...Option) *Server {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.LoginMaxFailures = 1000
	cfg.RateLimits.Enabled = false // tests send far faster than people
	// Tests pin the statements of a request, which holds when a page's
	// siblings reach a loader within its wait. On a loaded 2-core CI machine
	// running both databases' halves at once, a sibling's goroutine has been
	// scheduled more than 2 ms late and split a batch; the tests pin the
	// batching, not the scheduler.
	cfg.LoaderWait = 10 * time.Millisecond
	// Servers on one database share its signing keys, as replicas do.
	cfg.JWTKeySecret = TestKeySecret
	for _, o := range opts {
		o(&cfg)
	}
	var logOut io.Writer = io.Discard
	if os.Getenv("DUTYCHAIN_TEST_LOG") != "" {
		logOut = os.Stderr // server logs of a failing test, on demand
	}
	log := slog.New(slog.NewJSONHandler(logOut, nil))
	clock := &Clock{}
	a, err := app.New(ctx, cfg, d, log, clock.Now)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	ts := httptest.NewServer(a.Handler)
	t.Cleanup(ts.Close)
	admin := httptest.NewServer(a.Admin)
	t.Cleanup(admin.Close)
	return &Server{T: t, DB: d, App: a, HTTP: ts, Admin: admin, Config: cfg, Clock: clock, tokens: map[string]string{}}
}

// Each starts a demo server on every available database, each on its own
// copy of the demo template.
func Each(t *testing.T, fn func(t *testing.T, s *Server), opts ...Option) {
	Demo.Each(t, func(t *testing.T, d *db.DB) {
		fn(t, Serve(t, d, opts...))
	})
}

// Response is a GraphQL response.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
	Status int             `json:"-"`
}

// Error is a GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns the first error's extensions.code, or "".
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Decode unmarshals data into v.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode data %s: %v", r.Data, err)
	}
}

// Do posts a GraphQL document with variables as token's bearer (token "" for
// anonymous) and returns the response.
func (s *Server) Do(token, query string, vars map[string]any) *Response {
	s.T.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		s.T.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.send(req)
}

// File is a file sent in a GraphQL multipart request.
type File struct {
	Name    string
	Content []byte
}

// MultipartBody encodes a GraphQL multipart request (the
// graphql-multipart-request spec gqlgen implements): the operation, the map
// of files to variable paths (e.g. "variables.file"), and the files.
func MultipartBody(query string, vars map[string]any, files map[string]File) (contentType string, body []byte) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	_ = w.WriteField("operations", string(ops))
	m := map[string][]string{}
	var paths []string
	for path := range files {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for i, path := range paths {
		m[strconv.Itoa(i)] = []string{path}
	}
	mb, _ := json.Marshal(m)
	_ = w.WriteField("map", string(mb))
	for i, path := range paths {
		fw, _ := w.CreateFormFile(strconv.Itoa(i), files[path].Name)
		_, _ = fw.Write(files[path].Content)
	}
	_ = w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

// DoUpload sends a GraphQL multipart request with files mapped to variable
// paths ("variables.file" → the file) and returns the response.
func (s *Server) DoUpload(token, query string, vars map[string]any, files map[string]File) *Response {
	s.T.Helper()
	ct, body := MultipartBody(query, vars, files)
	req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		s.T.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", ct)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.send(req)
}

// Get fetches path (e.g. a file URL) as token's bearer and returns the
// response and its body.
func (s *Server) Get(token, path string) (*http.Response, []byte) {
	s.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.HTTP.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.HTTP.Client().Do(req)
	if err != nil {
		s.T.Fatalf("get: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// DoRaw posts an arbitrary body and returns the raw response.
func (s *Server) DoRaw(token, contentType string, body []byte) (*http.Response, []byte) {
	s.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.HTTP.Client().Do(req)
	if err != nil {
		s.T.Fatalf("post: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func (s *Server) send(req *http.Request) *Response {
	s.T.Helper()
	res, err := s.HTTP.Client().Do(req)
	if err != nil {
		s.T.Fatalf("post: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out Response
	if err := json.Unmarshal(b, &out); err != nil {
		s.T.Fatalf("decode response (status %d): %v: %s", res.StatusCode, err, b)
	}
	out.Status = res.StatusCode
	return &out
}

// MustDo is Do that fails the test on any GraphQL error.
func (s *Server) MustDo(token, query string, vars map[string]any) *Response {
	s.T.Helper()
	r := s.Do(token, query, vars)
	if len(r.Errors) > 0 {
		s.T.Fatalf("unexpected errors: %+v\nquery: %s", r.Errors, query)
	}
	return r
}

// Login signs in a user of tenant with the demo password and returns the
// access token (cached per user).
func (s *Server) Login(tenant, username string) string {
	s.T.Helper()
	return s.LoginWith(tenant, username, seed.DemoPassword)
}

// LoginWith signs in a user of tenant with password (e.g. a synthetic
// tenant's) and returns the access token (cached per user).
func (s *Server) LoginWith(tenant, username, password string) string {
	s.T.Helper()
	key := tenant + "/" + username
	s.mu.Lock()
	tok, ok := s.tokens[key]
	s.mu.Unlock()
	if ok {
		return tok
	}
	r := s.Do("", `mutation($in: LoginInput!) { login(input: $in) { accessToken refreshToken } }`,
		map[string]any{"in": map[string]any{"tenant": tenant, "username": username, "password": password}})
	if len(r.Errors) > 0 {
		s.T.Fatalf("login %s: %+v", key, r.Errors)
	}
	var out struct {
		Login struct{ AccessToken string } `json:"login"`
	}
	r.Decode(s.T, &out)
	s.mu.Lock()
	s.tokens[key] = out.Login.AccessToken
	s.mu.Unlock()
	return out.Login.AccessToken
}

// As signs in a demo-tenant user and returns their token.
func (s *Server) As(username string) string {
	if strings.HasPrefix(username, "neighbor.") {
		return s.Login("neighbor", username)
	}
	return s.Login("demo", username)
}

// Names runs a connection query and returns the node names, following pages.
func (s *Server) Names(token, connection, where string) []string {
	s.T.Helper()
	var names []string
	after := ""
	for {
		args := "first: 500"
		if where != "" {
			args += ", where: " + where
		}
		if after != "" {
			args += fmt.Sprintf(", after: %q", after)
		}
		field := "name"
		if connection == "users" {
			field = "name: username"
		}
		if connection == "posts" {
			field = "name: title"
		}
		q := fmt.Sprintf(`{ c: %s(%s) { totalCount pageInfo { hasNextPage endCursor } edges { node { %s } } } }`, connection, args, field)
		r := s.MustDo(token, q, nil)
		var out struct {
			C struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
				Edges []struct{ Node struct{ Name string } }
			}
		}
		r.Decode(s.T, &out)
		for _, e := range out.C.Edges {
			names = append(names, e.Node.Name)
		}
		if !out.C.PageInfo.HasNextPage {
			if len(names) != out.C.TotalCount {
				s.T.Fatalf("%s: totalCount %d but %d nodes listed", connection, out.C.TotalCount, len(names))
			}
			return names
		}
		after = out.C.PageInfo.EndCursor
	}
}
