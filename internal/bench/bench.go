// Package bench is the benchmark harness of issue 7: it drives the API over
// real HTTP as users of several levels and, in the same run, measures the
// floor of every request — the same SQL sent directly through database/sql +
// lib/pq, and a minimal hand-written net/http handler that runs that SQL and
// writes the same JSON — then reports latency percentiles, throughput, SQL
// statements and allocations per request and the ratios API / floor.
//
// Deterministic facts (statement counts, no per-row authorization, refused
// cross-scope ids, floor answers equal to the API's) fail every run; the
// latency, throughput and memory targets fail only in --check mode, because
// shared machines are noisy.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/internal/db"
)

// Options configure a run.
type Options struct {
	// DatabaseURL is the PostgreSQL database holding the synthetic tenant.
	DatabaseURL string
	Tenant      string
	Password    string
	Users       []User
	// Concurrency is the number of clients of the load phase.
	Concurrency int
	// Samples is the number of sequential requests per scenario, user and
	// target; Warmup are sent first and not measured.
	Samples, Warmup int
	// Duration is the length of the load phase per target.
	Duration time.Duration
	// Check turns missed latency, throughput and memory targets into a
	// failed run.
	Check bool
	// Baseline is a report saved by an earlier run at a smaller scale: the
	// scaling targets compare against it.
	Baseline string
	// Save writes the report as JSON to this file.
	Save string
	// Binary is the dutychain executable to start the server and the floor
	// from (default: this executable).
	Binary string
	// ServerURL, when set, uses a running server (statement header on)
	// instead of starting one; AdminURL is its admin address, where
	// /metrics is read. SkipFloors leaves the floors out.
	ServerURL  string
	AdminURL   string
	SkipFloors bool
	// DB and FloorURL replace the database URL and the floor process (tests
	// run everything in one process).
	DB       *db.DB
	FloorURL string
	// NoCountCache starts the server with the count cache off, so totals
	// and dashboard counts are computed on every request, as the floors do.
	NoCountCache bool
	// ProfileDir, when set, receives the server's CPU profile of the API
	// load phase and its allocation profile (go tool pprof).
	ProfileDir string
	Out        io.Writer
	Log        *slog.Logger
}

