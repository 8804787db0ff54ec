package server_test

// Abuse limits and the HTTP surface, end to end over real HTTP: every
// refusal is a clear BAD_USER_INPUT (or an HTTP status where GraphQL cannot
// answer), never INTERNAL, never leaking internals, and the server stays up.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/gid"
)

// do sends a GraphQL document and checks that no error leaks internals.
func do(t testing.TB, s *apitest.Server, token, query string, vars map[string]any) *apitest.Response {
	t.Helper()
	r := s.Do(token, query, vars)
	apitest.RequireNoLeak(t, r)
	return r
}

func doOK(t testing.TB, s *apitest.Server, token, query string, vars map[string]any) *apitest.Response {
	t.Helper()
	r := do(t, s, token, query, vars)
	require.Empty(t, r.Errors, "unexpected errors for %.200s", query)
	return r
}

// refused asserts a BAD_USER_INPUT refusal, with extensions.reason when
// reason is not empty, and that no data was produced.
func refused(t testing.TB, r *apitest.Response, reason string) {
	t.Helper()
	require.NotEmpty(t, r.Errors, "want a refusal, got data %s", r.Data)
	require.Equal(t, "BAD_USER_INPUT", r.Code(), "errors: %+v", r.Errors)
	if reason != "" {
		require.Equal(t, reason, r.Errors[0].Extensions["reason"], "errors: %+v", r.Errors)
	}
	require.Contains(t, []string{"", "null"}, string(r.Data), "a refused operation runs nothing")
}

// raw sends an HTTP request to the test server and returns status, header
// and body.
func raw(t testing.TB, s *apitest.Server, method, path, token, contentType string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.HTTP.URL+path, rd)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.HTTP.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, b
}

// decodeOne decodes a single GraphQL response body.
func decodeOne(t testing.TB, body []byte) *apitest.Response {
	t.Helper()
	var r apitest.Response
	require.NoError(t, json.Unmarshal(body, &r), "body %s", body)
	apitest.RequireNoLeak(t, &r)
	return &r
}

// deepQuery nests parent fields so that the document is depth levels deep:
// units(1) → edges(2) → node(3) → parent … → name(depth).
func deepQuery(depth int) string {
	var b strings.Builder
	b.WriteString("{ units(first: 1) { edges { node { ")
	for i := 0; i < depth-4; i++ {
		b.WriteString("parent { ")
	}
	b.WriteString("name")
	for i := 0; i < depth-4; i++ {
		b.WriteString(" }")
	}
	b.WriteString(" } } } }")
	return b.String()
}

func healthy(t *testing.T, s *apitest.Server, token string) {
	t.Helper()
	status, _, body := raw(t, s, http.MethodGet, "/healthz", "", "", nil)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "ok", strings.TrimSpace(string(body)))
	r := doOK(t, s, token, `{ me { user { username } } enterprises(first: 1) { totalCount } }`, nil)
	require.JSONEq(t, `{"me": {"user": {"username": "admin"}}, "enterprises": {"totalCount": 48}}`, string(r.Data))
}

