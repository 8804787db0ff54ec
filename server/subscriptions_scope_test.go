package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

// A subscription reads each event's records with the viewer it started
// with. A change of one of the caller's posts that keeps the post's id — an
// administrator narrowing or lifting its sectors (updatePost) — must end it
// before it delivers anything with the old rights, as a removed post does,
// while a change that grants nothing new or less (a title) leaves it
// running. Every request already refuses the old rights at once; the
// subscription checks its viewer the same way (the viewer cache) before
// each event, so this holds with the default one-minute re-check too.
func TestSubscriptionsFollowChangedPosts(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin, deputy := s.As("admin"), s.As("xihe.deputy")
		var posts struct {
			Users struct {
				Edges []struct {
					Node struct {
						Posts struct {
							Edges []struct{ Node struct{ ID string } }
						}
					}
				}
			}
		}
		s.MustDo(admin, `{ users(where: {username: "xihe.deputy"}) { edges { node { posts { edges { node { id } } } } } } }`, nil).Decode(t, &posts)
		require.Len(t, posts.Users.Edges, 1)
		require.Len(t, posts.Users.Edges[0].Node.Posts.Edges, 1)
		post := posts.Users.Edges[0].Node.Posts.Edges[0].Node.ID
		updatePost := func(change map[string]any) {
			in := map[string]any{"id": post}
			for k, v := range change {
				in[k] = v
			}
			s.MustDo(admin, `mutation($in: UpdatePostInput!) { updatePost(input: $in) { post { id } } }`, map[string]any{"in": in})
		}

		// 西河镇's head holds a post without sectors that nobody changes: every
		// hazard of 西河镇 reaches them, whatever happens to the deputy's post.
		bystander := subscribeWS(t, s, s.As("xihe.head"), hazardChangesDoc)
		waitSubscriptions(t, s, 1)

		for _, tc := range []struct {
			name   string
			change map[string]any
			// hazard is reported at the unit with this code after the change.
			hazard string
			// ends: the deputy's subscriptions end with 4403 POSTS_CHANGED
			// (FORBIDDEN over SSE) instead of delivering the hazard.
			ends bool
		}{
			{"a new title changes no right: the deputy's subscriptions go on and deliver a commerce hazard of 西河镇",
				map[string]any{"title": "西河镇分管商贸副镇长"}, seed.CodeMarket, false},
			{"narrowed from COMMERCE to FUEL, the deputy's subscriptions end with POSTS_CHANGED and deliver no commerce hazard of 西河镇",
				map[string]any{"sectors": []string{"FUEL"}}, seed.CodeMarket, true},
			{"with the restriction lifted, the deputy's subscriptions end with POSTS_CHANGED too (subscribing again reads with the new rights)",
				map[string]any{"sectors": []string{}}, seed.CodePaperStation, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ws := subscribeWS(t, s, deputy, hazardChangesDoc)
				sse := subscribeSSE(t, s, deputy, hazardChangesDoc)
				waitSubscriptions(t, s, 3)
				updatePost(tc.change)
				id := reportHazard(t, s, "county.head", tc.hazard, tc.name)

				data, err := bystander.next(eventWait)
				require.NoError(t, err)
				require.Equal(t, id, decodeChange(t, data).HazardChanges.Hazard.ID, "an unchanged subscription keeps delivering")

				data, err = ws.next(eventWait)
				name, sseData := sse.event()
				if !tc.ends {
					require.NoError(t, err)
					require.Equal(t, id, decodeChange(t, data).HazardChanges.Hazard.ID)
					require.Equal(t, "next", name)
					require.Contains(t, string(sseData), id)
					_ = ws.conn.CloseNow()
					_ = sse.resp.Body.Close()
					waitSubscriptions(t, s, 1)
					return
				}
				code, reason := closeOf(err)
				require.Equal(t, websocket.StatusCode(4403), code, "the websocket was closed by the server, delivering nothing: %v (data %s)", err, data)
				require.True(t, strings.HasPrefix(reason, "POSTS_CHANGED"), reason)
				require.Equal(t, "next", name)
				require.NotContains(t, string(sseData), id, "the SSE stream delivered the hazard")
				require.Contains(t, string(sseData), `"code":"FORBIDDEN"`)
				require.Contains(t, string(sseData), `"reason":"POSTS_CHANGED"`)
				name, _ = sse.event()
				require.Equal(t, "complete", name)
				waitSubscriptions(t, s, 1)
			})
		}
	})
}

// Without any event, the periodic re-check notices the changed post and
// closes the deputy's websocket with 4403 POSTS_CHANGED.
func TestSubscriptionRecheckFollowsChangedPosts(t *testing.T) {
	recheck := func(c *config.Config) { c.SubscriptionRecheck = 100 * time.Millisecond }
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		var posts struct {
			Users struct {
				Edges []struct {
					Node struct {
						Posts struct {
							Edges []struct{ Node struct{ ID string } }
						}
					}
				}
			}
		}
		s.MustDo(admin, `{ users(where: {username: "xihe.deputy"}) { edges { node { posts { edges { node { id } } } } } } }`, nil).Decode(t, &posts)
		post := posts.Users.Edges[0].Node.Posts.Edges[0].Node.ID

		ws := subscribeWS(t, s, s.As("xihe.deputy"), hazardChangesDoc)
		waitSubscriptions(t, s, 1)
		t.Run("a re-check after the post is narrowed closes the idle websocket with 4403 POSTS_CHANGED", func(t *testing.T) {
			s.MustDo(admin, `mutation($in: UpdatePostInput!) { updatePost(input: $in) { post { id } } }`,
				map[string]any{"in": map[string]any{"id": post, "sectors": []string{"FUEL"}}})
			ctx, cancel := context.WithTimeout(context.Background(), eventWait)
			defer cancel()
			_, _, err := ws.conn.Read(ctx)
			code, reason := closeOf(err)
			require.Equal(t, websocket.StatusCode(4403), code, "%v", err)
			require.True(t, strings.HasPrefix(reason, "POSTS_CHANGED"), reason)
		})
	}, recheck)
}
