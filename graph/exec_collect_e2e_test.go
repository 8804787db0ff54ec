package graph_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

// TestFragmentsMergedWithFieldsAnswerEachAlias guards the collected-field
// caches (internal/gqlcollect, the executor's per operation): the two
// aliases' node selections share their first and last selections and their
// length, and differ in the middle.
func TestFragmentsMergedWithFieldsAnswerEachAlias(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		token := s.As("county.head")
		for _, c := range []struct{ name, doc string }{
			{"without directives (cached across operations)", `
fragment F on HazardConnection { edges { node { id } } }
fragment G on HazardConnection { edges { node { id } } }
{ a: hazards(first: 2) { ...F edges { node { category } } ...G }
  b: hazards(first: 2) { ...F edges { node { state } } ...G } }`},
			{"with a directive (cached per operation)", `
fragment F on HazardConnection { edges { node { id } } }
fragment G on HazardConnection { edges { node { id } } }
query($t: Boolean = true) { a: hazards(first: 2) { ...F edges { node { category @include(if: $t) } } ...G }
  b: hazards(first: 2) { ...F edges { node { state @include(if: $t) } } ...G } }`},
		} {
			t.Run(c.name, func(t *testing.T) {
				for range 2 {
					r := gqOK(t, s, token, c.doc, nil)
					var data map[string]struct {
						Edges []struct{ Node map[string]any }
					}
					require.NoError(t, json.Unmarshal(r.Data, &data), "%s", r.Data)
					require.NotEmpty(t, data["a"].Edges)
					for _, e := range data["a"].Edges {
						require.Equal(t, []string{"category", "id"}, keys(e.Node), "%s", r.Data)
					}
					for _, e := range data["b"].Edges {
						require.Equal(t, []string{"id", "state"}, keys(e.Node), "%s", r.Data)
					}
				}
			})
		}
	})
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
