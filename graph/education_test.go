package graph_test

// Trainings, their coverage and publicity end to end on every available
// database, on one demo server: who reads what (a town head its town's
// trainings, an enterprise the trainings its staff attended), a training's
// lifecycle with its sign-in sheet, the coverage and the publicity summary
// against the seed, every refusal writing nothing, and the statements of
// a page not growing with its length.

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

const recordTrainingDoc = `mutation($in: RecordTrainingInput!) {
  recordTraining(input: $in) { training { id topic traineeCount passedCount allowedActions trainees { personName enterprise { name } } } }
}`

const recordPublicityDoc = `mutation($in: RecordPublicityInput!) {
  recordPublicity(input: $in) { publicity { id enterpriseCount visitedEnterprises { name } allowedActions } }
}`

const trainingCoverageDoc = `query($year: Int!, $cadence: TrainingCadence, $where: TrainingCoverageWhereInput, $first: Int) {
  trainingCoverage(year: $year, cadence: $cadence, where: $where, first: $first) {
    totalCount summary { enterprises covered gaps trainees }
    edges { node { enterprise { code } quarters missing status } } } }`

// trainee is one trainee of an input.
func trainee(name, enterprise, kind string) map[string]any {
	return map[string]any{"personName": name, "enterpriseUnitID": enterprise, "postKind": kind}
}

