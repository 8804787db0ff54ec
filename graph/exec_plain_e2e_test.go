package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

// TestPlainFieldsAnswerThroughTheServer sends documents that exercise the
// executor's plain-field paths and per-operation field cache (graph/gqlgen.go)
// through the HTTP server, on each database.
func TestPlainFieldsAnswerThroughTheServer(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		token := s.As("county.head")
		t.Run("one batch with two sets of variables gets each operation's fields", func(t *testing.T) {
			doc := `query($t: Boolean!) { hazards(first: 3) { edges { node { id category @include(if: $t) state } } } }`
			body, err := json.Marshal([]map[string]any{
				{"query": doc, "variables": map[string]any{"t": true}},
				{"query": doc, "variables": map[string]any{"t": false}},
			})
			require.NoError(t, err)
			_, out := s.DoRaw(token, "application/json", body)
			var results []apitest.Response
			require.NoError(t, json.Unmarshal(out, &results), "%s", out)
			require.Len(t, results, 2)
			for i, wantCategory := range []bool{true, false} {
				require.Empty(t, results[i].Errors)
				var data struct {
					Hazards struct {
						Edges []struct{ Node map[string]any }
					}
				}
				require.NoError(t, json.Unmarshal(results[i].Data, &data))
				require.NotEmpty(t, data.Hazards.Edges)
				for _, e := range data.Hazards.Edges {
					_, hasCategory := e.Node["category"]
					require.Equal(t, wantCategory, hasCategory, "operation %d: %v", i, e.Node)
					require.NotEmpty(t, e.Node["id"])
					require.NotEmpty(t, e.Node["state"])
				}
			}
		})
		t.Run("aliases of one field each get its value, and a field selected twice is written once", func(t *testing.T) {
			r := gqOK(t, s, token, `{ hazards(first: 2) { edges { cursor node { a: id b: id id ... on Hazard { id category } category s: state } } } }`, nil)
			raw := string(r.Data)
			require.True(t, json.Valid(r.Data), raw)
			var data struct {
				Hazards struct {
					Edges []struct {
						Cursor string
						Node   map[string]any
					}
				}
			}
			require.NoError(t, json.Unmarshal(r.Data, &data))
			require.Len(t, data.Hazards.Edges, 2)
			for _, e := range data.Hazards.Edges {
				require.NotEmpty(t, e.Cursor)
				require.Equal(t, e.Node["id"], e.Node["a"])
				require.Equal(t, e.Node["id"], e.Node["b"])
				require.Len(t, e.Node, 5, "a, b, id, category, s: %v", e.Node)
			}
			require.Equal(t, 2, strings.Count(raw, `"category":`), "category written once per node: %s", raw)
		})
		t.Run("each mutation of one operation answers its hazard as its own step left it", func(t *testing.T) {
			// Plain fields are written from the loaded row when the response
			// is written, after every root field ran: a later step must not
			// show through an earlier one's answer.
			principal := s.As("cement.principal")
			subject := unitID(t, s, s.As("admin"), "ENT-CEMENT")
			id := mustID(t, s, token, reportForRace, map[string]any{"in": map[string]any{"subjectID": subject, "source": "REPORT",
				"level": "GENERAL", "category": "逐字段", "description": "一次操作两步", "deadline": "2031-01-01T00:00:00Z"}}, "reportHazard.hazard")
			r := gqOK(t, s, principal, `mutation($id: ID!) {
  a: transitionHazard(input: {id: $id, action: START_RECTIFICATION, note: "开始"}) { hazard { id state } }
  b: transitionHazard(input: {id: $id, action: SUBMIT, note: "提交"}) { hazard { id state } }
}`, map[string]any{"id": id})
			var data struct {
				A, B struct{ Hazard struct{ ID, State string } }
			}
			require.NoError(t, json.Unmarshal(r.Data, &data))
			require.Equal(t, id, data.A.Hazard.ID)
			require.Equal(t, "RECTIFYING", data.A.Hazard.State)
			require.Equal(t, "SUBMITTED", data.B.Hazard.State)
		})
	})
}
