package graph_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/seed"
)

func TestUsersAndPosts(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, cgAdmin := s.As("admin"), s.As("chengguan.admin")
		county := unitID(t, s, admin, seed.CodeCounty)
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		xihe := unitID(t, s, admin, seed.CodeTownXihe)
		cementUnit := unitID(t, s, admin, seed.CodeCement)
		xiheHead := userID(t, s, admin, "xihe.head")
		headPost := postID(t, s, admin, "县长")
		nb := s.As(seed.NeighborSecretary)
		nbTown := unitID(t, s, nb, seed.CodeNeighborTownHekou)
		nbUser := userID(t, s, nb, "neighbor.head")

		type userOut struct {
			ID, Username, DisplayName, Status, UnitID string
		}
		type postOut struct {
			ID, Role, Title, UnitID, UserID string
			Sectors                         []string
			ValidFrom                       string
			ValidTo                         *string
		}
		var clerk userOut
		var clerkTok string
		t.Run("admin creates a user who can then log in and sees only the directory", func(t *testing.T) {
			decodeAt(t, gqOK(t, s, admin, createUserQ, input("username", "cg.clerk", "displayName", "城关镇办事员",
				"password", seed.DemoPassword, "unitID", chengguan, "phone", "13800001111")), "createUser.user", &clerk)
			require.Equal(t, "cg.clerk", clerk.Username)
			require.Equal(t, "ACTIVE", clerk.Status)
			require.Equal(t, chengguan, clerk.UnitID)
			clerkTok = s.Login("demo", "cg.clerk")
			require.Zero(t, totalCount(t, s, clerkTok, "enterprises", ""))
			require.Zero(t, totalCount(t, s, clerkTok, "users", ""))
			require.Equal(t, 9, totalCount(t, s, clerkTok, "units", ""), "the 9 government units of the directory")
			r := gqOK(t, s, clerkTok, `{ me { user { username } posts { id } scope { unitsByKind { kind } roles } } }`, nil)
			require.JSONEq(t, `{"me": {"user": {"username": "cg.clerk"}, "posts": [], "scope": {"unitsByKind": [], "roles": []}}}`, string(r.Data))
			require.Contains(t, names(s, s.As("chengguan.head"), "users", ""), "cg.clerk")
			require.NotContains(t, names(s, s.As("xihe.head"), "users", ""), "cg.clerk")
		})
		t.Run("a username of the other tenant is free here", func(t *testing.T) {
			gqOK(t, s, admin, createUserQ, input("username", "neighbor.head", "displayName", "同名用户",
				"password", seed.DemoPassword, "unitID", xihe))
			tok := s.Login("demo", "neighbor.head")
			require.Zero(t, totalCount(t, s, tok, "enterprises", ""))
			require.NotContains(t, names(s, tok, "units", ""), "邻县")
		})
		user := func(kv ...any) map[string]any {
			base := []any{"username", "new.user", "displayName", "新用户", "password", seed.DemoPassword, "unitID", chengguan}
			return input(append(base, kv...)...)
		}
		runRefusals(t, s, []refusal{
			{name: "a duplicate username is CONFLICT", user: "admin", query: createUserQ,
				vars: user("username", "chengguan.head"), codes: []string{"CONFLICT"}, field: "input.username"},
			{name: "a username taken outside the caller's jurisdiction is CONFLICT too", user: "chengguan.admin", query: createUserQ,
				vars: user("username", "xihe.head"), codes: []string{"CONFLICT"}, field: "input.username"},
			{name: "a short password is BAD_USER_INPUT", user: "admin", query: createUserQ,
				vars: user("password", "short"), codes: []string{"BAD_USER_INPUT"}, field: "input.password"},
			{name: "a malformed username is BAD_USER_INPUT", user: "admin", query: createUserQ,
				vars: user("username", "Bad Name"), codes: []string{"BAD_USER_INPUT"}, field: "input.username"},
			{name: "an empty display name is BAD_USER_INPUT", user: "admin", query: createUserQ,
				vars: user("displayName", ""), codes: []string{"BAD_USER_INPUT"}, field: "input.displayName"},
			{name: "an unknown home unit is NOT_FOUND", user: "admin", query: createUserQ,
				vars: user("unitID", gid.Encode(8<<32+999_999)), codes: []string{"NOT_FOUND"}},
			{name: "a home unit of the other tenant is NOT_FOUND", user: "admin", query: createUserQ,
				vars: user("unitID", nbTown), codes: []string{"NOT_FOUND"}},
			{name: "chengguan.admin cannot create a user at 西河镇", user: "chengguan.admin", query: createUserQ,
				vars: user("unitID", xihe), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot create a user at an enterprise of another town", user: "chengguan.admin", query: createUserQ,
				vars: user("unitID", cementUnit), codes: []string{"NOT_FOUND"}},
		})

		var deputyPost postOut
		t.Run("a post takes effect on the next request with the same token", func(t *testing.T) {
			decodeAt(t, gqOK(t, s, admin, createPostQ, input("userID", clerk.ID, "unitID", chengguan, "role", "DEPUTY",
				"sectors", []string{"COMMERCE"}, "title", "城关镇商贸办主任")), "createPost.post", &deputyPost)
			require.Equal(t, "DEPUTY", deputyPost.Role)
			require.Equal(t, []string{"COMMERCE"}, deputyPost.Sectors)
			require.Equal(t, chengguan, deputyPost.UnitID)
			require.Equal(t, clerk.ID, deputyPost.UserID)
			require.Nil(t, deputyPost.ValidTo)
			require.Equal(t, sorted([]string{nameSupermarket, nameHotel}), names(s, clerkTok, "enterprises", ""))
		})
		post := func(kv ...any) map[string]any {
			base := []any{"userID", clerk.ID, "unitID", chengguan, "role", "DEPUTY"}
			return input(append(base, kv...)...)
		}
		runRefusals(t, s, []refusal{
			{name: "an overlapping duplicate post is CONFLICT", user: "admin", query: createPostQ,
				vars: post("sectors", []string{"INDUSTRY"}), codes: []string{"CONFLICT"}},
			{name: "a future post overlapping the open-ended one is CONFLICT", user: "admin", query: createPostQ,
				vars: post("validFrom", "2030-01-01T00:00:00Z", "validTo", "2031-01-01T00:00:00Z"), codes: []string{"CONFLICT"}},
			{name: "a validity window that ends before it starts is BAD_USER_INPUT", user: "admin", query: createPostQ,
				vars: post("role", "INSPECTOR", "validFrom", "2021-01-01T00:00:00Z", "validTo", "2020-01-01T00:00:00Z"), codes: []string{"BAD_USER_INPUT"}, field: "input.validTo"},
			{name: "sectors on a post at an enterprise are BAD_USER_INPUT", user: "admin", query: createPostQ,
				vars: post("unitID", cementUnit, "role", "SAFETY_OFFICER", "sectors", []string{"INDUSTRY"}), codes: []string{"BAD_USER_INPUT"}, field: "input.sectors"},
			{name: "an unknown user is NOT_FOUND", user: "admin", query: createPostQ,
				vars: post("userID", gid.Encode(9<<32+999_999), "role", "INSPECTOR"), codes: []string{"NOT_FOUND"}},
			{name: "a user of the other tenant is NOT_FOUND", user: "admin", query: createPostQ,
				vars: post("userID", nbUser, "role", "INSPECTOR"), codes: []string{"NOT_FOUND"}},
			{name: "chengguan.admin cannot grant a post at the county", user: "chengguan.admin", query: createPostQ,
				vars: post("unitID", county, "role", "INSPECTOR"), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot grant a post at another town", user: "chengguan.admin", query: createPostQ,
				vars: post("unitID", xihe, "role", "INSPECTOR"), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot grant an ADMIN post above its own unit", user: "chengguan.admin", query: createPostQ,
				vars: post("unitID", county, "role", "ADMIN"), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot grant a post to a user of another town", user: "chengguan.admin", query: createPostQ,
				vars: post("userID", xiheHead, "role", "INSPECTOR"), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot change a post at the county", user: "chengguan.admin", query: updatePostQ,
				vars: idInput(headPost, "title", "x"), codes: []string{"NOT_FOUND"}},
			{name: "chengguan.admin cannot end a post at the county", user: "chengguan.admin", query: endPostQ,
				vars: map[string]any{"id": headPost}, codes: []string{"NOT_FOUND"}},
			{name: "chengguan.head may not grant posts", user: "chengguan.head", query: createPostQ,
				vars: post("role", "INSPECTOR"), codes: []string{"FORBIDDEN"}},
		})
		t.Run("a past post that does not overlap is accepted and grants nothing now", func(t *testing.T) {
			var p postOut
			decodeAt(t, gqOK(t, s, admin, createPostQ, post("sectors", []string{"INDUSTRY"}, "title", "城关镇工业办（往届）",
				"validFrom", "2020-01-01T00:00:00Z", "validTo", "2021-01-01T00:00:00Z")), "createPost.post", &p)
			require.NotNil(t, p.ValidTo)
			require.Equal(t, sorted([]string{nameSupermarket, nameHotel}), names(s, clerkTok, "enterprises", ""))
		})
		t.Run("endPost of the holder's last post ends their sessions at once", func(t *testing.T) {
			var p postOut
			decodeAt(t, gqOK(t, s, admin, endPostQ, map[string]any{"id": deputyPost.ID}), "endPost.post", &p)
			require.NotNil(t, p.ValidTo)
			r := gq(t, s, clerkTok, `{ me { user { username } } }`, nil)
			requireCode(t, r, "UNAUTHENTICATED")
			require.Equal(t, "TOKEN_REVOKED", r.Errors[0].Extensions["reason"])
			var out struct{ Login struct{ AccessToken string } }
			gqOK(t, s, "", `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`,
				map[string]any{"in": in("tenant", "demo", "username", "cg.clerk", "password", seed.DemoPassword)}).Decode(t, &out)
			clerkTok = out.Login.AccessToken // signed in again, without rights
			require.Zero(t, totalCount(t, s, clerkTok, "enterprises", ""))
			r = gqOK(t, s, clerkTok, `{ me { posts { id } } }`, nil)
			require.JSONEq(t, `{"me": {"posts": []}}`, string(r.Data))
			require.Contains(t, names(s, admin, "posts", ""), "城关镇商贸办主任", "an ended post stays on record")
		})
		t.Run("after endPost the same role can be granted again", func(t *testing.T) {
			gqOK(t, s, admin, createPostQ, post("sectors", []string{"COMMERCE"}, "title", "城关镇商贸办主任（续任）"))
			require.Equal(t, 2, totalCount(t, s, clerkTok, "enterprises", ""))
		})
		t.Run("chengguan.admin grants a post at its own town and the holder sees the whole town", func(t *testing.T) {
			var p postOut
			decodeAt(t, gqOK(t, s, cgAdmin, createPostQ, post("role", "INSPECTOR", "title", "城关镇安监员")), "createPost.post", &p)
			require.Equal(t, "INSPECTOR", p.Role)
			require.Equal(t, 12, totalCount(t, s, clerkTok, "enterprises", ""))
		})
		t.Run("chengguan.admin may grant an ADMIN post at its own unit", func(t *testing.T) {
			gqOK(t, s, cgAdmin, createPostQ, post("role", "ADMIN", "title", "城关镇副管理员"))
		})
		t.Run("a password reset by the admin replaces the old password", func(t *testing.T) {
			gqOK(t, s, admin, updateUserQ, idInput(clerk.ID, "password", "a-brand-new-password"))
			r := gq(t, s, "", loginQ, map[string]any{"in": in("tenant", "demo", "username", "cg.clerk", "password", seed.DemoPassword)})
			requireCode(t, r, "UNAUTHENTICATED")
			r = gq(t, s, "", loginQ, map[string]any{"in": in("tenant", "demo", "username", "cg.clerk", "password", "a-brand-new-password")})
			require.Empty(t, r.Errors)
		})
		runRefusals(t, s, []refusal{
			{name: "the admin cannot disable their own account", user: "admin", query: updateUserQ,
				vars: idInput(userID(t, s, admin, "admin"), "status", "DISABLED"), codes: []string{"BAD_USER_INPUT"}, field: "input.status"},
			{name: "a short reset password is BAD_USER_INPUT", user: "admin", query: updateUserQ,
				vars: idInput(clerk.ID, "password", "short"), codes: []string{"BAD_USER_INPUT"}, field: "input.password"},
			{name: "chengguan.admin cannot update a user of another town", user: "chengguan.admin", query: updateUserQ,
				vars: idInput(xiheHead, "phone", "1"), codes: []string{"NOT_FOUND"}},
			{name: "chengguan.admin cannot move its user to another town", user: "chengguan.admin", query: updateUserQ,
				vars: idInput(clerk.ID, "unitID", xihe), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
		})
		t.Run("disabling a user refuses their next request with the old token", func(t *testing.T) {
			var u userOut
			decodeAt(t, gqOK(t, s, admin, updateUserQ, idInput(clerk.ID, "status", "DISABLED")), "updateUser.user", &u)
			require.Equal(t, "DISABLED", u.Status)
			requireCode(t, gq(t, s, clerkTok, `{ enterprises { totalCount } }`, nil), "UNAUTHENTICATED")
			requireCode(t, gq(t, s, clerkTok, `{ me { user { username } } }`, nil), "UNAUTHENTICATED")
			r := gq(t, s, "", loginQ, map[string]any{"in": in("tenant", "demo", "username", "cg.clerk", "password", "a-brand-new-password")})
			requireCode(t, r, "UNAUTHENTICATED")
		})
		t.Run("re-enabling the user lets them sign in again", func(t *testing.T) {
			gqOK(t, s, admin, updateUserQ, idInput(clerk.ID, "status", "ACTIVE"))
			r := gq(t, s, "", loginQ, map[string]any{"in": in("tenant", "demo", "username", "cg.clerk", "password", "a-brand-new-password")})
			require.Empty(t, r.Errors)
		})
		t.Run("moving a user's home unit moves who may read them", func(t *testing.T) {
			var u userOut
			decodeAt(t, gqOK(t, s, admin, updateUserQ, idInput(clerk.ID, "unitID", xihe)), "updateUser.user", &u)
			require.Equal(t, xihe, u.UnitID)
			require.NotContains(t, names(s, s.As("chengguan.head"), "users", ""), "cg.clerk")
			require.Contains(t, names(s, s.As("xihe.head"), "users", ""), "cg.clerk")
		})
	})
}

