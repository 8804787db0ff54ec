package graph_test

// Concurrent decisions over HTTP, on SQLite and PostgreSQL: several
// requests take the same contested step at once, several rounds each.
// Exactly one wins each race; the others get CONFLICT (their step was
// decided on a state the winner changed) or BAD_USER_INPUT (they read the
// winner's result); the record's history gains one entry, and the audit
// log holds the winner's row changes under its request id and nothing
// under a loser's.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

const raceRounds = 3

const reportForRace = `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id } } }`

// hazardStep is a transitionHazard entrant.
func hazardStep(token, id, action string, extra map[string]any) entrant {
	in := map[string]any{"id": id, "action": action, "note": "并发决定"}
	for k, v := range extra {
		in[k] = v
	}
	return entrant{token: token, query: transitionMutation, vars: map[string]any{"in": in}}
}

type hazardNow struct {
	State    string
	Deadline string
	ClosedAt *string
	Timeline []struct{ Action string }
}

func TestConcurrentHazardDecisions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tally := &raceTally{}
		head, deputy, chief, principal := s.As("county.head"), s.As("county.deputy.industry"), s.As("bureau.chief"), s.As("cement.principal")
		subject := unitID(t, s, s.As("admin"), "ENT-CEMENT")
		// reported reports a hazard of level and takes steps on it.
		reported := func(t *testing.T, level string, steps ...entrant) string {
			id := mustID(t, s, head, reportForRace, map[string]any{"in": map[string]any{"subjectID": subject, "source": "REPORT",
				"level": level, "category": "并发", "description": "并发测试隐患", "deadline": "2031-01-01T00:00:00Z"}}, "reportHazard.hazard")
			for _, st := range steps {
				st.vars["in"].(map[string]any)["id"] = id
				s.MustDo(st.token, st.query, st.vars)
			}
			return id
		}
		// contest races entrants on a hazard with done steps in its
		// history and checks the winner's mark on it.
		contest := func(t *testing.T, id string, done int, entrants []entrant, check func(t *testing.T, winner entrant, h hazardNow)) {
			outs := race(t, s, entrants)
			w := requireOneWinner(t, tally, outs)
			var h hazardNow
			nodeOf(t, s, head, id, `... on Hazard { state deadline closedAt timeline { action } }`, &h)
			require.Len(t, h.Timeline, done+1, "one history entry for the one winner")
			require.Equal(t, entrants[w].vars["in"].(map[string]any)["action"], h.Timeline[done].Action, "the entry is the winner's step")
			check(t, entrants[w], h)
			for _, o := range outs {
				if o.res.Code() == "CONFLICT" {
					require.Contains(t, o.res.Errors[0].Message, "the hazard changed: it is now "+h.State, "a CONFLICT names the current state")
				}
			}
			requireAuditOfWinner(t, s, outs, w, "hazard UPDATE", "hazard_event CREATE")
		}
		actionOf := func(e entrant) string { return e.vars["in"].(map[string]any)["action"].(string) }

		t.Run("CLOSE and REJECT of one SUBMITTED hazard: one decision", func(t *testing.T) {
			for range raceRounds {
				id := reported(t, "GENERAL", hazardStep(principal, "", "START_RECTIFICATION", nil), hazardStep(principal, "", "SUBMIT", nil))
				entrants := entrantsOf(func(i int) entrant {
					if i%2 == 0 {
						return hazardStep(deputy, id, "CLOSE", nil)
					}
					return hazardStep(head, id, "REJECT", nil)
				})
				contest(t, id, 3, entrants, func(t *testing.T, w entrant, h hazardNow) {
					if actionOf(w) == "CLOSE" {
						require.Equal(t, "CLOSED", h.State)
						require.NotNil(t, h.ClosedAt)
					} else {
						require.Equal(t, "RECTIFYING", h.State)
						require.Nil(t, h.ClosedAt, "a rejected hazard is not closed")
					}
				})
			}
		})
		t.Run("two principals approve one MAJOR plan: one approval", func(t *testing.T) {
			for range raceRounds {
				id := reported(t, "MAJOR", hazardStep(principal, "", "SUBMIT_PLAN", plan))
				entrants := entrantsOf(func(i int) entrant { return hazardStep([]string{head, chief}[i%2], id, "APPROVE_PLAN", nil) })
				contest(t, id, 2, entrants, func(t *testing.T, _ entrant, h hazardNow) {
					require.Equal(t, "RECTIFYING", h.State)
				})
			}
		})
		t.Run("supervision ordered twice at once: one order", func(t *testing.T) {
			for range raceRounds {
				id := reported(t, "GENERAL")
				entrants := entrantsOf(func(i int) entrant { return hazardStep([]string{deputy, head}[i%2], id, "SUPERVISE", nil) })
				contest(t, id, 1, entrants, func(t *testing.T, _ entrant, h hazardNow) {
					require.Equal(t, "REPORTED", h.State)
				})
			}
		})
		t.Run("an extension approved and rejected at once: one answer", func(t *testing.T) {
			for range raceRounds {
				id := reported(t, "MAJOR", hazardStep(principal, "", "REQUEST_EXTENSION", map[string]any{"deadline": "2032-01-01T00:00:00Z"}))
				entrants := entrantsOf(func(i int) entrant {
					return hazardStep(head, id, []string{"APPROVE_EXTENSION", "REJECT_EXTENSION"}[i%2], nil)
				})
				contest(t, id, 2, entrants, func(t *testing.T, w entrant, h hazardNow) {
					want := "2031-01-01T00:00:00Z"
					if actionOf(w) == "APPROVE_EXTENSION" {
						want = "2032-01-01T00:00:00Z"
					}
					require.Equal(t, want, h.Deadline)
				})
			}
		})
		t.Log(tally)
	})
}

