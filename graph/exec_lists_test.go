package graph

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestGeneratedExecutorCallsTheSubstitutes guards graph/gqlgen.go: an
// executor regenerated with plain `gqlgen generate` would still compile.
func TestGeneratedExecutorCallsTheSubstitutes(t *testing.T) {
	src, err := os.ReadFile("generated.go")
	require.NoError(t, err)
	for _, gone := range []string{"graphql.MarshalSliceConcurrently(", "graphql.NewDeferredGroup(", "graphql.CollectFields("} {
		require.NotContains(t, string(src), gone, "regenerate with go generate ./ent (graph/gqlgen.go)")
	}
	for _, call := range []string{
		"marshalList(ctx, ",
		"newDeferredGroup(ctx, ec.OperationContext)",
		"return objectJSON{fields, out.Values}",
		"collected collectedFields",
		"ec.collected.collect(ec.OperationContext, sel, ",
		"buf := newResponseBuffer()",
		"return out.fieldSet()",
	} {
		require.Contains(t, string(src), call, "regenerate with go generate ./ent (graph/gqlgen.go)")
	}
	// One plain field of each kind the benchmark's nested page reads.
	for fn, body := range map[string]string{
		"_Hazard_id":       "if res := marshalIDAt(&obj.ID); res != graphql.Null {",
		"_Unit_name":       "if res := marshalStringAt(&obj.Name); res != graphql.Null {",
		"_HazardEvent_at":  "if res := marshalTimeAt(&obj.At); res != graphql.Null {",
		"_Hazard_state":    "return &obj.State\n}",
		"_HazardEdge_node": "return resolvePlainField(ctx, ec.OperationContext, field, ec.fieldContext_HazardEdge_node, obj.Node, ",
		// Objects with and without fields resolved concurrently.
		"_HazardEdge":  "out := newObjectOut(fields)",
		"_Hazard":      "out := newObjectOut(fields)",
		"_HazardEvent": "out := newObjectOut(fields)",
	} {
		start := strings.Index(string(src), "func (ec *executionContext) "+fn+"(")
		require.GreaterOrEqual(t, start, 0, "no %s in the executor", fn)
		end := start + strings.Index(string(src[start:]), "\n}\n")
		require.Contains(t, string(src[start:end+3]), body, "%s has no plain-field path", fn)
	}
}

// listField parses doc against the served schema and returns its field at
// path (aliases or names, from the operation's root).
func listField(t *testing.T, doc string, path ...string) *ast.Field {
	t.Helper()
	q, errs := gqlparser.LoadQuery(ServedSchema(), doc)
	require.Empty(t, errs, "document must validate")
	sel := q.Operations[0].SelectionSet
	var f *ast.Field
	for _, name := range path {
		f = nil
		for _, s := range sel {
			if c, ok := s.(*ast.Field); ok && c.Alias == name {
				f = c
			}
		}
		require.NotNil(t, f, "no field %s in %s", name, doc)
		sel = f.SelectionSet
	}
	return f
}

