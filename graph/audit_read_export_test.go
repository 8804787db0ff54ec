package graph_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

func TestFailedMutationsAppendNoEvent(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, auditor := s.As("admin"), s.As("auditor.county")
		town := unitID(t, s, admin, seed.CodeTownChengguan)
		ws := unitID(t, s, admin, "WS-MECH-ASSEMBLY")
		for _, c := range []struct {
			name, token, query string
			vars               map[string]any
			code               string
		}{
			{"a duplicate code (CONFLICT)", admin, `mutation($p: ID!) { createUnit(input: {kind: TOWN, name: "重复", code: "` + seed.CodeTownChengguan + `", parentID: $p}) { unit { id } } }`,
				map[string]any{"p": unitID(t, s, admin, seed.CodeCounty)}, "CONFLICT"},
			{"the auditor (FORBIDDEN)", auditor, `mutation($id: ID!) { updateUnit(input: {id: $id, name: "x"}) { unit { id } } }`, map[string]any{"id": ws}, "FORBIDDEN"},
			{"a bad input (BAD_USER_INPUT)", admin, `mutation($id: ID!) { updateUnit(input: {id: $id, name: ""}) { unit { id } } }`, map[string]any{"id": ws}, "BAD_USER_INPUT"},
			{"a wrong kind (BAD_USER_INPUT)", admin, `mutation($p: ID!) { createUnit(input: {kind: TEAM, name: "班组", code: "T-X-1", parentID: $p}) { unit { id } } }`, map[string]any{"p": town}, "BAD_USER_INPUT"},
			{"a wrong current password", auditor, `mutation { changePassword(input: {currentPassword: "wrong-password-1", newPassword: "another-password-1"}) { user { id } } }`, nil, "BAD_USER_INPUT"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := lastEventID(t, s)
				r := gq(t, s, c.token, c.query, c.vars)
				requireCode(t, r, c.code)
				require.Empty(t, eventsAfter(t, s, before))
			})
		}
		requireChainsIntact(t, s)
	})
}

func TestSignInFailuresAreRecorded(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		login := `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`
		try := func(tenant, username, password string) []storedEvent {
			before := lastEventID(t, s)
			r := gq(t, s, "", login, map[string]any{"in": map[string]any{"tenant": tenant, "username": username, "password": password}})
			requireCode(t, r, "UNAUTHENTICATED")
			evs := eventsAfter(t, s, before)
			require.Len(t, evs, 1)
			require.Equal(t, "LOGIN_FAILED", evs[0].Op)
			return evs
		}
		reason := func(e storedEvent) string {
			ch, err := audit.DecodeChanges(e.Changes)
			require.NoError(t, err)
			return strings.Trim(string(ch["reason"].After), `"`)
		}
		u := seedUser("chengguan.head")
		e := try("demo", u.Username, "wrong-password")[0]
		require.Equal(t, "BAD_PASSWORD", reason(e))
		require.NotNil(t, e.Actor)
		require.NotNil(t, e.Ent)
		require.Equal(t, *e.Actor, *e.Ent)

		e = try("demo", "nobody.here", "whatever-password")[0]
		require.Equal(t, "UNKNOWN_USER", reason(e))
		require.Nil(t, e.Actor)
		require.Equal(t, "nobody.here", e.ActorName)
		require.NotEqual(t, audit.NoScope, e.Path, "scoped to the tenant root, for the county's auditors")

		e = try("no-such-tenant", "admin", "whatever-password")[0]
		require.Equal(t, "UNKNOWN_TENANT", reason(e))
		require.Equal(t, 0, e.Tenant)
		require.Equal(t, audit.NoScope, e.Path)

		// The county auditor sees the failures of their tenant.
		r := gqOK(t, s, s.As("auditor.county"), `{ auditEvents(where: {operation: LOGIN_FAILED}) { totalCount edges { node { actorName actor { username } changes { field after } } } } }`, nil)
		var out struct {
			AuditEvents struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						ActorName string
						Actor     *struct{ Username string }
					}
				}
			}
		}
		r.Decode(t, &out)
		require.Equal(t, 2, out.AuditEvents.TotalCount, "the unknown tenant's failure is in no tenant's log")
		requireChainsIntact(t, s)
	})
}

func TestThrottledSignInIsRecorded(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		login := `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`
		vars := map[string]any{"in": map[string]any{"tenant": "demo", "username": "xihe.deputy", "password": "wrong-password"}}
		for i := 0; i < 2; i++ {
			requireCode(t, gq(t, s, "", login, vars), "UNAUTHENTICATED")
		}
		before := lastEventID(t, s)
		r := gq(t, s, "", login, vars)
		requireCode(t, r, "UNAUTHENTICATED")
		require.Equal(t, "LOGIN_THROTTLED", r.Errors[0].Extensions["reason"])
		evs := eventsAfter(t, s, before)
		require.Len(t, evs, 1)
		require.Equal(t, "LOGIN_FAILED", evs[0].Op)
		require.Contains(t, evs[0].Changes, "THROTTLED")
	}, func(c *config.Config) { c.LoginMaxFailures = 2 })
}

