package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Targets of the harness (ratios measured in one run on one machine).
const (
	maxListRatioHandler = 1.5
	maxListRatioSQL     = 3.0
	maxScalingGrowth    = 1.2
	// The scale issue's per-level targets: the nested page's p50 and the
	// list's allocations per request against the handler's.
	maxNestedRatioHandler = 1.5
	maxListAllocRatio     = 3.0
	// maxCountyCountMS bounds the county's totalCount and hazardCounts p50:
	// both read the hazard tallies, exact with no cache.
	maxCountyCountMS      = 5.0
	minThroughputFraction = 0.35
	maxPeakRSSMB          = 200.0
)

// Result is one scenario × level × target of the sequential phase.
type Result struct {
	Scenario string  `json:"scenario"`
	Level    string  `json:"level"`
	Target   string  `json:"target"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	// Throughput is requests per second of one sequential client.
	Throughput   float64 `json:"throughput"`
	Statements   int     `json:"statements"`
	AllocsPerReq float64 `json:"allocs_per_request"`
	// API only: the statement bound and per-object decisions per request.
	MaxStatements int     `json:"max_statements,omitempty"`
	Decisions     float64 `json:"decisions_per_request,omitempty"`
	Mutation      bool    `json:"mutation,omitempty"`
}

func (r *Result) setLatency(lat []time.Duration) {
	r.P50, r.P95, r.P99 = percentiles(lat)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	if sum > 0 {
		r.Throughput = float64(len(lat)) / sum.Seconds()
	}
}

// Probe is the nested query's statement count at several page sizes.
type Probe struct {
	Level      string `json:"level"`
	PageSizes  []int  `json:"page_sizes"`
	Statements []int  `json:"statements"`
}

// LoadResult is the load phase against one target.
type LoadResult struct {
	Target      string  `json:"target"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	Requests    int     `json:"requests"`
	Throughput  float64 `json:"throughput"`
	P50         float64 `json:"p50_ms"`
	P95         float64 `json:"p95_ms"`
	P99         float64 `json:"p99_ms"`
}

// Check is one target or fact with its verdict.
type Check struct {
	Name string `json:"name"`
	// Deterministic checks fail every run; the others only in --check mode.
	Deterministic bool   `json:"deterministic"`
	Pass          bool   `json:"pass"`
	Detail        string `json:"detail"`
}

// Report is everything one run measured.
type Report struct {
	Machine     string       `json:"machine"`
	Started     time.Time    `json:"started"`
	Hazards     int          `json:"hazards"`
	Concurrency int          `json:"concurrency"`
	Samples     int          `json:"samples"`
	Results     []Result     `json:"results"`
	Probes      []Probe      `json:"probes"`
	Load        []LoadResult `json:"load"`
	PeakRSSMB   float64      `json:"peak_rss_mb"`
	Checks      []Check      `json:"checks"`
	Failures    []string     `json:"failures,omitempty"`
}

// fail records a deterministic failure found while measuring.
func (r *Report) fail(format string, args ...any) {
	r.Failures = append(r.Failures, fmt.Sprintf(format, args...))
}

func (r *Report) check(name string, deterministic, pass bool, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, Deterministic: deterministic, Pass: pass, Detail: fmt.Sprintf(format, args...)})
}

// Find returns the result of scenario × level × target, if measured.
func (r *Report) Find(scenario, level, target string) (Result, bool) {
	for _, x := range r.Results {
		if x.Scenario == scenario && x.Level == level && x.Target == target {
			return x, true
		}
	}
	return Result{}, false
}

func (r *Report) sumP50(scenario, target string) (float64, bool) {
	var sum float64
	found := false
	for _, x := range r.Results {
		if x.Scenario == scenario && x.Target == target {
			sum += x.P50
			found = true
		}
	}
	return sum, found
}

