package server_test

// Cost: every result reports its computed cost; list arguments and
// nodes(ids:) weigh by their length; one request checks at most one
// password (login or refreshToken), however it is aliased or batched.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

// costOf runs query as token and returns its extensions.cost.
func costOf(t *testing.T, s *apitest.Server, token, query string, vars map[string]any) map[string]int {
	t.Helper()
	_, body := graphQLRequest(t, s, http.MethodPost, token, "", map[string]any{"query": query, "variables": vars})
	r := decodeFull(t, body)
	require.Empty(t, r.Errors, "%s", body)
	var cost map[string]int
	require.NoError(t, json.Unmarshal(r.Extensions["cost"], &cost), "%s", body)
	return cost
}

func TestQueryCost(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tok := s.As("admin")
		var page struct {
			Units struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		doOK(t, s, tok, `{ units(first: 200) { edges { node { id } } } }`, nil).Decode(t, &page)
		ids := func(n int) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = page.Units.Edges[i%len(page.Units.Edges)].Node.ID
			}
			return out
		}

		t.Run("a result reports its complexity and the limit in extensions.cost", func(t *testing.T) {
			// units 1 + 10 × (edges 1 + node 1 + id 1)
			cost := costOf(t, s, tok, `{ units(first: 10) { edges { node { id } } } }`, nil)
			require.Equal(t, map[string]int{"complexity": 31, "limit": s.Config.MaxComplexity}, cost)
		})
		t.Run("nodes weighs by the number of ids", func(t *testing.T) {
			q := `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`
			one := costOf(t, s, tok, q, map[string]any{"ids": ids(1)})["complexity"]
			hundred := costOf(t, s, tok, q, map[string]any{"ids": ids(100)})["complexity"]
			require.Equal(t, 3, one, "1 + 1 id + 1 × id")
			require.Equal(t, 201, hundred, "1 + 100 ids + 100 × id")
		})
		t.Run("a list argument in a filter weighs by its length", func(t *testing.T) {
			q := `query($ids: [ID!]) { units(where: {idIn: $ids}) { totalCount } }`
			short := costOf(t, s, tok, q, map[string]any{"ids": ids(1)})["complexity"]
			long := costOf(t, s, tok, q, map[string]any{"ids": ids(101)})["complexity"]
			require.Equal(t, 100, long-short)
		})
		t.Run("nodes whose ids multiply a nested connection over the limit is QUERY_TOO_COMPLEX", func(t *testing.T) {
			q := `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Unit { children(first: 100) { edges { node { id name } } } } } }`
			r := do(t, s, tok, q, map[string]any{"ids": ids(200)})
			refused(t, r, "QUERY_TOO_COMPLEX")
			require.NotNil(t, r.Errors[0].Extensions["cost"], "the refusal says what the query cost")
		})
		t.Run("the same nesting under a few ids runs", func(t *testing.T) {
			q := `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Unit { children(first: 100) { edges { node { id name } } } } } }`
			doOK(t, s, tok, q, map[string]any{"ids": ids(3)})
		})
	})
}

func TestOneSignInPerRequest(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		in := map[string]any{"tenant": "demo", "username": "admin", "password": seed.DemoPassword}
		aliased := func(n int) string {
			var b strings.Builder
			b.WriteString("mutation($in: LoginInput!) { ")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&b, "l%d: login(input: $in) { accessToken } ", i)
			}
			b.WriteString("}")
			return b.String()
		}
		t.Run("one login runs", func(t *testing.T) {
			doOK(t, s, "", aliased(1), map[string]any{"in": in})
		})
		t.Run("two aliased logins are refused before any password is checked", func(t *testing.T) {
			refused(t, do(t, s, "", aliased(2), map[string]any{"in": in}), "ONE_SIGN_IN_PER_REQUEST")
		})
		t.Run("a login and a refreshToken in one operation are refused", func(t *testing.T) {
			q := `mutation($in: LoginInput!) { login(input: $in) { accessToken } refreshToken(input: {refreshToken: "x"}) { accessToken } }`
			refused(t, do(t, s, "", q, map[string]any{"in": in}), "ONE_SIGN_IN_PER_REQUEST")
		})
		t.Run("logins hidden in a fragment on Mutation are counted", func(t *testing.T) {
			q := `mutation($in: LoginInput!) { ...L } fragment L on Mutation { a: login(input: $in) { accessToken } b: login(input: $in) { accessToken } }`
			refused(t, do(t, s, "", q, map[string]any{"in": in}), "ONE_SIGN_IN_PER_REQUEST")
		})
		t.Run("in a batch only the first login runs; the others are refused", func(t *testing.T) {
			op := map[string]any{"query": aliased(1), "variables": map[string]any{"in": in}}
			body, _ := json.Marshal([]any{op, op, op})
			status, _, b := raw(t, s, http.MethodPost, "/graphql", "", "application/json", body)
			require.Equal(t, http.StatusOK, status, "%s", b)
			var out []apitest.Response
			require.NoError(t, json.Unmarshal(b, &out), "%s", b)
			require.Len(t, out, 3)
			require.Empty(t, out[0].Errors)
			refused(t, &out[1], "ONE_SIGN_IN_PER_REQUEST")
			refused(t, &out[2], "ONE_SIGN_IN_PER_REQUEST")
		})
		t.Run("a batch of queries is not limited by the sign-in rule", func(t *testing.T) {
			tok := s.As("admin")
			op := map[string]any{"query": `{ me { user { username } } }`}
			body, _ := json.Marshal([]any{op, op})
			status, _, b := raw(t, s, http.MethodPost, "/graphql", tok, "application/json", body)
			require.Equal(t, http.StatusOK, status, "%s", b)
			var out []apitest.Response
			require.NoError(t, json.Unmarshal(b, &out), "%s", b)
			require.Empty(t, out[0].Errors)
			require.Empty(t, out[1].Errors)
		})
	})
}
