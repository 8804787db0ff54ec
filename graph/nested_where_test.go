package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

// firstNodeID is the id of the first node of a root connection, newest or in
// its default order, as the caller reads it.
func firstNodeID(t testing.TB, s *apitest.Server, token, connection string) string {
	t.Helper()
	var out struct {
		C struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	gqOK(t, s, token, fmt.Sprintf(`{ c: %s(first: 1) { edges { node { id } } } }`, connection), nil).Decode(t, &out)
	require.NotEmpty(t, out.C.Edges, "no %s for this caller", connection)
	return out.C.Edges[0].Node.ID
}

// nestedValues reads field of every node of a nested connection of the
// node id, filtered by where (a GraphQL literal, "" for none).
func nestedValues(t testing.TB, s *apitest.Server, token, id, typ, edge, field, where string) (int, []string) {
	t.Helper()
	args := "first: 500"
	if where != "" {
		args += ", where: " + where
	}
	q := fmt.Sprintf(`query($id: ID!) { node(id: $id) { ... on %s { c: %s(%s) { totalCount edges { node { v: %s } } } } } }`, typ, edge, args, field)
	var out struct {
		Node struct {
			C struct {
				TotalCount int
				Edges      []struct{ Node struct{ V string } }
			}
		}
	}
	gqOK(t, s, token, q, map[string]any{"id": id}).Decode(t, &out)
	vs := make([]string, len(out.Node.C.Edges))
	for i, e := range out.Node.C.Edges {
		vs[i] = e.Node.V
	}
	return out.Node.C.TotalCount, vs
}

// TestNestedConnectionsTakeWhere: every nested connection filters with the
// where input of its node type, exactly as the same filter applied to the
// unfiltered list would, and a filter never shows more than no filter.
func TestNestedConnectionsTakeWhere(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		county, town := s.As("county.head"), s.As("chengguan.head")
		cases := []struct {
			name, token, typ, edge, field, filterField string
			id                                         func() string
		}{
			{"a unit's children by kind", county, "Unit", "children", "kind", "kind", func() string { return unitID(t, s, county, seed.CodeCounty) }},
			{"a unit's posts by role", county, "Unit", "posts", "role", "role", func() string { return unitID(t, s, county, seed.CodeCounty) }},
			{"a unit's members by username", town, "Unit", "members", "username", "username", func() string { return unitID(t, s, town, seed.CodeTownChengguan) }},
			{"an enterprise's hazards by level", county, "Unit", "enterpriseHazards", "level", "level", func() string { return unitID(t, s, county, seed.CodeCement) }},
			{"a user's posts by role", county, "User", "posts", "role", "role", func() string { return userID(t, s, county, "county.head") }},
			{"a campaign's inspections by type", county, "Campaign", "inspections", "type", "type", func() string { return firstNodeID(t, s, county, "campaigns") }},
			{"a notice's receipts by recipient kind", county, "Notice", "receipts", "recipientKind", "recipientKind", func() string { return firstNodeID(t, s, county, "notices") }},
		}
		for _, c := range cases {
			t.Run(c.name+" narrows exactly", func(t *testing.T) {
				id := c.id()
				total, all := nestedValues(t, s, c.token, id, c.typ, c.edge, c.field, "")
				require.NotEmpty(t, all, "nothing to filter: the case proves nothing")
				value := all[len(all)-1]
				literal := value
				if c.field == "username" {
					literal = fmt.Sprintf("%q", value)
				}
				want := 0
				for _, v := range all {
					if v == value {
						want++
					}
				}
				got, vs := nestedValues(t, s, c.token, id, c.typ, c.edge, c.field, fmt.Sprintf("{%s: %s}", c.filterField, literal))
				require.Equal(t, want, got, "totalCount with the filter")
				require.Len(t, vs, want)
				for _, v := range vs {
					require.Equal(t, value, v)
				}
				tautology := fmt.Sprintf("{or: [{%s: %s}, {%sNEQ: %s}]}", c.filterField, literal, c.filterField, literal)
				wide, _ := nestedValues(t, s, c.token, id, c.typ, c.edge, c.field, tautology)
				require.Equal(t, total, wide, "a filter that keeps everything shows what no filter shows, never more")
			})
		}
	})
}

// TestWhereInputsHaveNoEdgePredicates: no filter reaches rows of another
// type (has<Edge>With would test them outside their read filter).
func TestWhereInputsHaveNoEdgePredicates(t *testing.T) {
	s := graph.ServedSchema()
	for name, def := range s.Types {
		if !strings.HasSuffix(name, "WhereInput") {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "has") && len(f.Name) > 3 && f.Name[3] >= 'A' && f.Name[3] <= 'Z' {
				t.Errorf("%s.%s filters by another type's rows", name, f.Name)
			}
		}
	}
}
