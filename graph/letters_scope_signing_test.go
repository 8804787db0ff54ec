package graph_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
)

// TestLetterCoverageIsScoped: for every demo user of the domain guide's table the
// coverage rows are the units of their jurisdiction (DOMAIN.md, jurisdiction) with the
// statuses of the demo letters; a root they cannot see is NOT_FOUND.
func TestLetterCoverageIsScoped(t *testing.T) {
	demo, neighbor := treeOf(seed.TenantDemo), treeOf(seed.TenantNeighbor)
	vectors := append(demoVectors(demo), neighborVector(neighbor))
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		for _, v := range vectors {
			tr := demo
			if v.user == seed.NeighborSecretary {
				tr = neighbor
			}
			t.Run(v.user, func(t *testing.T) {
				tok := tokenFor(s, v.user)
				root := unitID(t, s, tok, seed.CodeCounty)
				c, rows := coverageAll(t, s, tok, 2022, root, 100, nil)
				want := expectedCoverage(tr, 2022, v.scope)
				got := map[string]string{}
				for _, r := range rows {
					got[r.Unit.Code] = r.Status
				}
				require.Equal(t, want, got)
				require.Equal(t, len(want), c.Summary.Total.Total)
			})
		}
		t.Run("a root out of scope is NOT_FOUND", func(t *testing.T) {
			paper := unitID(t, s, s.As("admin"), seed.CodePaper)
			for _, who := range []string{"cement.principal", "chengguan.head", seed.NeighborSecretary} {
				_, r := coverage(t, s, tokenFor(s, who), 2022, paper, nil)
				requireCode(t, r, "NOT_FOUND", who)
			}
		})
	})
}

// ---------------------------------------------------------------------------
// Scoping of letters.

