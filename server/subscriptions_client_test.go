package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

// wsSubscription is one graphql-transport-ws subscription of a test client.
type wsSubscription struct {
	t    testing.TB
	conn *websocket.Conn
}

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// dialWS opens a websocket to s's /graphql and sends connection_init with
// payload; it returns the connection and the server's answer.
func dialWS(t testing.TB, s *apitest.Server, payload map[string]any) (*websocket.Conn, wsMessage, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(s.HTTP.URL, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.CloseNow() })
	require.NoError(t, wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": payload}))
	var ack wsMessage
	err = wsjson.Read(ctx, conn, &ack)
	return conn, ack, err
}

// subscribeWS signs token in over a websocket and starts the subscription
// document query.
func subscribeWS(t testing.TB, s *apitest.Server, token, query string) *wsSubscription {
	t.Helper()
	conn, ack, err := dialWS(t, s, map[string]any{"Authorization": "Bearer " + token})
	require.NoError(t, err)
	require.Equal(t, "connection_ack", ack.Type)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, wsjson.Write(ctx, conn, wsMessage{ID: "1", Type: "subscribe", Payload: mustJSON(map[string]any{"query": query})}))
	return &wsSubscription{t: t, conn: conn}
}

// next returns the data of the next "next" message, answering pings.
func (w *wsSubscription) next(timeout time.Duration) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, w.conn, &m); err != nil {
			return nil, err
		}
		switch m.Type {
		case "ping":
			_ = wsjson.Write(ctx, w.conn, wsMessage{Type: "pong"})
		case "next":
			var p struct {
				Data   json.RawMessage `json:"data"`
				Errors []any           `json:"errors"`
			}
			require.NoError(w.t, json.Unmarshal(m.Payload, &p))
			require.Empty(w.t, p.Errors)
			return p.Data, nil
		case "error", "complete":
			w.t.Fatalf("subscription ended: %s %s", m.Type, m.Payload)
		}
	}
}

// sseSubscription is one subscription over server-sent events.
type sseSubscription struct {
	t    testing.TB
	body *bufio.Reader
	resp *http.Response
}

// subscribeSSE starts the subscription document query over server-sent
// events with token in the Authorization header.
func subscribeSSE(t testing.TB, s *apitest.Server, token, query string) *sseSubscription {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(mustJSON(map[string]any{"query": query})))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	return &sseSubscription{t: t, body: bufio.NewReader(resp.Body), resp: resp}
}

// event returns the name and data of the next event (comments skipped).
func (s *sseSubscription) event() (name string, data json.RawMessage) {
	for {
		line, err := s.body.ReadString('\n')
		require.NoError(s.t, err)
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && name != "":
			return name, data
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = json.RawMessage(strings.TrimPrefix(line, "data: "))
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// unitNamed returns the id of the unit with code, read by token.
func unitNamed(t testing.TB, s *apitest.Server, token, code string) string {
	t.Helper()
	var out struct {
		Units struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	s.MustDo(token, `query($c: String!) { units(where: {code: $c}) { edges { node { id } } } }`, map[string]any{"c": code}).Decode(t, &out)
	require.Len(t, out.Units.Edges, 1, code)
	return out.Units.Edges[0].Node.ID
}

// reportHazard reports a hazard at the unit with code as user and returns
// its id.
func reportHazard(t testing.TB, s *apitest.Server, user, code, description string) string {
	t.Helper()
	token := s.As(user)
	var out struct {
		ReportHazard struct{ Hazard struct{ ID string } }
	}
	s.MustDo(token, `mutation($in: ReportHazardInput!) { reportHazard(input: $in) { hazard { id } } }`, map[string]any{"in": map[string]any{
		"subjectID": unitNamed(t, s, token, code), "source": "REPORT", "level": "GENERAL", "category": "测试",
		"description": description, "deadline": "2031-01-01T00:00:00Z"}}).Decode(t, &out)
	return out.ReportHazard.Hazard.ID
}

// hazardChangesDoc subscribes to hazard changes with the hazard's id.
const hazardChangesDoc = `subscription { hazardChanges { kind at missed hazard { id description } } }`

// hazardChange is the data of one hazardChanges event.
type hazardChange struct {
	HazardChanges struct {
		Kind   string
		Missed int
		Hazard struct{ ID, Description string }
	}
}

func decodeChange(t testing.TB, data json.RawMessage) hazardChange {
	t.Helper()
	var c hazardChange
	require.NoError(t, json.Unmarshal(data, &c), string(data))
	return c
}