type letterNow struct {
	State      string
	Signatures []struct{ Role string }
	Events     []struct{ Action, ToState string }
}

func TestConcurrentLetterSteps(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tally := &raceTally{}
		head := s.As("county.head")
		county := unitID(t, s, head, seed.CodeCounty)
		const year = 2025
		towns := []struct{ code, user string }{
			{seed.CodeTownChengguan, "chengguan"}, {seed.CodeTownDongcheng, "dongcheng"}, {seed.CodeTownXihe, "xihe"},
		}
		read := func(t *testing.T, id string) letterNow {
			var l letterNow
			nodeOf(t, s, head, id, `... on ResponsibilityLetter { state signatures { role } events { action toState } }`, &l)
			return l
		}
		signAll := func(token, id string) []entrant {
			return entrantsOf(func(int) entrant {
				return entrant{token: token, query: `mutation($id: ID!) { signLetter(input: {id: $id}) { letter { id } } }`, vars: map[string]any{"id": id}}
			})
		}
		for round, town := range towns[:raceRounds] {
			var id string
			t.Run(fmt.Sprintf("one live letter per year, issuer and signee: round %d", round+1), func(t *testing.T) {
				in := map[string]any{"year": year, "issuerUnitID": county, "signeeUnitID": unitID(t, s, head, town.code),
					"title": "并发责任书", "targets": targets2024}
				outs := race(t, s, entrantsOf(func(int) entrant {
					return entrant{token: head, query: `mutation($in: CreateLetterInput!) { createLetter(input: $in) { letter { id } } }`, vars: map[string]any{"in": in}}
				}))
				w := requireOneWinner(t, tally, outs)
				var out struct {
					CreateLetter struct{ Letter struct{ ID string } }
				}
				outs[w].res.Decode(t, &out)
				id = out.CreateLetter.Letter.ID
				var n int
				require.NoError(t, s.DB.SQL.QueryRow(`SELECT COUNT(*) FROM responsibility_letters WHERE year = $1`, year).Scan(&n))
				require.Equal(t, round+1, n, "one letter per round")
				require.Len(t, read(t, id).Events, 1)
				requireAuditOfWinner(t, s, outs, w, "responsibility_letter CREATE", "letter_event CREATE")
			})
			s.MustDo(head, `mutation($id: ID!) { issueLetter(input: {id: $id}) { letter { id } } }`, map[string]any{"id": id})
			// The secretary's signature leaves the letter PARTIALLY_SIGNED,
			// the head's completes it.
			for k, signer := range []struct{ post, state string }{{"secretary", "PARTIALLY_SIGNED"}, {"head", "SIGNED"}} {
				t.Run(fmt.Sprintf("the town's %s signs %d times at once: one signature, round %d", signer.post, racers, round+1), func(t *testing.T) {
					outs := race(t, s, signAll(s.As(town.user+"."+signer.post), id))
					w := requireOneWinner(t, tally, outs)
					l := read(t, id)
					require.Equal(t, signer.state, l.State)
					require.Len(t, l.Signatures, k+1)
					require.Len(t, l.Events, 3+k, "CREATED, ISSUED and one SIGNED per signer")
					require.Equal(t, signer.state, l.Events[2+k].ToState)
					requireAuditOfWinner(t, s, outs, w, "letter_signature CREATE", "responsibility_letter UPDATE", "letter_event CREATE")
				})
			}
		}
		t.Log(tally)
	})
}