func (o *Options) defaults() {
	if o.Tenant == "" {
		o.Tenant = "synth"
	}
	if len(o.Users) == 0 {
		o.Users = DefaultUsers
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 50
	}
	if o.Samples <= 0 {
		o.Samples = 200
	}
	if o.Warmup < 0 {
		o.Warmup = 0
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
}

// benchUser is a logged-in user with their floor statements and fixtures.
type benchUser struct {
	User
	token         string
	userID        int
	postID        int
	floor         *floorSQL
	foreignHazard int
	owned         []*ownHazard
}

// target is where requests go: the API, the handler floor, or raw SQL.
type target string

const (
	targetAPI     target = "api"
	targetHandler target = "handler"
	targetSQL     target = "sql"
)

type harness struct {
	o       Options
	client  *http.Client
	api     string
	floor   string
	apiPID  int
	admin   string
	pprof   string
	users   []*benchUser
	scen    []*scenario
	d       *db.DB
	cleanup []func()
}

// Run performs a whole benchmark run and returns its report; the error is
// non-nil when a deterministic check or, in --check mode, a target failed.
func Run(ctx context.Context, o Options) (*Report, error) {
	o.defaults()
	h := &harness{o: o, scen: scenarios()}
	defer func() {
		for i := len(h.cleanup) - 1; i >= 0; i-- {
			h.cleanup[i]()
		}
	}()
	h.client = &http.Client{Transport: &http.Transport{
		MaxIdleConns: o.Concurrency * 4, MaxIdleConnsPerHost: o.Concurrency * 2, IdleConnTimeout: time.Minute,
	}, Timeout: 60 * time.Second}
	if err := h.start(ctx); err != nil {
		return nil, err
	}
	if err := h.prepareUsers(ctx); err != nil {
		return nil, err
	}
	rep := &Report{CountCache: !o.NoCountCache, Machine: machine(), Started: time.Now().UTC(), Concurrency: o.Concurrency, Samples: o.Samples, Hazards: h.hazardCount(ctx)}
	if err := h.verify(ctx, rep); err != nil {
		return rep, err
	}
	if err := h.sequential(ctx, rep); err != nil {
		return rep, err
	}
	if err := h.load(ctx, rep); err != nil {
		return rep, err
	}
	if h.apiPID != 0 {
		rep.PeakRSSMB = peakRSSMB(h.apiPID)
	}
	var base *Report
	if o.Baseline != "" {
		b, err := LoadReport(o.Baseline)
		if err != nil {
			return rep, err
		}
		base = b
	}
	rep.evaluate(base)
	rep.Print(o.Out)
	if o.Save != "" {
		if err := rep.SaveTo(o.Save); err != nil {
			return rep, err
		}
	}
	return rep, rep.verdict(o.Check)
}

// start launches the API server and the handler floor as child processes
// (so that their memory and allocations are their own) and opens the
// database for the raw-SQL floor and the fixtures.
func (h *harness) start(ctx context.Context) error {
	if h.o.DB != nil {
		h.d = h.o.DB
	} else {
		d, err := db.Open(ctx, h.o.DatabaseURL, "")
		if err != nil {
			return fmt.Errorf("open database: %w", err)
		}
		h.d = d
		h.cleanup = append(h.cleanup, func() { _ = d.Close() })
	}
	if h.d.Dialect != dialect.Postgres {
		h.o.SkipFloors = true // the floors speak lib/pq
	}
	if h.o.ServerURL != "" {
		h.api = strings.TrimRight(h.o.ServerURL, "/")
		h.admin = strings.TrimRight(h.o.AdminURL, "/")
		if !h.o.SkipFloors {
			h.floor = strings.TrimRight(h.o.FloorURL, "/")
		}
		return nil
	}
	var err error
	bin := h.o.Binary
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return fmt.Errorf("find own executable: %w", err)
		}
	}
	dataDir, err := os.MkdirTemp("", "dutychain-bench-")
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	h.cleanup = append(h.cleanup, func() { _ = os.RemoveAll(dataDir) })
	apiAddr, err := freeAddr()
	if err != nil {
		return err
	}
	adminAddr, err := freeAddr()
	if err != nil {
		return err
	}
	h.admin = "http://" + adminAddr
	serveArgs := []string{"serve", "--addr", apiAddr, "--admin-addr", adminAddr, "--data-dir", dataDir,
		"--database-url", h.o.DatabaseURL, "--seed-demo=false", "--statement-header", "--log-level", "warn",
		"--access-ttl", "6h", "--count-cache=" + strconv.FormatBool(!h.o.NoCountCache)}
	if h.o.ProfileDir != "" {
		h.pprof = h.admin
		serveArgs = append(serveArgs, "--pprof")
	}
	pid, err := h.spawn(ctx, bin, filepath.Join(dataDir, "server.log"), serveArgs...)
	if err != nil {
		return err
	}
	h.apiPID = pid
	h.api = "http://" + apiAddr
	if err := h.waitReady(ctx, h.api); err != nil {
		return fmt.Errorf("server: %w (log in %s)", err, dataDir)
	}
	if h.o.SkipFloors {
		return nil
	}
	floorAddr, err := freeAddr()
	if err != nil {
		return err
	}
	args := []string{"bench", "floor", "--addr", floorAddr, "--database-url", h.o.DatabaseURL, "--tenant", h.o.Tenant}
	for _, u := range h.o.Users {
		args = append(args, "--user", u.Level+"="+u.Username)
	}
	if _, err := h.spawn(ctx, bin, filepath.Join(dataDir, "floor.log"), args...); err != nil {
		return err
	}
	h.floor = "http://" + floorAddr
	if err := h.waitReady(ctx, h.floor); err != nil {
		return fmt.Errorf("handler floor: %w (log in %s)", err, dataDir)
	}
	return nil
}