func TestQueryLimits(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tok := s.As("admin")
		max := s.Config.MaxDepth

		t.Run("a query at the depth limit runs", func(t *testing.T) {
			doOK(t, s, tok, deepQuery(max), nil)
		})
		t.Run("a query one level over the depth limit is QUERY_TOO_DEEP", func(t *testing.T) {
			refused(t, do(t, s, tok, deepQuery(max+1), nil), "QUERY_TOO_DEEP")
		})
		t.Run("depth through fragments counts too", func(t *testing.T) {
			q := `{ units(first: 1) { edges { node { ...P } } } }
				fragment P on Unit { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } }`
			refused(t, do(t, s, tok, q, nil), "QUERY_TOO_DEEP")
		})
		t.Run("a self-referencing fragment is refused, not followed", func(t *testing.T) {
			q := `{ units(first: 1) { edges { node { ...P } } } } fragment P on Unit { parent { ...P } }`
			r := do(t, s, tok, q, nil)
			require.Equal(t, "BAD_USER_INPUT", r.Code(), "%+v", r.Errors)
		})
		t.Run("nested connections whose page sizes multiply over the limit are QUERY_TOO_COMPLEX", func(t *testing.T) {
			q := `{ units(first: 200) { edges { node { children(first: 200) { edges { node { id name } } } } } } }`
			refused(t, do(t, s, tok, q, nil), "QUERY_TOO_COMPLEX")
		})
		t.Run("nested connections without first weigh as the default page", func(t *testing.T) {
			q := `{ units { edges { node { children { edges { node { members { totalCount } } } } } } } }`
			refused(t, do(t, s, tok, q, nil), "QUERY_TOO_COMPLEX")
		})
		t.Run("page sizes given by variables are weighed too", func(t *testing.T) {
			q := `query($n: Int) { units(first: $n) { edges { node { children(first: $n) { edges { node { id } } } } } } }`
			refused(t, do(t, s, tok, q, map[string]any{"n": 300}), "QUERY_TOO_COMPLEX")
		})
		t.Run("the same nesting with small pages runs", func(t *testing.T) {
			doOK(t, s, tok, `{ units(first: 20) { edges { node { children(first: 20) { edges { node { id name } } } } } } }`, nil)
		})
		t.Run("first: 501 is PAGE_TOO_LARGE", func(t *testing.T) {
			refused(t, do(t, s, tok, `{ enterprises(first: 501) { totalCount } }`, nil), "PAGE_TOO_LARGE")
		})
		t.Run("last: 501 is PAGE_TOO_LARGE", func(t *testing.T) {
			refused(t, do(t, s, tok, `{ units(last: 501) { totalCount } }`, nil), "PAGE_TOO_LARGE")
		})
		t.Run("first: 501 in a variable is PAGE_TOO_LARGE", func(t *testing.T) {
			refused(t, do(t, s, tok, `query($n: Int) { users(first: $n) { totalCount } }`, map[string]any{"n": 501}), "PAGE_TOO_LARGE")
		})
		t.Run("first: 501 on a nested connection is PAGE_TOO_LARGE", func(t *testing.T) {
			refused(t, do(t, s, tok, `{ units(first: 1) { edges { node { children(first: 501) { totalCount } } } } }`, nil), "PAGE_TOO_LARGE")
		})
		t.Run("first: 500 is allowed", func(t *testing.T) {
			r := doOK(t, s, tok, `{ units(first: 500) { totalCount edges { node { id } } } }`, nil)
			var out struct {
				Units struct {
					TotalCount int
					Edges      []any
				}
			}
			r.Decode(t, &out)
			require.Equal(t, out.Units.TotalCount, len(out.Units.Edges))
		})
		t.Run("a negative first is BAD_USER_INPUT", func(t *testing.T) {
			r := do(t, s, tok, `{ units(first: -1) { totalCount } }`, nil)
			require.Equal(t, "BAD_USER_INPUT", r.Code(), "%+v", r.Errors)
		})
		t.Run("without first at most the default page is returned", func(t *testing.T) {
			r := doOK(t, s, tok, `{ units { totalCount pageInfo { hasNextPage } edges { node { id } } } }`, nil)
			var out struct {
				Units struct {
					TotalCount int
					PageInfo   struct{ HasNextPage bool }
					Edges      []any
				}
			}
			r.Decode(t, &out)
			require.Equal(t, 100, out.Units.TotalCount, "the demo county has 100 units")
			require.Len(t, out.Units.Edges, s.Config.DefaultPage)
			require.Equal(t, 50, s.Config.DefaultPage)
			require.True(t, out.Units.PageInfo.HasNextPage)
		})
		t.Run("a document over the token limit is BAD_USER_INPUT", func(t *testing.T) {
			q := "{ me { user { username } } " + strings.Repeat("__typename ", s.Config.MaxTokens) + "}"
			r := do(t, s, tok, q, nil)
			refused(t, r, "")
		})
		t.Run("an alias flood within the token limit is refused", func(t *testing.T) {
			// 500 aliased me lookups: 9 tokens each, 4 502 in all — under the
			// token limit — and about 2 000 SQL statements.
			var b strings.Builder
			b.WriteString("{ ")
			for i := 0; i < 500; i++ {
				fmt.Fprintf(&b, "a%d: me { tenant { name } } ", i)
			}
			b.WriteString("}")
			r := do(t, s, tok, b.String(), nil)
			require.NotEmpty(t, r.Errors, "500 aliased root fields were executed")
			require.Equal(t, "BAD_USER_INPUT", r.Code(), "%+v", r.Errors[0])
		})
		t.Run("nodes with as many ids as the maximum page runs", func(t *testing.T) {
			var page struct {
				Units struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			doOK(t, s, tok, `{ units(first: 100) { edges { node { id } } } }`, nil).Decode(t, &page)
			require.Len(t, page.Units.Edges, 100)
			ids := make([]string, s.Config.MaxPage)
			for i := range ids {
				ids[i] = page.Units.Edges[i%100].Node.ID
			}
			r := doOK(t, s, tok, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids})
			var out struct{ Nodes []struct{ ID string } }
			r.Decode(t, &out)
			require.Len(t, out.Nodes, len(ids))
		})
		// Lists in variables are not bounded by the token limit, only by the
		// body size: a 1 MiB body holds tens of thousands of values.
		t.Run("nodes with 40 000 ids is BAD_USER_INPUT, not INTERNAL", func(t *testing.T) {
			ids := make([]string, 40_000)
			for i := range ids {
				ids[i] = gid.Encode(unitsBase + 1 + i)
			}
			r := do(t, s, tok, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids})
			require.NotEmpty(t, r.Errors)
			require.Equal(t, "BAD_USER_INPUT", r.Code(), "%d errors, the first %+v", len(r.Errors), r.Errors[0])
		})
		// Past the databases' bind-parameter limits (SQLite 32 766,
		// PostgreSQL 65 535) a filter list must be refused, not fail in SQL.
		t.Run("an idIn filter with 40 000 ids is never INTERNAL", func(t *testing.T) {
			// 40 000 ids fit in the body limit (70 000 would not).
			ids := make([]string, 40_000)
			for i := range ids {
				ids[i] = gid.Encode(unitsBase + 1 + i)
			}
			r := do(t, s, tok, `query($ids: [ID!]) { units(where: {idIn: $ids}) { totalCount } }`, map[string]any{"ids": ids})
			for _, e := range r.Errors {
				require.Equal(t, "BAD_USER_INPUT", e.Extensions["code"], "%+v", e)
			}
		})
		t.Run("a usernameIn filter with 70 000 names is never INTERNAL", func(t *testing.T) {
			names := make([]string, 70_000)
			for i := range names {
				names[i] = fmt.Sprint(i)
			}
			r := do(t, s, tok, `query($n: [String!]) { users(where: {usernameIn: $n}) { totalCount } }`, map[string]any{"n": names})
			for _, e := range r.Errors {
				require.Equal(t, "BAD_USER_INPUT", e.Extensions["code"], "%+v", e)
			}
		})
		t.Run("the server is healthy after all of these", func(t *testing.T) {
			healthy(t, s, tok)
		})
	})
}

