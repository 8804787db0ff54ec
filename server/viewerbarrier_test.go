package server_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/coder/websocket/wsjson"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

// TestViewerBarrierFollowsWritesToViewers checks which requests wait for the
// viewer barrier before they answer: on PostgreSQL those that wrote users,
// posts, sessions or units — over HTTP, a websocket or server-sent events —
// and no other; the
// embedded database has no barrier (one process).
func TestViewerBarrierFollowsWritesToViewers(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		barriers := func() int {
			_, body := getAdmin(t, s, "/metrics")
			v := metric(string(body), "dutychain_viewer_barrier_seconds_count")
			if s.DB.Dialect != dialect.Postgres {
				require.Empty(t, v, "no barrier on the embedded database")
				return 0
			}
			n, err := strconv.Atoi(v)
			require.NoError(t, err)
			return n
		}
		waits := 0
		if s.DB.Dialect == dialect.Postgres {
			waits = 1
		}
		admin := s.As("admin")
		head := s.As("county.head")
		user := loginFresh(t, s, "nanshan.head")
		posts := me(t, s, user).Me.Posts
		require.NotEmpty(t, posts)
		for _, tt := range []struct {
			name string
			do   func(t *testing.T)
			want int
		}{
			{"a query does not wait", func(t *testing.T) { me(t, s, head) }, 0},
			{"a mutation of another record does not wait", func(t *testing.T) {
				reportHazard(t, s, "county.head", "TOWN-CG", "屏障测试")
			}, 0},
			{"a sign-in waits on PostgreSQL: it opens a session", func(t *testing.T) { loginFresh(t, s, "county.head") }, waits},
			{"a post ended over HTTP waits on PostgreSQL", func(t *testing.T) {
				s.MustDo(admin, `mutation($id: ID!) { endPost(input: {id: $id}) { post { id } } }`, map[string]any{"id": posts[0].ID})
			}, waits},
			{"a user changed over a websocket waits on PostgreSQL", func(t *testing.T) {
				conn, ack, err := dialWS(t, s, map[string]any{"Authorization": "Bearer " + admin})
				require.NoError(t, err)
				require.Equal(t, "connection_ack", ack.Type)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				me := me(t, s, head)
				require.NoError(t, wsjson.Write(ctx, conn, wsMessage{ID: "1", Type: "subscribe", Payload: mustJSON(map[string]any{
					"query":     `mutation($in: UpdateUserInput!) { updateUser(input: $in) { user { id } } }`,
					"variables": map[string]any{"in": map[string]any{"id": me.Me.User.ID, "displayName": "县长（测试）"}}})}))
				var msg wsMessage
				require.NoError(t, wsjson.Read(ctx, conn, &msg))
				require.Equal(t, "next", msg.Type, "%s", msg.Payload)
				require.NotContains(t, string(msg.Payload), `"errors"`)
			}, waits},
			{"a user changed as server-sent events waits on PostgreSQL", func(t *testing.T) {
				me := me(t, s, head)
				res, body := graphQLRequest(t, s, http.MethodPost, admin, "text/event-stream", map[string]any{
					"query":     `mutation($in: UpdateUserInput!) { updateUser(input: $in) { user { id } } }`,
					"variables": map[string]any{"in": map[string]any{"id": me.Me.User.ID, "displayName": "县长（事件流）"}}})
				require.Equal(t, http.StatusOK, res.StatusCode)
				require.Contains(t, string(body), "event: next")
				require.NotContains(t, string(body), `"errors"`)
			}, waits},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := barriers()
				tt.do(t)
				require.Equal(t, before+tt.want, barriers())
			})
		}
	})
}
