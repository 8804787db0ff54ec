package graph_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/seed"
)

func TestUnitPrincipalsAnswerIdentically(t *testing.T) {
	pairs := []struct{ secretary, head string }{
		{"county.secretary", "county.head"},
		{"chengguan.secretary", "chengguan.head"},
	}
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		ids := []string{
			enterpriseID(t, s, admin, nameCement), enterpriseID(t, s, admin, nameMech), enterpriseID(t, s, admin, nameCNPC),
			unitID(t, s, admin, seed.CodeCementKiln), unitID(t, s, admin, seed.CodeTownChengguan), unitID(t, s, admin, seed.CodeCounty),
			userID(t, s, admin, "cement.principal"), userID(t, s, admin, "chengguan.admin"),
			postID(t, s, admin, "城关镇系统管理员"), postID(t, s, admin, "县长"),
		}
		nodesQuery := `query($ids: [ID!]!) { nodes(ids: $ids) { id __typename ... on Unit { name parent { name } }
			... on Enterprise { name town { name } } ... on User { username } ... on Post { title } } }`
		for _, p := range pairs {
			t.Run(p.secretary+" and "+p.head+" give byte-identical answers", func(t *testing.T) {
				a, b := s.As(p.secretary), s.As(p.head)
				queries := append(slices.Clone(identicalQueries), nodesQuery)
				for _, q := range queries {
					vars := map[string]any{"ids": ids}
					ra, rb := gq(t, s, a, q, vars), gq(t, s, b, q, vars)
					if !strings.Contains(q, "policyRules") {
						// policyRules is the only query a unit head of a town may be refused.
						require.Empty(t, ra.Errors, "%s", oneLine(q))
						require.NotEqual(t, "null", string(ra.Data))
					}
					require.Equal(t, string(ra.Data), string(rb.Data), "data differ for %s", oneLine(q))
					ea, _ := json.Marshal(ra.Errors)
					eb, _ := json.Marshal(rb.Errors)
					require.Equal(t, string(ea), string(eb), "errors differ for %s", oneLine(q))
				}
			})
		}
	})
}

func TestNodeOutOfScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, nb := s.As("admin"), s.As(seed.NeighborSecretary)
		cement, mech := enterpriseID(t, s, admin, nameCement), enterpriseID(t, s, admin, nameMech)
		cementUnit := unitID(t, s, admin, seed.CodeCement)
		kiln := unitID(t, s, admin, seed.CodeCementKiln)
		cementUser := userID(t, s, admin, "cement.principal")
		cementPost := postID(t, s, admin, "总经理（主要负责人）")
		nbEnt := enterpriseID(t, s, nb, nameNeighborBld)
		nbTown := unitID(t, s, nb, seed.CodeNeighborTownHekou)
		nbUser := userID(t, s, nb, "neighbor.head")
		nbCounty := unitID(t, s, nb, seed.CodeCounty)
		var nbMe struct {
			Me struct{ Tenant struct{ ID string } }
		}
		gqOK(t, s, nb, `{ me { tenant { id } } }`, nil).Decode(t, &nbMe)
		nbTenant := nbMe.Me.Tenant.ID

		nodeQ := `query($id: ID!) { node(id: $id) { id } }`
		nodesQ := `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`
		cases := []struct {
			name, user, id string
		}{
			{"chengguan.head gets null for an enterprise of 南山镇", "chengguan.head", cement},
			{"chengguan.head gets null for that enterprise's unit", "chengguan.head", cementUnit},
			{"chengguan.head gets null for a workshop of 南山镇", "chengguan.head", kiln},
			{"chengguan.head gets null for a user of 南山镇", "chengguan.head", cementUser},
			{"chengguan.head gets null for a post of 南山镇", "chengguan.head", cementPost},
			{"bureau.fuel gets null for an industrial enterprise", "bureau.fuel", cement},
			{"xihe.deputy gets null for an enterprise of another town", "xihe.deputy", cement},
			{"cement.kiln.head gets null for its own enterprise", "cement.kiln.head", cement},
			{"county.head gets null for an enterprise of 邻县", "county.head", nbEnt},
			{"county.head gets null for a town of 邻县", "county.head", nbTown},
			{"county.head gets null for 邻县 itself", "county.head", nbCounty},
			{"admin gets null for a user of 邻县", "admin", nbUser},
			{"admin gets null for the tenant 邻县", "admin", nbTenant},
			{"county.head gets null for the id of an internal policy row", "county.head", gid.Encode(5)},
			{"county.head gets null for the id of a supervision row", "county.head", gid.Encode(25769803776 + 3)},
			{"neighbor.secretary gets null for an enterprise of 示范县", seed.NeighborSecretary, cement},
			{"neighbor.secretary gets null for a workshop of 示范县", seed.NeighborSecretary, kiln},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := gq(t, s, tokenFor(s, c.user), nodeQ, map[string]any{"id": c.id})
				require.Empty(t, r.Errors)
				require.JSONEq(t, `{"node": null}`, string(r.Data))
			})
		}
		t.Run("nodes returns null in place of each invisible id", func(t *testing.T) {
			r := gq(t, s, s.As("chengguan.head"), nodesQ, map[string]any{"ids": []string{mech, cement, nbEnt, mech, cementUser}})
			require.Empty(t, r.Errors)
			require.JSONEq(t, fmt.Sprintf(`{"nodes": [{"id": %q}, null, null, {"id": %q}, null]}`, mech, mech), string(r.Data))
		})
		t.Run("a user sees their own tenant as a node", func(t *testing.T) {
			var me struct {
				Me struct{ Tenant struct{ ID string } }
			}
			tok := s.As("cement.kiln.head")
			gqOK(t, s, tok, `{ me { tenant { id } } }`, nil).Decode(t, &me)
			r := gqOK(t, s, tok, `query($id: ID!) { node(id: $id) { ... on Tenant { code name } } }`, map[string]any{"id": me.Me.Tenant.ID})
			require.JSONEq(t, `{"node": {"code": "demo", "name": "示范县"}}`, string(r.Data))
		})
		t.Run("the same ids are visible to county.head except 邻县's", func(t *testing.T) {
			r := gq(t, s, s.As("county.head"), nodesQ, map[string]any{"ids": []string{mech, cement, nbEnt}})
			require.Empty(t, r.Errors)
			require.JSONEq(t, fmt.Sprintf(`{"nodes": [{"id": %q}, {"id": %q}, null]}`, mech, cement), string(r.Data))
		})
		t.Run("an id that exists nowhere is null too", func(t *testing.T) {
			for _, id := range []int{
				34359738368 + 999_999, // in the units range, past every row
				99_999_999_999,        // in no table's range
			} {
				r := gq(t, s, s.As("county.head"), nodeQ, map[string]any{"id": gid.Encode(id)})
				require.Empty(t, r.Errors, "id %d", id)
				require.JSONEq(t, `{"node": null}`, string(r.Data), "id %d", id)
			}
		})
	})
}