// unitsBase is the first id of the units table (ent's global id ranges).
const unitsBase = 8 << 32

func TestAliasLimit(t *testing.T) {
	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString("{ units(first: 1) { ")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "c%d: totalCount ", i)
		}
		b.WriteString("} }")
		return b.String()
	}
	t.Run("with the default limit", func(t *testing.T) {
		apitest.Each(t, func(t *testing.T, s *apitest.Server) {
			tok := s.As("admin")
			t.Run("one alias over the limit is TOO_MANY_ALIASES", func(t *testing.T) {
				refused(t, do(t, s, tok, aliases(s.Config.MaxAliases+1), nil), "TOO_MANY_ALIASES")
			})
			t.Run("aliases up to the limit are fine", func(t *testing.T) {
				doOK(t, s, tok, aliases(s.Config.MaxAliases), nil)
			})
		})
	})
	t.Run("with a configured limit", func(t *testing.T) {
		apitest.Each(t, func(t *testing.T, s *apitest.Server) {
			tok := s.As("admin")
			require.Equal(t, 5, s.Config.MaxAliases)
			refused(t, do(t, s, tok, aliases(6), nil), "TOO_MANY_ALIASES")
			doOK(t, s, tok, aliases(5), nil)
		}, func(c *config.Config) { c.MaxAliases = 5 })
	})
}

