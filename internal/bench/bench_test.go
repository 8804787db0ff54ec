package bench_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/bench"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/synth"
	"github.com/dutychain/dutychain/internal/testdb"
)

// wantStatements is what one request of each scenario costs, loading the
// viewer included. A change here is a regression (or an improvement to
// record in docs/PERFORMANCE.md). The transition's 13: the 12 it cost
// before the hazard tallies (their triggers add no statement to a write)
// and one for the live-change events, which list the ids a conditional
// update matched before it runs.
var wantStatements = map[string]map[string]int{
	dialect.Postgres: {"list": 3, "dashboard": 2, "count": 2, "nested": 5, "cross-scope": 2, "transition": 13},
	dialect.SQLite:   {"list": 3, "dashboard": 2, "count": 2, "nested": 5, "cross-scope": 2, "transition": 13},
}

// A short run of the harness at small scale: every deterministic check of a
// real run (floors answer like the API, cross-scope ids refused, no per-row
// authorization, statements bounded and independent of the page size) and
// the exact statement count of every scenario. Latency is not checked here.
func TestSmallBenchmarkRunKeepsItsStatementCounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		opts := synth.DefaultOptions()
		opts.Towns, opts.Enterprises, opts.Hazards = 3, 30, 1500
		_, err := synth.Generate(ctx, d, opts)
		require.NoError(t, err)
		s := apitest.Start(t, d, func(c *config.Config) { c.StatementHeader = true })

		o := bench.Options{
			DB: d, ServerURL: s.HTTP.URL, AdminURL: s.Admin.URL, Password: synth.Password,
			Samples: 3, Warmup: 1, Duration: 300 * time.Millisecond, Concurrency: 4, Out: io.Discard,
		}
		if d.Dialect == dialect.Postgres {
			h, err := bench.NewFloorHandler(ctx, d, "synth", []string{"c01.head", "c01.deputy.industry", "c01.t001.head", "c01.e00001.principal"},
				slog.New(slog.DiscardHandler))
			require.NoError(t, err)
			floor := httptest.NewServer(h)
			t.Cleanup(floor.Close)
			o.FloorURL = floor.URL
		}
		rep, err := bench.Run(ctx, o)
		require.NoError(t, err, "a deterministic check failed")

		for scenario, want := range wantStatements[d.Dialect] {
			for _, level := range []string{bench.LevelCounty, bench.LevelDeputy, bench.LevelTown, bench.LevelEnterprise} {
				r, ok := rep.Find(scenario, level, "api")
				if !ok {
					continue
				}
				require.Equal(t, want, r.Statements, "%s as %s", scenario, level)
				if !r.Mutation {
					require.Zero(t, r.Decisions, "%s as %s: per-object decisions", scenario, level)
				}
			}
		}
		require.Len(t, rep.Probes, 4)
		for _, p := range rep.Probes {
			require.Equal(t, []int{5, 5, 5}, p.Statements, "nested as %s at pages %v", p.Level, p.PageSizes)
		}
		if d.Dialect == dialect.Postgres {
			_, ok := rep.Find("list", bench.LevelTown, "handler")
			require.True(t, ok, "the floors ran")
		}

		o.Scenarios = []string{"count"}
		rep, err = bench.Run(ctx, o)
		require.NoError(t, err, "a run of one scenario")
		require.NotEmpty(t, rep.Results)
		for _, r := range rep.Results {
			require.Equal(t, "count", r.Scenario, "only the named scenario is measured")
		}
		require.Empty(t, rep.Probes, "the nested probes belong to the nested scenario")
	})
}
