package graph_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

// A training's trainees are records of their enterprises (Trainee, scoped by
// the enterprise), a notice's receipts records of their recipients, and a
// publicity activity's visits name enterprises: a post reads those of its
// jurisdiction only. Training.traineeCount, Notice.recipientCount and
// Publicity.enterpriseCount are stored totals of all of them, and
// publicitySummary counted every visit of the activities read (a visit has
// its activity's scope, the organiser's, not its enterprise's), so a
// sector-restricted post (or an enterprise reading a training through its
// own trainees) learned how many people and enterprises outside its
// jurisdiction there are: totals counting out-of-scope records. Each total
// is now the parts the caller reads; a post with no sectors at the
// organiser or above it reads them all and is told the stored count.
func TestStoredCountsCountOnlyRecordsInScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		type training struct {
			ID, Topic    string
			TraineeCount int
			Trainees     []struct{ PersonName string }
		}
		trainingsOf := func(t *testing.T, token string) map[string]training {
			var out struct {
				Trainings struct{ Edges []struct{ Node training } }
			}
			gqOK(t, s, token, `{ trainings(first: 500) { edges { node { id topic traineeCount trainees { personName } } } } }`, nil).Decode(t, &out)
			m := map[string]training{}
			for _, e := range out.Trainings.Edges {
				m[e.Node.ID] = e.Node
			}
			return m
		}
		all := trainingsOf(t, head)
		require.NotEmpty(t, all)
		t.Run("the county head is told every training's stored count, all of whose trainees it reads", func(t *testing.T) {
			for _, tr := range all {
				assert.Equal(t, len(tr.Trainees), tr.TraineeCount, "“%s”", tr.Topic)
			}
		})
		for _, tc := range []struct{ name, user string }{
			{"the county's industry deputy counts only the industrial trainees of the bureau's trainings", "county.deputy.industry"},
			{"the commerce deputy of 西河镇 counts only the commerce trainees of the town's trainings", "xihe.deputy"},
			{"the fuel deputy of the bureau counts only the fuel stations' trainees", "bureau.fuel"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fewer := 0
				for id, tr := range trainingsOf(t, s.As(tc.user)) {
					assert.Equal(t, len(tr.Trainees), tr.TraineeCount,
						"%s reads %d trainees of “%s” but its traineeCount counts %d", tc.user, len(tr.Trainees), tr.Topic, tr.TraineeCount)
					if tr.TraineeCount < all[id].TraineeCount {
						fewer++
					}
				}
				assert.Positive(t, fewer, "%s reads every trainee of every training it reads: the case is not exercised", tc.user)
			})
		}
		t.Run("an enterprise reading a training through its trainees counts only its own staff", func(t *testing.T) {
			principal := s.As("cement.principal")
			var out struct {
				Trainees struct {
					Edges []struct {
						Node struct{ Training training }
					}
				}
			}
			gqOK(t, s, principal, `{ trainees(first: 500) { edges { node { training { id topic traineeCount trainees { personName } } } } } }`, nil).Decode(t, &out)
			require.NotEmpty(t, out.Trainees.Edges)
			fewer := 0
			for _, e := range out.Trainees.Edges {
				tr := e.Node.Training
				assert.Equal(t, len(tr.Trainees), tr.TraineeCount,
					"cement.principal reads %d trainees of “%s” but its traineeCount counts %d", len(tr.Trainees), tr.Topic, tr.TraineeCount)
				if tr.TraineeCount < all[tr.ID].TraineeCount {
					fewer++
				}
			}
			assert.Positive(t, fewer, "the enterprise's staff are the only trainees of every training: the case is not exercised")
			// The training itself is the organiser's record: the enterprise
			// reads it only through its trainees, not by id or in lists.
			tr := out.Trainees.Edges[0].Node.Training
			var node struct{ Node *struct{ ID string } }
			gqOK(t, s, principal, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": tr.ID}).Decode(t, &node)
			if all[tr.ID].TraineeCount > tr.TraineeCount { // organised by another unit
				assert.Nil(t, node.Node, "node(id) of “%s”, organised outside the enterprise", tr.Topic)
			}
		})

		type publicity struct {
			ID, Title          string
			EnterpriseCount    int
			Organiser          struct{ Code string }
			HeldOn             string
			VisitedEnterprises []struct{ Code string }
		}
		publicitiesOf := func(t *testing.T, token string) map[string]publicity {
			var out struct {
				Publicities struct{ Edges []struct{ Node publicity } }
			}
			gqOK(t, s, token, `{ publicities(first: 500) { edges { node { id title enterpriseCount organiser { code } heldOn visitedEnterprises { code } } } } }`, nil).Decode(t, &out)
			m := map[string]publicity{}
			for _, e := range out.Publicities.Edges {
				m[e.Node.ID] = e.Node
			}
			return m
		}
		allActs := publicitiesOf(t, head)
		for _, tc := range []struct {
			name, user string
			fewer      bool
		}{
			{"the county head is told every activity's stored count, all of whose enterprises it reads", "county.head", false},
			{"the county's industry deputy counts only the industrial enterprises the bureau's activities visited", "county.deputy.industry", true},
			{"the fuel deputy of the bureau counts only the fuel stations the bureau's activities visited", "bureau.fuel", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fewer := 0
				for id, p := range publicitiesOf(t, s.As(tc.user)) {
					assert.Equal(t, len(p.VisitedEnterprises), p.EnterpriseCount,
						"%s reads %d enterprises visited by “%s” but its enterpriseCount counts %d", tc.user, len(p.VisitedEnterprises), p.Title, p.EnterpriseCount)
					if p.EnterpriseCount < allActs[id].EnterpriseCount {
						fewer++
					}
				}
				assert.Equal(t, tc.fewer, fewer > 0, "%s counts fewer enterprises than the county head on %d activities", tc.user, fewer)
			})
		}

		type notice struct {
			ID, DocumentNumber string
			RecipientCount     int
			Receipts           struct{ TotalCount int }
		}
		noticesOf := func(t *testing.T, token string) map[string]notice {
			var out struct {
				Notices struct{ Edges []struct{ Node notice } }
			}
			gqOK(t, s, token, `{ notices(first: 100) { edges { node { id documentNumber recipientCount receipts(first: 1) { totalCount } } } } }`, nil).Decode(t, &out)
			m := map[string]notice{}
			for _, e := range out.Notices.Edges {
				m[e.Node.ID] = e.Node
			}
			return m
		}
		allNotices := noticesOf(t, head)
		for _, tc := range []struct {
			name, user string
			fewer      bool
		}{
			{"the county head is told every notice's stored count, all of whose receipts it reads", "county.head", false},
			{"the county's industry deputy counts only the receipts it reads of the county's notices", "county.deputy.industry", true},
			{"the fuel deputy of the bureau counts only the receipts it reads of the bureau's notices", "bureau.fuel", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fewer := 0
				for id, n := range noticesOf(t, s.As(tc.user)) {
					assert.Equal(t, n.Receipts.TotalCount, n.RecipientCount,
						"%s reads %d receipts of %s but its recipientCount counts %d", tc.user, n.Receipts.TotalCount, n.DocumentNumber, n.RecipientCount)
					if n.RecipientCount < allNotices[id].RecipientCount {
						fewer++
					}
				}
				assert.Equal(t, tc.fewer, fewer > 0, "%s counts fewer receipts than the county head on %d notices", tc.user, fewer)
			})
		}
		t.Run("a recipient reading a notice through its receipt counts only the receipts it reads", func(t *testing.T) {
			var out struct {
				NoticeReceipts struct {
					Edges []struct {
						Node struct {
							Notice struct {
								DocumentNumber string
								RecipientCount int
								Receipts       struct{ TotalCount int }
							}
						}
					}
				}
			}
			gqOK(t, s, s.As("cement.principal"), `{ noticeReceipts(first: 100) { edges { node { notice { documentNumber recipientCount receipts(first: 1) { totalCount } } } } } }`, nil).Decode(t, &out)
			require.NotEmpty(t, out.NoticeReceipts.Edges)
			for _, e := range out.NoticeReceipts.Edges {
				n := e.Node.Notice
				assert.Equal(t, n.Receipts.TotalCount, n.RecipientCount, "cement.principal reads %d receipts of %s but its recipientCount counts %d",
					n.Receipts.TotalCount, n.DocumentNumber, n.RecipientCount)
			}
		})

		// publicitySummary of the bureau's 2022–2023 activities counts the
		// distinct enterprises visited that the caller reads.
		summaryOf := func(t *testing.T, token string) (got, want int) {
			bureau := unitID(t, s, token, seed.CodeDeptIndustryCommerce)
			period := map[string]any{"organiserUnitID": bureau, "from": "2022-01-01T00:00:00Z", "to": "2023-12-31T00:00:00Z"}
			var sum struct {
				PublicitySummary struct{ EnterprisesVisited int }
			}
			gqOK(t, s, token, `query($w: PublicitySummaryWhereInput!) { publicitySummary(where: $w) { enterprisesVisited } }`, map[string]any{"w": period}).Decode(t, &sum)
			visible := map[string]bool{}
			for _, p := range publicitiesOf(t, token) {
				if p.Organiser.Code == seed.CodeDeptIndustryCommerce && p.HeldOn < "2024" {
					for _, v := range p.VisitedEnterprises {
						visible[v.Code] = true
					}
				}
			}
			return sum.PublicitySummary.EnterprisesVisited, len(visible)
		}
		for _, tc := range []struct{ name, user string }{
			{"the county head's publicity summary of the bureau counts every enterprise visited", "county.head"},
			{"the county's industry deputy's publicity summary of the bureau counts only the enterprises it reads", "county.deputy.industry"},
			{"the bureau's fuel deputy's publicity summary of the bureau counts only the fuel stations", "bureau.fuel"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, want := summaryOf(t, s.As(tc.user))
				assert.Equal(t, want, got, "the summary counts %d distinct enterprises visited; %s reads %d of them", got, tc.user, want)
			})
		}
		t.Run("the county head's publicity summary of the bureau's 2022 still counts every enterprise", func(t *testing.T) {
			bureau := unitID(t, s, head, seed.CodeDeptIndustryCommerce)
			var sum struct {
				PublicitySummary struct{ EnterprisesVisited int }
			}
			gqOK(t, s, head, `query($w: PublicitySummaryWhereInput!) { publicitySummary(where: $w) { enterprisesVisited } }`,
				map[string]any{"w": map[string]any{"organiserUnitID": bureau, "from": "2022-01-01T00:00:00Z", "to": "2022-12-31T00:00:00Z"}}).Decode(t, &sum)
			assert.Equal(t, seed.PublicityVisited2022, sum.PublicitySummary.EnterprisesVisited)
		})

		// The trainings ledger's 参训人数 is traineeCount, and the yearly
		// summary's 培训人次 and 入企宣传（家） the trainees and enterprises
		// the caller reads.
		for _, tc := range []struct{ name, user string }{
			{"the county head's ledger and summary count every trainee and enterprise", "county.head"},
			{"the county's industry deputy's ledger and summary count only the trainees and enterprises it reads", "county.deputy.industry"},
			{"the commerce deputy of 西河镇's ledger and summary count only the trainees and enterprises it reads", "xihe.deputy"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				token := s.As(tc.user)
				read := trainingsOf(t, token)
				rows := ledgerRows(t, s, token, "trainings")
				require.Equal(t, "参训人数", rows[0][7])
				require.Len(t, rows[1:], len(read))
				for _, r := range rows[1:] {
					tr, ok := read[r[len(r)-1]]
					require.True(t, ok, "ledger row %v is not among the trainings %s reads", r, tc.user)
					assert.Equal(t, strconv.Itoa(tr.TraineeCount), r[7], "参训人数 of “%s”", tr.Topic)
				}

				var sum struct {
					YearlySummary struct {
						Unit    struct{ Code string }
						Figures []struct {
							Key   string
							Value int
						}
					}
				}
				gqOK(t, s, token, `{ yearlySummary(year: 2022) { unit { code } figures { key value } } }`, nil).Decode(t, &sum)
				figures := map[string]int{}
				for _, f := range sum.YearlySummary.Figures {
					figures[f.Key] = f.Value
				}
				var trainees struct {
					Trainings struct {
						Edges []struct {
							Node struct{ Trainees []struct{ PersonName string } }
						}
					}
				}
				gqOK(t, s, token, `{ trainings(first: 500, where: {year: 2022}) { edges { node { trainees { personName } } } } }`, nil).Decode(t, &trainees)
				want := 0
				for _, e := range trainees.Trainings.Edges {
					want += len(e.Node.Trainees)
				}
				if sum.YearlySummary.Unit.Code == seed.CodeCounty {
					assert.Equal(t, want, figures["trainees"], "培训人次 of %s's summary", tc.user)
					visited := map[string]bool{}
					for _, p := range publicitiesOf(t, token) {
						if p.HeldOn >= "2022" && p.HeldOn < "2023" {
							for _, v := range p.VisitedEnterprises {
								visited[v.Code] = true
							}
						}
					}
					assert.Equal(t, len(visited), figures["enterprisesVisited"], "入企宣传（家） of %s's summary", tc.user)
				} else {
					assert.LessOrEqual(t, figures["trainees"], want, "培训人次 of %s's summary", tc.user)
				}
			})
		}
	})
}

