package graph_test

// Leadership groups and meetings end to end on every available database:
// the demo groups (the secretary leads the county's, the county head is its
// deputy), setting one up and reseating it, recording a meeting with its
// minutes, who reads them, and every refusal writing nothing.

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

const createGroup = `mutation($in: CreateLeadershipGroupInput!) {
  createLeadershipGroup(input: $in) { leadershipGroup { id name members { role memberName title } } }
}`

const recordMeeting = `mutation($in: RecordMeetingInput!) {
  recordMeeting(input: $in) { meeting { id title safetyOnAgenda attendingUnits { name } group { name } } }
}`

func TestLeadershipGroupsAndMeetings(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		head := s.As("county.head")
		t.Run("the county's group is led by the secretary with the county head as deputy", func(t *testing.T) {
			var out struct {
				LeadershipGroups struct {
					Edges []struct {
						Node struct {
							Members []struct{ Role, MemberName, Title string }
						}
					}
				}
			}
			gqOK(t, s, s.As("county.secretary"), `{ leadershipGroups(where: {name: "示范县工业安全生产工作领导组"}) { edges { node { members { role memberName title } } } } }`, nil).Decode(t, &out)
			require.Len(t, out.LeadershipGroups.Edges, 1)
			m := out.LeadershipGroups.Edges[0].Node.Members
			require.Equal(t, "LEADER", m[0].Role)
			require.Equal(t, "县委书记", m[0].Title)
			require.Equal(t, "DEPUTY_LEADER", m[1].Role)
			require.Equal(t, "县长", m[1].Title)
		})
		t.Run("a town head sees no county group; the bureau chief sees the bureau's", func(t *testing.T) {
			require.Equal(t, 0, totalCount(t, s, s.As("chengguan.head"), "leadershipGroups", ""))
			require.Equal(t, 1, totalCount(t, s, s.As("bureau.chief"), "leadershipGroups", ""))
			require.Equal(t, 2, totalCount(t, s, s.As("auditor.county"), "leadershipGroups", ""))
		})

		cg := unitID(t, s, head, seed.CodeTownChengguan)
		cgHead := s.As("chengguan.head")
		in := map[string]any{"unitID": cg, "name": "城关镇安全生产委员会", "establishedOn": "2024-01-05T00:00:00Z",
			"members": []any{
				map[string]any{"postID": postOfUser(t, s, head, "chengguan.secretary"), "role": "LEADER"},
				map[string]any{"postID": postOfUser(t, s, head, "chengguan.head"), "role": "DEPUTY_LEADER"},
				map[string]any{"postID": postOfUser(t, s, head, "auditor.chengguan"), "role": "MEMBER"},
			}}
		var created struct {
			CreateLeadershipGroup struct {
				LeadershipGroup struct {
					ID      string
					Members []struct{ Role, MemberName string }
				}
			}
		}
		gqOK(t, s, cgHead, createGroup, map[string]any{"in": in}).Decode(t, &created)
		group := created.CreateLeadershipGroup.LeadershipGroup
		require.Len(t, group.Members, 3)

		t.Run("a meeting of the town is recorded with its sign-in sheet", func(t *testing.T) {
			var out struct {
				RecordMeeting struct {
					Meeting struct {
						ID             string
						SafetyOnAgenda bool
						AttendingUnits []struct{ Name string }
						Group          struct{ Name string }
					}
				}
			}
			gqOK(t, s, cgHead, recordMeeting, map[string]any{"in": map[string]any{"organiserUnitID": cg, "groupID": group.ID,
				"kind": "GROUP", "title": "城关镇安委会第一次全体会议", "heldOn": "2024-01-10T00:00:00Z", "safetyOnAgenda": true,
				"attendingUnitIDs": []any{unitID(t, s, head, seed.CodeHotel)}, "attendeeCount": 25}}).Decode(t, &out)
			m := out.RecordMeeting.Meeting
			require.True(t, m.SafetyOnAgenda)
			require.Equal(t, "城关镇安全生产委员会", m.Group.Name)
			require.Len(t, m.AttendingUnits, 1)
			r := s.DoUpload(cgHead, `mutation($in: AttachMeetingFileInput!) { attachMeetingFile(input: $in) { meeting { files { filename description } } } }`,
				map[string]any{"in": map[string]any{"meetingID": m.ID, "file": nil, "description": "签到表"}},
				map[string]apitest.File{"variables.in.file": {Name: "sign-in.pdf", Content: pdf}})
			apitest.RequireNoLeak(t, r)
			require.Empty(t, r.Errors)
			require.Equal(t, 0, totalCount(t, s, s.As("xihe.secretary"), "meetings", `{title: "城关镇安委会第一次全体会议"}`))
			require.Equal(t, 1, totalCount(t, s, s.As("auditor.chengguan"), "meetings", `{title: "城关镇安委会第一次全体会议"}`))
		})

		with := func(k string, v any) map[string]any {
			out := map[string]any{}
			for key, val := range in {
				out[key] = val
			}
			out[k] = v
			return out
		}
		for _, c := range []struct {
			name, as, query string
			in              map[string]any
			code            string
		}{
			{"a group without a leader is refused", "chengguan.head", createGroup, with("members", []any{
				map[string]any{"postID": postOfUser(t, s, head, "chengguan.head"), "role": "MEMBER"}}), "BAD_USER_INPUT"},
			{"a leader who is no head of the unit is refused", "chengguan.head", createGroup, with("members", []any{
				map[string]any{"postID": postOfUser(t, s, head, "auditor.chengguan"), "role": "LEADER"}}), "BAD_USER_INPUT"},
			{"a member whose post is out of sight is not found", "chengguan.head", createGroup, with("members", []any{
				map[string]any{"postID": postOfUser(t, s, head, "chengguan.secretary"), "role": "LEADER"},
				map[string]any{"postID": postOfUser(t, s, head, "xihe.head"), "role": "MEMBER"}}), "NOT_FOUND"},
			{"a group of a unit where one holds no post is forbidden", "county.head", createGroup, in, "FORBIDDEN"},
			{"a group of another town is not found", "xihe.secretary", createGroup, in, "NOT_FOUND"},
			{"an empty name is refused", "chengguan.head", createGroup, with("name", " "), "BAD_USER_INPUT"},
			{"a meeting before 2000 is refused", "chengguan.head", recordMeeting, map[string]any{"organiserUnitID": cg, "kind": "SPECIAL",
				"title": "专题会", "heldOn": "1999-12-31T00:00:00Z", "safetyOnAgenda": true, "attendeeCount": 3}, "BAD_USER_INPUT"},
			{"a negative attendance is refused", "chengguan.head", recordMeeting, map[string]any{"organiserUnitID": cg, "kind": "SPECIAL",
				"title": "专题会", "heldOn": "2024-02-01T00:00:00Z", "safetyOnAgenda": true, "attendeeCount": -1}, "BAD_USER_INPUT"},
			{"the governed record no meeting of the government", "cement.principal", recordMeeting, map[string]any{
				"organiserUnitID": unitID(t, s, head, seed.CodeTownNanshan), "kind": "SPECIAL", "title": "专题会",
				"heldOn": "2024-02-01T00:00:00Z", "safetyOnAgenda": true, "attendeeCount": 3}, "NOT_FOUND"},
			{"another unit's group is refused on a meeting", "county.head", recordMeeting, map[string]any{
				"organiserUnitID": unitID(t, s, head, seed.CodeCounty), "groupID": group.ID, "kind": "SPECIAL", "title": "专题会",
				"heldOn": "2024-02-01T00:00:00Z", "safetyOnAgenda": true, "attendeeCount": 3}, "BAD_USER_INPUT"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := snapshot(t, s)
				r := gq(t, s, s.As(c.as), c.query, map[string]any{"in": c.in})
				requireCode(t, r, c.code)
				requireUnchanged(t, s, before)
			})
		}
	})
}