// lettersVisible is what user may read of the demo letters, by rule: the
// signee in their jurisdiction, or the issuer in a post's territory within
// the post's sectors (DOMAIN.md, jurisdiction: "a letter is also readable by its issuer
// side").
func lettersVisible(tr *seedTree, v vector) []seed.LetterInfo {
	posts := seedUser(v.user).Posts
	var out []seed.LetterInfo
	for _, l := range seed.Letters(tr.tenant) {
		signee := tr.byCode[l.Signee]
		ok := l.State != domain.LetterDraft && v.scope(signee) // a draft is the issuer side's only
		for _, p := range posts {
			secOK := len(p.Sectors) == 0 || isGov(signee) || slices.Contains(p.Sectors, signee.Sector)
			ok = ok || (tr.under(l.Issuer, p.UnitCode) && secOK)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

func letterKey(year int, issuer, signee, state string) string {
	return fmt.Sprintf("%d %s→%s %s", year, issuer, signee, state)
}

func TestLettersAreScoped(t *testing.T) {
	demo, neighbor := treeOf(seed.TenantDemo), treeOf(seed.TenantNeighbor)
	vectors := append(demoVectors(demo), neighborVector(neighbor))
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		codes := map[string]string{} // unit id → code, both tenants
		for _, who := range []string{"admin", seed.NeighborSecretary} {
			r := gqOK(t, s, tokenFor(s, who), `{ units(first: 500) { edges { node { id code } } } }`, nil)
			var out struct {
				Units struct {
					Edges []struct{ Node struct{ ID, Code string } }
				}
			}
			r.Decode(t, &out)
			for _, e := range out.Units.Edges {
				codes[e.Node.ID] = e.Node.Code
			}
		}
		list := func(tok string) ([]string, int) {
			var keys []string
			after := ""
			total := 0
			for {
				args := map[string]any{}
				q := `query($after: Cursor) { c: responsibilityLetters(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor }
					edges { node { year state issuerUnitID signeeUnitID } } } }`
				if after != "" {
					args["after"] = after
				}
				r := gqOK(t, s, tok, q, args)
				var out struct {
					C struct {
						TotalCount int
						PageInfo   struct {
							HasNextPage bool
							EndCursor   string
						}
						Edges []struct {
							Node struct {
								Year                       int
								State                      string
								IssuerUnitID, SigneeUnitID string
							}
						}
					}
				}
				r.Decode(t, &out)
				total = out.C.TotalCount
				for _, e := range out.C.Edges {
					n := e.Node
					keys = append(keys, letterKey(n.Year, codes[n.IssuerUnitID], codes[n.SigneeUnitID], n.State))
				}
				if !out.C.PageInfo.HasNextPage {
					sort.Strings(keys)
					return keys, total
				}
				after = out.C.PageInfo.EndCursor
			}
		}
		for _, v := range vectors {
			tr := demo
			if v.user == seed.NeighborSecretary {
				tr = neighbor
			}
			t.Run(v.user, func(t *testing.T) {
				var want []string
				for _, l := range lettersVisible(tr, v) {
					want = append(want, letterKey(l.Year, l.Issuer, l.Signee, string(l.State)))
				}
				sort.Strings(want)
				got, total := list(tokenFor(s, v.user))
				require.Equal(t, want, got)
				require.Equal(t, len(want), total)
			})
		}

		// the domain guide's wording, spelled out.
		has := func(user string, year int, issuer, signee string) bool {
			got, _ := list(tokenFor(s, user))
			for _, k := range got {
				if strings.HasPrefix(k, letterKey(year, issuer, signee, "")) {
					return true
				}
			}
			return false
		}
		require.True(t, has("county.deputy.industry", 2022, seed.CodeCounty, seed.CodeTownXihe), "the industry deputy sees county→town letters")
		require.False(t, has("bureau.chief", 2022, seed.CodeCounty, seed.CodeTownXihe), "the bureau chief does not")
		require.True(t, has("bureau.chief", 2022, seed.CodeCounty, seed.CodeDeptIndustryCommerce), "but the letter the bureau received")
		require.True(t, has("chengguan.head", 2022, seed.CodeCounty, seed.CodeTownChengguan), "the town sees what it received")
		require.True(t, has("chengguan.head", 2022, seed.CodeTownChengguan, seed.CodeMech), "and what it issued")
		require.False(t, has("chengguan.head", 2022, seed.CodeTownXihe, seed.CodePaper), "not another town's")
		require.False(t, has("chengguan.head", 2022, seed.CodeCounty, seed.CodeTownXihe), "nor the county's letters to other towns")

		t.Run("node, issuer and signee out of scope", func(t *testing.T) {
			admin := s.As("admin")
			xihe := letterID(t, s, admin, 2022, seed.CodeCounty, seed.CodeTownXihe)
			r := gqOK(t, s, s.As("chengguan.head"), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": xihe})
			require.JSONEq(t, `{"node": null}`, string(r.Data))
			r = gqOK(t, s, s.As(seed.NeighborSecretary), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": xihe})
			require.JSONEq(t, `{"node": null}`, string(r.Data))
			kiln := letterID(t, s, admin, 2022, seed.CodeCement, seed.CodeCementKiln)
			r = gqOK(t, s, s.As("cement.kiln.head"), `query($id: ID!) { node(id: $id) { ... on ResponsibilityLetter { issuerName issuer { id } signee { code } } } }`, map[string]any{"id": kiln})
			require.JSONEq(t, `{"node": {"issuerName": "示范县恒固水泥有限公司", "issuer": null, "signee": {"code": "WS-CEMENT-KILN"}}}`, string(r.Data))
		})
	})
}

// TestConcurrentSignatures: the two heads of a town sign at the same moment.
// Each step is checked against the version it read, so the letter never
// ends in a state its signatures contradict; a refused step is a CONFLICT
// and succeeds when retried.
func TestConcurrentSignatures(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		county := unitID(t, s, head, seed.CodeCounty)
		for i, town := range []string{"dongcheng", "xihe", "nanshan"} {
			code := []string{seed.CodeTownDongcheng, seed.CodeTownXihe, seed.CodeTownNanshan}[i]
			l := step(t, s, head, "issueLetter", createLetter(t, s, head, 2024, county, unitID(t, s, head, code), true).ID)
			tokens := []string{s.As(town + ".secretary"), s.As(town + ".head")}
			var wg sync.WaitGroup
			results := make([]*apitest.Response, 2)
			for k := range tokens {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, results[k] = sign(t, s, tokens[k], l.ID)
				}()
			}
			wg.Wait()
			for k, r := range results {
				if len(r.Errors) > 0 {
					require.Equal(t, "CONFLICT", r.Code(), "%+v", r.Errors)
					_, r = sign(t, s, tokens[k], l.ID)
					require.Empty(t, r.Errors, "the retry succeeds")
				}
			}
			r := gqOK(t, s, head, `query($id: ID!) { node(id: $id) { ... on ResponsibilityLetter { `+letterFields+` } } }`, map[string]any{"id": l.ID})
			var out struct{ Node letterOut }
			r.Decode(t, &out)
			require.Equal(t, "SIGNED", out.Node.State)
			require.ElementsMatch(t, []string{"PARTY_SECRETARY", "GOVERNMENT_HEAD"}, out.Node.signedRoles())
			require.Equal(t, []string{"CREATED", "ISSUED", "SIGNED", "SIGNED"}, out.Node.actions())
			require.Equal(t, "PARTIALLY_SIGNED", out.Node.Events[2].ToState)
			require.Equal(t, "SIGNED", out.Node.Events[3].ToState)
		}
	})
}

