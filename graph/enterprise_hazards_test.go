package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

// Unit.enterpriseHazards is a new path to hazards (an eager-loaded, windowed
// edge with a grouped total): it must show each user exactly the hazards the
// top-level, scoped hazards connection shows them, never more.
func TestEnterpriseHazardsStayInScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		for _, user := range []string{"county.head", "county.deputy.industry", "bureau.fuel", "chengguan.head", "xihe.deputy", "cement.principal", "cement.kiln.head"} {
			t.Run(user+" sees through the edge only hazards the hazards connection shows", func(t *testing.T) {
				var top struct {
					Hazards struct {
						Edges []struct{ Node struct{ ID string } }
					}
				}
				s.MustDo(s.As(user), `query { hazards(first: 500) { edges { node { id } } } }`, nil).Decode(t, &top)
				visible := map[string]bool{}
				for _, e := range top.Hazards.Edges {
					visible[e.Node.ID] = true
				}
				var nested struct {
					Units struct {
						Edges []struct {
							Node struct {
								EnterpriseHazards struct {
									TotalCount int
									Edges      []struct{ Node struct{ ID string } }
								}
							}
						}
					}
				}
				s.MustDo(s.As(user), `query { units(first: 60, where: {kind: ENTERPRISE}) { edges { node {
					enterpriseHazards(first: 60) { totalCount edges { node { id } } } } } } }`, nil).Decode(t, &nested)
				require.Less(t, len(nested.Units.Edges), 60, "the page holds every enterprise")
				seen := 0
				for _, u := range nested.Units.Edges {
					eh := u.Node.EnterpriseHazards
					require.Less(t, eh.TotalCount, 60, "the nested page holds every hazard")
					require.Equal(t, len(eh.Edges), eh.TotalCount, "the nested total counts what the nested page shows")
					for _, h := range eh.Edges {
						require.True(t, visible[h.Node.ID], "hazard %s reached through enterpriseHazards is outside the scope", h.Node.ID)
						seen++
					}
				}
				if user == "county.head" || user == "chengguan.head" || user == "cement.principal" {
					// Their scope holds whole enterprises: every hazard they see belongs to one.
					require.NotEmpty(t, visible)
					require.Equal(t, len(visible), seen, "every visible hazard is reached through its enterprise")
				}
			})
		}
	})
}
