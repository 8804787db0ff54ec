package graph_test

// Risk points end to end on every available database: who sees the demo
// points, the enterprise identifying, regrading and checking its own (the
// history kept, a regrade decided from a stale level refused), governments
// reading only, a hazard naming its risk point, the overdue view, the risk
// map and its statements, and every refusal writing nothing.

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

const identifyRiskPoint = `mutation($in: IdentifyRiskPointInput!) {
  identifyRiskPoint(input: $in) { riskPoint { id score level colour nextCheckDue gradings { toLevel } checklistItems { item overdue } } }
}`

const regradeRiskPoint = `mutation($in: RegradeRiskPointInput!) {
  regradeRiskPoint(input: $in) { riskPoint { id score level colour gradings { fromLevel toLevel score gradedBy reason } } }
}`

const recordControlCheck = `mutation($in: RecordControlCheckInput!) {
  recordControlCheck(input: $in) { controlMeasure { lastCheckedAt lastCheckedBy overdue } riskPoint { nextCheckDue } }
}`

const riskMapQuery = `query($u: ID!) { riskMap(unitID: $u) {
  total { red orange yellow blue total }
  byTown { town { code } counts { red orange yellow blue total } }
  bySector { sector counts { total } } } }`

type riskPointOut struct {
	ID, Level, Colour string
	Score             int
	Gradings          []struct {
		FromLevel         *string
		ToLevel, GradedBy string
		Score             int
		Reason            string
	}
	ChecklistItems []struct {
		Item    string
		Overdue bool
	}
}

