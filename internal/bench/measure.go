package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

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
	if !slices.ContainsFunc(h.scen, func(s *scenario) bool { return s.name == "nested" }) {
		return nil
	}
	return h.probeStatements(ctx, rep)
}

// probeStatements runs the nested query at three page sizes per user and
// records the statements and per-object decisions each costs.
func (h *harness) probeStatements(ctx context.Context, rep *Report) error {
	for _, u := range h.users {
		var counts []int
		for _, size := range []int{1, 5, 20} {
			_, n, err := h.graphql(ctx, u.token, NestedDoc, map[string]any{"units": size, "hazards": size})
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

// requestMix is the request mix of the load phase, cycled by each client.
var requestMix = []string{"list", "dashboard", "list", "nested", "cross-scope", "list", "count", "transition"}

func (h *harness) loadOne(ctx context.Context, t target) (LoadResult, error) {
	byName := map[string]*scenario{}
	for _, s := range h.scen {
		byName[s.name] = s
	}
	// The mix keeps its proportions among the scenarios of the run.
	var mix []string
	for _, name := range requestMix {
		if byName[name] != nil {
			mix = append(mix, name)
		}
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