func TestNestedEdgesAreScoped(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		kiln := unitID(t, s, admin, seed.CodeCementKiln)
		county := unitID(t, s, admin, seed.CodeCounty)
		xihe := unitID(t, s, admin, seed.CodeTownXihe)
		dept := unitID(t, s, admin, seed.CodeDeptIndustryCommerce)
		nanshanFuel := enterpriseID(t, s, admin, nameNanshanFuel)

		t.Run("cement.kiln.head sees its workshop and teams but not the enterprise above", func(t *testing.T) {
			r := gqOK(t, s, s.As("cement.kiln.head"), `query($id: ID!) { node(id: $id) { ... on Unit {
				name parent { name } enterprise { name } children { totalCount edges { node { name parent { name } } } } } } }`,
				map[string]any{"id": kiln})
			require.JSONEq(t, `{"node": {"name": "回转窑车间", "parent": null, "enterprise": null, "children": {"totalCount": 2, "edges": [
				{"node": {"name": "烧成甲班", "parent": {"name": "回转窑车间"}}},
				{"node": {"name": "烧成乙班", "parent": {"name": "回转窑车间"}}}]}}}`, string(r.Data))
		})
		t.Run("chengguan.head lists every town but only its own town's children", func(t *testing.T) {
			r := gqOK(t, s, s.As("chengguan.head"), `{ units(where: {kind: TOWN}, first: 20) { totalCount edges { node {
				code name children(first: 50) { totalCount edges { node { name } } } members { totalCount } } } } }`, nil)
			var out struct {
				Units struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Code, Name string
							Children   struct {
								TotalCount int
								Edges      []struct{ Node struct{ Name string } }
							}
							Members struct{ TotalCount int }
						}
					}
				}
			}
			r.Decode(t, &out)
			demo := treeOf(seed.TenantDemo)
			var towns []string
			for _, u := range demo.units {
				if u.Kind == domain.KindTown {
					towns = append(towns, u.Name)
				}
			}
			require.Equal(t, len(towns), out.Units.TotalCount)
			var got []string
			for _, e := range out.Units.Edges {
				n := e.Node
				got = append(got, n.Name)
				if n.Code == seed.CodeTownChengguan {
					require.Equal(t, 12, n.Children.TotalCount, "城关镇's enterprises")
					require.Len(t, n.Children.Edges, 12)
					require.Equal(t, 4, n.Members.TotalCount, "城关镇's own staff")
					continue
				}
				require.Zero(t, n.Children.TotalCount, "children of %s", n.Name)
				require.Empty(t, n.Children.Edges, "children of %s", n.Name)
				require.Zero(t, n.Members.TotalCount, "members of %s", n.Name)
			}
			require.ElementsMatch(t, towns, got)
		})
		t.Run("the directory shows the county's government children but none of its people", func(t *testing.T) {
			r := gqOK(t, s, s.As("chengguan.head"), `query($id: ID!) { node(id: $id) { ... on Unit {
				children(first: 50) { totalCount } members { totalCount edges { node { username } } } posts { totalCount } } } }`,
				map[string]any{"id": county})
			require.JSONEq(t, `{"node": {"children": {"totalCount": 8}, "members": {"totalCount": 0, "edges": []}, "posts": {"totalCount": 0}}}`, string(r.Data))
		})
		t.Run("xihe.deputy sees 西河镇's commerce children and staff only", func(t *testing.T) {
			r := gqOK(t, s, s.As("xihe.deputy"), `query($id: ID!) { node(id: $id) { ... on Unit {
				children(first: 50) { totalCount edges { node { name sector } } } members { totalCount } posts { totalCount } } } }`,
				map[string]any{"id": xihe})
			var out struct {
				Node struct {
					Children struct {
						TotalCount int
						Edges      []struct{ Node struct{ Name, Sector string } }
					}
					Members, Posts struct{ TotalCount int }
				}
			}
			r.Decode(t, &out)
			require.Equal(t, 2, out.Node.Children.TotalCount)
			var got []string
			for _, e := range out.Node.Children.Edges {
				require.Equal(t, "COMMERCE", e.Node.Sector)
				got = append(got, e.Node.Name)
			}
			require.ElementsMatch(t, []string{nameMarket, nameFruit}, got)
			require.Equal(t, 3, out.Node.Members.TotalCount)
			require.Equal(t, 3, out.Node.Posts.TotalCount)
		})
		t.Run("bureau.fuel sees the bureau's staff and the town of a station it supervises", func(t *testing.T) {
			tok := s.As("bureau.fuel")
			r := gqOK(t, s, tok, `query($id: ID!) { node(id: $id) { ... on Unit { members { totalCount } posts { totalCount } } } }`,
				map[string]any{"id": dept})
			require.JSONEq(t, `{"node": {"members": {"totalCount": 5}, "posts": {"totalCount": 5}}}`, string(r.Data))
			r = gqOK(t, s, tok, `query($id: ID!) { node(id: $id) { ... on Enterprise { name town { name } unit { name parent { name } children { totalCount } }
				supervisingDepartments { name } } } }`, map[string]any{"id": nanshanFuel})
			require.JSONEq(t, fmt.Sprintf(`{"node": {"name": %q, "town": {"name": "南山镇"}, "unit": {"name": %q, "parent": {"name": "南山镇"}, "children": {"totalCount": 0}},
				"supervisingDepartments": [{"name": "县工信商务局"}]}}`, nameNanshanFuel, nameNanshanFuel), string(r.Data))
		})
		t.Run("cement.principal sees its enterprise's whole subtree and staff", func(t *testing.T) {
			tok := s.As("cement.principal")
			require.Equal(t, 1+3+6+9, totalCount(t, s, tok, "units", ""), "its enterprise, 3 workshops, 6 teams and the 9 government units")
			r := gqOK(t, s, tok, `{ enterprises(first: 5) { edges { node { name unit {
				children(first: 5) { totalCount edges { node { name children(first: 5) { totalCount } } } }
				members(first: 5) { edges { node { username } } } } } } } }`, nil)
			require.JSONEq(t, fmt.Sprintf(`{"enterprises": {"edges": [{"node": {"name": %q, "unit": {
				"children": {"totalCount": 3, "edges": [
					{"node": {"name": "原料车间", "children": {"totalCount": 2}}},
					{"node": {"name": "回转窑车间", "children": {"totalCount": 2}}},
					{"node": {"name": "粉磨包装车间", "children": {"totalCount": 2}}}]},
				"members": {"edges": [{"node": {"username": "cement.principal"}}]}}}}]}}`, nameCement), string(r.Data))
		})
		t.Run("a user's posts are scoped: chengguan.head sees no post of a county user", func(t *testing.T) {
			r := gqOK(t, s, s.As("chengguan.head"), `{ users(where: {username: "chengguan.head"}) { edges { node { posts { totalCount edges { node { title } } } } } } }`, nil)
			require.JSONEq(t, `{"users": {"edges": [{"node": {"posts": {"totalCount": 1, "edges": [{"node": {"title": "城关镇镇长"}}]}}}]}}`, string(r.Data))
		})
		t.Run("where filters cannot widen the scope", func(t *testing.T) {
			tok := s.As("chengguan.head")
			require.Zero(t, totalCount(t, s, tok, "enterprises", fmt.Sprintf("{name: %q}", nameCement)))
			require.Zero(t, totalCount(t, s, tok, "enterprises", `{or: [{sector: INDUSTRY}, {not: {sector: INDUSTRY}}], nameContains: "水泥"}`))
			require.Zero(t, totalCount(t, s, tok, "users", `{usernameHasPrefix: "cement"}`))
			require.Zero(t, totalCount(t, s, tok, "units", `{kind: WORKSHOP, nameContains: "回转窑"}`))
			require.Equal(t, 1, totalCount(t, s, tok, "enterprises", `{sector: INDUSTRY}`), "宏达机电 only")
		})
	})
}

