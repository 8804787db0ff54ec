package graph_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

func TestNodesAnswerAMalformedIDWithANullEntry(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		county, town := unitID(t, s, admin, seed.CodeCounty), unitID(t, s, admin, seed.CodeTownChengguan)
		requireOneNullAt := func(t *testing.T, r *apitest.Response, want []*string) {
			t.Helper()
			require.Len(t, r.Errors, 1, "one error for the one malformed id")
			e := r.Errors[0]
			require.Equal(t, []any{"nodes", float64(2)}, e.Path)
			require.Equal(t, "BAD_USER_INPUT", e.Extensions["code"])
			require.Equal(t, "ids[2]", e.Extensions["field"])
			var out struct{ Nodes []*struct{ ID string } }
			r.Decode(t, &out)
			require.Len(t, out.Nodes, len(want))
			for i, id := range want {
				if id == nil {
					require.Nil(t, out.Nodes[i], "entry %d", i)
					continue
				}
				require.NotNil(t, out.Nodes[i], "entry %d", i)
				require.Equal(t, *id, out.Nodes[i].ID, "entry %d", i)
			}
		}

		t.Run("a malformed id in variables is null at its position, the others resolve", func(t *testing.T) {
			r := gq(t, s, admin, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
				map[string]any{"ids": []string{county, town, "not-an-id", county}})
			requireOneNullAt(t, r, []*string{&county, &town, nil, &county})
		})

		t.Run("a malformed id written in the document is null at its position", func(t *testing.T) {
			r := gq(t, s, admin, fmt.Sprintf(`{ nodes(ids: [%q, %q, "bad"]) { id } }`, town, county), nil)
			requireOneNullAt(t, r, []*string{&town, &county, nil})
		})

		t.Run("node with a malformed id still fails as a bad input", func(t *testing.T) {
			r := gq(t, s, admin, `{ node(id: "not-an-id") { id } }`, nil)
			requireCode(t, r, "BAD_USER_INPUT")
		})
	})
}