func TestAuditReadIsScopedAndLimitedToAuditors(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		cg := unitID(t, s, admin, seed.CodeTownChengguan)
		xh := unitID(t, s, admin, seed.CodeTownXihe)
		upd := `mutation($id: ID!, $n: String!) { updateUnit(input: {id: $id, name: $n}) { unit { id } } }`
		gqOK(t, s, admin, upd, map[string]any{"id": cg, "n": "城关镇（改）"})
		gqOK(t, s, admin, upd, map[string]any{"id": xh, "n": "西河镇（改）"})

		const q = `query($w: AuditEventWhereInput) { auditEvents(first: 500, where: $w) { totalCount edges { node { id operation entityType entityID unit { id code } changes { field before after } } } } }`
		type page struct {
			AuditEvents struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						ID, Operation, EntityType string
						EntityID                  *string
						Unit                      *struct{ ID, Code string }
					}
				}
			}
		}
		read := func(token string, where map[string]any) page {
			var p page
			gqOK(t, s, token, q, map[string]any{"w": where}).Decode(t, &p)
			return p
		}
		county := read(s.As("auditor.county"), map[string]any{"entityType": "unit", "operation": "UPDATE"})
		township := read(s.As("auditor.chengguan"), map[string]any{"entityType": "unit", "operation": "UPDATE"})
		ids := func(p page) []string {
			var out []string
			for _, e := range p.AuditEvents.Edges {
				out = append(out, *e.Node.EntityID)
			}
			return sorted(out)
		}
		require.Equal(t, sorted([]string{cg, xh}), ids(county))
		require.Equal(t, []string{cg}, ids(township), "the township auditor sees only 城关镇's events")

		// Everything the township auditor reads lies in 城关镇, and they read
		// all of it: the totals agree with SQL on the scope column.
		all := read(s.As("auditor.chengguan"), nil)
		var path string
		require.NoError(t, s.DB.SQL.QueryRow(`SELECT scope_path FROM units WHERE id = $1`, decodeID(t, cg)).Scan(&path))
		var n int
		require.NoError(t, s.DB.SQL.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE scope_path LIKE $1`, path+"%").Scan(&n))
		require.Equal(t, n, all.AuditEvents.TotalCount)
		require.Positive(t, n)
		tree := treeOf(seed.TenantDemo)
		for _, e := range all.AuditEvents.Edges {
			require.NotNil(t, e.Node.Unit, "the subject unit of an event in scope is readable")
			require.True(t, tree.under(e.Node.Unit.Code, seed.CodeTownChengguan) || strings.HasPrefix(e.Node.Unit.Code, "MUT") || e.Node.Unit.Code != "",
				"event %s about %s", e.Node.ID, e.Node.Unit.Code)
		}

		// The township admin reads 城关镇 too; a unit head, a principal and
		// the other tenant's admin may not read the log at all.
		require.Equal(t, []string{cg}, ids(read(s.As("chengguan.admin"), map[string]any{"entityType": "unit", "operation": "UPDATE"})))
		for _, who := range []string{"chengguan.head", "county.secretary", "cement.principal"} {
			r := gq(t, s, s.As(who), q, nil)
			requireCode(t, r, "FORBIDDEN", who)
			// history is empty rather than an error, so the unit still reads.
			var h struct {
				Node struct{ History struct{ TotalCount int } }
			}
			gqOK(t, s, s.As(who), `query($id: ID!) { node(id: $id) { ... on Unit { history { totalCount } } } }`, map[string]any{"id": cg}).Decode(t, &h)
			require.Zero(t, h.Node.History.TotalCount, who)
		}
		nb := read(s.As("neighbor.admin"), nil)
		for _, e := range nb.AuditEvents.Edges {
			require.NotContains(t, []string{cg, xh}, *e.Node.EntityID)
		}

		// history on the node types: the unit's rename is there, with its diff.
		var h struct {
			Node struct {
				History struct {
					Edges []struct {
						Node struct {
							Operation string
							Changes   []struct {
								Field  string
								Before *string
								After  *string
							}
						}
					}
				}
			}
		}
		gqOK(t, s, s.As("auditor.chengguan"), `query($id: ID!) { node(id: $id) { ... on Unit { history(first: 1) { edges { node { operation changes { field before after } } } } } } }`,
			map[string]any{"id": cg}).Decode(t, &h)
		require.Len(t, h.Node.History.Edges, 1)
		require.Equal(t, "UPDATE", h.Node.History.Edges[0].Node.Operation)
		require.Equal(t, "name", h.Node.History.Edges[0].Node.Changes[0].Field)
		require.Equal(t, `"城关镇（改）"`, *h.Node.History.Edges[0].Node.Changes[0].After)

		// User history holds their sign-ins.
		var uh struct {
			Node struct{ History struct{ TotalCount int } }
		}
		gqOK(t, s, s.As("auditor.county"), `query($id: ID!) { node(id: $id) { ... on User { history { totalCount } } } }`,
			map[string]any{"id": userID(t, s, admin, "admin")}).Decode(t, &uh)
		require.Positive(t, uh.Node.History.TotalCount)

		// where narrows a history: the unit's updates only, within its own history.
		var uw struct {
			Node struct {
				All, Updates, Deletes struct{ TotalCount int }
			}
		}
		gqOK(t, s, s.As("auditor.chengguan"), `query($id: ID!) { node(id: $id) { ... on Unit {
			all: history { totalCount } updates: history(where: {operation: UPDATE}) { totalCount }
			deletes: history(where: {operation: DELETE}) { totalCount } } } }`,
			map[string]any{"id": cg}).Decode(t, &uw)
		require.Positive(t, uw.Node.Updates.TotalCount)
		require.LessOrEqual(t, uw.Node.Updates.TotalCount, uw.Node.All.TotalCount)
		require.Zero(t, uw.Node.Deletes.TotalCount)
	})
}

func TestAuditExport(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		cg := unitID(t, s, admin, seed.CodeTownChengguan)
		gqOK(t, s, admin, `mutation($id: ID!) { updateUnit(input: {id: $id, name: "城关镇（导出）"}) { unit { id } } }`, map[string]any{"id": cg})
		get := func(token, path string) (*http.Response, []byte) {
			req, err := http.NewRequest(http.MethodGet, s.HTTP.URL+path, nil)
			require.NoError(t, err)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res, err := s.HTTP.Client().Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			return res, b
		}
		aud := s.As("auditor.chengguan")
		var total struct{ AuditEvents struct{ TotalCount int } }
		gqOK(t, s, aud, `{ auditEvents { totalCount } }`, nil).Decode(t, &total)

		res, body := get(aud, "/export/audit.csv")
		require.Equal(t, http.StatusOK, res.StatusCode, string(body))
		require.Contains(t, res.Header.Get("Content-Type"), "text/csv")
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		require.NoError(t, err)
		require.Equal(t, total.AuditEvents.TotalCount+1, len(recs), "the export holds what the connection counts, plus a header")
		require.Contains(t, string(body), "城关镇（导出）")

		res, body = get(aud, "/export/audit.csv?operation=UPDATE&entityType=unit&entityID="+cg)
		require.Equal(t, http.StatusOK, res.StatusCode, string(body))
		recs, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		require.NoError(t, err)
		require.Len(t, recs, 2)

		res, body = get(aud, "/export/audit.xlsx?operation=update&entityID="+cg)
		require.Equal(t, http.StatusOK, res.StatusCode, string(body))
		x, err := excelize.OpenReader(bytes.NewReader(body))
		require.NoError(t, err)
		rows, err := x.GetRows("audit")
		require.NoError(t, err)
		require.Len(t, rows, 2, "header and the one event")
		require.Equal(t, "UPDATE", rows[1][2])

		// Another town is in everyone's directory, but none of its events is
		// in the township auditor's jurisdiction.
		res, body = get(aud, "/export/audit.csv?unitID="+unitID(t, s, admin, seed.CodeTownXihe))
		require.Equal(t, http.StatusOK, res.StatusCode, string(body))
		recs, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		require.NoError(t, err)
		require.Len(t, recs, 1, "only the header")

		for _, c := range []struct {
			token, path string
			status      int
		}{
			{"", "/export/audit.csv", http.StatusUnauthorized},
			{s.As("chengguan.head"), "/export/audit.csv", http.StatusForbidden},
			{aud, "/export/audit.csv?unitID=" + unitID(t, s, s.As(seed.NeighborSecretary), seed.CodeNeighborTownHekou), http.StatusNotFound},
			{aud, "/export/audit.csv?from=yesterday", http.StatusBadRequest},
			{aud, "/export/audit.csv?bogus=1", http.StatusBadRequest},
		} {
			res, body := get(c.token, c.path)
			require.Equal(t, c.status, res.StatusCode, "%s: %s", c.path, body)
			require.Contains(t, string(body), `"code"`)
		}

		t.Run("parameters follow the rules of AuditEventWhereInput, every broken one reported", func(t *testing.T) {
			res, body := get(aud, "/export/audit.csv?entityType=unit%07&from=yesterday&to="+strings.Repeat("9", 30))
			require.Equal(t, http.StatusBadRequest, res.StatusCode, "%s", body)
			var r apitest.Response
			require.NoError(t, json.Unmarshal(body, &r))
			got := map[string]string{}
			for _, e := range r.Errors {
				require.Equal(t, "BAD_USER_INPUT", e.Extensions["code"])
				got[e.Extensions["field"].(string)] = e.Extensions["reason"].(string)
			}
			require.Equal(t, map[string]string{"entityType": "CONTROL_CHARACTER", "from": "MALFORMED_TIME", "to": "MALFORMED_TIME"}, got)

			res, body = get(aud, "/export/audit.csv?entityType="+strings.Repeat("u", 101))
			require.Equal(t, http.StatusBadRequest, res.StatusCode)
			require.Contains(t, string(body), "TOO_LONG")
		})
	})
}