// pageAll pages through a connection with page size n, forwards (after) or
// backwards (before), and returns the names in the connection's order.
func pageAll(t *testing.T, s *apitest.Server, token, connection, orderBy string, n int, backwards bool) []string {
	t.Helper()
	var out []string
	cursor := ""
	for i := 0; ; i++ {
		require.Less(t, i, 200, "paging does not end")
		args := fmt.Sprintf("first: %d", n)
		if backwards {
			args = fmt.Sprintf("last: %d", n)
		}
		if orderBy != "" {
			args += ", orderBy: " + orderBy
		}
		if cursor != "" {
			if backwards {
				args += fmt.Sprintf(", before: %q", cursor)
			} else {
				args += fmt.Sprintf(", after: %q", cursor)
			}
		}
		r := gqOK(t, s, token, fmt.Sprintf(`{ c: %s(%s) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { node { name } } } }`, connection, args), nil)
		var page struct {
			C struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage, HasPreviousPage bool
					StartCursor, EndCursor       string
				}
				Edges []struct{ Node struct{ Name string } }
			}
		}
		r.Decode(t, &page)
		var names []string
		for _, e := range page.C.Edges {
			names = append(names, e.Node.Name)
		}
		require.LessOrEqual(t, len(names), n)
		if backwards {
			out = append(names, out...)
			if !page.C.PageInfo.HasPreviousPage {
				require.Len(t, out, page.C.TotalCount)
				return out
			}
			cursor = page.C.PageInfo.StartCursor
		} else {
			out = append(out, names...)
			if !page.C.PageInfo.HasNextPage {
				require.Len(t, out, page.C.TotalCount)
				return out
			}
			cursor = page.C.PageInfo.EndCursor
		}
	}
}

func TestPagingStaysInScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		for _, c := range []struct {
			user, connection, order, orderBy string
		}{
			{"bureau.fuel", "enterprises", "id", ""},
			{"bureau.fuel", "enterprises", "name descending", "{field: NAME, direction: DESC}"},
			{"chengguan.head", "units", "name", "{field: NAME}"},
			{"county.deputy.industry", "units", "depth", "{field: DEPTH}"},
			{"xihe.deputy", "enterprises", "employee count", "{field: EMPLOYEE_COUNT}"},
		} {
			name := c.user + " pages through " + c.connection + " by " + c.order
			t.Run(name+" and gets exactly the full list once", func(t *testing.T) {
				tok := tokenFor(s, c.user)
				all := names(s, tok, c.connection, "")
				forward := pageAll(t, s, tok, c.connection, c.orderBy, 7, false)
				require.Equal(t, all, sorted(forward), "forward pages")
				backward := pageAll(t, s, tok, c.connection, c.orderBy, 7, true)
				require.Equal(t, all, sorted(backward), "backward pages")
				if c.orderBy != "" && !strings.Contains(c.orderBy, "DEPTH") && !strings.Contains(c.orderBy, "EMPLOYEE") {
					// A total order (names are unique here): both directions agree.
					require.Equal(t, forward, backward)
				}
			})
		}
	})
}

func TestPostHolderOutsideScopeIsNull(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		county := unitID(t, s, admin, seed.CodeCounty)
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		var u struct {
			CreateUser struct{ User struct{ ID string } }
		}
		gqOK(t, s, admin, `mutation($in: CreateUserInput!) { createUser(input: $in) { user { id } } }`, map[string]any{"in": map[string]any{
			"username": "county.liaison", "displayName": "县派驻联络员", "password": seed.DemoPassword, "unitID": county}}).Decode(t, &u)
		gqOK(t, s, admin, `mutation($in: CreatePostInput!) { createPost(input: $in) { post { id } } }`, map[string]any{"in": map[string]any{
			"userID": u.CreateUser.User.ID, "unitID": chengguan, "role": "INSPECTOR", "title": "城关镇驻点监管员"}})

		tok := s.As("chengguan.head")
		r := gqOK(t, s, tok, `{ posts(where: {title: "城关镇驻点监管员"}) { totalCount edges { node { title userID unit { name } user { username } } } } }`, nil)
		require.JSONEq(t, fmt.Sprintf(`{"posts": {"totalCount": 1, "edges": [{"node": {"title": "城关镇驻点监管员", "userID": %q,
			"unit": {"name": "城关镇"}, "user": null}}]}}`, u.CreateUser.User.ID), string(r.Data),
			"the post at 城关镇 is in scope, its holder (at home in the county) is not")
		require.NotContains(t, names(s, tok, "users", ""), "county.liaison")
		r = gqOK(t, s, admin, `{ posts(where: {title: "城关镇驻点监管员"}) { edges { node { user { username } } } } }`, nil)
		require.JSONEq(t, `{"posts": {"edges": [{"node": {"user": {"username": "county.liaison"}}}]}}`, string(r.Data))
	})
}
