package bench

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSelectScenarios(t *testing.T) {
	names := func(ss []*scenario) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.name)
		}
		return out
	}
	tests := []struct {
		name    string
		want    []string
		got     []string
		wantErr string
	}{
		{name: "no names keeps every scenario", want: nil, got: ScenarioNames()},
		{name: "names keep their scenarios in the run's order", want: []string{"dashboard", "count", "list"}, got: []string{"list", "dashboard", "count"}},
		{name: "an unknown name is refused with the known ones", want: []string{"count", "totals"}, wantErr: `unknown scenario "totals" (known: list, dashboard, count, nested, cross-scope, transition)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := selectScenarios(scenarios(), tt.want)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.got, names(got))
		})
	}
}
