package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

const eventWait = 10 * time.Second

// waitSubscriptions waits until s's bus holds n subscriptions: a
// subscription starts after its subscribe message is read.
func waitSubscriptions(t *testing.T, s *apitest.Server, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return s.App.Events.Stats().Subscriptions == n }, eventWait, 10*time.Millisecond)
}

// closeOf returns the close code and reason err carries.
func closeOf(err error) (websocket.StatusCode, string) {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code, ce.Reason
	}
	return -1, ""
}

func TestSubscriptions(t *testing.T) {
	origin := func(c *config.Config) { c.CORSOrigins = []string{"https://app.example.org"} }
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		t.Run("a subscriber at 城关镇 receives 城关镇's hazard events, none of 西河镇's and nothing of another tenant, over websocket and SSE", func(t *testing.T) {
			town := subscribeWS(t, s, s.As("chengguan.head"), hazardChangesDoc)
			other := subscribeWS(t, s, s.As("neighbor.head"), hazardChangesDoc)
			sse := subscribeSSE(t, s, s.As("chengguan.head"), hazardChangesDoc)
			waitSubscriptions(t, s, 3)

			reportHazard(t, s, "county.head", "ENT-MARKET", "西河镇的隐患")
			hotel := reportHazard(t, s, "county.head", "ENT-HOTEL", "城关镇的隐患")
			neighbor := reportHazard(t, s, "neighbor.head", "ENT-BUILD", "邻县的隐患")

			data, err := town.next(eventWait)
			require.NoError(t, err)
			got := decodeChange(t, data).HazardChanges
			require.Equal(t, hotel, got.Hazard.ID, "the first event 城关镇 sees is its own hazard: 西河镇's was not delivered")
			require.Equal(t, "CREATED", got.Kind)
			require.Zero(t, got.Missed)

			name, data := sse.event()
			require.Equal(t, "next", name)
			var sseData struct{ Data hazardChange }
			require.NoError(t, json.Unmarshal(data, &sseData))
			require.Equal(t, hotel, sseData.Data.HazardChanges.Hazard.ID, "SSE delivers the same")

			data, err = other.next(eventWait)
			require.NoError(t, err)
			require.Equal(t, neighbor, decodeChange(t, data).HazardChanges.Hazard.ID, "邻县 sees its own hazard first: nothing of the demo county")
		})

		t.Run("a transition reaches the subscriber as TRANSITIONED", func(t *testing.T) {
			id := reportHazard(t, s, "county.head", "ENT-CEMENT", "待整改")
			sub := subscribeWS(t, s, s.As("nanshan.head"), hazardChangesDoc)
			waitSubscriptions(t, s, 1)
			s.MustDo(s.As("cement.principal"), `mutation($in: TransitionHazardInput!) { transitionHazard(input: $in) { hazard { state } } }`,
				map[string]any{"in": map[string]any{"id": id, "action": "START_RECTIFICATION", "note": "开始整改"}})
			data, err := sub.next(eventWait)
			require.NoError(t, err)
			got := decodeChange(t, data).HazardChanges
			require.Equal(t, []string{id, "TRANSITIONED"}, []string{got.Hazard.ID, got.Kind})
		})

		t.Run("issuing a letter to 城关镇 reaches its head as ISSUED and as a task to sign; signing it is DONE", func(t *testing.T) {
			head, town := s.As("county.head"), s.As("chengguan.head")
			var created struct {
				CreateLetter struct{ Letter struct{ ID string } }
			}
			s.MustDo(head, `mutation($in: CreateLetterInput!) { createLetter(input: $in) { letter { id } } }`, map[string]any{"in": map[string]any{
				"year": 2026, "issuerUnitID": unitNamed(t, s, head, seed.CodeCounty), "signeeUnitID": unitNamed(t, s, head, seed.CodeTownChengguan),
				"title": "2026年度安全生产责任书", "body": "双方签订本责任书。",
				"targets": []any{map[string]any{"description": "隐患排查治理闭环管理", "indicator": "隐患整改率100%"}}}}).Decode(t, &created)
			id := created.CreateLetter.Letter.ID
			letters := subscribeWS(t, s, town, `subscription { letterChanges { kind letter { id state } } }`)
			inbox := subscribeWS(t, s, town, `subscription { taskChanges { kind task { kind action } object { id } } }`)
			waitSubscriptions(t, s, 2)

			type taskChange struct {
				TaskChanges struct {
					Kind   string
					Task   *struct{ Kind, Action string }
					Object struct{ ID string }
				}
			}
			nextTask := func() taskChange {
				data, err := inbox.next(eventWait)
				require.NoError(t, err)
				var c taskChange
				require.NoError(t, json.Unmarshal(data, &c))
				return c
			}
			nextLetter := func() (kind, letterID string) {
				data, err := letters.next(eventWait)
				require.NoError(t, err)
				var c struct {
					LetterChanges struct {
						Kind   string
						Letter struct{ ID string }
					}
				}
				require.NoError(t, json.Unmarshal(data, &c))
				return c.LetterChanges.Kind, c.LetterChanges.Letter.ID
			}

			s.MustDo(head, `mutation($id: ID!) { issueLetter(input: {id: $id}) { letter { id } } }`, map[string]any{"id": id})
			kind, got := nextLetter()
			require.Equal(t, []string{"ISSUED", id}, []string{kind, got})
			appeared := nextTask()
			require.Equal(t, "APPEARED", appeared.TaskChanges.Kind)
			require.Equal(t, id, appeared.TaskChanges.Object.ID)
			require.Equal(t, "LETTER_TO_SIGN", appeared.TaskChanges.Task.Kind)

			s.MustDo(town, `mutation($id: ID!) { signLetter(input: {id: $id}) { letter { id } } }`, map[string]any{"id": id})
			kind, _ = nextLetter()
			require.Equal(t, "PARTIALLY_SIGNED", kind)
			done := nextTask()
			require.Equal(t, "DONE", done.TaskChanges.Kind, "the head has signed: the task is done")
			require.Nil(t, done.TaskChanges.Task)
		})

		t.Run("a websocket without a valid token is closed with 4401", func(t *testing.T) {
			for _, payload := range []map[string]any{{}, {"authToken": "not-a-token"}, {"Authorization": "Basic abc"}} {
				conn, _, err := dialWS(t, s, payload)
				if err == nil {
					_, _, err = conn.Read(context.Background())
				}
				code, _ := closeOf(err)
				require.Equal(t, websocket.StatusCode(4401), code, "%v", payload)
			}
		})

		t.Run("an expired token ends the subscription with 4401 TOKEN_EXPIRED, and the SSE stream with UNAUTHENTICATED", func(t *testing.T) {
			t.Cleanup(func() { s.Clock.Set(time.Time{}) })
			var out struct{ Login struct{ AccessToken string } }
			s.MustDo("", `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`, map[string]any{"in": map[string]any{
				"tenant": "demo", "username": "chengguan.head", "password": "dutychain-demo"}}).Decode(t, &out)
			s.Clock.Set(time.Now().Add(s.Config.AccessTTL - 3*time.Second))
			ws := subscribeWS(t, s, out.Login.AccessToken, hazardChangesDoc)
			sse := subscribeSSE(t, s, out.Login.AccessToken, hazardChangesDoc)
			_, err := ws.next(eventWait)
			code, reason := closeOf(err)
			require.Equal(t, websocket.StatusCode(4401), code, "%v", err)
			require.True(t, strings.HasPrefix(reason, "TOKEN_EXPIRED"), reason)

			name, data := sse.event()
			require.Equal(t, "next", name)
			require.Contains(t, string(data), `"reason":"TOKEN_EXPIRED"`)
			require.Contains(t, string(data), `"code":"UNAUTHENTICATED"`)
			name, _ = sse.event()
			require.Equal(t, "complete", name)
		})
	}, origin)
}