func TestConcurrentInspectionSteps(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tally := &raceTally{}
		head, admin := s.As("county.head"), s.As("admin")
		// "Advance" names no stage: a request that reads the stage after
		// a winner committed advances again, rightly. The race must not
		// lose an advance: every winner ends exactly one stage.
		t.Run("a campaign advanced at once: one stage per winner, none skipped", func(t *testing.T) {
			stages := []string{"DEPLOYMENT", "INSPECTION", "RECTIFICATION", "SUMMARY"}
			for range raceRounds {
				var planned []any
				for i, st := range stages {
					planned = append(planned, map[string]any{"stage": st,
						"plannedStart": fmt.Sprintf("2023-%02d-01T00:00:00Z", 3*i+1), "plannedEnd": fmt.Sprintf("2023-%02d-28T00:00:00Z", 3*i+3)})
				}
				id := mustID(t, s, head, `mutation($in: CreateCampaignInput!) { createCampaign(input: $in) { campaign { id } } }`, map[string]any{"in": map[string]any{
					"organiserID": unitID(t, s, head, seed.CodeTownChengguan), "name": "并发整治", "sectors": []any{"COMMERCE"}, "stages": planned}}, "createCampaign.campaign")
				outs := race(t, s, entrantsOf(func(int) entrant {
					return entrant{token: head, query: `mutation($id: ID!) { advanceCampaign(input: {id: $id}) { campaign { id } } }`, vars: map[string]any{"id": id}}
				}))
				winners := requireWinners(t, tally, outs)
				var cp struct {
					Stage    string
					Finished bool
					Stages   []struct{ ActualStart, ActualEnd *string }
				}
				nodeOf(t, s, head, id, `... on Campaign { stage finished stages { actualStart actualEnd } }`, &cp)
				require.Equal(t, len(winners) == len(stages), cp.Finished)
				if !cp.Finished {
					require.Equal(t, stages[len(winners)], cp.Stage, "one stage per winner")
				}
				for i, st := range cp.Stages {
					require.Equal(t, i < len(winners), st.ActualEnd != nil, "stage %s ended by a winner", stages[i])
					require.Equal(t, i <= len(winners), st.ActualStart != nil, "stage %s started", stages[i])
				}
				requireAuditOfWinners(t, s, outs, winners, "campaign UPDATE")
			}
		})
		t.Run("a planned inspection recorded at once: one record", func(t *testing.T) {
			r := s.MustDo(head, `mutation($in: CreateRandomDrawInput!) { createRandomDraw(input: $in) { randomDraw { inspections { id status } } } }`,
				map[string]any{"in": map[string]any{"organiserID": unitID(t, s, admin, seed.CodeCounty), "sectors": []any{"FUEL"},
					"targetCount": raceRounds, "inspectionDate": "2023-05-01T00:00:00Z", "inspectorIDs": []any{
						userID(t, s, admin, "bureau.inspector1"), userID(t, s, admin, "bureau.inspector2"), userID(t, s, admin, "bureau.fuel")}}})
			var out struct {
				CreateRandomDraw struct {
					RandomDraw struct{ Inspections []struct{ ID, Status string } }
				}
			}
			r.Decode(t, &out)
			require.Len(t, out.CreateRandomDraw.RandomDraw.Inspections, raceRounds)
			for _, planned := range out.CreateRandomDraw.RandomDraw.Inspections {
				require.Equal(t, "PLANNED", planned.Status)
				outs := race(t, s, entrantsOf(func(int) entrant {
					return entrant{token: head, query: `mutation($in: RecordInspectionInput!) { recordInspection(input: $in) { inspection { id } } }`,
						vars: map[string]any{"in": map[string]any{"plannedID": planned.ID, "inspectedOn": "2023-05-02T00:00:00Z",
							"conclusion": "未发现问题", "results": []any{map[string]any{"itemCode": "X-1", "result": "PASS"}}}}}
				}))
				w := requireOneWinner(t, tally, outs)
				var insp struct{ Status string }
				nodeOf(t, s, head, planned.ID, `... on Inspection { status }`, &insp)
				require.Equal(t, "DONE", insp.Status)
				requireAuditOfWinner(t, s, outs, w, "inspection UPDATE")
			}
		})
		t.Log(tally)
	})
}