// evaluate turns the measurements into checks; base is an earlier report at
// a smaller scale, or nil.
func (r *Report) evaluate(base *Report) {
	for _, f := range r.Failures {
		r.check("correctness", true, false, "%s", f)
	}
	for _, x := range r.Results {
		if x.Target != string(targetAPI) || x.Mutation {
			continue
		}
		r.check(fmt.Sprintf("%s as %s: statements ≤ depth + 1 + totals", x.Scenario, x.Level), true,
			x.Statements <= x.MaxStatements, "%d statements (bound %d)", x.Statements, x.MaxStatements)
		r.check(fmt.Sprintf("%s as %s: no per-row authorization", x.Scenario, x.Level), true,
			x.Decisions == 0, "%.2f decisions per request", x.Decisions)
	}
	for _, p := range r.Probes {
		same := true
		for _, n := range p.Statements {
			same = same && n == p.Statements[0]
		}
		r.check(fmt.Sprintf("nested as %s: statements independent of page size", p.Level), true, same,
			"pages %v → statements %v", p.PageSizes, p.Statements)
	}
	for _, sc := range []string{"list", "dashboard"} {
		api, ok := r.sumP50(sc, string(targetAPI))
		hand, okH := r.sumP50(sc, string(targetHandler))
		raw, okS := r.sumP50(sc, string(targetSQL))
		if ok && okH && okS && hand > 0 && raw > 0 {
			r.check(sc+": p50 API / handler ≤ 1.5", false, api/hand <= maxListRatioHandler, "%.2f×", api/hand)
			r.check(sc+": p50 API / raw SQL ≤ 3", false, api/raw <= maxListRatioSQL, "%.2f×", api/raw)
		}
	}
	r.evaluateLevels()
	for _, sc := range []string{"count", "dashboard"} {
		if c, ok := r.Find(sc, LevelCounty, string(targetAPI)); ok {
			r.check(fmt.Sprintf("county %s p50 ≤ %.0f ms (exact, no cache)", sc, maxCountyCountMS), false, c.P50 <= maxCountyCountMS,
				"%.2f ms over %d hazards", c.P50, r.Hazards)
		}
	}
	var api, hand *LoadResult
	for i := range r.Load {
		switch r.Load[i].Target {
		case string(targetAPI):
			api = &r.Load[i]
		case string(targetHandler):
			hand = &r.Load[i]
		}
	}
	if api != nil && hand != nil && hand.Throughput > 0 {
		f := api.Throughput / hand.Throughput
		r.check(fmt.Sprintf("throughput with %d clients ≥ 35%% of the handler's", api.Concurrency), false, f >= minThroughputFraction,
			"%.0f vs %.0f req/s = %.0f%%", api.Throughput, hand.Throughput, 100*f)
	}
	if r.PeakRSSMB > 0 {
		r.check("server peak RSS < 200 MB", false, r.PeakRSSMB < maxPeakRSSMB, "%.0f MB", r.PeakRSSMB)
	}
	if base != nil {
		for _, sc := range []string{"list", "dashboard", "nested"} {
			for _, lv := range []string{LevelTown, LevelEnterprise} {
				now, ok1 := r.Find(sc, lv, string(targetAPI))
				was, ok2 := base.Find(sc, lv, string(targetAPI))
				if ok1 && ok2 && was.P50 > 0 {
					g := now.P50 / was.P50
					r.check(fmt.Sprintf("%s as %s: p50 growth %d → %d hazards ≤ 1.2×", sc, lv, base.Hazards, r.Hazards), false,
						g <= maxScalingGrowth, "%.2f → %.2f ms = %.2f×", was.P50, now.P50, g)
				}
			}
		}
	}
}

