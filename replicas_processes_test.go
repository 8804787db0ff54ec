package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/files/s3test"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// envRunServer makes the test binary run `dutychain <args>` instead of the
// tests (TestMain), so that a test can start real server processes without
// building the binary first. The arguments come from envServerArgs.
const (
	envRunServer  = "DUTYCHAIN_TEST_RUN_SERVER"
	envServerArgs = "DUTYCHAIN_TEST_SERVER_ARGS"
	envReadURL    = "DUTYCHAIN_TEST_POSTGRES_READ_URL"
)

func TestMain(m *testing.M) {
	if os.Getenv(envRunServer) == "1" {
		var args []string
		if err := json.Unmarshal([]byte(os.Getenv(envServerArgs)), &args); err != nil {
			fmt.Fprintln(os.Stderr, "server args:", err)
			os.Exit(2)
		}
		os.Args = append([]string{"dutychain"}, args...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverProcess is one `dutychain serve` child process.
type serverProcess struct {
	base  string
	admin string // the admin address's base URL (/metrics)
	cmd   *exec.Cmd
	logs  *bytes.Buffer
}

// startServerProcess runs `dutychain serve args…` as a child process of the
// test binary and waits until /readyz answers 200.
func startServerProcess(t *testing.T, env []string, args ...string) *serverProcess {
	t.Helper()
	addr, adminAddr := freeAddr(t), freeAddr(t)
	all := append([]string{"serve", "--addr", addr, "--admin-addr", adminAddr, "--log-level", "warn", "--data-dir", t.TempDir()}, args...)
	encoded, err := json.Marshal(all)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(env, envRunServer+"=1", envServerArgs+"="+string(encoded))
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	p := &serverProcess{base: "http://" + addr, admin: "http://" + adminAddr, cmd: cmd, logs: logs}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("server %s logs:\n%s", addr, logs.String())
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for {
		res, err := http.Get(p.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-exited:
			t.Fatalf("server process exited before it was ready: %v\n%s", waitErr, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server process did not become ready:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// processBalancer is a client behind a round-robin load balancer in front of
// server processes; it keeps cookies as a browser does (the read-your-writes
// position travels in one).
type processBalancer struct {
	t       *testing.T
	servers []*serverProcess
	next    int
	client  *http.Client
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r *gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (lb *processBalancer) turn() *serverProcess {
	s := lb.servers[lb.next%len(lb.servers)]
	lb.next++
	return s
}

func (lb *processBalancer) send(s *serverProcess, token, contentType string, body []byte) (*gqlResponse, http.Header) {
	lb.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.base+"/graphql", bytes.NewReader(body))
	require.NoError(lb.t, err)
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := lb.client.Do(req)
	require.NoError(lb.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(lb.t, err)
	var out gqlResponse
	require.NoError(lb.t, json.Unmarshal(raw, &out), "%s", raw)
	return &out, res.Header
}

func (lb *processBalancer) doOn(s *serverProcess, token, query string, vars map[string]any) (*gqlResponse, http.Header) {
	lb.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(lb.t, err)
	return lb.send(s, token, "application/json", body)
}

func (lb *processBalancer) do(token, query string, vars map[string]any) (*gqlResponse, http.Header) {
	lb.t.Helper()
	return lb.doOn(lb.turn(), token, query, vars)
}

// mustDo is do, failing on any GraphQL error, decoding the data into out.
func (lb *processBalancer) mustDo(token, query string, vars map[string]any, out any) http.Header {
	lb.t.Helper()
	r, h := lb.do(token, query, vars)
	require.Empty(lb.t, r.Errors, "query: %s", query)
	if out != nil {
		require.NoError(lb.t, json.Unmarshal(r.Data, out))
	}
	return h
}

func (lb *processBalancer) login(username string) string {
	lb.t.Helper()
	var out struct{ Login struct{ AccessToken string } }
	lb.mustDo("", `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{"tenant": "demo", "username": username, "password": seed.DemoPassword}}, &out)
	return out.Login.AccessToken
}

// childEnv is the test's environment without the settings a server would
// otherwise take from it, plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "DUTYCHAIN_") || name == "DATABASE_URL" || name == "DATABASE_READ_URL" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func databaseURL(t *testing.T, rawURL, name string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}

// TestThreeServerProcessesOnOnePrimaryWithAStreamingReplica is the
// deployment of docs/DEPLOY.md as processes: three `dutychain serve`
// processes on one PostgreSQL primary, reading from its streaming replica,
// storing files in one S3-compatible bucket, sharing one signing identity,
// behind a round-robin client. Nothing is shared but the database, the
// bucket and the configuration.
// waitForReplica waits until the process's /readyz reports its read replica
// usable.
func waitForReplica(t *testing.T, s *serverProcess) {
	t.Helper()
	var last string
	// The replica replays the new database behind the rest of the WAL, and
	// replay may wait for other tests' queries on the standby up to
	// PostgreSQL's max_standby_streaming_delay (30 s by default).
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		res, err := http.Get(s.base + "/readyz")
		if err != nil {
			last = err.Error()
			continue
		}
		var ready struct{ Checks map[string]string }
		err = json.NewDecoder(res.Body).Decode(&ready)
		res.Body.Close()
		if err == nil && ready.Checks["replica"] == "ok" {
			return
		}
		last = fmt.Sprintf("%v %q", err, ready.Checks["replica"])
	}
	t.Fatalf("%s: the read replica did not become usable within 60 s: %s", s.base, last)
}

func TestThreeServerProcessesOnOnePrimaryWithAStreamingReplica(t *testing.T) {
	primaryAdmin, replicaAdmin := os.Getenv(testdb.EnvPostgresURL), os.Getenv(envReadURL)
	if primaryAdmin == "" || replicaAdmin == "" {
		t.Skip("no streaming replica configured: run with ./scripts/with-postgres.sh --replica (./scripts/test.sh does)")
	}
	template := apitest.Demo.Open(t, "postgres")
	var name string
	require.NoError(t, template.SQL.QueryRowContext(context.Background(), "SELECT current_database()").Scan(&name))
	primaryURL, replicaURL := databaseURL(t, primaryAdmin, name), databaseURL(t, replicaAdmin, name)
	bucket := s3test.Bucket(t, "three-processes") // sets the AWS credentials the children inherit
	fileSecret := filepath.Join(t.TempDir(), "file-url.secret")
	require.NoError(t, os.WriteFile(fileSecret, bytes.Repeat([]byte("s"), 32), 0o600))
	env := childEnv("DUTYCHAIN_JWT_KEY_SECRET=" + apitest.TestKeySecret)
	args := []string{
		"--database-url", primaryURL, "--database-read-url", replicaURL,
		"--files-url", bucket, "--file-url-secret-file", fileSecret,
		"--policy-poll", "100ms", "--rate-limits=false",
		// The suite's other packages create and drop databases on the same
		// primary meanwhile, and the replica replays those copies one by one:
		// under that load it can lag seconds behind. The bounds here let the
		// read-your-writes test see the wait succeed rather than its fallback.
		"--replica-max-lag", "1m", "--replica-wait", "10s",
	}
	var servers []*serverProcess
	for range 3 {
		servers = append(servers, startServerProcess(t, env, args...))
	}
	for _, s := range servers {
		// The database was created on the primary just now; a process
		// reads from the replica once its monitor sees the replica has it.
		waitForReplica(t, s)
	}
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	lb := &processBalancer{t: t, servers: servers, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	head := lb.login("county.head")

	unitID := func(code string) string {
		var out struct {
			Units struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		lb.mustDo(head, `query($c: String!) { units(where: {code: $c}) { edges { node { id } } } }`, map[string]any{"c": code}, &out)
		require.Len(t, out.Units.Edges, 1)
		return out.Units.Edges[0].Node.ID
	}
	reportHazard := func(subject, description string) string {
		var out struct {
			ReportHazard struct{ Hazard struct{ ID string } }
		}
		lb.mustDo(head, `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id } } }`, map[string]any{"in": map[string]any{
			"subjectID": subject, "source": "REPORT", "level": "GENERAL", "category": "消防安全",
			"description": description, "deadline": "2030-01-01T00:00:00Z"}}, &out)
		return out.ReportHazard.Hazard.ID
	}

	t.Run("a file uploaded through one process downloads through the next", func(t *testing.T) {
		var letters struct {
			ResponsibilityLetters struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		lb.mustDo(head, `{ responsibilityLetters(first: 1, where: {year: 2022, stateNEQ: REVOKED}) { edges { node { id } } } }`, nil, &letters)
		require.Len(t, letters.ResponsibilityLetters.Edges, 1)
		content := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
		ct, body := apitest.MultipartBody(`mutation($id: ID!, $file: Upload!) { attachLetterFile(input: {letterID: $id, file: $file}) { file { id } } }`,
			map[string]any{"id": letters.ResponsibilityLetters.Edges[0].Node.ID, "file": nil},
			map[string]apitest.File{"variables.file": {Name: "签字件.pdf", Content: content}})
		r, _ := lb.send(lb.turn(), head, ct, body)
		require.Empty(t, r.Errors)
		var out struct {
			AttachLetterFile struct{ File struct{ ID string } }
		}
		require.NoError(t, json.Unmarshal(r.Data, &out))
		for range servers {
			req, err := http.NewRequest(http.MethodGet, lb.turn().base+"/files/"+out.AttachLetterFile.File.ID, nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+head)
			res, err := lb.client.Do(req)
			require.NoError(t, err)
			got, err := io.ReadAll(res.Body)
			res.Body.Close()
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, res.StatusCode, "%s", got)
			require.Equal(t, content, got)
		}
	})

	t.Run("a hazard total is exact on every process right after a write through another", func(t *testing.T) {
		total := func(s *serverProcess) int {
			r, _ := lb.doOn(s, head, `{ hazards { totalCount } }`, nil)
			require.Empty(t, r.Errors)
			var out struct{ Hazards struct{ TotalCount int } }
			require.NoError(t, json.Unmarshal(r.Data, &out))
			return out.Hazards.TotalCount
		}
		before := total(servers[0])
		for _, s := range servers {
			require.Equal(t, before, total(s), "every process counts the same before the write")
		}
		reportHazard(unitID(seed.CodeCement), "三进程计数")
		for _, s := range servers {
			require.Equal(t, before+1, total(s), "%s counts the write at once", s.base)
		}
	})

	t.Run("the caller's own write is read back at once through every process", func(t *testing.T) {
		description := fmt.Sprintf("读己之写 %d", time.Now().UnixNano())
		id := reportHazard(unitID(seed.CodePaper), description)
		for _, s := range servers {
			r, h := lb.doOn(s, head, `query($id: ID!) { node(id: $id) { ... on Hazard { description } } }`, map[string]any{"id": id})
			require.Empty(t, r.Errors)
			var got struct{ Node *struct{ Description string } }
			require.NoError(t, json.Unmarshal(r.Data, &got))
			require.NotNil(t, got.Node, "%s finds the new hazard", s.base)
			require.Equal(t, description, got.Node.Description)
			require.Equal(t, "replica", h.Get("Dutychain-Read-Source"), "the read waited for the replica instead of leaving it")
		}
	})

	t.Run("a policy change made through one process is effective on the others", func(t *testing.T) {
		admin := lb.login("admin")
		rule := map[string]any{"r": map[string]any{"role": "ADMIN", "object": "user", "action": "create"}}
		lb.mustDo(admin, `mutation($r: RemovePolicyRuleInput!) { removePolicyRule(input: $r) { rules { role } } }`, rule, nil)
		t.Cleanup(func() {
			lb.mustDo(admin, `mutation($r: AddPolicyRuleInput!) { addPolicyRule(input: $r) { rules { role } } }`, rule, nil)
		})
		town := unitID("TOWN-CG")
		changed := time.Now()
		for i, s := range servers {
			n := 0
			require.Eventually(t, func() bool {
				n++
				r, _ := lb.doOn(s, admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { user { id } } }`, map[string]any{"in": map[string]any{
					"username": fmt.Sprintf("proc%d.user%d", i, n), "displayName": "进程测试", "password": "process-test-password-1", "unitID": town}})
				return r.code() == "FORBIDDEN"
			}, 30*time.Second, 20*time.Millisecond, "the change reaches %s", s.base)
			t.Logf("process %d refuses %s after the change", i+1, time.Since(changed).Round(time.Millisecond))
		}
	})

	t.Run("a revoked post is refused on the very next request on every process", func(t *testing.T) {
		user := lb.login("nanshan.head")
		var me struct {
			Me struct{ Posts []struct{ ID string } }
		}
		lb.mustDo(user, `{ me { posts { id } } }`, nil, &me)
		require.Len(t, me.Me.Posts, 1)
		for _, s := range servers {
			// Each process keeps the user's viewer and, holding its viewer
			// lease, serves it without reading its generations.
			require.Eventually(t, func() bool {
				r, _ := lb.doOn(s, user, `{ me { user { username } } }`, nil)
				require.Empty(t, r.Errors)
				return s.metric(t, "dutychain_viewer_cache_unread_hits_total") > 0
			}, 20*time.Second, 10*time.Millisecond, "%s serves a kept viewer without a read", s.base)
		}
		admin := lb.login("admin")
		lb.mustDo(admin, `mutation($id: ID!) { endPost(input: {id: $id}) { post { id } } }`, map[string]any{"id": me.Me.Posts[0].ID}, nil)
		var barriers float64
		for _, s := range servers {
			barriers += s.metric(t, "dutychain_viewer_barrier_seconds_count")
		}
		require.Positive(t, barriers, "the post's end waited for every process's watch")
		for _, s := range servers {
			r, _ := lb.doOn(s, user, `{ me { user { username } } }`, nil)
			require.Equal(t, "UNAUTHENTICATED", r.code(), "%s: %+v", s.base, r.Errors)
		}
	})
}

// metric is the value of an unlabelled metric on the process's /metrics.
func (p *serverProcess) metric(t *testing.T, name string) float64 {
	t.Helper()
	res, err := http.Get(p.admin + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			require.NoError(t, err)
			return f
		}
	}
	t.Fatalf("%s: no metric %s", p.base, name)
	return 0
}
