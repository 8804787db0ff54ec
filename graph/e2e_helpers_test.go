package graph_test

// Helpers shared by the end-to-end GraphQL tests of this package
// (vectors_test.go, mutations_test.go, org_test.go).

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
)

// gq sends a GraphQL document and checks that no error leaks internals.
func gq(t testing.TB, s *apitest.Server, token, query string, vars map[string]any) *apitest.Response {
	t.Helper()
	r := s.Do(token, query, vars)
	apitest.RequireNoLeak(t, r)
	return r
}

// gqOK is gq that requires a response without errors.
func gqOK(t testing.TB, s *apitest.Server, token, query string, vars map[string]any) *apitest.Response {
	t.Helper()
	r := gq(t, s, token, query, vars)
	require.Empty(t, r.Errors, "unexpected errors for %s", oneLine(query))
	return r
}

// requireCode asserts that r failed with extensions.code code (and no data
// for the failed root field is required by the caller separately).
func requireCode(t testing.TB, r *apitest.Response, code string, msgAndArgs ...any) {
	t.Helper()
	require.NotEmpty(t, r.Errors, append([]any{"want error %s, got data %s"}, append([]any{code, string(r.Data)}, msgAndArgs...)...)...)
	for _, e := range r.Errors {
		require.NotEmpty(t, e.Extensions["code"], "every error carries extensions.code: %+v", e)
	}
	require.Equal(t, code, r.Code(), "errors: %+v %v", r.Errors, msgAndArgs)
}

// requireOneOf asserts that r failed with one of codes.
func requireOneOf(t testing.TB, r *apitest.Response, codes ...string) {
	t.Helper()
	require.NotEmpty(t, r.Errors, "want one of %v, got data %s", codes, r.Data)
	require.Contains(t, codes, r.Code(), "errors: %+v", r.Errors)
}

func oneLine(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 160 {
		q = q[:160] + "…"
	}
	return q
}

