package graph_test

// allowedActions cost no statement per row: a page of N records with their
// allowedActions runs the same statements for N = 1, 5 and 20.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/server"
)

// statementsOf runs query as token and returns its SQL statements.
func statementsOf(t *testing.T, s *apitest.Server, token, query string) int {
	body, err := json.Marshal(map[string]any{"query": query})
	require.NoError(t, err)
	res, out := s.DoRaw(token, "application/json", body)
	var r apitest.Response
	require.NoError(t, json.Unmarshal(out, &r))
	require.Empty(t, r.Errors, "%s", query)
	n, err := strconv.Atoi(res.Header.Get(server.StatementsHeader))
	require.NoError(t, err, "the statement header is on")
	return n
}

// fewestStatementsOf is the fewest statements of three runs of query: the
// loaders batch the rows that ask within their wait, and on a loaded machine
// a batch may split, which is timing, not a statement per row (a statement
// per row shows in every run).
func fewestStatementsOf(t *testing.T, s *apitest.Server, token, query string) int {
	t.Helper()
	n := statementsOf(t, s, token, query)
	for range 2 {
		n = min(n, statementsOf(t, s, token, query))
	}
	return n
}

func TestAllowedActionsCostNoStatementPerRow(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		for _, c := range []struct{ user, conn string }{
			{"county.head", "hazards"}, {"county.head", "responsibilityLetters"}, {"county.head", "inspections"},
			{"county.head", "campaigns"}, {"county.head", "enterprises"}, {"admin", "units"},
			{"admin", "users"}, {"admin", "posts"}, {"county.head", "riskPoints"},
		} {
			t.Run(c.conn+" as "+c.user, func(t *testing.T) {
				token := s.As(c.user)
				var counts []int
				for _, n := range []int{1, 5, 20} {
					q := fmt.Sprintf(`{ c: %s(first: %d) { edges { node { id allowedActions } } } }`, c.conn, n)
					// The loaders batch the rows that ask within a few
					// milliseconds; on a loaded machine a batch may split,
					// which is timing, not a statement per row: the
					// fewest of three runs counts.
					best := statementsOf(t, s, token, q)
					for range 2 {
						best = min(best, statementsOf(t, s, token, q))
					}
					counts = append(counts, best)
				}
				require.Equal(t, counts[0], counts[1], "pages of 1, 5 and 20 %s: %v statements", c.conn, counts)
				require.Equal(t, counts[0], counts[2], "pages of 1, 5 and 20 %s: %v statements", c.conn, counts)
			})
		}
	}, func(c *config.Config) { c.StatementHeader = true })
}