// Concurrent replacements of a record's parts — a training's trainees, the
// enterprises a publicity activity visited — serialise on the record's row
// (locked first, the decision taken from the locked row): the last writer
// wins wholly, so after every round the parts are exactly one entrant's
// list and match the record's count, never the union of several.
func TestConcurrentReplacementsOfPartsDoNotMerge(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head, cgHead := s.As("county.head"), s.As("chengguan.head")
		cg := unitID(t, s, head, seed.CodeTownChengguan)
		hotel, mech, market := unitID(t, s, head, seed.CodeHotel), unitID(t, s, head, seed.CodeMech), unitID(t, s, head, seed.CodeSupermarket)
		// settle checks a round's outcomes: at least one winner, every
		// loser a coded refusal that leaks nothing.
		settle := func(t *testing.T, outs []outcome) {
			won := 0
			for i, o := range outs {
				if o.won() {
					won++
					continue
				}
				apitest.RequireNoLeak(t, o.res)
				require.Contains(t, []string{"CONFLICT", "BAD_USER_INPUT"}, o.res.Code(), "entrant %d: %+v", i, o.res.Errors)
			}
			require.Positive(t, won, "one entrant wins each round")
		}

		t.Run("trainees replaced at once are one entrant's list and match the training's count", func(t *testing.T) {
			var rec struct {
				RecordTraining struct{ Training struct{ ID string } }
			}
			gqOK(t, s, cgHead, recordTrainingDoc, map[string]any{"in": map[string]any{"organiserUnitID": cg, "heldOn": "2024-03-20T00:00:00Z",
				"topic": "并发培训", "hours": 2, "assessed": false, "trainees": []any{trainee("甲", hotel, "EMPLOYEE")}}}).Decode(t, &rec)
			id := rec.RecordTraining.Training.ID
			const doc = `mutation($in: UpdateTrainingInput!) { updateTraining(input: $in) { training { id } } }`
			// Entrant i trains i+1 people of one enterprise, each named by i.
			for round := range raceRounds {
				outs := race(t, s, entrantsOf(func(i int) entrant {
					at := []string{hotel, mech}[i%2]
					var who []any
					for j := range i + 1 {
						who = append(who, trainee(fmt.Sprintf("学员%d-%d", i, j), at, "EMPLOYEE"))
					}
					return entrant{token: cgHead, query: doc, vars: map[string]any{"in": map[string]any{"trainingID": id,
						"heldOn": "2024-03-20T00:00:00Z", "topic": fmt.Sprintf("并发培训%d", round), "hours": 2, "assessed": false, "trainees": who}}}
				}))
				settle(t, outs)
				var tr struct {
					TraineeCount int
					Trainees     []struct{ PersonName string }
				}
				nodeOf(t, s, cgHead, id, `... on Training { traineeCount trainees { personName } }`, &tr)
				require.Len(t, tr.Trainees, tr.TraineeCount, "round %d: traineeCount %d but trainees %+v", round, tr.TraineeCount, tr.Trainees)
				var entrant int
				_, err := fmt.Sscanf(tr.Trainees[0].PersonName, "学员%d-", &entrant)
				require.NoError(t, err)
				require.Equal(t, entrant+1, tr.TraineeCount, "round %d: the trainees are entrant %d's list wholly: %+v", round, entrant, tr.Trainees)
				for _, p := range tr.Trainees {
					require.Contains(t, p.PersonName, fmt.Sprintf("学员%d-", entrant), "round %d: trainees of two entrants: %+v", round, tr.Trainees)
				}
			}
		})

		t.Run("visits replaced at once are one entrant's list and match the activity's count", func(t *testing.T) {
			var rec struct {
				RecordPublicity struct{ Publicity struct{ ID string } }
			}
			gqOK(t, s, cgHead, recordPublicityDoc, map[string]any{"in": map[string]any{"organiserUnitID": cg, "kind": "ENTERPRISE_VISIT",
				"title": "并发宣传", "heldOn": "2024-04-02T00:00:00Z", "visitedEnterpriseIDs": []any{hotel}, "materials": 1, "participants": 1}}).Decode(t, &rec)
			id := rec.RecordPublicity.Publicity.ID
			const doc = `mutation($in: UpdatePublicityInput!) { updatePublicity(input: $in) { publicity { id } } }`
			// Entrant i visits one, two or three enterprises.
			sets := [][]any{{hotel}, {hotel, mech}, {hotel, mech, market}}
			for round := range raceRounds {
				outs := race(t, s, entrantsOf(func(i int) entrant {
					return entrant{token: cgHead, query: doc, vars: map[string]any{"in": map[string]any{"publicityID": id, "kind": "ENTERPRISE_VISIT",
						"title": fmt.Sprintf("并发宣传%d", i%3), "heldOn": "2024-04-02T00:00:00Z", "visitedEnterpriseIDs": sets[i%3],
						"materials": i, "participants": i}}}
				}))
				settle(t, outs)
				var p struct {
					Title              string
					EnterpriseCount    int
					VisitedEnterprises []struct{ ID string }
				}
				nodeOf(t, s, cgHead, id, `... on Publicity { title enterpriseCount visitedEnterprises { id } }`, &p)
				require.Len(t, p.VisitedEnterprises, p.EnterpriseCount, "round %d: enterpriseCount %d but visits %+v", round, p.EnterpriseCount, p.VisitedEnterprises)
				var k int
				_, err := fmt.Sscanf(p.Title, "并发宣传%d", &k)
				require.NoError(t, err)
				require.Len(t, p.VisitedEnterprises, len(sets[k]), "round %d: the visits are the list of the entrant whose title won", round)
			}
		})
	})
}