func (h *harness) spawn(ctx context.Context, bin, logFile string, args ...string) (int, error) {
	lf, err := os.Create(logFile)
	if err != nil {
		return 0, fmt.Errorf("log file: %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	if err := cmd.Start(); err != nil {
		lf.Close()
		return 0, fmt.Errorf("start %s %s: %w", bin, args[0], err)
	}
	h.cleanup = append(h.cleanup, func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		lf.Close()
	})
	return cmd.Process.Pid, nil
}

func (h *harness) waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := h.client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("not ready after 2 minutes")
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// prepareUsers logs every user in and finds their fixtures: a hazard out of
// their scope (cross-scope refusal) and, for the town user, one open hazard
// per client to toggle supervision on.
func (h *harness) prepareUsers(ctx context.Context) error {
	sys := authz.SystemContext(ctx)
	names := make([]string, len(h.o.Users))
	for i, bu := range h.o.Users {
		names[i] = bu.Username
	}
	tenantID, viewers, err := loadViewers(ctx, h.d, h.o.Tenant, names)
	if err != nil {
		return err
	}
	for _, bu := range h.o.Users {
		lv := viewers[bu.Username]
		v := lv.viewer
		u := &benchUser{User: bu, userID: lv.userID, postID: lv.postID}
		if !h.o.SkipFloors {
			if u.floor, err = newFloorSQL(h.d.SQL, v); err != nil {
				return err
			}
		}
		if u.token, err = h.login(ctx, bu.Username); err != nil {
			return err
		}
		// A hazard of the tenant outside every grant path of the user.
		q := h.d.Client.Hazard.Query().Where(hazard.TenantID(tenantID))
		for _, g := range v.Grants {
			if !g.DirectoryOnly && g.Path != "" {
				q = q.Where(func(s *entsql.Selector) { s.Where(entsql.Not(entsql.HasPrefix(s.C(hazard.FieldScopePath), g.Path))) })
			}
		}
		if id, err := q.Order(hazard.ByID()).FirstID(sys); err == nil {
			u.foreignHazard = id
		}
		if u.Level == LevelTown {
			hs, err := h.d.Client.Hazard.Query().
				Where(hazard.TenantID(tenantID), hazard.StateNEQ(hazard.StateCLOSED), func(s *entsql.Selector) {
					v.Predicate("hazard", "supervise")(s)
				}).
				Order(hazard.ByID()).Limit(h.o.Concurrency + 1).All(sys)
			if err != nil {
				return fmt.Errorf("open hazards of %s: %w", bu.Username, err)
			}
			for _, hz := range hs {
				u.owned = append(u.owned, &ownHazard{id: hz.ID, supervised: hz.Supervised})
			}
		}
		h.users = append(h.users, u)
	}
	return nil
}

func (h *harness) hazardCount(ctx context.Context) int {
	n, _ := h.d.Client.Hazard.Query().Count(authz.SystemContext(ctx))
	return n
}

func (h *harness) login(ctx context.Context, username string) (string, error) {
	body, _, err := h.graphql(ctx, "", `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{"tenant": h.o.Tenant, "username": username, "password": h.o.Password}})
	if err != nil {
		return "", fmt.Errorf("login %s: %w", username, err)
	}
	var r struct {
		Data struct {
			Login struct {
				AccessToken string `json:"accessToken"`
			} `json:"login"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Data.Login.AccessToken == "" {
		return "", fmt.Errorf("login %s: no token in %s", username, truncate(body))
	}
	return r.Data.Login.AccessToken, nil
}

// graphql posts one operation and returns the body and the statement count
// the server reported.
func (h *harness) graphql(ctx context.Context, token, doc string, vars map[string]any) ([]byte, int, error) {
	payload, err := json.Marshal(map[string]any{"query": doc, "variables": vars})
	if err != nil {
		return nil, 0, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.api+"/graphql", bytes.NewReader(payload))
	if err != nil {
		return nil, 0, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.do(req)
}

func (h *harness) do(req *http.Request) ([]byte, int, error) {
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return body, 0, fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, resp.StatusCode, truncate(body))
	}
	n, _ := strconv.Atoi(resp.Header.Get("X-SQL-Statements"))
	return body, n, nil
}