func TestReparent(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		demo := treeOf(seed.TenantDemo)
		mechUnit := unitID(t, s, admin, "ENT-MECH")
		mechProfile := enterpriseID(t, s, admin, nameMech)
		machining := unitID(t, s, admin, "WS-MECH-MACHINING")
		assembly := unitID(t, s, admin, "WS-MECH-ASSEMBLY")
		team := unitID(t, s, admin, "TEAM-MECH-MACHINING-1")
		county := unitID(t, s, admin, seed.CodeCounty)
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		xihe := unitID(t, s, admin, seed.CodeTownXihe)
		kiln := unitID(t, s, admin, seed.CodeCementKiln)
		cementUnit := unitID(t, s, admin, seed.CodeCement)
		hotelUnit := unitID(t, s, admin, seed.CodeHotel)
		nbTown := unitID(t, s, s.As(seed.NeighborSecretary), seed.CodeNeighborTownHekou)

		// People of the enterprise: a principal at the enterprise and a team
		// leader in one of its teams.
		for _, p := range []struct{ username, unit, title string }{
			{"mech.principal", mechUnit, "宏达机电总经理"},
			{"mech.team.leader", team, "车工班班长"},
		} {
			var u struct{ ID string }
			decodeAt(t, gqOK(t, s, admin, createUserQ, input("username", p.username, "displayName", p.title,
				"password", seed.DemoPassword, "unitID", p.unit)), "createUser.user", &u)
			gqOK(t, s, admin, createPostQ, input("userID", u.ID, "unitID", p.unit, "role", "PRINCIPAL", "title", p.title))
		}
		var mechSubtree []string
		for _, u := range demo.units {
			if demo.under(u.Code, "ENT-MECH") {
				mechSubtree = append(mechSubtree, u.Name)
			}
		}
		require.Len(t, mechSubtree, 1+2+3)
		people := []string{"mech.principal", "mech.team.leader"}
		titles := []string{"宏达机电总经理", "车工班班长"}
		sees := func(t *testing.T, user string, yes bool) {
			t.Helper()
			tok := tokenFor(s, user)
			check := require.Subset
			if !yes {
				check = require.NotSubset
			}
			ents, units, users, posts := names(s, tok, "enterprises", ""), names(s, tok, "units", ""), names(s, tok, "users", ""), names(s, tok, "posts", "")
			check(t, ents, []string{nameMech}, "%s: enterprises", user)
			for _, n := range mechSubtree {
				check(t, units, []string{n}, "%s: units", user)
			}
			for _, n := range people {
				check(t, users, []string{n}, "%s: users", user)
			}
			for _, n := range titles {
				check(t, posts, []string{n}, "%s: posts", user)
			}
		}
		t.Run("before the move 城关镇 sees the enterprise, its units, people and posts and 西河镇 does not", func(t *testing.T) {
			sees(t, "chengguan.head", true)
			sees(t, "chengguan.secretary", true)
			sees(t, "xihe.head", false)
		})

		runRefusals(t, s, []refusal{
			{name: "moving an enterprise under a workshop is BAD_USER_INPUT", user: "admin", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", kiln), codes: []string{"BAD_USER_INPUT"}, field: "input.parentID"},
			{name: "a failed move does not keep a rename of the same call", user: "admin", query: updateUnitQ,
				vars: idInput(mechUnit, "name", "改名不应生效", "parentID", kiln), codes: []string{"BAD_USER_INPUT"}},
			{name: "moving an enterprise under the county is BAD_USER_INPUT", user: "admin", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", county), codes: []string{"BAD_USER_INPUT"}, field: "input.parentID"},
			{name: "moving a workshop under its own team is BAD_USER_INPUT", user: "admin", query: updateUnitQ,
				vars: idInput(machining, "parentID", team), codes: []string{"BAD_USER_INPUT"}},
			{name: "moving a unit under itself is BAD_USER_INPUT", user: "admin", query: updateUnitQ,
				vars: idInput(chengguan, "parentID", chengguan), codes: []string{"BAD_USER_INPUT"}},
			{name: "moving the tenant root is BAD_USER_INPUT", user: "admin", query: updateUnitQ,
				vars: idInput(county, "parentID", chengguan), codes: []string{"BAD_USER_INPUT"}},
			{name: "moving an enterprise to a town of the other tenant is NOT_FOUND", user: "admin", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", nbTown), codes: []string{"NOT_FOUND"}},
			{name: "moving to an unknown parent is NOT_FOUND", user: "admin", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", gid.Encode(8<<32+999_999)), codes: []string{"NOT_FOUND"}},
			{name: "chengguan.admin cannot move its enterprise to another town", user: "chengguan.admin", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", xihe), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "mech.principal cannot move its enterprise", user: "mech.principal", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", xihe), codes: []string{"FORBIDDEN", "NOT_FOUND"}},
			{name: "chengguan.admin cannot move a workshop into an enterprise of another town", user: "chengguan.admin", query: updateUnitQ,
				vars: idInput(assembly, "parentID", cementUnit), codes: []string{"NOT_FOUND", "FORBIDDEN"}},
			{name: "xihe.head cannot take an enterprise of 城关镇", user: "xihe.head", query: updateUnitQ,
				vars: idInput(mechUnit, "parentID", xihe), codes: []string{"NOT_FOUND"}},
		})

		t.Run("admin moves the enterprise from 城关镇 to 西河镇", func(t *testing.T) {
			var u struct {
				Name, ParentID string
				Depth          int
			}
			decodeAt(t, gqOK(t, s, admin, updateUnitQ, idInput(mechUnit, "parentID", xihe)), "updateUnit.unit", &u)
			require.Equal(t, nameMech, u.Name)
			require.Equal(t, xihe, u.ParentID)
			require.Equal(t, 2, u.Depth)
		})
		t.Run("afterwards 城关镇 sees nothing of it, with the same tokens", func(t *testing.T) {
			sees(t, "chengguan.head", false)
			sees(t, "chengguan.secretary", false)
			sees(t, "auditor.chengguan", false)
			tok := s.As("chengguan.head")
			require.Equal(t, 11, totalCount(t, s, tok, "enterprises", ""))
			r := gqOK(t, s, tok, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{mechProfile, mechUnit, team}})
			require.JSONEq(t, `{"nodes": [null, null, null]}`, string(r.Data))
		})
		t.Run("afterwards 西河镇's heads see it all", func(t *testing.T) {
			sees(t, "xihe.head", true)
			sees(t, "xihe.secretary", true)
		})
		t.Run("xihe.deputy, restricted to commerce, still does not see the industrial enterprise", func(t *testing.T) {
			require.NotContains(t, names(s, s.As("xihe.deputy"), "enterprises", ""), nameMech)
		})
		t.Run("sector and supervision jurisdictions are unchanged", func(t *testing.T) {
			sees(t, "county.deputy.industry", true)
			require.Contains(t, names(s, s.As("bureau.chief"), "enterprises", ""), nameMech)
			require.Equal(t, 7, totalCount(t, s, s.As("county.deputy.industry"), "enterprises", ""))
		})
		t.Run("the enterprise's own people still see their units", func(t *testing.T) {
			tok := s.Login("demo", "mech.principal")
			require.Equal(t, []string{nameMech}, names(s, tok, "enterprises", ""))
			r := gqOK(t, s, tok, `{ enterprises { edges { node { townID town { name } unit { parent { name } children { totalCount } } } } } }`, nil)
			require.JSONEq(t, fmt.Sprintf(`{"enterprises": {"edges": [{"node": {"townID": %q, "town": {"name": "西河镇"},
				"unit": {"parent": {"name": "西河镇"}, "children": {"totalCount": 2}}}}]}}`, xihe), string(r.Data))
			leader := s.Login("demo", "mech.team.leader")
			r = gqOK(t, s, leader, `query($id: ID!) { node(id: $id) { ... on Unit { name parent { name } } } }`, map[string]any{"id": team})
			require.JSONEq(t, `{"node": {"name": "车工班", "parent": null}}`, string(r.Data))
		})
		t.Run("the whole subtree hangs below 西河镇 for the admin", func(t *testing.T) {
			r := gqOK(t, s, admin, `query($id: ID!) { node(id: $id) { ... on Unit { depth parent { depth parent { depth parent { name } } } } } }`, map[string]any{"id": team})
			require.JSONEq(t, `{"node": {"depth": 4, "parent": {"depth": 3, "parent": {"depth": 2, "parent": {"name": "西河镇"}}}}}`, string(r.Data))
		})

		t.Run("a workshop moved to a commerce enterprise takes its sector and leaves the industrial view", func(t *testing.T) {
			var u struct{ Sector, ParentID string }
			decodeAt(t, gqOK(t, s, admin, updateUnitQ, idInput(assembly, "parentID", hotelUnit)), "updateUnit.unit", &u)
			require.Equal(t, "COMMERCE", u.Sector)
			require.Equal(t, hotelUnit, u.ParentID)
			require.NotContains(t, names(s, s.As("county.deputy.industry"), "units", ""), "装配车间")
			require.Contains(t, names(s, s.As("chengguan.head"), "units", ""), "装配车间")
			require.NotContains(t, names(s, s.As("xihe.head"), "units", ""), "装配车间")
			r := gqOK(t, s, admin, `{ units(where: {code: "TEAM-MECH-ASSEMBLY-1"}) { edges { node { sector parent { parent { name } } } } } }`, nil)
			require.JSONEq(t, fmt.Sprintf(`{"units": {"edges": [{"node": {"sector": "COMMERCE", "parent": {"parent": {"name": %q}}}}]}}`, nameHotel), string(r.Data))
		})
		t.Run("a workshop moved to another enterprise takes its people into that enterprise's jurisdiction", func(t *testing.T) {
			gqOK(t, s, admin, updateUnitQ, idInput(machining, "parentID", cementUnit))
			cp := s.As("cement.principal")
			require.Subset(t, names(s, cp, "units", ""), []string{"机加工车间", "车工班", "铣磨班"})
			require.Contains(t, names(s, cp, "users", ""), "mech.team.leader")
			require.Contains(t, names(s, cp, "posts", ""), "车工班班长")
			mp := s.Login("demo", "mech.principal")
			require.NotContains(t, names(s, mp, "units", ""), "机加工车间")
			require.NotContains(t, names(s, mp, "users", ""), "mech.team.leader")
			require.Contains(t, names(s, s.As("nanshan.head"), "users", ""), "mech.team.leader")
			require.NotContains(t, names(s, s.As("xihe.head"), "users", ""), "mech.team.leader")
		})
	})
}

