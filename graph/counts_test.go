package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

// Totals and hazardCounts (from the hazard tallies when they answer) are
// never another filter's or another viewer's, and show a commit at once.
func TestCountsStayExact(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		total := func(user, where string) int {
			t.Helper()
			r := s.Do(s.As(user), `query { hazards(first: 500, where: `+where+`) { totalCount edges { node { id } } } }`, nil)
			require.Empty(t, r.Errors)
			var out struct {
				Hazards struct {
					TotalCount int
					Edges      []struct{ Node struct{ ID string } }
				}
			}
			r.Decode(t, &out)
			require.Equal(t, len(out.Hazards.Edges), out.Hazards.TotalCount, "totalCount equals the rows of an uncut page")
			return out.Hazards.TotalCount
		}
		dashboard := func(user string) int {
			t.Helper()
			r := s.Do(s.As(user), `query { hazardCounts { state level count } }`, nil)
			require.Empty(t, r.Errors)
			var out struct{ HazardCounts []struct{ Count int } }
			r.Decode(t, &out)
			n := 0
			for _, c := range out.HazardCounts {
				n += c.Count
			}
			return n
		}
		var towns struct {
			Units struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		s.MustDo(s.As("county.head"), `query { units(where: {kind: TOWN}) { edges { node { id } } } }`, nil).Decode(t, &towns)
		require.GreaterOrEqual(t, len(towns.Units.Edges), 2)
		a, b := towns.Units.Edges[0].Node.ID, towns.Units.Edges[1].Node.ID

		t.Run("filters set by input resolvers do not share an entry", func(t *testing.T) {
			all := total("county.head", `{}`)
			inA := total("county.head", `{townID: "`+a+`"}`)
			inB := total("county.head", `{townID: "`+b+`"}`)
			require.Equal(t, inA, total("county.head", `{townID: "`+a+`"}`), "asked again")
			require.LessOrEqual(t, inA+inB, all)
			require.NotEqual(t, all, inA, "a town's count is not the county's")
		})
		t.Run("viewers with different scopes do not share an entry", func(t *testing.T) {
			require.Greater(t, total("county.head", `{}`), total("chengguan.head", `{}`))
			require.Greater(t, dashboard("county.head"), dashboard("chengguan.head"))
		})
		t.Run("a committed hazard shows at once in totalCount and hazardCounts", func(t *testing.T) {
			before, dashBefore := total("county.head", `{}`), dashboard("county.head")
			report(t, s, "county.head", "ENT-CEMENT", "REPORT", "GENERAL")
			require.Equal(t, before+1, total("county.head", `{}`))
			require.Equal(t, dashBefore+1, dashboard("county.head"))
		})
	})
}