func TestBatchAndBody(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tok := s.As("admin")
		op := func(q string) map[string]any { return map[string]any{"query": q} }

		t.Run("a batch of two operations returns an array of two results", func(t *testing.T) {
			body, _ := json.Marshal([]any{op(`{ me { user { username } } }`), op(`{ enterprises { totalCount } }`)})
			status, _, b := raw(t, s, http.MethodPost, "/graphql", tok, "application/json", body)
			require.Equal(t, http.StatusOK, status, "%s", b)
			apitest.RequireNoLeakInBody(t, b)
			var out []apitest.Response
			require.NoError(t, json.Unmarshal(b, &out), "%s", b)
			require.Len(t, out, 2)
			require.JSONEq(t, `{"me": {"user": {"username": "admin"}}}`, string(out[0].Data))
			require.JSONEq(t, `{"enterprises": {"totalCount": 48}}`, string(out[1].Data))
		})
		t.Run("each operation of a batch is limited on its own", func(t *testing.T) {
			body, _ := json.Marshal([]any{op(`{ enterprises(first: 501) { totalCount } }`), op(`{ enterprises(first: 1) { totalCount } }`)})
			status, _, b := raw(t, s, http.MethodPost, "/graphql", tok, "application/json", body)
			require.Equal(t, http.StatusOK, status, "%s", b)
			var out []apitest.Response
			require.NoError(t, json.Unmarshal(b, &out), "%s", b)
			require.Len(t, out, 2)
			refused(t, &out[0], "PAGE_TOO_LARGE")
			require.JSONEq(t, `{"enterprises": {"totalCount": 48}}`, string(out[1].Data))
		})
		t.Run("a batch over the maximum is refused with BAD_USER_INPUT", func(t *testing.T) {
			ops := make([]any, s.Config.MaxBatch+1)
			for i := range ops {
				ops[i] = op(`{ me { user { username } } }`)
			}
			body, _ := json.Marshal(ops)
			status, _, b := raw(t, s, http.MethodPost, "/graphql", tok, "application/json", body)
			require.Equal(t, http.StatusBadRequest, status, "%s", b)
			refused(t, decodeOne(t, b), "BATCH_TOO_LARGE")
		})
		t.Run("an empty batch is refused with BAD_USER_INPUT", func(t *testing.T) {
			status, _, b := raw(t, s, http.MethodPost, "/graphql", tok, "application/json", []byte(`[]`))
			require.Equal(t, http.StatusBadRequest, status, "%s", b)
			refused(t, decodeOne(t, b), "")
		})
		t.Run("a body over the size limit is 413", func(t *testing.T) {
			big := strings.Repeat("a", int(s.Config.MaxBodyBytes)+1024)
			body, _ := json.Marshal(map[string]any{"query": `query($x: String) { me { user { username } } }`, "variables": map[string]any{"x": big}})
			status, _, b := raw(t, s, http.MethodPost, "/graphql", tok, "application/json", body)
			require.Equal(t, http.StatusRequestEntityTooLarge, status, "%.300s", b)
			r := decodeOne(t, b)
			require.Equal(t, "BAD_USER_INPUT", r.Code())
		})
		t.Run("a body over the size limit as a batch is 413 too", func(t *testing.T) {
			big := strings.Repeat("b", int(s.Config.MaxBodyBytes)+1024)
			body, _ := json.Marshal([]any{map[string]any{"query": `{ me { user { username } } }`, "variables": map[string]any{"x": big}}})
			status, _, b := raw(t, s, http.MethodPost, "/graphql", tok, "application/json", body)
			require.Equal(t, http.StatusRequestEntityTooLarge, status, "%.300s", b)
		})
		t.Run("the server is healthy after all of these", func(t *testing.T) {
			healthy(t, s, tok)
		})
	})
}