// enterpriseView is an enterprise with its edges, read after a mutation.
type enterpriseView struct {
	Town struct{ ID, Name string }
	Unit struct {
		ID, Kind, Name, Code, Sector string
		Depth                        int
		Parent                       struct{ Name string }
	}
	SupervisingDepartments []struct{ Name string }
}

func (v enterpriseView) departments() []string {
	out := []string{}
	for _, d := range v.SupervisingDepartments {
		out = append(out, d.Name)
	}
	return out
}

func viewEnterprise(t testing.TB, s *apitest.Server, token, id string) enterpriseView {
	t.Helper()
	var out struct{ Node *enterpriseView }
	gqOK(t, s, token, `query($id: ID!) { node(id: $id) { ... on Enterprise { town { id name }
		unit { id kind name code sector depth parent { name } } supervisingDepartments { name } } } }`,
		map[string]any{"id": id}).Decode(t, &out)
	require.NotNil(t, out.Node, "enterprise %s is not visible", id)
	return *out.Node
}

// TestMutationPayloadsResolveEdges: the object a mutation returns is usable
// like any other — its edges resolve (after the mutation's transaction).
func TestMutationPayloadsResolveEdges(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		county := unitID(t, s, admin, seed.CodeCounty)
		chengguan := unitID(t, s, admin, seed.CodeTownChengguan)
		mech := enterpriseID(t, s, admin, nameMech)
		inspector := userID(t, s, admin, "bureau.inspector1")
		post := postOfUser(t, s, admin, "bureau.inspector2")
		credit := validCredit(t, "341199", "MA2EDGE01")
		steps := []struct {
			name, query string
			vars        map[string]any
			want        string
		}{
			{"createUnit returns its parent", `mutation($in: CreateUnitInput!) { createUnit(input: $in) { unit { parent { name } children { totalCount } } } }`,
				input("kind", "TOWN", "name", "边缘镇", "code", "TOWN-EDGE", "parentID", county),
				`{"createUnit": {"unit": {"parent": {"name": "示范县"}, "children": {"totalCount": 0}}}}`},
			{"updateUnit returns its parent", `mutation($in: UpdateUnitInput!) { updateUnit(input: $in) { unit { parent { name } } } }`,
				idInput(chengguan, "name", "城关镇"), `{"updateUnit": {"unit": {"parent": {"name": "示范县"}}}}`},
			{"createEnterprise returns its unit and town", `mutation($in: CreateEnterpriseInput!) { createEnterprise(input: $in) { enterprise { unit { name } town { name } supervisingDepartments { name } } } }`,
				input("name", "示范县边缘加油站", "code", "FUEL-EDGE", "townID", chengguan, "creditCode", credit, "sector", "FUEL"),
				`{"createEnterprise": {"enterprise": {"unit": {"name": "示范县边缘加油站"}, "town": {"name": "城关镇"}, "supervisingDepartments": [{"name": "县工信商务局"}]}}}`},
			{"updateEnterprise returns its unit and town", `mutation($in: UpdateEnterpriseInput!) { updateEnterprise(input: $in) { enterprise { unit { name } town { name } } } }`,
				idInput(mech, "address", "城关镇工业园区纬一路21号"), fmt.Sprintf(`{"updateEnterprise": {"enterprise": {"unit": {"name": %q}, "town": {"name": "城关镇"}}}}`, nameMech)},
			{"createUser returns its unit", `mutation($in: CreateUserInput!) { createUser(input: $in) { user { unit { name } posts { totalCount } } } }`,
				input("username", "edge.user", "displayName", "边缘用户", "password", seed.DemoPassword, "unitID", chengguan),
				`{"createUser": {"user": {"unit": {"name": "城关镇"}, "posts": {"totalCount": 0}}}}`},
			{"updateUser returns its unit", `mutation($in: UpdateUserInput!) { updateUser(input: $in) { user { unit { name } } } }`,
				idInput(inspector, "phone", "13800002222"), `{"updateUser": {"user": {"unit": {"name": "县工信商务局"}}}}`},
			{"createPost returns its unit and user", `mutation($in: CreatePostInput!) { createPost(input: $in) { post { unit { name } user { username } } } }`,
				input("userID", inspector, "unitID", chengguan, "role", "INSPECTOR"),
				`{"createPost": {"post": {"unit": {"name": "城关镇"}, "user": {"username": "bureau.inspector1"}}}}`},
			{"updatePost returns its unit", `mutation($in: UpdatePostInput!) { updatePost(input: $in) { post { unit { name } } } }`,
				idInput(post, "title", "监管员"), `{"updatePost": {"post": {"unit": {"name": "县工信商务局"}}}}`},
			{"endPost returns its unit", `mutation($id: ID!) { endPost(input: {id: $id}) { post { unit { name } } } }`,
				map[string]any{"id": post}, `{"endPost": {"post": {"unit": {"name": "县工信商务局"}}}}`},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				r := gqOK(t, s, admin, st.query, st.vars)
				require.JSONEq(t, st.want, string(r.Data))
			})
		}
	})
}
