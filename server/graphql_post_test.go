package server

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"pgregory.net/rapid"
)

func TestWriteResponseWritesWhatJSONMarshalWrites(t *testing.T) {
	hasNext := true
	responses := []struct {
		name string
		resp graphql.Response
	}{
		{"data alone", graphql.Response{Data: []byte(`{"hazards":{"totalCount":3}}`)}},
		{"no data", graphql.Response{}},
		{"errors and null data", graphql.Response{Errors: gqlerror.List{{Message: "no", Extensions: map[string]any{"code": "FORBIDDEN"}}}}},
		{"errors beside data", graphql.Response{Data: []byte(`{"a":null}`), Errors: gqlerror.List{{Message: "x", Path: ast.Path{ast.PathName("a")}}}}},
		{"an incremental payload", graphql.Response{Data: []byte(`{"b":1}`), Label: "l", Path: ast.Path{ast.PathName("a"), ast.PathIndex(0)}, HasNext: &hasNext}},
		{"extensions", graphql.Response{Data: []byte(`{}`), Extensions: map[string]any{"statements": 2}}},
		{"the cost alone", graphql.Response{Data: []byte(`{}`), Extensions: map[string]any{"cost": Cost{Complexity: 21, Limit: 1000}}}},
		{"the cost among others", graphql.Response{Data: []byte(`{}`), Extensions: map[string]any{"cost": Cost{Complexity: -1, Limit: 0}, "a": []int{1}}}},
	}
	for _, r := range responses {
		t.Run(r.name, func(t *testing.T) {
			want, err := json.Marshal(&r.resp)
			require.NoError(t, err)
			var got bytes.Buffer
			writeResponse(&got, &r.resp)
			require.Equal(t, string(want), got.String())
		})
	}
}

func TestWriteResponseWritesNullForNoResponse(t *testing.T) {
	var got bytes.Buffer
	writeResponse(&got, nil)
	want, err := json.Marshal((*graphql.Response)(nil))
	require.NoError(t, err)
	require.Equal(t, string(want), got.String(), "a cancelled request or a finished stream: no response, as gqlgen writes it")
}

func TestWriteResponseMeansWhatJSONMarshalMeansForAnyStrings(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.String().Draw(t, "s")
		var data bytes.Buffer
		data.WriteString(`{"s":`)
		graphql.MarshalString(s).MarshalGQL(&data)
		data.WriteString(`}`)
		resp := &graphql.Response{Data: data.Bytes()}
		var got bytes.Buffer
		writeResponse(&got, resp)
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		var g, w any
		if err := json.Unmarshal(got.Bytes(), &g); err != nil {
			t.Fatalf("writeResponse wrote invalid JSON %q: %v", got.String(), err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatalf("json.Marshal wrote invalid JSON: %v", err)
		}
		require.Equal(t, w, g)
	})
}

func TestResponseContentTypeIsTransportPOSTs(t *testing.T) {
	for _, c := range []struct{ accept, want string }{
		{"", "application/json"},
		{"*/*", "application/json"},
		{"application/json", "application/json"},
		{graphQLResponseJSON, graphQLResponseJSON},
		{graphQLResponseJSON + ",application/json;q=0.9", graphQLResponseJSON},
		{"text/html, application/*", "application/json"},
		{"text/html", graphQLResponseJSON},
		{"nonsense;;", graphQLResponseJSON},
	} {
		require.Equal(t, c.want, responseContentType(c.accept), "Accept: %q", c.accept)
	}
}