func TestHTTPSurface(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tok := s.As("admin")
		get := func(t *testing.T, token, query string) (int, []byte) {
			status, _, b := raw(t, s, http.MethodGet, "/graphql?query="+url.QueryEscape(query), token, "", nil)
			return status, b
		}
		units := func() int {
			var n int
			require.NoError(t, s.DB.SQL.QueryRow("SELECT COUNT(*) FROM units").Scan(&n))
			return n
		}

		t.Run("GET /graphql runs a query", func(t *testing.T) {
			status, b := get(t, tok, `{ me { user { username } } }`)
			require.Equal(t, http.StatusOK, status, "%s", b)
			r := decodeOne(t, b)
			require.Empty(t, r.Errors)
			require.JSONEq(t, `{"me": {"user": {"username": "admin"}}}`, string(r.Data))
		})
		t.Run("GET /graphql without a token is UNAUTHENTICATED", func(t *testing.T) {
			_, b := get(t, "", `{ me { user { username } } }`)
			require.Equal(t, "UNAUTHENTICATED", decodeOne(t, b).Code())
		})
		var county struct {
			Units struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		doOK(t, s, tok, `{ units(where: {code: "COUNTY"}) { edges { node { id } } } }`, nil).Decode(t, &county)
		require.Len(t, county.Units.Edges, 1)
		mutation := `mutation { createUnit(input: {kind: TOWN, name: "经GET创建镇", code: "TOWN-GET", parentID: "` +
			county.Units.Edges[0].Node.ID + `"}) { unit { id } } }`
		t.Run("a mutation over GET is refused and writes nothing", func(t *testing.T) {
			before := units()
			status, b := get(t, tok, mutation)
			require.NotEqual(t, http.StatusOK, status, "%s", b)
			r := decodeOne(t, b)
			require.NotEmpty(t, r.Errors)
			require.Equal(t, before, units())
		})
		t.Run("a mutation refused over GET carries an error code", func(t *testing.T) {
			_, b := get(t, tok, mutation)
			require.Equal(t, "BAD_USER_INPUT", decodeOne(t, b).Code(), "%s", b)
		})
		t.Run("GraphiQL is served at /", func(t *testing.T) {
			status, h, b := raw(t, s, http.MethodGet, "/", "", "", nil)
			require.Equal(t, http.StatusOK, status)
			require.Contains(t, h.Get("Content-Type"), "text/html")
			require.Contains(t, strings.ToLower(string(b)), "<html")
			require.Contains(t, string(b), "/graphql")
		})
		t.Run("/healthz is 200", func(t *testing.T) {
			status, _, _ := raw(t, s, http.MethodGet, "/healthz", "", "", nil)
			require.Equal(t, http.StatusOK, status)
		})
		t.Run("/readyz is 200", func(t *testing.T) {
			status, _, b := raw(t, s, http.MethodGet, "/readyz", "", "", nil)
			require.Equal(t, http.StatusOK, status, "%s", b)
		})
		t.Run("an unknown path is 404", func(t *testing.T) {
			status, _, _ := raw(t, s, http.MethodGet, "/no-such-page", "", "", nil)
			require.Equal(t, http.StatusNotFound, status)
		})
		t.Run("a body that is not JSON is BAD_USER_INPUT", func(t *testing.T) {
			status, _, b := raw(t, s, http.MethodPost, "/graphql", tok, "application/json", []byte(`{"query": `))
			require.Equal(t, http.StatusBadRequest, status, "%s", b)
			require.Equal(t, "BAD_USER_INPUT", decodeOne(t, b).Code(), "%s", b)
		})
	})
}

