package graph

import (
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// collectedReaches is the walk requested replaced: gqlgen's CollectFields
// at each step of path, merging the selections of every field of the name.
func collectedReaches(oc *graphql.OperationContext, sel ast.SelectionSet, path []string) bool {
	for _, name := range path {
		var next ast.SelectionSet
		found := false
		for _, f := range graphql.CollectFields(oc, sel, nil) {
			if f.Name == name {
				found = true
				next = append(next, f.Selections...)
			}
		}
		if !found {
			return false
		}
		sel = next
	}
	return true
}

func TestRequestedFindsWhatCollectFieldsFinds(t *testing.T) {
	docs := []string{
		`{ hazards { totalCount edges { node { id enterprise { name } } } } }`,
		`{ hazards { edges { node { id } } edges { node { lastEvent { actor { id } } } } } }`,
		`{ hazards { e: edges { n: node { town { id } } } } }`,
		`query($t: Boolean!) { hazards { totalCount @include(if: $t) edges { node { reportedBy @skip(if: $t) { id } } } } }`,
		`query($t: Boolean!) { hazards { edges @skip(if: $t) { node { timeline { action } } } } }`,
		`{ hazards { ...Page } } fragment Page on HazardConnection { totalCount edges { node { ...Parts } } } fragment Parts on Hazard { enterprise { id } lastEvent { at } }`,
		`query($t: Boolean!) { hazards { ... on HazardConnection @include(if: $t) { edges { node { ... on Node { id } ... on Hazard { town { id } } } } } } }`,
		`query($t: Boolean!) { hazards { ...Page @skip(if: $t) } } fragment Page on HazardConnection { totalCount }`,
	}
	paths := [][]string{
		{"totalCount"},
		{"edges", "node", "enterprise"},
		{"edges", "node", "town"},
		{"edges", "node", "lastEvent"},
		{"edges", "node", "lastEvent", "actor"},
		{"edges", "node", "reportedBy"},
		{"edges", "node", "timeline"},
		{"edges", "node", "id"},
		{"pageInfo"},
	}
	for _, doc := range docs {
		q, errs := gqlparser.LoadQuery(ServedSchema(), doc)
		require.Empty(t, errs, doc)
		root := q.Operations[0].SelectionSet[0].(*ast.Field)
		for _, flag := range []bool{true, false} {
			vars := map[string]any{"t": flag}
			oc := &graphql.OperationContext{Doc: q, Variables: vars}
			for _, path := range paths {
				want := collectedReaches(oc, root.SelectionSet, path)
				t.Run(fmt.Sprintf("%s with $t %v reaches %s: %v", doc, flag, strings.Join(path, "."), want), func(t *testing.T) {
					require.Equal(t, want, selects(root.SelectionSet, path, vars))
				})
			}
		}
	}
}