// call sends request i of scenario s as user u to target t.
func (h *harness) call(ctx context.Context, t target, s *scenario, u *benchUser, i int) (any, int, error) {
	switch t {
	case targetAPI:
		body, n, err := h.graphql(ctx, u.token, s.doc, s.vars(u, i))
		if err != nil {
			return nil, n, err
		}
		var r struct {
			Data   json.RawMessage   `json:"data"`
			Errors []json.RawMessage `json:"errors"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, n, fmt.Errorf("decode answer: %w", err)
		}
		if len(r.Errors) > 0 && !s.wantNull {
			return nil, n, fmt.Errorf("%s as %s: %s", s.name, u.Username, truncate(body))
		}
		return r.Data, n, nil
	case targetHandler:
		method := http.MethodGet
		if s.mutation {
			method = http.MethodPost
		}
		req, err := http.NewRequestWithContext(ctx, method, h.floor+s.floorPath(u, i), nil)
		if err != nil {
			return nil, 0, fmt.Errorf("request: %w", err)
		}
		body, n, err := h.do(req)
		if err != nil {
			return nil, n, err
		}
		var r struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, n, fmt.Errorf("decode floor answer: %w", err)
		}
		return r.Data, n, nil
	default:
		return s.raw(ctx, u, i)
	}
}

// after records the effect of a successful mutation on the worker's hazard.
func after(s *scenario, u *benchUser, i int) {
	if s.mutation {
		h := u.own(i)
		h.supervised = !h.supervised
	}
}

// verify checks, before anything is timed, that each floor answers exactly
// what the API answers, that cross-scope ids are refused, and that reads
// cost a bounded number of statements whatever the page size.
func (h *harness) verify(ctx context.Context, rep *Report) error {
	for _, s := range h.scen {
		for _, u := range h.users {
			if !s.runsFor(u.Level) || (s.name == "cross-scope" && u.foreignHazard == 0) || (s.mutation && len(u.owned) == 0) {
				continue
			}
			var answers [3]any
			for k, t := range h.targets() {
				// Mutations change state: each target toggles once, then
				// the answers differ only in the supervised flag.
				data, _, err := h.call(ctx, t, s, u, 0)
				if err != nil {
					return fmt.Errorf("verify %s as %s on %s: %w", s.name, u.Username, t, err)
				}
				after(s, u, 0)
				answers[k] = normalise(data)
			}
			if s.wantNull {
				var r struct {
					Node any `json:"node"`
				}
				if b, _ := json.Marshal(answers[0]); json.Unmarshal(b, &r) != nil || r.Node != nil {
					rep.fail("cross-scope id %d was not refused to %s: %v", u.foreignHazard, u.Username, answers[0])
				}
			}
			if !s.mutation {
				for k := 1; k < len(h.targets()); k++ {
					if !reflect.DeepEqual(answers[0], answers[k]) {
						rep.fail("%s as %s: the %s floor answers differently from the API:\napi:   %s\nfloor: %s",
							s.name, u.Username, h.targets()[k], truncate(mustJSON(answers[0])), truncate(mustJSON(answers[k])))
					}
				}
			}
		}
	}
	return h.probeStatements(ctx, rep)
}

// probeStatements runs the nested query at three page sizes per user and
// records the statements and per-object decisions each costs.
func (h *harness) probeStatements(ctx context.Context, rep *Report) error {
	for _, u := range h.users {
		var counts []int
		for _, size := range []int{1, 5, 20} {
			_, n, err := h.graphql(ctx, u.token, nestedDoc, map[string]any{"units": size, "hazards": size})
			if err != nil {
				return fmt.Errorf("probe nested as %s: %w", u.Username, err)
			}
			counts = append(counts, n)
		}
		rep.Probes = append(rep.Probes, Probe{Level: u.Level, PageSizes: []int{1, 5, 20}, Statements: counts})
	}
	return nil
}

func (h *harness) targets() []target {
	if h.floor == "" {
		return []target{targetAPI}
	}
	return []target{targetAPI, targetHandler, targetSQL}
}

// sequential measures each scenario, user and target one request at a time,
// interleaving the targets so that drift of the machine hits all alike.
func (h *harness) sequential(ctx context.Context, rep *Report) error {
	for _, s := range h.scen {
		for _, u := range h.users {
			if !s.runsFor(u.Level) || (s.name == "cross-scope" && u.foreignHazard == 0) || (s.mutation && len(u.owned) == 0) {
				continue
			}
			for i := 0; i < h.o.Warmup; i++ {
				for _, t := range h.targets() {
					if _, _, err := h.call(ctx, t, s, u, 0); err != nil {
						return fmt.Errorf("warm up %s as %s on %s: %w", s.name, u.Username, t, err)
					}
					after(s, u, 0)
				}
			}
			lat := map[target][]time.Duration{}
			stmts := map[target]int{}
			before := map[target]float64{}
			for _, t := range h.targets() {
				before[t] = h.mallocs(ctx, t)
			}
			decisions := h.decisions(ctx)
			for i := 0; i < h.o.Samples; i++ {
				for _, t := range h.targets() {
					start := time.Now()
					_, n, err := h.call(ctx, t, s, u, i)
					if err != nil {
						return fmt.Errorf("%s as %s on %s: %w", s.name, u.Username, t, err)
					}
					lat[t] = append(lat[t], time.Since(start))
					after(s, u, i)
					stmts[t] = max(stmts[t], n)
				}
			}
			perReqDecisions := (h.decisions(ctx) - decisions) / float64(h.o.Samples)
			for _, t := range h.targets() {
				allocs := (h.mallocs(ctx, t) - before[t]) / float64(h.o.Samples)
				if t == targetSQL {
					allocs = h.rawAllocs(ctx, s, u)
				}
				r := Result{Scenario: s.name, Level: u.Level, Target: string(t), Statements: stmts[t], AllocsPerReq: allocs}
				r.setLatency(lat[t])
				if t == targetAPI {
					r.Decisions = perReqDecisions
					r.MaxStatements = s.depth + 1 + s.totals
					r.Mutation = s.mutation
				}
				rep.Results = append(rep.Results, r)
			}
		}
	}
	return nil
}

// rawAllocs measures the allocations of the raw-SQL floor alone (it runs in
// this process, beside the HTTP client).
func (h *harness) rawAllocs(ctx context.Context, s *scenario, u *benchUser) float64 {
	n := max(h.o.Samples/4, 10)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for i := 0; i < n; i++ {
		if _, _, err := s.raw(ctx, u, i); err != nil {
			return -1
		}
		after(s, u, i)
	}
	runtime.ReadMemStats(&m1)
	return float64(m1.Mallocs-m0.Mallocs) / float64(n)
}

// mallocs reads go_memstats_mallocs_total of a target's process.
func (h *harness) mallocs(ctx context.Context, t target) float64 {
	switch t {
	case targetAPI:
		return h.metric(ctx, h.admin, "go_memstats_mallocs_total")
	case targetHandler:
		return h.metric(ctx, h.floor, "go_memstats_mallocs_total")
	}
	return 0
}

func (h *harness) decisions(ctx context.Context) float64 {
	return h.metric(ctx, h.admin, "dutychain_authz_decisions_total")
}

// metric reads one unlabelled sample from a /metrics endpoint (0 when the
// address is unknown).
func (h *harness) metric(ctx context.Context, base, name string) float64 {
	if base == "" {
		return 0
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return f
		}
	}
	return 0
}

// load runs the request mix with Concurrency clients for Duration against
// the API and then the handler floor.
func (h *harness) load(ctx context.Context, rep *Report) error {
	for _, t := range h.targets() {
		if t == targetSQL {
			continue
		}
		lr, err := h.loadOne(ctx, t)
		if err != nil {
			return err
		}
		rep.Load = append(rep.Load, lr)
	}
	return nil
}

// mix is the request mix of the load phase, cycled by each client.
var mix = []string{"list", "dashboard", "list", "nested", "cross-scope", "list", "count", "transition"}

func (h *harness) loadOne(ctx context.Context, t target) (LoadResult, error) {
	byName := map[string]*scenario{}
	for _, s := range h.scen {
		byName[s.name] = s
	}
	var (
		mu       sync.Mutex
		lat      []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	profiled := make(chan error, 1)
	if t == targetAPI && h.pprof != "" {
		go func() {
			profiled <- h.fetchProfile(ctx, "profile?seconds="+strconv.Itoa(max(int(h.o.Duration.Seconds())-1, 1)), "cpu.pprof")
		}()
	} else {
		profiled <- nil
	}
	deadline := time.Now().Add(h.o.Duration)
	start := time.Now()
	for w := 0; w < h.o.Concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var mine []time.Duration
			for i := 0; time.Now().Before(deadline); i++ {
				s := byName[mix[(w+i)%len(mix)]]
				u := h.users[(w+i/len(mix))%len(h.users)]
				if !s.runsFor(u.Level) || (s.name == "cross-scope" && u.foreignHazard == 0) {
					u = h.userFor(s)
				}
				if u == nil || (s.mutation && len(u.owned) <= w) {
					continue
				}
				slot := i
				if s.mutation {
					slot = w // a client toggles only its own hazard
				}
				t0 := time.Now()
				_, _, err := h.call(ctx, t, s, u, slot)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("load on %s, %s as %s: %w", t, s.name, u.Username, err)
					}
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
				after(s, u, slot)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return LoadResult{}, firstErr
	}
	if err := <-profiled; err != nil {
		return LoadResult{}, err
	}
	if t == targetAPI && h.pprof != "" {
		if err := h.fetchProfile(ctx, "allocs", "allocs.pprof"); err != nil {
			return LoadResult{}, err
		}
	}
	lr := LoadResult{Target: string(t), Concurrency: h.o.Concurrency, Seconds: elapsed.Seconds(), Requests: len(lat),
		Throughput: float64(len(lat)) / elapsed.Seconds()}
	lr.P50, lr.P95, lr.P99 = percentiles(lat)
	return lr, nil
}

// fetchProfile saves one pprof profile of the server into ProfileDir.
func (h *harness) fetchProfile(ctx context.Context, what, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.pprof+"/debug/pprof/"+what, nil)
	if err != nil {
		return fmt.Errorf("profile request: %w", err)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("fetch %s profile: %w", file, err)
	}
	defer resp.Body.Close()
	if err := os.MkdirAll(h.o.ProfileDir, 0o755); err != nil {
		return fmt.Errorf("profile dir: %w", err)
	}
	f, err := os.Create(filepath.Join(h.o.ProfileDir, file))
	if err != nil {
		return fmt.Errorf("profile file: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		return fmt.Errorf("save %s: %w", file, err)
	}
	return nil
}

func (h *harness) userFor(s *scenario) *benchUser {
	for _, u := range h.users {
		if s.runsFor(u.Level) && (s.name != "cross-scope" || u.foreignHazard != 0) {
			return u
		}
	}
	return nil
}

// normalise decodes JSON into plain values so answers compare by content.
func normalise(v any) any {
	var b []byte
	switch x := v.(type) {
	case json.RawMessage:
		b = x
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return err.Error()
		}
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return string(b)
	}
	return out
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func truncate(b []byte) string {
	const n = 600
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// peakRSSMB reads a process's peak resident set (VmHWM) in MB.
func peakRSSMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// machine describes where the run happened.
func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d CPUs, %s/%s, %s", model, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}