// TestReparentCarriesLetters: moving a workshop to another enterprise in
// another town rewrites the position of the letters it received (signee
// side) and of those it issued (issuer side) in the same transaction, so
// both sides see what they should and the old town stops seeing the
// workshop's own letters to its teams.
func TestReparentCarriesLetters(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		ws := unitID(t, s, admin, "WS-MECH-MACHINING")
		toWorkshop := letterID(t, s, admin, 2022, seed.CodeMech, "WS-MECH-MACHINING")
		toTeam := letterID(t, s, admin, 2022, "WS-MECH-MACHINING", "TEAM-MECH-MACHINING-1")
		visible := func(who, id string) bool {
			r := gqOK(t, s, tokenFor(s, who), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
			return string(r.Data) != `{"node":null}`
		}
		require.True(t, visible("chengguan.head", toWorkshop))
		require.True(t, visible("chengguan.head", toTeam))
		require.False(t, visible("nanshan.head", toTeam))
		require.False(t, visible("cement.principal", toTeam))

		gqOK(t, s, admin, `mutation($id: ID!, $p: ID!) { updateUnit(input: {id: $id, parentID: $p}) { unit { id } } }`,
			map[string]any{"id": ws, "p": unitID(t, s, admin, seed.CodeCement)})

		// The letter to the workshop: received under the cement plant now,
		// issued by 宏达机电 still (城关镇 keeps it through its issuer side).
		require.True(t, visible("cement.principal", toWorkshop))
		require.True(t, visible("nanshan.head", toWorkshop))
		require.True(t, visible("chengguan.head", toWorkshop))
		// The workshop's letters to its teams moved with it, both sides.
		require.True(t, visible("cement.principal", toTeam))
		require.True(t, visible("nanshan.head", toTeam))
		require.False(t, visible("chengguan.head", toTeam), "a stale issuer path would still show it to 城关镇")
		// Its 2022 letter came from its old parent: not the new parent's.
		c, r := coverage(t, s, s.As("cement.principal"), 2022, unitID(t, s, admin, seed.CodeCement),
			map[string]any{"kinds": []string{"WORKSHOP"}, "first": 10})
		require.Empty(t, r.Errors)
		require.Equal(t, "MISSING", statusOf(t, c, "WS-MECH-MACHINING"))
	})
}

// TestSignWithChosenPost: one person holding both heads' posts of a town
// (一肩挑) signs once per post; postID picks the post, and a post that is not
// theirs at the signee unit is refused.
func TestSignWithChosenPost(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, head := s.As("admin"), s.As("county.head")
		dc := unitID(t, s, admin, seed.CodeTownDongcheng)
		r := gqOK(t, s, admin, `mutation($u: ID!, $unit: ID!) { createPost(input: {userID: $u, unitID: $unit, role: GOVERNMENT_HEAD, title: "东城街道办事处主任（兼）"}) { post { id } } }`,
			map[string]any{"u": userID(t, s, admin, "dongcheng.secretary"), "unit": dc})
		var post struct {
			CreatePost struct{ Post struct{ ID string } }
		}
		r.Decode(t, &post)
		l := step(t, s, head, "issueLetter", createLetter(t, s, head, 2024, unitID(t, s, head, seed.CodeCounty), dc, true).ID)
		tok := s.As("dongcheng.secretary")
		signIn := func(postID string) (letterOut, *apitest.Response) {
			return letterMutation(t, s, tok, "signLetter(input: {id: $id, postID: $p})", "$id: ID!, $p: ID", map[string]any{"id": l.ID, "p": postID})
		}
		before := snapshot(t, s)
		_, r = signIn(postOfUser(t, s, admin, "dongcheng.head"))
		requireCode(t, r, "BAD_USER_INPUT", "another person's post")
		require.Equal(t, "input.postID", r.Errors[0].Extensions["field"])
		requireUnchanged(t, s, before)

		out, r := signIn(post.CreatePost.Post.ID)
		require.Empty(t, r.Errors)
		require.Equal(t, []string{"GOVERNMENT_HEAD"}, out.signedRoles())
		require.Equal(t, "东城街道办事处主任（兼）", out.Signatures[0].SignerTitle)
		out, r = sign(t, s, tok, l.ID) // the post still needed
		require.Empty(t, r.Errors)
		require.Equal(t, "SIGNED", out.State)
		require.Equal(t, []string{"GOVERNMENT_HEAD", "PARTY_SECRETARY"}, out.signedRoles())
	})
}