// ledgerRows fetches a CSV ledger and returns its rows, header first.
func ledgerRows(t *testing.T, s *apitest.Server, token, name string) [][]string {
	t.Helper()
	res, body := s.Get(token, "/ledgers/"+name+".csv")
	require.Equal(t, 200, res.StatusCode, string(body))
	require.True(t, bytes.HasPrefix(body, []byte("\ufeff")), "a CSV ledger starts with a byte-order mark")
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	require.NoError(t, err)
	return rows
}

// A total of parts costs one statement per page, not one per record: a page
// of 1 and a page of 20 cost the same, for a caller whose totals are counted
// through its scope and for one told the stored counts.
func TestTotalsOfPartsCostNoStatementPerRow(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		for _, c := range []struct{ user, conn, fields string }{
			{"county.deputy.industry", "trainings", "traineeCount"},
			{"county.head", "trainings", "traineeCount"},
			{"county.deputy.industry", "publicities", "enterpriseCount"},
			{"county.head", "publicities", "enterpriseCount"},
			{"county.deputy.industry", "notices", "recipientCount"},
			{"bureau.fuel", "notices", "recipientCount"},
			{"county.head", "notices", "recipientCount"},
		} {
			t.Run(fmt.Sprintf("a page of %s with its %s costs the same statements whatever its size, as %s", c.conn, c.fields, c.user), func(t *testing.T) {
				token := s.As(c.user)
				q := func(n int) string {
					return fmt.Sprintf(`{ c: %s(first: %d) { edges { node { id %s } } } }`, c.conn, n, c.fields)
				}
				one, twenty := fewestStatementsOf(t, s, token, q(1)), fewestStatementsOf(t, s, token, q(20))
				assert.Equal(t, one, twenty, "pages of 1 and 20 %s with %s: %d and %d statements", c.conn, c.fields, one, twenty)
			})
		}
		for _, c := range []struct{ conn, field string }{
			{"trainings", "traineeCount"}, {"publicities", "enterpriseCount"}, {"notices", "recipientCount"},
		} {
			t.Run(fmt.Sprintf("the county head, who reads every part, is told the stored %s at no statement", c.field), func(t *testing.T) {
				token := s.As("county.head")
				q := func(fields string) string {
					return fmt.Sprintf(`{ c: %s(first: 20) { edges { node { id %s } } } }`, c.conn, fields)
				}
				assert.Equal(t, fewestStatementsOf(t, s, token, q("")), fewestStatementsOf(t, s, token, q(c.field)))
			})
		}
		t.Run("the trainings of an enterprise's trainees cost the same statements whatever the page's size", func(t *testing.T) {
			token := s.As("cement.principal")
			q := func(n int) string {
				return fmt.Sprintf(`{ trainees(first: %d) { edges { node { training { id traineeCount } } } } }`, n)
			}
			one, twenty := fewestStatementsOf(t, s, token, q(1)), fewestStatementsOf(t, s, token, q(20))
			assert.Equal(t, one, twenty, "pages of 1 and 20 trainees with their training's traineeCount: %d and %d statements", one, twenty)
		})
	}, func(c *config.Config) { c.StatementHeader = true })
}