func TestListsMarshalOnTheRequestGoroutineUnlessAFieldMayWait(t *testing.T) {
	events := []string{"hazards", "edges", "node", "events"}
	cases := []struct {
		name string
		doc  string
		path []string
		wait bool
	}{
		{"events with columns only wait on nothing", `{ hazards(first: 2) { edges { node { events { action at } } } } }`, events, false},
		{"events asking for the actor wait on its resolver", `{ hazards(first: 2) { edges { node { events { action actor { displayName } } } } } }`, events, true},
		{"hazard edges with ent edges only wait on nothing", `{ hazards(first: 2) { edges { node { id state level events { action at } } } } }`, []string{"hazards", "edges"}, false},
		{"hazard edges reaching a resolver two levels down wait", `{ hazards(first: 2) { edges { node { id events { actor { displayName } } } } } }`, []string{"hazards", "edges"}, true},
		{"a resolver inside an inline fragment counts", `{ hazards(first: 2) { edges { node { ... on Hazard { overdue } } } } }`, []string{"hazards", "edges"}, true},
		{"a resolver inside a named fragment counts", `query { hazards(first: 2) { edges { node { ...H } } } } fragment H on Hazard { reportedBy { id } }`, []string{"hazards", "edges"}, true},
		{"a skipped resolver still counts", `{ hazards(first: 2) { edges { node { id overdue @skip(if: true) } } } }`, []string{"hazards", "edges"}, true},
		{"__typename waits on nothing", `{ hazards(first: 2) { edges { __typename node { __typename id } } } }`, []string{"hazards", "edges"}, false},
		{"the nested benchmark page waits on nothing", `{ units(first: 5, where: {kind: ENTERPRISE}) { edges { node { id name enterpriseHazards(first: 10) { totalCount edges { node { id state level events { action at } } } } } } } }`, []string{"units", "edges"}, false},
		{"nodes of several types wait on any implementor's resolver", `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Hazard { overdue } } }`, []string{"nodes"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := listField(t, c.doc, c.path...)
			require.NotNil(t, f.Definition.Type.Elem, "%s must be a list", f.Name)
			got := selectionMayWait(f.Definition.Type.Elem.NamedType, f.SelectionSet, 0)
			require.Equal(t, c.wait, got)

			fc := &graphql.FieldContext{Field: graphql.CollectedField{Field: f, Selections: f.SelectionSet}}
			require.Equal(t, c.wait, listMayWait(graphql.WithFieldContext(context.Background(), fc)), "through the field context")
		})
	}
	t.Run("a list without a field context is marshalled concurrently", func(t *testing.T) {
		require.True(t, listMayWait(context.Background()))
	})
}

func TestMarshalListKeepsGqlgensElementsOrderAndPanics(t *testing.T) {
	f := listField(t, `{ hazards(first: 2) { edges { node { id } } } }`, "hazards", "edges")
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: f, Selections: f.SelectionSet}})

	t.Run("elements are marshalled in order with their index in the path", func(t *testing.T) {
		var calls atomic.Int32
		got := marshalList(ctx, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
			calls.Add(1)
			fc := graphql.GetFieldContext(ctx)
			require.NotNil(t, fc.Index)
			require.Equal(t, i, *fc.Index)
			return graphql.MarshalInt(i)
		})
		require.EqualValues(t, 3, calls.Load())
		var b strings.Builder
		got.MarshalGQL(&b)
		require.Equal(t, "[0,1,2]", b.String())
	})
	t.Run("a panicking element becomes null and an error", func(t *testing.T) {
		got := marshalList(ctx, 2, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
			if i == 1 {
				panic("element broke")
			}
			return graphql.MarshalInt(i)
		})
		require.Equal(t, graphql.Null, got[1])
		require.NotEmpty(t, graphql.GetErrors(ctx))
	})
}

func TestDeferredGroupIsBuiltOnlyForDocumentsThatMayDefer(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		oc    *graphql.OperationContext
		built bool
	}{
		{"a document without defer gets an empty group", &graphql.OperationContext{RawQuery: `{ units { totalCount } }`}, false},
		{"a document with @defer gets gqlgen's group", &graphql.OperationContext{RawQuery: `{ units { edges { node { ... @defer { name } } } } }`}, true},
		{"a document spelling @ defer apart gets gqlgen's group", &graphql.OperationContext{RawQuery: "{ units { edges { node { ... @ # c\n defer { name } } } } }"}, true},
		{"an operation without its text gets gqlgen's group", &graphql.OperationContext{}, true},
		{"no operation gets gqlgen's group", nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newDeferredGroup(ctx, c.oc)
			require.Equal(t, c.built, g.Defers != nil)
			require.Equal(t, c.built, g.FieldSet != nil)
			require.Empty(t, g.Defers)
		})
	}
}