func TestTrainingsAndPublicity(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		cgHead := s.As("chengguan.head")
		cg := unitID(t, s, head, seed.CodeTownChengguan)
		hotel, mech := unitID(t, s, head, seed.CodeHotel), unitID(t, s, head, seed.CodeMech)

		t.Run("a town head reads its own town's trainings only", func(t *testing.T) {
			require.Equal(t, 4, totalCount(t, s, cgHead, "trainings", ""))
			require.Equal(t, 0, totalCount(t, s, cgHead, "trainings", fmt.Sprintf(`{organiserUnitID: %q}`, unitID(t, s, head, seed.CodeDeptIndustryCommerce))))
			require.Equal(t, 0, totalCount(t, s, s.As("xihe.secretary"), "trainings", fmt.Sprintf(`{organiserUnitID: %q}`, cg)))
		})
		t.Run("an enterprise reads the trainings its staff attended through its trainees", func(t *testing.T) {
			cement := s.As("cement.principal")
			require.Equal(t, 2, totalCount(t, s, cement, "trainings", ""), "its own trainings")
			var out struct {
				Trainees struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Enterprise struct{ Code string }
							Training   struct{ Topic string }
						}
					}
				}
			}
			gqOK(t, s, cement, `{ trainees(first: 100, where: {year: 2022}) { totalCount edges { node { enterprise { code } training { topic } } } } }`, nil).Decode(t, &out)
			topics := map[string]bool{}
			for _, e := range out.Trainees.Edges {
				require.Equal(t, seed.CodeCement, e.Node.Enterprise.Code, "only its own staff")
				topics[e.Node.Training.Topic] = true
			}
			require.True(t, topics["2022年第1季度工业企业安全生产业务培训"], "the bureau's training, delivered: %v", topics)
			require.True(t, topics["回转窑车间特种作业安全操作培训"])
		})

		var training struct {
			RecordTraining struct {
				Training struct {
					ID             string
					TraineeCount   int
					PassedCount    int
					AllowedActions []string
					Trainees       []struct {
						PersonName string
						Enterprise struct{ Name string }
					}
				}
			}
		}
		in := map[string]any{"organiserUnitID": cg, "heldOn": "2024-03-20T00:00:00Z", "topic": "城关镇2024年第1季度企业安全生产培训",
			"hours": 2, "assessed": true, "trainees": []any{
				map[string]any{"personName": "曹伟", "enterpriseUnitID": hotel, "postKind": "SAFETY_MANAGER", "assessment": "PASSED"},
				map[string]any{"personName": "吴晓东", "enterpriseUnitID": mech, "postKind": "SAFETY_MANAGER", "assessment": "FAILED"}}}
		gqOK(t, s, cgHead, recordTrainingDoc, map[string]any{"in": in}).Decode(t, &training)
		tr := training.RecordTraining.Training

		t.Run("a town records a training of its enterprises with the sign-in sheet, then corrects and deletes it", func(t *testing.T) {
			require.Equal(t, 2, tr.TraineeCount)
			require.Equal(t, 1, tr.PassedCount)
			require.ElementsMatch(t, []string{"UPDATE", "DELETE", "ATTACH"}, tr.AllowedActions)
			r := s.DoUpload(cgHead, `mutation($in: AttachTrainingFileInput!) { attachTrainingFile(input: $in) { training { files { filename description } } } }`,
				map[string]any{"in": map[string]any{"trainingID": tr.ID, "file": nil, "description": "签到表"}},
				map[string]apitest.File{"variables.in.file": {Name: "sign-in.pdf", Content: pdf}})
			apitest.RequireNoLeak(t, r)
			require.Empty(t, r.Errors)

			var auditor struct {
				Node struct{ AllowedActions []string }
			}
			gqOK(t, s, s.As("auditor.chengguan"), `query($id: ID!) { node(id: $id) { ... on Training { allowedActions } } }`,
				map[string]any{"id": tr.ID}).Decode(t, &auditor)
			require.Empty(t, auditor.Node.AllowedActions, "an auditor reads, never changes")

			upd := map[string]any{"trainingID": tr.ID, "heldOn": "2024-03-21T00:00:00Z", "topic": "城关镇2024年第1季度企业安全生产培训",
				"hours": 3, "assessed": false, "trainees": []any{trainee("曹伟", hotel, "SAFETY_MANAGER")}}
			var updated struct {
				UpdateTraining struct {
					Training struct {
						Hours, TraineeCount int
						Files               []struct{ Filename string }
					}
				}
			}
			gqOK(t, s, cgHead, `mutation($in: UpdateTrainingInput!) { updateTraining(input: $in) { training { hours traineeCount files { filename } } } }`,
				map[string]any{"in": upd}).Decode(t, &updated)
			require.Equal(t, 3, updated.UpdateTraining.Training.Hours)
			require.Equal(t, 1, updated.UpdateTraining.Training.TraineeCount)
			require.Len(t, updated.UpdateTraining.Training.Files, 1, "the sign-in sheet stays")

			gqOK(t, s, cgHead, `mutation($in: DeleteTrainingInput!) { deleteTraining(input: $in) { deletedID } }`,
				map[string]any{"in": map[string]any{"trainingID": tr.ID}})
			var gone struct{ Node *struct{ ID string } }
			gqOK(t, s, head, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": tr.ID}).Decode(t, &gone)
			require.Nil(t, gone.Node)
		})

		t.Run("the coverage of a town lists its enterprises, the county's its gaps", func(t *testing.T) {
			var out struct {
				TrainingCoverage struct {
					TotalCount int
					Summary    struct{ Enterprises, Covered, Gaps, Trainees int }
					Edges      []struct {
						Node struct {
							Enterprise        struct{ Code string }
							Quarters, Missing []int
							Status            string
						}
					}
				}
			}
			gqOK(t, s, cgHead, trainingCoverageDoc, map[string]any{"year": 2022, "first": 500}).Decode(t, &out)
			require.Equal(t, totalCount(t, s, cgHead, "units", "{kind: ENTERPRISE}"), out.TrainingCoverage.TotalCount)
			require.Equal(t, out.TrainingCoverage.TotalCount, out.TrainingCoverage.Summary.Covered+out.TrainingCoverage.Summary.Gaps)

			gqOK(t, s, head, trainingCoverageDoc, map[string]any{"year": 2022, "first": 500, "where": map[string]any{"status": "GAP"}}).Decode(t, &out)
			var gaps []string
			for _, e := range out.TrainingCoverage.Edges {
				gaps = append(gaps, e.Node.Enterprise.Code)
				require.NotEmpty(t, e.Node.Missing)
			}
			require.ElementsMatch(t, seed.TrainingGaps2022, gaps)
		})

		t.Run("the bureau's 2022 publicity adds up to the seed's counts; a town records its own", func(t *testing.T) {
			var sum struct {
				PublicitySummary struct{ Activities, EnterprisesVisited, Materials int }
			}
			q := `query($w: PublicitySummaryWhereInput!) { publicitySummary(where: $w) { activities enterprisesVisited materials } }`
			gqOK(t, s, s.As("bureau.chief"), q, map[string]any{"w": map[string]any{"organiserUnitID": unitID(t, s, head, seed.CodeDeptIndustryCommerce),
				"from": "2022-01-01T00:00:00Z", "to": "2022-12-31T00:00:00Z"}}).Decode(t, &sum)
			require.Equal(t, seed.PublicityVisited2022, sum.PublicitySummary.EnterprisesVisited)
			require.Equal(t, seed.PublicityMaterials2022, sum.PublicitySummary.Materials)

			var rec struct {
				RecordPublicity struct {
					Publicity struct {
						EnterpriseCount    int
						VisitedEnterprises []struct{ Name string }
						AllowedActions     []string
					}
				}
			}
			gqOK(t, s, cgHead, recordPublicityDoc, map[string]any{"in": map[string]any{"organiserUnitID": cg, "kind": "ENTERPRISE_VISIT",
				"title": "城关镇入企宣传", "heldOn": "2024-04-02T00:00:00Z", "visitedEnterpriseIDs": []any{hotel, mech},
				"materials": 120, "participants": 40}}).Decode(t, &rec)
			require.Equal(t, 2, rec.RecordPublicity.Publicity.EnterpriseCount)
			require.Len(t, rec.RecordPublicity.Publicity.VisitedEnterprises, 2)
			require.ElementsMatch(t, []string{"UPDATE", "DELETE", "ATTACH"}, rec.RecordPublicity.Publicity.AllowedActions)
			gqOK(t, s, cgHead, q, map[string]any{"w": map[string]any{"organiserUnitID": cg, "from": "2024-01-01T00:00:00Z",
				"to": "2024-12-31T00:00:00Z"}}).Decode(t, &sum)
			require.Equal(t, 1, sum.PublicitySummary.Activities)
			require.Equal(t, 120, sum.PublicitySummary.Materials)
		})

		visit := map[string]any{"organiserUnitID": cg, "kind": "ENTERPRISE_VISIT", "title": "入企宣传", "heldOn": "2024-04-02T00:00:00Z",
			"visitedEnterpriseIDs": []any{hotel}, "materials": 10, "participants": 5}
		bureau := unitID(t, s, head, seed.CodeDeptIndustryCommerce)
		cementUnit := unitID(t, s, head, seed.CodeCement)
		for _, c := range []struct {
			name, as, query string
			in              map[string]any
			code            string
		}{
			{"an enterprise cannot record a government training", "cement.principal", recordTrainingDoc,
				withKeys(in, "organiserUnitID", bureau), "NOT_FOUND"},
			{"a trainee of another town's enterprise is not found", "chengguan.head", recordTrainingDoc,
				withKeys(in, "assessed", false, "trainees", []any{trainee("陈立群", unitID(t, s, head, seed.CodePaper), "PRINCIPAL")}), "NOT_FOUND"},
			{"a fuel deputy trains no industrial staff", "bureau.fuel", recordTrainingDoc, map[string]any{"organiserUnitID": bureau,
				"heldOn": "2024-03-20T00:00:00Z", "topic": "培训", "hours": 2, "assessed": false,
				"trainees": []any{trainee("刘志强", cementUnit, "SAFETY_MANAGER")}}, "NOT_FOUND"},
			{"a workshop is no trainee's enterprise", "county.head", recordTrainingDoc, map[string]any{"organiserUnitID": unitID(t, s, head, seed.CodeCounty),
				"heldOn": "2024-03-20T00:00:00Z", "topic": "培训", "hours": 2, "assessed": false,
				"trainees": []any{trainee("甲", unitID(t, s, head, seed.CodeCementKiln), "EMPLOYEE")}}, "BAD_USER_INPUT"},
			{"an enterprise trains no other enterprise's staff", "cement.principal", recordTrainingDoc, map[string]any{"organiserUnitID": cementUnit,
				"heldOn": "2024-03-20T00:00:00Z", "topic": "培训", "hours": 2, "assessed": false,
				"trainees": []any{trainee("甲", hotel, "EMPLOYEE")}}, "NOT_FOUND"},
			{"an auditor records nothing", "auditor.chengguan", recordTrainingDoc, in, "FORBIDDEN"},
			{"a training of no hours is refused", "chengguan.head", recordTrainingDoc, withKeys(in, "hours", 0), "BAD_USER_INPUT"},
			{"a training without trainees is refused", "chengguan.head", recordTrainingDoc, withKeys(in, "trainees", []any{}), "BAD_USER_INPUT"},
			{"an assessed training needs every result", "chengguan.head", recordTrainingDoc,
				withKeys(in, "trainees", []any{trainee("曹伟", hotel, "SAFETY_MANAGER")}), "BAD_USER_INPUT"},
			{"a trainee named twice is refused", "chengguan.head", recordTrainingDoc, withKeys(in, "assessed", false, "trainees",
				[]any{trainee("曹伟", hotel, "SAFETY_MANAGER"), trainee("曹伟", hotel, "SAFETY_MANAGER")}), "BAD_USER_INPUT"},
			{"a visit to enterprises needs one", "chengguan.head", recordPublicityDoc, withKeys(visit, "visitedEnterpriseIDs", []any{}), "BAD_USER_INPUT"},
			{"negative materials are refused", "chengguan.head", recordPublicityDoc, withKeys(visit, "materials", -1), "BAD_USER_INPUT"},
			{"a visit outside the town is not found", "chengguan.head", recordPublicityDoc,
				withKeys(visit, "visitedEnterpriseIDs", []any{unitID(t, s, head, seed.CodeMarket)}), "NOT_FOUND"},
			{"the governed hold no publicity of the government", "cement.principal", recordPublicityDoc,
				withKeys(visit, "visitedEnterpriseIDs", []any{cementUnit}), "NOT_FOUND"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, s)
				r := gq(t, s, s.As(c.as), c.query, map[string]any{"in": c.in})
				requireCode(t, r, c.code)
				requireUnchanged(t, s, before)
			})
		}

		t.Run("a page of trainings or coverage costs the same statements whatever its length", func(t *testing.T) {
			for _, q := range []string{
				`{ c: trainings(first: %d) { edges { node { id organiser { name } allowedActions } } } }`,
				`{ c: trainings(first: %d) { edges { node { id trainees { personName enterprise { name } } passedCount } } } }`,
				`{ c: trainings(first: %d) { edges { node { id files { id } } } } }`,
				`{ c: trainingCoverage(year: 2022, first: %d) { totalCount summary { gaps } edges { node { enterprise { name } months quarters status } } } }`,
				`{ c: publicities(first: %d) { edges { node { id organiser { name } allowedActions } } } }`,
				`{ c: publicities(first: %d) { edges { node { id visitedEnterprises { name } } } } }`,
			} {
				// The loaders batch the rows that ask within a few
				// milliseconds: a warm-up first, then the fewest of three
				// runs counts (see allowed_statements_test.go).
				statementsOf(t, s, head, fmt.Sprintf(q, 20))
				var counts []int
				for _, n := range []int{1, 5, 20} {
					best := statementsOf(t, s, head, fmt.Sprintf(q, n))
					for range 2 {
						best = min(best, statementsOf(t, s, head, fmt.Sprintf(q, n)))
					}
					counts = append(counts, best)
				}
				// A batch split by a loaded machine costs one statement more;
				// a statement per row would cost fifteen.
				require.LessOrEqual(t, counts[2], counts[0]+1, "%s: %v", q, counts)
			}
		})
	}, func(c *config.Config) { c.StatementHeader = true })
}

