package graph_test

// The seats of a leadership group name people (name, title, user, post), so
// each seat is scoped by the post it is held by, not by its group: a town's
// group may seat an enterprise's safety officer, and a sector-restricted
// post at the town that reads neither that enterprise's staff nor their
// posts reads the group without that seat, by every path (the group's
// members, node on the seat). Heads of the town and the county read every
// seat; the group itself is read as before.

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

const groupMembers = `query($id: ID!) { node(id: $id) { ... on LeadershipGroup { name members { id role memberName title userID postID } } } }`

const memberNode = `query($id: ID!) { node(id: $id) { ... on GroupMember { id memberName title userID postID } } }`

type seat struct{ ID, Role, MemberName, Title, UserID, PostID string }

// seatsOfGroup reads group's members as token; ok is false when the group
// itself is out of sight.
func seatsOfGroup(t *testing.T, s *apitest.Server, token, group string) (members []seat, ok bool) {
	t.Helper()
	var out struct {
		Node *struct {
			Name    string
			Members []seat
		}
	}
	gqOK(t, s, token, groupMembers, map[string]any{"id": group}).Decode(t, &out)
	if out.Node == nil {
		return nil, false
	}
	return out.Node.Members, true
}

func memberNames(ms []seat) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.MemberName)
	}
	slices.Sort(out)
	return out
}

func TestLeadershipGroupMembersStayInScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		town, deputy := s.As("xihe.head"), s.As("xihe.deputy")
		xihe := unitID(t, s, town, seed.CodeTownXihe)
		// The paper mill (INDUSTRY, 西河镇) and its safety officer, as the town sees them.
		var paper struct {
			Users struct {
				Edges []struct {
					Node struct {
						ID    string
						Posts struct {
							Edges []struct{ Node struct{ ID string } }
						}
					}
				}
			}
		}
		gqOK(t, s, town, `{ users(where: {username: "paper.safety"}) { edges { node { id posts { edges { node { id } } } } } } }`, nil).Decode(t, &paper)
		require.Len(t, paper.Users.Edges, 1)
		officer := paper.Users.Edges[0].Node
		require.NotEmpty(t, officer.Posts.Edges)
		officerPost := officer.Posts.Edges[0].Node.ID
		require.Empty(t, names(s, deputy, "users", `{username: "paper.safety"}`), "the commerce deputy of 西河镇 does not read the paper mill's staff")

		var created struct {
			CreateLeadershipGroup struct{ LeadershipGroup struct{ ID string } }
		}
		gqOK(t, s, town, `mutation($in: CreateLeadershipGroupInput!) { createLeadershipGroup(input: $in) { leadershipGroup { id } } }`, map[string]any{"in": map[string]any{
			"unitID": xihe, "name": "西河镇危化品安全专班", "establishedOn": "2024-01-05T00:00:00Z",
			"members": []map[string]any{
				{"postID": postOfUser(t, s, town, "xihe.head"), "role": "LEADER"},
				{"postID": postOfUser(t, s, town, "xihe.deputy"), "role": "DEPUTY_LEADER"},
				{"postID": officerPost, "role": "MEMBER"}}}}).Decode(t, &created)
		group := created.CreateLeadershipGroup.LeadershipGroup.ID
		all, ok := seatsOfGroup(t, s, town, group)
		require.True(t, ok)
		require.Len(t, all, 3)
		var officerSeat seat
		for _, m := range all {
			if m.PostID == officerPost {
				officerSeat = m
			}
		}
		require.Equal(t, "赵海涛", officerSeat.MemberName)
		require.Equal(t, officer.ID, officerSeat.UserID)

		for _, c := range []struct {
			name, as string
			seats    []string // the names of the seats read, sorted; nil: the group is out of sight
		}{
			{"the commerce deputy of 西河镇 reads the town's group without the paper mill's safety officer", "xihe.deputy", []string{"梁永福", "黄晓燕"}},
			{"the head of 西河镇 reads every seat", "xihe.head", []string{"梁永福", "赵海涛", "黄晓燕"}},
			{"the secretary of 西河镇 reads every seat (党政同责)", "xihe.secretary", []string{"梁永福", "赵海涛", "黄晓燕"}},
			{"the county head reads every seat", "county.head", []string{"梁永福", "赵海涛", "黄晓燕"}},
			{"the industry deputy of the county reads every seat (the paper mill is industry, the town is government)", "county.deputy.industry", []string{"梁永福", "赵海涛", "黄晓燕"}},
			{"the head of 城关镇 reads no group of 西河镇, as before", "chengguan.head", nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				ms, ok := seatsOfGroup(t, s, s.As(c.as), group)
				if c.seats == nil {
					require.False(t, ok, "the group is out of sight")
					return
				}
				require.True(t, ok, "the group is read as before")
				require.Equal(t, c.seats, memberNames(ms))
				require.Equal(t, "LEADER", ms[0].Role, "the leader is seated first")
			})
		}

		t.Run("the commerce deputy reads the group in the list and its total, as before", func(t *testing.T) {
			require.Equal(t, 1, totalCount(t, s, deputy, "leadershipGroups", `{name: "西河镇危化品安全专班"}`))
		})

		for _, c := range []struct {
			name, as string
			visible  bool
		}{
			{"node on the safety officer's seat is null for the commerce deputy of 西河镇", "xihe.deputy", false},
			{"node on the safety officer's seat is the seat for the head of 西河镇", "xihe.head", true},
			{"node on the safety officer's seat is the seat for the county head", "county.head", true},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := gqOK(t, s, s.As(c.as), memberNode, map[string]any{"id": officerSeat.ID})
				var out struct{ Node *seat }
				r.Decode(t, &out)
				if !c.visible {
					require.Nil(t, out.Node)
					require.NotContains(t, string(r.Data), "赵海涛", "the member's name")
					require.NotContains(t, string(r.Data), officer.ID, "the member's user id")
					require.NotContains(t, string(r.Data), officerPost, "the member's post id")
					return
				}
				require.NotNil(t, out.Node)
				require.Equal(t, "赵海涛", out.Node.MemberName)
				require.Equal(t, officerPost, out.Node.PostID)
			})
		}

		t.Run("the commerce deputy reads nothing of the safety officer in the group's document", func(t *testing.T) {
			r := gqOK(t, s, deputy, groupMembers, map[string]any{"id": group})
			require.NotContains(t, string(r.Data), "赵海涛", "the member's name")
			require.NotContains(t, string(r.Data), "专职安全员", "the member's title")
			require.NotContains(t, string(r.Data), officer.ID, "the member's user id")
			require.NotContains(t, string(r.Data), officerPost, "the member's post id")
		})

		t.Run("reseating the group scopes the new seats by their posts too", func(t *testing.T) {
			gqOK(t, s, town, `mutation($in: SetLeadershipGroupMembersInput!) { setLeadershipGroupMembers(input: $in) { leadershipGroup { id } } }`,
				map[string]any{"in": map[string]any{"groupID": group, "members": []map[string]any{
					{"postID": postOfUser(t, s, town, "xihe.head"), "role": "LEADER"},
					{"postID": officerPost, "role": "OFFICE"}}}})
			ms, ok := seatsOfGroup(t, s, deputy, group)
			require.True(t, ok)
			require.Equal(t, []string{"梁永福"}, memberNames(ms))
			ms, _ = seatsOfGroup(t, s, town, group)
			require.Equal(t, []string{"梁永福", "赵海涛"}, memberNames(ms))
		})
	})
}