// TestWebsocketOrigins: a browser websocket from an origin CORS does not
// allow is refused; the allowed origin and the server's own pass.
func TestWebsocketOrigins(t *testing.T) {
	s := apitest.Serve(t, apitest.Demo.Open(t, dialect.SQLite), func(c *config.Config) { c.CORSOrigins = []string{"https://app.example.org"} })
	url := "ws" + strings.TrimPrefix(s.HTTP.URL, "http") + "/graphql"
	for origin, want := range map[string]int{"https://evil.example": http.StatusForbidden, "https://app.example.org": http.StatusSwitchingProtocols, s.HTTP.URL: http.StatusSwitchingProtocols} {
		t.Run(origin, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), eventWait)
			defer cancel()
			conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: http.Header{"Origin": {origin}}})
			if conn != nil {
				_ = conn.CloseNow()
			}
			require.NotNil(t, resp, "%v", err)
			require.Equal(t, want, resp.StatusCode)
		})
	}
}

// TestSubscriptionsAcrossReplicas: on PostgreSQL an event written through
// replica A reaches a subscriber of replica B (LISTEN/NOTIFY).
func TestSubscriptionsAcrossReplicas(t *testing.T) {
	if !slices.Contains(testdb.Dialects(t), dialect.Postgres) {
		t.Skip("PostgreSQL only (LISTEN/NOTIFY); SQLite is one process")
	}
	d := apitest.Demo.Open(t, dialect.Postgres)
	d2, err := db.Open(context.Background(), d.URL, "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = d2.Close() })
	a, b := apitest.Serve(t, d), apitest.Serve(t, d2)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	require.NoError(t, b.App.Events.Listen(ctx, d.URL))

	sub := subscribeWS(t, b, b.As("chengguan.head"), hazardChangesDoc)
	waitSubscriptions(t, b, 1)
	reportHazard(t, a, "county.head", "ENT-MARKET", "西河镇的隐患")
	hotel := reportHazard(t, a, "county.head", "ENT-HOTEL", "经由副本A")
	data, err := sub.next(eventWait)
	require.NoError(t, err)
	got := decodeChange(t, data).HazardChanges
	require.Equal(t, hotel, got.Hazard.ID, "B's subscriber at 城关镇 gets A's 城关镇 hazard, not the 西河镇 one")
	require.Equal(t, "经由副本A", got.Hazard.Description)
}
