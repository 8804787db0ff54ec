package gqlcollect_test

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dutychain/dutychain/internal/gqlcollect"
)

const schema = `
interface Node { id: ID! }
type Hazard implements Node { id: ID! state: String level: String }
type Unit implements Node { id: ID! name: String }
type Query { node: Node hazards: [Hazard] }
`

func load(t *testing.T, doc string) *ast.QueryDocument {
	t.Helper()
	s := gqlparser.MustLoadSchema(&ast.Source{Input: schema})
	q, errs := gqlparser.LoadQuery(s, doc)
	require.Empty(t, errs)
	return q
}

func names(fields []graphql.CollectedField) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Alias
	}
	return out
}

func TestCollect(t *testing.T) {
	t.Run("a selection set without directives is collected once for every operation", func(t *testing.T) {
		q := load(t, `{ node { id ... on Hazard { state } ... on Unit { name } } }`)
		sel := q.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
		a := gqlcollect.Collect(&graphql.OperationContext{Doc: q}, sel, []string{"Hazard", "Node"})
		b := gqlcollect.Collect(&graphql.OperationContext{Doc: q}, sel, []string{"Hazard", "Node"})
		require.Equal(t, []string{"id", "state"}, names(a))
		require.Same(t, &a[0], &b[0], "the second operation reads the first's")
	})
	t.Run("other implementors of the same count and first name get their own fields", func(t *testing.T) {
		q := load(t, `{ node { id ... on Hazard { state } ... on Unit { name } } }`)
		sel := q.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
		hazard := gqlcollect.Collect(&graphql.OperationContext{Doc: q}, sel, []string{"Node", "Hazard"})
		unit := gqlcollect.Collect(&graphql.OperationContext{Doc: q}, sel, []string{"Node", "Unit"})
		require.Equal(t, []string{"id", "state"}, names(hazard))
		require.Equal(t, []string{"id", "name"}, names(unit))
		all := gqlcollect.Collect(&graphql.OperationContext{Doc: q}, sel, nil)
		require.Equal(t, names(graphql.CollectFields(&graphql.OperationContext{Doc: q}, sel, nil)), names(all),
			"no implementors: every fragment, as gqlgen collects them")
	})
	t.Run("a selection set a directive decides follows each operation's variables", func(t *testing.T) {
		q := load(t, `query($t: Boolean!) { hazards { id state @include(if: $t) } }`)
		sel := q.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
		_, shared := gqlcollect.Shared(&graphql.OperationContext{Doc: q}, sel, []string{"Hazard"})
		require.False(t, shared)
		with := gqlcollect.Collect(&graphql.OperationContext{Doc: q, Variables: map[string]any{"t": true}}, sel, []string{"Hazard"})
		without := gqlcollect.Collect(&graphql.OperationContext{Doc: q, Variables: map[string]any{"t": false}}, sel, []string{"Hazard"})
		require.Equal(t, []string{"id", "state"}, names(with))
		require.Equal(t, []string{"id"}, names(without))
	})
	t.Run("a directive inside a spread fragment counts", func(t *testing.T) {
		q := load(t, `query($t: Boolean!) { hazards { id ...F } } fragment F on Hazard { level @skip(if: $t) }`)
		sel := q.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
		require.False(t, gqlcollect.WithoutDirectives(q, sel, 0))
	})
}

func TestCollectTellsMergedSelectionSetsApart(t *testing.T) {
	// A field selected in fragments and directly collects the fragments'
	// selections and its own: a's and b's owner sets share their first and
	// last selections and their length, and differ in the middle.
	s := gqlparser.MustLoadSchema(&ast.Source{Input: `
type Unit { id: ID! name: String code: String }
type Hazard { id: ID! owner: Unit }
type Query { a: Hazard b: Hazard }`})
	q, errs := gqlparser.LoadQuery(s, `
fragment F on Hazard { owner { id } }
fragment G on Hazard { owner { id } }
{ a { ...F owner { name } ...G } b { ...F owner { code } ...G } }`)
	require.Empty(t, errs)
	for _, op := range []string{"first operation", "second operation"} {
		t.Run("each set collects its own fields, in the "+op, func(t *testing.T) {
			oc := &graphql.OperationContext{Doc: q}
			root := graphql.CollectFields(oc, q.Operations[0].SelectionSet, []string{"Query"})
			owner := func(i int) ast.SelectionSet {
				return gqlcollect.Collect(oc, root[i].Selections, []string{"Hazard"})[0].Selections
			}
			a, b := owner(0), owner(1)
			require.Equal(t, len(a), len(b))
			require.Same(t, a[0], b[0], "the same first selection")
			require.Same(t, a[len(a)-1], b[len(b)-1], "the same last selection")
			require.Equal(t, []string{"id", "name"}, names(gqlcollect.Collect(oc, a, []string{"Unit"})))
			require.Equal(t, []string{"id", "code"}, names(gqlcollect.Collect(oc, b, []string{"Unit"})))
		})
	}
}
