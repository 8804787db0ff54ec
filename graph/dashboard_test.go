package graph_test

// The dashboard over GraphQL on every available database: a town head's
// dashboard holds only their town, the county head's totals agree with the
// hazards list and the risk map, a town head's enforcement figures are their
// town's actions only, and a unit outside the caller's jurisdiction is
// NOT_FOUND.

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

const dashboardQuery = `query($u: ID) { dashboard(unitID: $u, from: "2022-01-01T00:00:00Z", to: "2023-01-01T00:00:00Z") {
  unit { code } year hazardTotal inspectionTotal
  hazards { month town { code } sector level state count }
  inspections { month town { code } sector type status count }
  indicators { kind numerator denominator percent source } } }`

type dashboardOut struct {
	Dashboard struct {
		Unit                         *struct{ Code string }
		Year                         int
		HazardTotal, InspectionTotal int
		Hazards                      []struct {
			Month string
			Town  *struct{ Code string }
			Count int
		}
		Inspections []struct {
			Town  *struct{ Code string }
			Count int
		}
		Indicators []struct {
			Kind        string
			Numerator   int
			Denominator *int
			Percent     *float64
			Source      string
		}
	}
}

func TestDashboard(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		chengguan := s.As("chengguan.head")
		ask := func(token string, unit any) dashboardOut {
			t.Helper()
			var out dashboardOut
			s.MustDo(token, dashboardQuery, map[string]any{"u": unit}).Decode(t, &out)
			return out
		}

		t.Run("the county head's hazard total is the hazards list's total for 2022", func(t *testing.T) {
			out := ask(head, nil).Dashboard
			var list struct{ Hazards struct{ TotalCount int } }
			s.MustDo(head, `{ hazards(where: {foundAtGTE: "2022-01-01T00:00:00Z", foundAtLT: "2023-01-01T00:00:00Z"}) { totalCount } }`, nil).Decode(t, &list)
			require.Equal(t, list.Hazards.TotalCount, out.HazardTotal)
			require.Positive(t, out.HazardTotal)
			require.Equal(t, 2022, out.Year)
			require.Nil(t, out.Unit)
			sum := 0
			for _, c := range out.Hazards {
				sum += c.Count
			}
			require.Equal(t, out.HazardTotal, sum)
			require.Len(t, out.Indicators, 13)
			for _, i := range out.Indicators {
				require.NotEmpty(t, i.Source, i.Kind)
			}
		})

		t.Run("a town head's dashboard holds only their town", func(t *testing.T) {
			for _, unit := range []any{nil, unitID(t, s, chengguan, seed.CodeTownChengguan)} {
				out := ask(chengguan, unit).Dashboard
				require.Positive(t, out.HazardTotal+out.InspectionTotal)
				for _, c := range out.Hazards {
					require.NotNil(t, c.Town)
					require.Equal(t, seed.CodeTownChengguan, c.Town.Code)
				}
				for _, c := range out.Inspections {
					require.NotNil(t, c.Town)
					require.Equal(t, seed.CodeTownChengguan, c.Town.Code)
				}
			}
		})

		t.Run("a town head's enforcement figures are their town's actions and no other town's", func(t *testing.T) {
			const q = `query($u: ID) { dashboard(unitID: $u, from: "2022-01-01T00:00:00Z", to: "2023-01-01T00:00:00Z") {
			  enforcementTotal enforcement { month town { code } sector kind state count } } }`
			type counts struct {
				Dashboard struct {
					EnforcementTotal int
					Enforcement      []struct {
						Month, Kind, State string
						Town               *struct{ Code string }
						Count              int
					}
				}
			}
			ask := func(token string, unit any) counts {
				t.Helper()
				var out counts
				s.MustDo(token, q, map[string]any{"u": unit}).Decode(t, &out)
				return out
			}
			xihe := s.As("xihe.head")
			whole := ask(head, nil).Dashboard
			for _, town := range []struct {
				code, token string
				some        bool
			}{{seed.CodeTownXihe, xihe, true}, {seed.CodeTownChengguan, chengguan, false}} {
				for _, unit := range []any{nil, unitID(t, s, town.token, town.code)} {
					out := ask(town.token, unit).Dashboard
					sum := 0
					for _, c := range out.Enforcement {
						require.NotNil(t, c.Town)
						require.Equal(t, town.code, c.Town.Code)
						require.Positive(t, c.Count)
						sum += c.Count
					}
					require.Equal(t, out.EnforcementTotal, sum)
					require.LessOrEqual(t, out.EnforcementTotal, whole.EnforcementTotal)
					if town.some {
						// The seed's rectification order against 清源纸业's filling
						// station (西河镇), issued in June 2022 and complied with.
						require.Positive(t, out.EnforcementTotal, town.code)
						require.Equal(t, "2022-06", out.Enforcement[0].Month)
						require.Equal(t, "RECTIFICATION_ORDER", out.Enforcement[0].Kind)
					}
				}
			}
			// The county head's view of 西河镇 is 西河镇's head's.
			require.Equal(t, ask(xihe, nil).Dashboard, ask(head, unitID(t, s, head, seed.CodeTownXihe)).Dashboard)
		})

		t.Run("a unit outside the caller's jurisdiction is not found", func(t *testing.T) {
			for _, code := range []string{seed.CodeTownXihe, seed.CodeCounty} {
				res := s.Do(chengguan, dashboardQuery, map[string]any{"u": unitID(t, s, head, code)})
				require.Equal(t, "NOT_FOUND", res.Code(), code)
			}
		})
	})
}
