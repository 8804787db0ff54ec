// Package bench is the benchmark harness: it drives the API over
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
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

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
	// ProfileDir, when set, receives the server's CPU profile of the API
	// load phase and its allocation profile (go tool pprof).
	ProfileDir string
	// Scenarios, when set, measures only the scenarios of these names
	// (ScenarioNames); the checks of the others are left out.
	Scenarios []string
	Out       io.Writer
	Log       *slog.Logger
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
	scen, err := selectScenarios(scenarios(), o.Scenarios)
	if err != nil {
		return nil, err
	}
	h := &harness{o: o, scen: scen}
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
	rep := &Report{Machine: machine(), Started: time.Now().UTC(), Concurrency: o.Concurrency, Samples: o.Samples, Hazards: h.hazardCount(ctx)}
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

// ScenarioNames lists the scenarios a run measures by default, in order.
func ScenarioNames() []string {
	var names []string
	for _, s := range scenarios() {
		names = append(names, s.name)
	}
	return names
}

// selectScenarios keeps the scenarios of all named in names, in their
// order; no names keeps them all.
func selectScenarios(all []*scenario, names []string) ([]*scenario, error) {
	if len(names) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		if !slices.ContainsFunc(all, func(s *scenario) bool { return s.name == n }) {
			return nil, fmt.Errorf("bench: unknown scenario %q (known: %s)", n, strings.Join(ScenarioNames(), ", "))
		}
		want[n] = true
	}
	var out []*scenario
	for _, s := range all {
		if want[s.name] {
			out = append(out, s)
		}
	}
	return out, nil
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