// withKeys is a copy of base with the keys and values of kv set.
func withKeys(base map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// A post limited to sectors changes only a training or publicity activity
// all of whose enterprises it reads (docs/AUTHZ.md, "Acts that reach other
// sectors"): the FUEL deputy of 县工信商务局 holds a post at the organiser,
// which is a government unit and so in its scope, but does not rewrite,
// delete or attach files to the bureau's training of industrial staff nor
// its visits to industrial enterprises — it reads neither the trainees nor
// the enterprises — and its allowedActions say so; it does change the
// bureau's training of fuel station staff, and the bureau chief, who reads
// every enterprise, still changes the industrial ones.
func TestSectorDeputiesChangeOnlyEducationRecordsAllOfWhoseEnterprisesTheyRead(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head, chief, fuel := s.As("county.head"), s.As("bureau.chief"), s.As("bureau.fuel")
		bureau := unitID(t, s, head, seed.CodeDeptIndustryCommerce)
		station, cement := unitID(t, s, head, seed.CodeCNPCStation), unitID(t, s, head, seed.CodeCement)
		training := idOf(t, s, chief, "trainings", `{topic: "2022年第1季度工业企业安全生产业务培训"}`)
		visits := idOf(t, s, chief, "publicities", `{title: "规上工业企业安全生产入企宣传"}`)
		allowed := func(token, id string) []string {
			var n struct{ AllowedActions, PublicityActions []string }
			nodeOf(t, s, token, id, `... on Training { allowedActions } ... on Publicity { publicityActions: allowedActions }`, &n)
			return append(n.AllowedActions, n.PublicityActions...)
		}

		t.Run("the fuel deputy reads the records but neither their trainees nor their enterprises", func(t *testing.T) {
			require.Zero(t, totalCount(t, s, fuel, "trainees", fmt.Sprintf(`{trainingID: %q}`, training)))
			var p struct{ VisitedEnterprises []struct{ Name string } }
			nodeOf(t, s, fuel, visits, `... on Publicity { visitedEnterprises { name } }`, &p)
			require.Empty(t, p.VisitedEnterprises)
		})
		t.Run("the fuel deputy's allowedActions list nothing on them, the bureau chief's every action", func(t *testing.T) {
			for _, id := range []string{training, visits} {
				require.Empty(t, allowed(fuel, id))
				require.ElementsMatch(t, []string{"UPDATE", "DELETE", "ATTACH"}, allowed(chief, id))
			}
		})

		const (
			updateTraining  = `mutation($in: UpdateTrainingInput!) { updateTraining(input: $in) { training { id } } }`
			deleteTraining  = `mutation($in: DeleteTrainingInput!) { deleteTraining(input: $in) { deletedID } }`
			updatePublicity = `mutation($in: UpdatePublicityInput!) { updatePublicity(input: $in) { publicity { id } } }`
			deletePublicity = `mutation($in: DeletePublicityInput!) { deletePublicity(input: $in) { deletedID } }`
		)
		fuelTraining := func(id string) map[string]any {
			return map[string]any{"trainingID": id, "heldOn": "2022-01-20T00:00:00Z", "topic": "加油站培训", "hours": 2,
				"assessed": false, "trainees": []any{trainee("加油员甲", station, "EMPLOYEE")}}
		}
		for _, c := range []struct {
			name, query string
			in          map[string]any
			upload      bool
		}{
			{"the fuel deputy cannot replace the industrial trainees with fuel station staff", updateTraining, fuelTraining(training), false},
			{"the fuel deputy cannot delete the training of industrial staff", deleteTraining, map[string]any{"trainingID": training}, false},
			{"the fuel deputy cannot attach a file to the training of industrial staff",
				`mutation($in: AttachTrainingFileInput!) { attachTrainingFile(input: $in) { file { id } } }`,
				map[string]any{"trainingID": training, "file": nil}, true},
			{"the fuel deputy cannot rewrite the visits to industrial enterprises", updatePublicity,
				map[string]any{"publicityID": visits, "kind": "ENTERPRISE_VISIT", "title": "加油站入企宣传", "heldOn": "2022-03-10T00:00:00Z",
					"visitedEnterpriseIDs": []any{station}, "materials": 1, "participants": 1}, false},
			{"the fuel deputy cannot delete the visits to industrial enterprises", deletePublicity, map[string]any{"publicityID": visits}, false},
			{"the fuel deputy cannot attach a photo to the visits to industrial enterprises",
				`mutation($in: AttachPublicityFileInput!) { attachPublicityFile(input: $in) { file { id } } }`,
				map[string]any{"publicityID": visits, "file": nil}, true},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, s)
				var r *apitest.Response
				if c.upload {
					r = s.DoUpload(fuel, c.query, map[string]any{"in": c.in},
						map[string]apitest.File{"variables.in.file": {Name: "sheet.pdf", Content: pdf}})
				} else {
					r = gq(t, s, fuel, c.query, map[string]any{"in": c.in})
				}
				apitest.RequireNoLeak(t, r)
				requireCode(t, r, "FORBIDDEN")
				require.Contains(t, r.Errors[0].Message, "outside your jurisdiction")
				requireUnchanged(t, s, before)
			})
		}

		t.Run("the fuel deputy changes and deletes the bureau's training of fuel station staff", func(t *testing.T) {
			var rec struct {
				RecordTraining struct {
					Training struct {
						ID             string
						AllowedActions []string
					}
				}
			}
			gqOK(t, s, fuel, recordTrainingDoc, map[string]any{"in": map[string]any{"organiserUnitID": bureau, "heldOn": "2024-03-20T00:00:00Z",
				"topic": "加油站安全培训", "hours": 2, "assessed": false, "trainees": []any{trainee("加油员乙", station, "EMPLOYEE")}}}).Decode(t, &rec)
			id := rec.RecordTraining.Training.ID
			require.ElementsMatch(t, []string{"UPDATE", "DELETE", "ATTACH"}, rec.RecordTraining.Training.AllowedActions)
			gqOK(t, s, fuel, updateTraining, map[string]any{"in": fuelTraining(id)})
			gqOK(t, s, fuel, deleteTraining, map[string]any{"in": map[string]any{"trainingID": id}})
		})
		t.Run("the bureau chief still changes the training of industrial staff and the visits", func(t *testing.T) {
			var out struct {
				UpdateTraining struct{ Training struct{ TraineeCount int } }
			}
			gqOK(t, s, chief, `mutation($in: UpdateTrainingInput!) { updateTraining(input: $in) { training { traineeCount } } }`,
				map[string]any{"in": map[string]any{"trainingID": training, "heldOn": "2022-01-20T00:00:00Z", "topic": "工业企业培训",
					"hours": 4, "assessed": false, "trainees": []any{trainee("刘志强", cement, "SAFETY_MANAGER")}}}).Decode(t, &out)
			require.Equal(t, 1, out.UpdateTraining.Training.TraineeCount)
			gqOK(t, s, chief, deletePublicity, map[string]any{"in": map[string]any{"publicityID": visits}})
		})
	})
}