// idOf returns the id of the single node of connection matching where, as
// token sees it.
func idOf(t testing.TB, s *apitest.Server, token, connection, where string) string {
	t.Helper()
	r := gqOK(t, s, token, fmt.Sprintf(`{ c: %s(where: %s, first: 2) { edges { node { id } } } }`, connection, where), nil)
	var out struct {
		C struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	r.Decode(t, &out)
	require.Len(t, out.C.Edges, 1, "%s(where: %s) as this caller", connection, where)
	return out.C.Edges[0].Node.ID
}

// unitID is the id of the unit with code in the caller's tenant.
func unitID(t testing.TB, s *apitest.Server, token, code string) string {
	t.Helper()
	return idOf(t, s, token, "units", fmt.Sprintf("{code: %q}", code))
}

// enterpriseID is the id of the Enterprise profile named name.
func enterpriseID(t testing.TB, s *apitest.Server, token, name string) string {
	t.Helper()
	return idOf(t, s, token, "enterprises", fmt.Sprintf("{name: %q}", name))
}

// userID is the id of the user with username.
func userID(t testing.TB, s *apitest.Server, token, username string) string {
	t.Helper()
	return idOf(t, s, token, "users", fmt.Sprintf("{username: %q}", username))
}

// postID is the id of the post with title.
func postID(t testing.TB, s *apitest.Server, token, title string) string {
	t.Helper()
	return idOf(t, s, token, "posts", fmt.Sprintf("{title: %q}", title))
}

// names lists the names (usernames, titles) of a connection as token sees it,
// sorted; totalCount is checked against the list by apitest.
func names(s *apitest.Server, token, connection, where string) []string {
	return sorted(s.Names(token, connection, where))
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	sort.Strings(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// totalCount runs { c: connection(where) { totalCount } } as token.
func totalCount(t testing.TB, s *apitest.Server, token, connection, where string) int {
	t.Helper()
	args := ""
	if where != "" {
		args = "(where: " + where + ")"
	}
	r := gqOK(t, s, token, fmt.Sprintf(`{ c: %s%s { totalCount } }`, connection, args), nil)
	var out struct{ C struct{ TotalCount int } }
	r.Decode(t, &out)
	return out.C.TotalCount
}

// ---------------------------------------------------------------------------
// Database snapshots: "nothing was written".

// watchedTables are the tables a refused request must leave untouched: every
// table of the registry (authz.Records), so a new record is watched without a
// line here, but for those a request writes whatever its outcome.
var watchedTables = func() []string {
	written := map[string]bool{
		"refresh_tokens": true, "login_attempts": true, // signing in writes them
		"audit_events": true, "audit_heads": true, // a refused sign-in is audited
	}
	var out []string
	for _, r := range authz.Records {
		for _, tbl := range r.Tables {
			if !written[tbl.Name] {
				out = append(out, tbl.Name)
			}
		}
	}
	return out
}()

type tableState struct {
	Rows   int
	Digest string
}

type dbSnapshot map[string]tableState

// snapshot reads every row of the watched tables (ordered by id) and keeps
// their count and a digest of their contents.
func snapshot(t testing.TB, s *apitest.Server) dbSnapshot {
	t.Helper()
	snap := dbSnapshot{}
	for _, table := range watchedTables {
		rows, err := s.DB.SQL.Query("SELECT * FROM " + table + " ORDER BY id")
		require.NoError(t, err, "read %s", table)
		cols, err := rows.Columns()
		require.NoError(t, err)
		h := sha256.New()
		n := 0
		var line []byte
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			line = line[:0]
			for i, v := range vals {
				line = append(append(line, cols[i]...), '=')
				switch v := v.(type) {
				case []byte:
					line = append(line, v...)
				case string:
					line = append(line, v...)
				case int64:
					line = strconv.AppendInt(line, v, 10)
				case time.Time:
					line = v.UTC().AppendFormat(line, time.RFC3339Nano)
				default:
					line = fmt.Append(line, v)
				}
				line = append(line, ';')
			}
			h.Write(append(line, '\n'))
			n++
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
		snap[table] = tableState{Rows: n, Digest: hex.EncodeToString(h.Sum(nil))[:16]}
	}
	return snap
}

// requireUnchanged asserts that no watched table changed since before.
func requireUnchanged(t testing.TB, s *apitest.Server, before dbSnapshot, msgAndArgs ...any) {
	t.Helper()
	after := snapshot(t, s)
	for _, table := range watchedTables {
		if before[table] != after[table] {
			t.Errorf("table %s was written (rows %d → %d, contents %s → %s) %s", table,
				before[table].Rows, after[table].Rows, before[table].Digest, after[table].Digest, fmt.Sprint(msgAndArgs...))
		}
	}
}

// ---------------------------------------------------------------------------
// The seeded demo data as a tree, for computing expected answers by rule.

type seedTree struct {
	tenant string
	units  []seed.UnitInfo
	byCode map[string]seed.UnitInfo
}

func treeOf(tenant string) *seedTree {
	tr := &seedTree{tenant: tenant, units: seed.Units(tenant), byCode: map[string]seed.UnitInfo{}}
	for _, u := range tr.units {
		tr.byCode[u.Code] = u
	}
	return tr
}

// under reports whether unit code is ancestor or lies below it.
func (tr *seedTree) under(code, ancestor string) bool {
	for c := code; c != ""; c = tr.byCode[c].Parent {
		if c == ancestor {
			return true
		}
	}
	return false
}

func (tr *seedTree) name(code string) string {
	u, ok := tr.byCode[code]
	if !ok {
		panic("no unit " + code + " in tenant " + tr.tenant)
	}
	return u.Name
}

// enterpriseNames lists the names of the tenant's enterprises matching keep.
func (tr *seedTree) enterpriseNames(keep func(seed.UnitInfo) bool) []string {
	var out []string
	for _, u := range tr.units {
		if u.Kind == domain.KindEnterprise && keep(u) {
			out = append(out, u.Name)
		}
	}
	return sorted(out)
}

func isGov(u seed.UnitInfo) bool { return u.Kind.IsGovernment() }

// usersOf lists the tenant's seeded users.
func usersOf(tenant string) []seed.UserInfo {
	var out []seed.UserInfo
	for _, u := range seed.Users() {
		if u.Tenant == tenant {
			out = append(out, u)
		}
	}
	return out
}

func seedUser(username string) seed.UserInfo {
	for _, u := range seed.Users() {
		if u.Username == username {
			return u
		}
	}
	panic("no seeded user " + username)
}

// tokenFor signs in a seeded user of either tenant, or a user a test
// created in the demo tenant (with the demo password).
func tokenFor(s *apitest.Server, username string) string {
	for _, u := range seed.Users() {
		if u.Username == username {
			return s.Login(u.Tenant, username)
		}
	}
	return s.Login(seed.TenantDemo, username)
}
