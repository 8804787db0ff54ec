package bench

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEvaluateChecksNestedP50AndListAllocationsPerLevel(t *testing.T) {
	api, hand := string(targetAPI), string(targetHandler)
	r := &Report{Results: []Result{
		{Scenario: "nested", Level: LevelCounty, Target: api, P50: 3, MaxStatements: 9},
		{Scenario: "nested", Level: LevelCounty, Target: hand, P50: 2},
		{Scenario: "nested", Level: LevelTown, Target: api, P50: 3.2, MaxStatements: 9},
		{Scenario: "nested", Level: LevelTown, Target: hand, P50: 2},
		{Scenario: "nested", Level: LevelDeputy, Target: api, P50: 3, MaxStatements: 9}, // no handler: skipped
		{Scenario: "list", Level: LevelCounty, Target: api, AllocsPerReq: 1200, MaxStatements: 3},
		{Scenario: "list", Level: LevelCounty, Target: hand, AllocsPerReq: 500},
		{Scenario: "list", Level: LevelEnterprise, Target: api, AllocsPerReq: 690, MaxStatements: 3},
		{Scenario: "list", Level: LevelEnterprise, Target: hand, AllocsPerReq: 166},
		{Scenario: "list", Level: LevelTown, Target: api, AllocsPerReq: 1200, MaxStatements: 3},
		{Scenario: "list", Level: LevelTown, Target: hand}, // zero: skipped
	}}
	r.evaluate(nil)
	got := map[string]Check{}
	for _, c := range r.Checks {
		got[c.Name] = c
	}
	want := map[string]bool{
		"nested as county: p50 API / handler ≤ 1.5":         true,
		"nested as town: p50 API / handler ≤ 1.5":           false,
		"list as county: allocations API / handler ≤ 3":     true,
		"list as enterprise: allocations API / handler ≤ 3": false,
	}
	for name, pass := range want {
		c, ok := got[name]
		require.True(t, ok, "missing check %q in %v", name, r.Checks)
		require.Equal(t, pass, c.Pass, "%s: %s", name, c.Detail)
		require.False(t, c.Deterministic, name)
	}
	require.Equal(t, "3.00 / 2.00 ms = 1.50×", got["nested as county: p50 API / handler ≤ 1.5"].Detail)
	require.Equal(t, "690 / 166 per request = 4.16×", got["list as enterprise: allocations API / handler ≤ 3"].Detail)
	for _, skipped := range []string{"nested as deputy: p50 API / handler ≤ 1.5", "list as town: allocations API / handler ≤ 3"} {
		_, ok := got[skipped]
		require.False(t, ok, "%s: a level with a side missing or zero is skipped", skipped)
	}
	require.NoError(t, r.verdict(false), "targets fail only in check mode")
	require.Error(t, r.verdict(true))
}
