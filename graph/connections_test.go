package graph_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dutychain/dutychain/graph"
)

// connectionArgExceptions are fields returning a connection that lack some
// of the standard arguments, each with the reason.
var connectionArgExceptions = map[string]struct {
	missing []string
	reason  string
}{
	"Query.letterCoverage": {[]string{"where", "orderBy"},
		"its rows are computed tree positions, not records: filtered by status and kinds, always in tree order"},
}

func isConnection(s *ast.Schema, name string) bool {
	d := s.Types[name]
	return d != nil && d.Kind == ast.Object && strings.HasSuffix(name, "Connection")
}

func TestEveryConnectionIsRelayStandard(t *testing.T) {
	s := graph.ServedSchema()
	var names []string
	for name := range s.Types {
		if isConnection(s, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	require.NotEmpty(t, names)
	for _, name := range names {
		t.Run(name+" has edges of node and cursor, pageInfo and totalCount", func(t *testing.T) {
			conn := s.Types[name]
			edgeName := strings.TrimSuffix(name, "Connection") + "Edge"
			edges := conn.Fields.ForName("edges")
			require.NotNil(t, edges)
			require.Equal(t, "["+edgeName+"]", edges.Type.String())
			page := conn.Fields.ForName("pageInfo")
			require.NotNil(t, page)
			require.Equal(t, "PageInfo!", page.Type.String())
			total := conn.Fields.ForName("totalCount")
			require.NotNil(t, total)
			require.Equal(t, "Int!", total.Type.String())
			edge := s.Types[edgeName]
			require.NotNil(t, edge, edgeName)
			require.NotNil(t, edge.Fields.ForName("node"), edgeName+".node")
			cursor := edge.Fields.ForName("cursor")
			require.NotNil(t, cursor, edgeName+".cursor")
			require.Equal(t, "Cursor!", cursor.Type.String())
		})
	}
	page := s.Types["PageInfo"]
	for field, typ := range map[string]string{"hasNextPage": "Boolean!", "hasPreviousPage": "Boolean!", "startCursor": "Cursor", "endCursor": "Cursor"} {
		require.NotNil(t, page.Fields.ForName(field), "PageInfo."+field)
		require.Equal(t, typ, page.Fields.ForName(field).Type.String(), "PageInfo."+field)
	}
}

func TestEveryConnectionFieldTakesPagingFilterAndOrder(t *testing.T) {
	s := graph.ServedSchema()
	seen := map[string]bool{}
	for _, def := range s.Types {
		if def.Kind != ast.Object || strings.HasPrefix(def.Name, "__") {
			continue
		}
		for _, f := range def.Fields {
			if !isConnection(s, f.Type.Name()) {
				continue
			}
			path := def.Name + "." + f.Name
			exception, excepted := connectionArgExceptions[path]
			seen[path] = excepted
			t.Run(path+" takes first, after, last, before, where and orderBy", func(t *testing.T) {
				for _, arg := range []string{"first", "after", "last", "before", "where", "orderBy"} {
					if excepted && slices.Contains(exception.missing, arg) {
						require.Nil(t, f.Arguments.ForName(arg), "%s now takes %s: drop the exception", path, arg)
						continue
					}
					require.NotNil(t, f.Arguments.ForName(arg), "%s takes no %s", path, arg)
				}
			})
		}
	}
	for path := range connectionArgExceptions {
		require.True(t, seen[path], "exception for %s, which returns no connection", path)
	}
}
