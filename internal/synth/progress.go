package synth

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Counts are the rows written per table, in the order they were first written.
type Counts struct {
	tables []string
	n      map[string]int
}

func (c *Counts) add(table string, n int) {
	if c.n == nil {
		c.n = map[string]int{}
	}
	if _, ok := c.n[table]; !ok {
		c.tables = append(c.tables, table)
	}
	c.n[table] += n
}

// tally is Counts shared by the loaders of parallel workers.
type tally struct {
	mu sync.Mutex
	c  Counts
}

func (t *tally) add(table string, n int) {
	t.mu.Lock()
	t.c.add(table, n)
	t.mu.Unlock()
}

func (t *tally) total() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.c.Total()
}

// Get returns the rows written to table.
func (c Counts) Get(table string) int { return c.n[table] }

// Tables lists the tables written, in order.
func (c Counts) Tables() []string { return append([]string(nil), c.tables...) }

// Total is the number of rows written.
func (c Counts) Total() int {
	n := 0
	for _, v := range c.n {
		n += v
	}
	return n
}

// Result reports a run.
type Result struct {
	TenantID   int
	TenantCode string
	Counts     Counts
	Elapsed    time.Duration
	// TriggersSkipped is true when PostgreSQL skipped the foreign-key
	// triggers during the load (session_replication_role = replica).
	TriggersSkipped bool
}

// String is one line per table and a total with the rate.
func (r Result) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "tenant %s (id %d), synthetic:\n", r.TenantCode, r.TenantID)
	for _, t := range r.Counts.tables {
		fmt.Fprintf(&sb, "  %-24s %10d\n", t, r.Counts.n[t])
	}
	total := r.Counts.Total()
	rate := 0.0
	if s := r.Elapsed.Seconds(); s > 0 {
		rate = float64(total) / s
	}
	fmt.Fprintf(&sb, "  %-24s %10d rows in %s (%.0f rows/s)", "total", total, r.Elapsed.Round(time.Millisecond), rate)
	if r.TriggersSkipped {
		sb.WriteString("\n  (foreign-key triggers skipped during the load: session_replication_role = replica)")
	}
	return sb.String()
}

// progress shows a bar on a terminal and one line per phase elsewhere.
type progress struct {
	w       io.Writer
	bar     *progressbar.ProgressBar
	counts  *tally
	phase   string
	started time.Time
	rows    int
	done    bool
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// newProgress counts items of work toward total: units, users, posts,
// hazards (with their inspections and events) and letters (with theirs).
func newProgress(w io.Writer, total int, counts *tally) *progress {
	p := &progress{w: w, counts: counts}
	if w != nil && isTerminal(w) {
		p.bar = progressbar.NewOptions64(int64(total),
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("synthetic data"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("items"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
		)
	}
	return p
}

// begin starts a phase, ending the previous one.
func (p *progress) begin(phase string) {
	p.end()
	p.phase, p.started, p.rows = phase, time.Now(), p.counts.total()
	if p.bar != nil {
		p.bar.Describe(phase)
	}
}

// end reports the phase that ran (a line when there is no bar).
func (p *progress) end() {
	if p.phase == "" || p.w == nil || p.bar != nil {
		return
	}
	fmt.Fprintf(p.w, "synth: %-40s %10d rows  %s\n", p.phase, p.counts.total()-p.rows, time.Since(p.started).Round(time.Millisecond))
	p.phase = ""
}

func (p *progress) add(n int) {
	if p.bar != nil {
		_ = p.bar.Add(n)
	}
}

func (p *progress) finish() {
	if p.done {
		return
	}
	p.done = true
	p.end()
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