// evaluateLevels checks, at each level measured, the nested p50 (API ≤ 1.5
// × handler) and the list's allocations per request (API ≤ 3 × handler). A
// level is skipped when either side is missing or zero.
func (r *Report) evaluateLevels() {
	for _, x := range r.Results {
		if x.Target != string(targetAPI) || (x.Scenario != "nested" && x.Scenario != "list") {
			continue
		}
		h, ok := r.Find(x.Scenario, x.Level, string(targetHandler))
		if !ok {
			continue
		}
		switch x.Scenario {
		case "nested":
			if x.P50 > 0 && h.P50 > 0 {
				f := x.P50 / h.P50
				r.check(fmt.Sprintf("nested as %s: p50 API / handler ≤ 1.5", x.Level), false, f <= maxNestedRatioHandler,
					"%.2f / %.2f ms = %.2f×", x.P50, h.P50, f)
			}
		case "list":
			if x.AllocsPerReq > 0 && h.AllocsPerReq > 0 {
				f := x.AllocsPerReq / h.AllocsPerReq
				r.check(fmt.Sprintf("list as %s: allocations API / handler ≤ 3", x.Level), false, f <= maxListAllocRatio,
					"%.0f / %.0f per request = %.2f×", x.AllocsPerReq, h.AllocsPerReq, f)
			}
		}
	}
}

// verdict is the run's error: deterministic failures always, missed targets
// in check mode.
func (r *Report) verdict(check bool) error {
	var failed []string
	for _, c := range r.Checks {
		if !c.Pass && (c.Deterministic || check) {
			failed = append(failed, c.Name+": "+c.Detail)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d checks failed:\n  %s", len(failed), strings.Join(failed, "\n  "))
	}
	return nil
}

// Print writes the report as tables.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "dutychain benchmark — %s\n%s; %d hazards; %d sequential samples per cell\n\n",
		r.Started.Format(time.RFC3339), r.Machine, r.Hazards, r.Samples)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tlevel\ttarget\tp50 ms\tp95 ms\tp99 ms\treq/s\tstatements\tallocs/req\tAPI/floor p50\t")
	for _, x := range r.Results {
		ratio := ""
		if x.Target != string(targetAPI) {
			if a, ok := r.Find(x.Scenario, x.Level, string(targetAPI)); ok && x.P50 > 0 {
				ratio = fmt.Sprintf("%.2f×", a.P50/x.P50)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.0f\t%d\t%.0f\t%s\t\n",
			x.Scenario, x.Level, x.Target, x.P50, x.P95, x.P99, x.Throughput, x.Statements, x.AllocsPerReq, ratio)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "load: target\tclients\trequests\treq/s\tp50 ms\tp95 ms\tp99 ms\t")
	for _, l := range r.Load {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t\n", l.Target, l.Concurrency, l.Requests, l.Throughput, l.P50, l.P95, l.P99)
	}
	tw.Flush()
	if r.PeakRSSMB > 0 {
		fmt.Fprintf(w, "\nserver peak RSS: %.0f MB\n", r.PeakRSSMB)
	}
	fmt.Fprintln(w, "\nchecks:")
	for _, c := range r.Checks {
		mark := "PASS"
		if !c.Pass {
			mark = "FAIL"
		}
		kind := "target"
		if c.Deterministic {
			kind = "fact"
		}
		fmt.Fprintf(w, "  %s [%s] %s: %s\n", mark, kind, c.Name, c.Detail)
	}
}

// SaveTo writes the report as JSON.
func (r *Report) SaveTo(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("save report: %w", err)
	}
	return nil
}

// LoadReport reads a report saved by SaveTo.
func LoadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	if len(r.Results) == 0 {
		return nil, errors.New("baseline " + path + " holds no results")
	}
	return &r, nil
}

// percentiles are p50, p95 and p99 in milliseconds (nearest rank).
func percentiles(lat []time.Duration) (p50, p95, p99 float64) {
	if len(lat) == 0 {
		return 0, 0, 0
	}
	s := append([]time.Duration(nil), lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	at := func(q float64) float64 {
		i := int(q*float64(len(s))+0.5) - 1
		i = min(max(i, 0), len(s)-1)
		return float64(s[i].Microseconds()) / 1000
	}
	return at(0.50), at(0.95), at(0.99)
}