// Replacements of a leadership group's seats at the same moment queue on
// the group (its row is held while each decides and writes): every one
// applies, one after the other, and the group ends with exactly the seats
// of the last — never the union of two, which would give it two LEADERs.
func TestConcurrentLeadershipGroupReplacements(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tally := &raceTally{}
		head := s.As("county.head")
		group := idOf(t, s, head, "leadershipGroups", `{name: "示范县工业安全生产工作领导组"}`)
		type seat struct{ Role, PostID string }
		var g struct{ Members []seat }
		nodeOf(t, s, head, group, `... on LeadershipGroup { members { role postID } }`, &g)
		var secretary, countyHead string
		for _, m := range g.Members {
			switch m.Role {
			case "LEADER":
				secretary = m.PostID
			case "DEPUTY_LEADER":
				countyHead = m.PostID
			}
		}
		require.NotEmpty(t, secretary)
		require.NotEmpty(t, countyHead)
		// Entrant i seats the secretary (even i) or the county head (odd i)
		// as LEADER and a member of its own: the seats of an even and an
		// odd entrant share no post, so a merge of the two is not refused
		// by the one-seat-per-post index and would show as two LEADERs.
		pool := []string{"auditor.county", "auditor.chengguan", "bureau.chief", "chengguan.head", "beiling.head", "dongcheng.head",
			"nanshan.head", "xihe.head"}
		require.Len(t, pool, racers)
		sets := make([][]seat, racers)
		for i := range sets {
			leader := []string{secretary, countyHead}[i%2]
			sets[i] = []seat{{"LEADER", leader}, {"MEMBER", postOfUser(t, s, head, pool[i])}}
		}
		const doc = `mutation($in: SetLeadershipGroupMembersInput!) { setLeadershipGroupMembers(input: $in) { leadershipGroup { id } } }`
		sorted := func(seats []seat) []seat {
			out := slices.Clone(seats)
			slices.SortFunc(out, func(a, b seat) int { return strings.Compare(a.Role+a.PostID, b.Role+b.PostID) })
			return out
		}
		t.Run("seats replaced at once all apply and leave one LEADER and exactly one request's seats", func(t *testing.T) {
			for round := range 3 * raceRounds {
				outs := race(t, s, entrantsOf(func(i int) entrant {
					var members []any
					for _, m := range sets[i] {
						members = append(members, map[string]any{"postID": m.PostID, "role": m.Role})
					}
					return entrant{token: head, query: doc, vars: map[string]any{"in": map[string]any{"groupID": group, "members": members}}}
				}))
				winners := requireWinners(t, tally, outs)
				nodeOf(t, s, head, group, `... on LeadershipGroup { members { role postID } }`, &g)
				leaders := 0
				for _, m := range g.Members {
					if m.Role == "LEADER" {
						leaders++
					}
				}
				require.Equal(t, 1, leaders, "round %d: the group has %d LEADERs: %+v", round, leaders, g.Members)
				last := slices.IndexFunc(sets, func(set []seat) bool { return slices.Equal(sorted(set), sorted(g.Members)) })
				require.NotEqual(t, -1, last, "round %d: the seats %+v are no one request's", round, g.Members)
				require.Len(t, winners, racers, "round %d: every replacement applies, one after the other", round)
			}
		})
		t.Log(tally)
	})
}