func TestRiskPoints(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		principal := s.As("cement.principal")
		cement := unitID(t, s, head, seed.CodeCement)

		t.Run("each user sees the risk points of their jurisdiction", func(t *testing.T) {
			for user, want := range map[string]int{
				"county.head": 6*7 + 2, "county.secretary": 6*7 + 2, "bureau.fuel": 6 * 7, "county.deputy.industry": 2,
				"cement.principal": 2, "cement.kiln.head": 1, "neighbor.secretary": 1,
			} {
				require.Equal(t, want, totalCount(t, s, s.As(user), "riskPoints", ""), user)
			}
		})

		in := map[string]any{"unitID": cement, "name": "煤粉制备系统", "kind": "LOCATION", "hazardSources": "煤粉自燃、粉尘爆炸",
			"likelihood": 4, "severity": 4, "reason": "年中风险辨识",
			"controlMeasures": []any{
				map[string]any{"description": "煤磨出口温度、一氧化碳在线监测", "responsiblePost": "中控室主任", "frequency": "DAILY"},
				map[string]any{"description": "防爆阀、泄爆口完好", "responsiblePost": "设备科长", "frequency": "MONTHLY"},
			}}
		var created struct {
			IdentifyRiskPoint struct{ RiskPoint riskPointOut }
		}
		gqOK(t, s, principal, identifyRiskPoint, map[string]any{"in": in}).Decode(t, &created)
		rp := created.IdentifyRiskPoint.RiskPoint
		t.Run("the enterprise identifies a risk point graded by L × S", func(t *testing.T) {
			require.Equal(t, 16, rp.Score)
			require.Equal(t, "LARGE", rp.Level)
			require.Equal(t, "ORANGE", rp.Colour)
			require.Len(t, rp.Gradings, 1)
			require.Len(t, rp.ChecklistItems, 2)
			require.Equal(t, "煤粉制备系统：煤磨出口温度、一氧化碳在线监测", rp.ChecklistItems[0].Item)
			require.False(t, rp.ChecklistItems[0].Overdue)
		})

		t.Run("the enterprise may regrade and check; governments only read", func(t *testing.T) {
			for user, want := range map[string][]string{
				"cement.principal": {"REGRADE", "RECORD_CHECK"}, "county.head": {}, "bureau.chief": {},
				"county.deputy.industry": {}, "auditor.county": {},
			} {
				var out struct {
					Node struct{ AllowedActions []string }
				}
				gqOK(t, s, s.As(user), `query($id: ID!) { node(id: $id) { ... on RiskPoint { allowedActions } } }`,
					map[string]any{"id": rp.ID}).Decode(t, &out)
				require.ElementsMatch(t, want, out.Node.AllowedActions, user)
			}
		})

		t.Run("a regrade appends to the history", func(t *testing.T) {
			var out struct {
				RegradeRiskPoint struct{ RiskPoint riskPointOut }
			}
			gqOK(t, s, principal, regradeRiskPoint, map[string]any{"in": map[string]any{"riskPointID": rp.ID, "fromLevel": "LARGE",
				"likelihood": 4, "severity": 5, "reason": "煤磨系统扩产改造"}}).Decode(t, &out)
			got := out.RegradeRiskPoint.RiskPoint
			require.Equal(t, "MAJOR", got.Level)
			require.Equal(t, "RED", got.Colour)
			require.Len(t, got.Gradings, 2)
			last := got.Gradings[1]
			require.Equal(t, "LARGE", *last.FromLevel)
			require.Equal(t, "MAJOR", last.ToLevel)
			require.Equal(t, 20, last.Score)
			require.Equal(t, "王建国", last.GradedBy)
		})

		t.Run("a control check moves the due date on", func(t *testing.T) {
			var detail struct {
				Node struct{ ControlMeasures []struct{ ID string } }
			}
			gqOK(t, s, principal, `query($id: ID!) { node(id: $id) { ... on RiskPoint { controlMeasures { id } } } }`,
				map[string]any{"id": rp.ID}).Decode(t, &detail)
			var out struct {
				RecordControlCheck struct {
					ControlMeasure struct {
						LastCheckedAt, LastCheckedBy *string
						Overdue                      bool
					}
				}
			}
			gqOK(t, s, principal, recordControlCheck, map[string]any{"in": map[string]any{
				"controlMeasureID": detail.Node.ControlMeasures[0].ID}}).Decode(t, &out)
			require.NotNil(t, out.RecordControlCheck.ControlMeasure.LastCheckedAt)
			require.Equal(t, "王建国", *out.RecordControlCheck.ControlMeasure.LastCheckedBy)
			require.False(t, out.RecordControlCheck.ControlMeasure.Overdue)
		})

		t.Run("a hazard names its risk point and flags it until closed", func(t *testing.T) {
			report := `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { riskPoint { id } } } }`
			gqOK(t, s, principal, report, map[string]any{"in": map[string]any{"subjectID": cement, "source": "SELF_CHECK",
				"level": "GENERAL", "category": "粉尘防爆", "description": "泄爆口积灰", "deadline": "2099-01-01T00:00:00Z",
				"riskPointID": rp.ID}})
			var out struct{ Node struct{ OpenHazardCount int } }
			gqOK(t, s, head, `query($id: ID!) { node(id: $id) { ... on RiskPoint { openHazardCount } } }`,
				map[string]any{"id": rp.ID}).Decode(t, &out)
			require.Equal(t, 1, out.Node.OpenHazardCount)
			station := unitID(t, s, head, seed.CodePaperStation)
			linked := idOf(t, s, head, "riskPoints", fmt.Sprintf(`{unitID: %q, name: "加油区"}`, station))
			require.Equal(t, 1, totalCount(t, s, head, "hazards", fmt.Sprintf(`{riskPointID: %q}`, linked)),
				"the seed's vapour-recovery hazard names the station's 加油区")
		})

		t.Run("an enterprise's overdue risk points are a connection", func(t *testing.T) {
			var out struct {
				Node struct {
					RiskPoints struct {
						TotalCount int
						Edges      []struct{ Node struct{ Name string } }
					}
				}
			}
			gqOK(t, s, head, `query($id: ID!) { node(id: $id) { ... on Unit { riskPoints(overdueOnly: true, orderBy: {field: NEXT_CHECK_DUE}) {
				totalCount edges { node { name } } } } } }`, map[string]any{"id": unitID(t, s, head, seed.CodePaperStation)}).Decode(t, &out)
			require.Equal(t, 1, out.Node.RiskPoints.TotalCount)
			require.Equal(t, "卸油作业", out.Node.RiskPoints.Edges[0].Node.Name)
		})

		t.Run("the risk map counts colours per town and sector in a fixed number of statements", func(t *testing.T) {
			var out struct {
				RiskMap struct {
					Total  struct{ Red, Orange, Yellow, Blue, Total int }
					ByTown []struct {
						Town   struct{ Code string }
						Counts struct{ Total int }
					}
					BySector []struct {
						Sector string
						Counts struct{ Total int }
					}
				}
			}
			county := unitID(t, s, head, seed.CodeCounty)
			gqOK(t, s, head, riskMapQuery, map[string]any{"u": county}).Decode(t, &out)
			m := out.RiskMap
			require.Equal(t, 6*7+3, m.Total.Total)
			require.Equal(t, m.Total.Total, m.Total.Red+m.Total.Orange+m.Total.Yellow+m.Total.Blue)
			// Per station: 卸油 red, 油罐区 red or orange, 施工 orange, 加油区 检修 加油 yellow, 配电室 blue.
			require.Equal(t, 6+3+2, m.Total.Red)
			sum := 0
			for _, tw := range m.ByTown {
				sum += tw.Counts.Total
			}
			require.Equal(t, m.Total.Total, sum)
			require.Len(t, m.BySector, 2)
			var fuel struct {
				RiskMap struct{ Total struct{ Total int } }
			}
			gqOK(t, s, s.As("bureau.fuel"), riskMapQuery, map[string]any{"u": county}).Decode(t, &fuel)
			require.Equal(t, 6*7, fuel.RiskMap.Total.Total, "a FUEL deputy counts fuel stations only")
			bureau := unitID(t, s, head, seed.CodeDeptIndustryCommerce)
			gqOK(t, s, head, riskMapQuery, map[string]any{"u": bureau}).Decode(t, &out)
			require.Equal(t, 6*7+3, out.RiskMap.Total.Total, "the bureau supervises every enterprise with risk points")

			statements := func(unit string) int {
				return fewestStatementsOf(t, s, head, fmt.Sprintf(`{ riskMap(unitID: %q) { total { total } byTown { town { name } counts { red } } bySector { sector } } }`, unit))
			}
			require.Equal(t, riskMapStatements, statements(county))
			require.Equal(t, riskMapStatements, statements(unitID(t, s, head, seed.CodeTownXihe)))
		})

		with := func(k string, v any) map[string]any { return withField(in, k, v) }
		var kiln struct {
			Node struct{ ControlMeasures []struct{ ID string } }
		}
		gqOK(t, s, head, `query($id: ID!) { node(id: $id) { ... on RiskPoint { controlMeasures { id } } } }`,
			map[string]any{"id": idOf(t, s, head, "riskPoints", `{name: "回转窑"}`)}).Decode(t, &kiln)
		regrade := map[string]any{"riskPointID": rp.ID, "fromLevel": "MAJOR", "likelihood": 2, "severity": 5, "reason": "改造完成"}
		for _, c := range []struct {
			name, as, query string
			in              map[string]any
			code            string
		}{
			{"a county head may not identify an enterprise's risk point", "county.head", identifyRiskPoint, with("name", "窑尾"), "FORBIDDEN"},
			{"a supervising department may not regrade", "bureau.chief", regradeRiskPoint, regrade, "FORBIDDEN"},
			{"an auditor may not record a check", "auditor.county", recordControlCheck, map[string]any{
				"controlMeasureID": kiln.Node.ControlMeasures[0].ID}, "FORBIDDEN"},
			{"a workshop head does not see the enterprise's own point", "cement.kiln.head", regradeRiskPoint, regrade, "NOT_FOUND"},
			{"another enterprise's unit is not found", "cement.principal", identifyRiskPoint,
				with("unitID", unitID(t, s, head, seed.CodePaperStation)), "NOT_FOUND"},
			{"a government unit has no risk points", "cement.principal", identifyRiskPoint,
				with("unitID", unitID(t, s, head, seed.CodeTownNanshan)), "BAD_USER_INPUT"},
			{"a likelihood above 5 is refused", "cement.principal", identifyRiskPoint, with("likelihood", 6), "BAD_USER_INPUT"},
			{"an empty name is refused", "cement.principal", identifyRiskPoint, with("name", " "), "BAD_USER_INPUT"},
			{"a name taken in the unit is refused", "cement.principal", identifyRiskPoint, in, "BAD_USER_INPUT"},
			{"a measure without a post is refused", "cement.principal", identifyRiskPoint, with("controlMeasures", []any{
				map[string]any{"description": "巡检", "responsiblePost": "", "frequency": "DAILY"}}), "BAD_USER_INPUT"},
			{"a regrade decided from a stale level conflicts", "cement.principal", regradeRiskPoint, withField(regrade, "fromLevel", "LARGE"), "CONFLICT"},
			{"a regrade without a reason is refused", "cement.principal", regradeRiskPoint, withField(regrade, "reason", ""), "BAD_USER_INPUT"},
			{"a hazard may not name another unit's risk point", "cement.kiln.head", `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id } } }`,
				map[string]any{"subjectID": unitID(t, s, head, seed.CodeCementKiln), "source": "SELF_CHECK", "level": "GENERAL",
					"category": "粉尘防爆", "description": "积灰", "deadline": "2099-01-01T00:00:00Z",
					"riskPointID": idOf(t, s, principal, "riskPoints", `{name: "特种设备（桥式起重机、压力容器）"}`)}, "NOT_FOUND"},
			{"a hazard of a workshop may not name the enterprise's risk point", "cement.principal", `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id } } }`,
				map[string]any{"subjectID": unitID(t, s, head, seed.CodeCementKiln), "source": "SELF_CHECK", "level": "GENERAL",
					"category": "粉尘防爆", "description": "积灰", "deadline": "2099-01-01T00:00:00Z", "riskPointID": rp.ID}, "BAD_USER_INPUT"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, s)
				r := gq(t, s, s.As(c.as), c.query, map[string]any{"in": c.in})
				requireCode(t, r, c.code)
				requireUnchanged(t, s, before)
			})
		}
	}, func(c *config.Config) { c.StatementHeader = true })
}

// riskMapStatements is what the risk map costs whatever the unit's size: the
// caller's session, the unit, the count grouped by enterprise, sector and
// level, the enterprises' towns and the towns themselves.
const riskMapStatements = 4

// withField is a copy of in with k set to v.
func withField(in map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for key, val := range in {
		out[key] = val
	}
	out[k] = v
	return out
}
