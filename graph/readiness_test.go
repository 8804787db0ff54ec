package graph_test

// Emergency readiness end to end on every available database: duty rosters
// and their gaps shown in the tenant's zone, rescue-team and reserve gaps,
// who reads them, who records them, bad input refused with a code and
// nothing written, and what the gap view costs in statements.

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

const rostersWithGaps = `query($unit: ID!) {
  dutyRostersWithGaps(unitID: $unit, from: "2022-10-01T00:00:00+08:00", to: "2022-10-08T00:00:00+08:00") {
    totalCount edges { node { title gaps { start end minutes } } }
  }
}`

const createRoster = `mutation($in: CreateDutyRosterInput!) {
  createDutyRoster(input: $in) { dutyRoster { id title shifts { leaderName staffName } gaps { start end minutes } } }
}`

type gapsOut struct {
	DutyRostersWithGaps struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				Title string
				Gaps  []struct {
					Start, End string
					Minutes    int
				}
			}
		}
	}
}

func TestReadiness(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		county := unitID(t, s, head, seed.CodeCounty)
		cg := unitID(t, s, head, seed.CodeTownChengguan)

		t.Run("the county sees the town's National Day night without staff, in China Standard Time", func(t *testing.T) {
			var out gapsOut
			gqOK(t, s, head, rostersWithGaps, map[string]any{"unit": county}).Decode(t, &out)
			require.Equal(t, 1, out.DutyRostersWithGaps.TotalCount)
			n := out.DutyRostersWithGaps.Edges[0].Node
			require.Equal(t, "城关镇2022年国庆节假期值班表", n.Title)
			require.Len(t, n.Gaps, 1)
			require.Equal(t, "2022-10-04T02:00:00+08:00", n.Gaps[0].Start)
			require.Equal(t, "2022-10-04T05:00:00+08:00", n.Gaps[0].End)
			require.Equal(t, 180, n.Gaps[0].Minutes)
		})
		t.Run("rosters are read in scope: the town its own, another town none, the neighbour not the unit", func(t *testing.T) {
			require.Equal(t, 3, totalCount(t, s, head, "dutyRosters", ""))
			require.Equal(t, 1, totalCount(t, s, s.As("chengguan.head"), "dutyRosters", ""))
			require.Equal(t, 0, totalCount(t, s, s.As("xihe.deputy"), "dutyRosters", ""))
			var out gapsOut
			gqOK(t, s, s.As("xihe.deputy"), rostersWithGaps, map[string]any{"unit": county}).Decode(t, &out)
			require.Equal(t, 0, out.DutyRostersWithGaps.TotalCount)
			requireCode(t, gq(t, s, s.As(seed.NeighborSecretary), rostersWithGaps, map[string]any{"unit": county}), "NOT_FOUND")
		})
		t.Run("the gap view costs the same statements for one roster with gaps as for several", func(t *testing.T) {
			q := fmt.Sprintf(`{ dutyRostersWithGaps(unitID: %q, from: "2022-01-01T00:00:00Z", to: "2023-01-01T00:00:00Z") { totalCount edges { node { title shifts { staffName } gaps { minutes } } } } }`, county)
			before := fewestStatementsOf(t, s, head, q)
			require.LessOrEqual(t, before, 8, "the gap view's statements")
			var made struct {
				CreateDutyRoster struct{ DutyRoster struct{ ID string } }
			}
			gqOK(t, s, s.As("chengguan.head"), createRoster, map[string]any{"in": map[string]any{
				"unitID": cg, "title": "城关镇2022年元旦值班表", "keyPeriod": "NEW_YEAR", "requiresFullCover": true,
				"periodStart": "2022-12-31T00:00:00+08:00", "periodEnd": "2023-01-01T00:00:00+08:00",
				"shifts": []any{map[string]any{"startsAt": "2022-12-31T00:00:00+08:00", "endsAt": "2022-12-31T08:00:00+08:00", "staffName": "王值班"}},
			}}).Decode(t, &made)
			require.Equal(t, before, fewestStatementsOf(t, s, head, q), "a second roster with gaps costs no statement")
		})
		t.Run("a roster across midnight with a leader and staff has its uncovered evening as a gap", func(t *testing.T) {
			var out struct {
				CreateDutyRoster struct {
					DutyRoster struct {
						Shifts []struct{ LeaderName, StaffName string }
						Gaps   []struct {
							Start, End string
							Minutes    int
						}
					}
				}
			}
			gqOK(t, s, s.As("chengguan.head"), createRoster, map[string]any{"in": map[string]any{
				"unitID": cg, "title": "城关镇2023年春节值班表", "keyPeriod": "SPRING_FESTIVAL", "requiresFullCover": true,
				"periodStart": "2023-01-21T08:00:00+08:00", "periodEnd": "2023-01-22T08:00:00+08:00",
				"shifts": []any{map[string]any{"startsAt": "2023-01-21T08:00:00+08:00", "endsAt": "2023-01-21T20:00:00+08:00",
					"leaderPostID": postOfUser(t, s, head, "chengguan.head"), "staffName": "李值班"},
					map[string]any{"startsAt": "2023-01-21T22:00:00+08:00", "endsAt": "2023-01-22T09:00:00+08:00",
						"leaderPostID": postOfUser(t, s, head, "chengguan.secretary"), "staffName": "张值班"}},
			}}).Decode(t, &out)
			r := out.CreateDutyRoster.DutyRoster
			require.Len(t, r.Shifts, 2)
			require.NotEmpty(t, r.Shifts[0].LeaderName)
			require.Len(t, r.Gaps, 1)
			require.Equal(t, "2023-01-21T20:00:00+08:00", r.Gaps[0].Start)
			require.Equal(t, "2023-01-21T22:00:00+08:00", r.Gaps[0].End)
		})
		t.Run("reserves expired or below their minimum and teams without a leader are gaps", func(t *testing.T) {
			q := fmt.Sprintf(`{ materialReserveGaps(unitID: %q, at: "2022-10-01T00:00:00+08:00") { edges { node { item } } } }`, county)
			require.ElementsMatch(t, []string{"救生衣", "排涝泵"}, itemsOf(t, s, head, q, "materialReserveGaps", "item"))
			require.Empty(t, itemsOf(t, s, s.As("chengguan.head"), q, "materialReserveGaps", "item"))
			teams := fmt.Sprintf(`{ rescueTeamGaps(unitID: %q) { edges { node { name } } } }`, county)
			require.Empty(t, itemsOf(t, s, head, teams, "rescueTeamGaps", "name"))
			gqOK(t, s, s.As("chengguan.head"), `mutation($in: CreateRescueTeamInput!) { createRescueTeam(input: $in) { rescueTeam { id } } }`,
				map[string]any{"in": map[string]any{"unitID": cg, "name": "城关镇应急救援队", "kind": "PART_TIME", "memberCount": 12}})
			require.Equal(t, []string{"城关镇应急救援队"}, itemsOf(t, s, head, teams, "rescueTeamGaps", "name"))
		})
		t.Run("refused records write nothing", func(t *testing.T) {
			before := snapshot(t, s)
			shift := func(start, end string) map[string]any {
				return map[string]any{"startsAt": start, "endsAt": end, "staffName": "王值班"}
			}
			roster := func(unit string, shifts ...any) map[string]any {
				shifts = append([]any{}, shifts...)
				return map[string]any{"in": map[string]any{"unitID": unit, "title": "值班表", "requiresFullCover": true,
					"periodStart": "2023-05-01T00:00:00Z", "periodEnd": "2023-05-02T00:00:00Z", "shifts": shifts}}
			}
			for _, c := range []struct {
				name, user, query string
				vars              map[string]any
				code              string
			}{
				{"a shift ending before it starts", "chengguan.head", createRoster,
					roster(cg, shift("2023-05-01T10:00:00Z", "2023-05-01T09:00:00Z")), "BAD_USER_INPUT"},
				{"a leader whose post the town cannot read", "chengguan.head", createRoster,
					roster(cg, map[string]any{"startsAt": "2023-05-01T00:00:00Z", "endsAt": "2023-05-01T09:00:00Z",
						"leaderPostID": postOfUser(t, s, head, "county.head")}), "NOT_FOUND"},
				{"a leader who holds no leading post", "chengguan.head", createRoster,
					roster(cg, map[string]any{"startsAt": "2023-05-01T00:00:00Z", "endsAt": "2023-05-01T09:00:00Z",
						"leaderPostID": postOfUser(t, s, head, "auditor.chengguan")}), "BAD_USER_INPUT"},
				{"a town recording the county's roster, out of its scope", "chengguan.head", createRoster, roster(county), "NOT_FOUND"},
				{"the county head recording the town's roster, not the town's own", "county.head", createRoster, roster(cg), "FORBIDDEN"},
				{"an auditor recording a roster", "auditor.county", createRoster, roster(county), "FORBIDDEN"},
				{"the neighbour recording a roster of the demo county", seed.NeighborSecretary, createRoster, roster(county), "NOT_FOUND"},
				{"a negative quantity", "county.head", `mutation($in: CreateMaterialReserveInput!) { createMaterialReserve(input: $in) { materialReserve { id } } }`,
					map[string]any{"in": map[string]any{"unitID": county, "item": "编织袋", "quantity": -1, "minimumQuantity": 0, "unitOfMeasure": "条"}}, "BAD_USER_INPUT"},
			} {
				t.Run(c.name, func(t *testing.T) {
					requireCode(t, gq(t, s, s.As(c.user), c.query, c.vars), c.code)
				})
			}
			requireUnchanged(t, s, before)
		})
	}, func(c *config.Config) { c.StatementHeader = true })
}

// itemsOf runs query as token and returns field of each node of connection.
func itemsOf(t *testing.T, s *apitest.Server, token, query, connection, field string) []string {
	t.Helper()
	var out map[string]struct {
		Edges []struct{ Node map[string]string }
	}
	gqOK(t, s, token, query, nil).Decode(t, &out)
	items := []string{}
	for _, e := range out[connection].Edges {
		items = append(items, e.Node[field])
	}
	return items
}