func TestBadInputIsNeverInternal(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		tok := s.As("admin")
		cases := []struct {
			name, query string
			vars        map[string]any
		}{
			{"an unknown enum in variables", `query($k: UnitKind) { units(where: {kind: $k}) { totalCount } }`, map[string]any{"k": "PLANET"}},
			{"an unknown enum literal", `{ units(where: {kind: PLANET}) { totalCount } }`, nil},
			{"an unknown enum in an input variable", `mutation($in: AddPolicyRuleInput!) { addPolicyRule(input: $in) { rules { role } } }`,
				map[string]any{"in": map[string]any{"role": "EMPEROR", "object": "unit", "action": "read"}}},
			{"a malformed ID", `{ node(id: "not-an-id") { id } }`, nil},
			{"a malformed ID in a variable", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": "%%%"}},
			{"an ID with a foreign prefix", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": b64("x:42")}},
			{"an ID whose number overflows", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": b64("dc:99999999999999999999999")}},
			{"an ID with a negative number", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": b64("dc:-5")}},
			{"a number as ID", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": 42}},
			{"malformed IDs in nodes", `{ nodes(ids: ["x", "y"]) { id } }`, nil},
			{"a malformed ID in a where filter", `{ units(where: {idIn: ["bogus"]}) { totalCount } }`, nil},
			{"a malformed ID in a mutation", `mutation { endPost(input: {id: "bogus"}) { post { id } } }`, nil},
			{"a malformed cursor", `{ enterprises(after: "zzz") { totalCount } }`, nil},
			{"a base64 cursor that is not a cursor", `{ units(first: 2, after: "aGVsbG8gd29ybGQ") { totalCount } }`, nil},
			{"a malformed cursor before", `{ users(last: 2, before: "%%") { totalCount } }`, nil},
			{"a malformed time", `{ units(where: {createdAtGT: "yesterday"}) { totalCount } }`, nil},
			{"a string where an Int belongs", `query($n: Int) { units(first: $n) { totalCount } }`, map[string]any{"n": "ten"}},
			{"an unknown field", `{ units { totalCount salary } }`, nil},
			{"an unknown argument", `{ units(limit: 5) { totalCount } }`, nil},
			{"a syntax error", `{ units { totalCount `, nil},
			{"an unknown orderBy field", `{ units(orderBy: {field: SALARY}) { totalCount } }`, nil},
			{"a missing required variable", `query($id: ID!) { node(id: $id) { id } }`, nil},
		}
		for _, c := range cases {
			t.Run(c.name+" is BAD_USER_INPUT", func(t *testing.T) {
				r := do(t, s, tok, c.query, c.vars)
				require.NotEmpty(t, r.Errors, "data %s", r.Data)
				for _, e := range r.Errors {
					require.Equal(t, "BAD_USER_INPUT", e.Extensions["code"], "%+v", e)
				}
			})
		}
		t.Run("an operation name that is not in the document is BAD_USER_INPUT", func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"query": `query A { me { user { id } } }`, "operationName": "B"})
			_, _, b := raw(t, s, http.MethodPost, "/graphql", tok, "application/json", body)
			require.Equal(t, "BAD_USER_INPUT", decodeOne(t, b).Code(), "%s", b)
		})
		t.Run("the server is healthy after all of these", func(t *testing.T) {
			healthy(t, s, tok)
		})
	})
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
