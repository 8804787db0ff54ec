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
