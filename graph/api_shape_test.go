package graph_test

// The shape of the API a client builds on: one failing root field leaves its
// siblings, filters are named alike, Go-only directives stay out of
// introspection.

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

func TestAForbiddenRootFieldLeavesItsSiblings(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		r := gq(t, s, s.As("chengguan.head"), `{ me { user { username } } auditEvents(first: 1) { totalCount } }`, nil)
		require.Len(t, r.Errors, 1, "only auditEvents fails: %+v", r.Errors)
		require.Equal(t, "FORBIDDEN", r.Code())
		require.Equal(t, []any{"auditEvents"}, r.Errors[0].Path)
		require.JSONEq(t, `{"me": {"user": {"username": "chengguan.head"}}, "auditEvents": null}`, string(r.Data))
	})
}

// schemaTypes is the introspected schema: every type with its fields,
// their arguments and input fields.
type schemaTypes []struct {
	Name   string
	Kind   string
	Fields []struct {
		Name string
		Args []inputValue
		Type typeRef
	}
}

const schemaTypesQuery = `{ __schema { types { name kind fields { name args { name type { ...T } } type { ...T } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

func introspectTypes(t *testing.T, s *apitest.Server, token string) schemaTypes {
	t.Helper()
	var out struct {
		Schema struct{ Types schemaTypes } `json:"__schema"`
	}
	gqOK(t, s, token, schemaTypesQuery, nil).Decode(t, &out)
	require.NotEmpty(t, out.Schema.Types)
	return out.Schema.Types
}

func TestEveryFilterIsAWhereInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		types := introspectTypes(t, s, s.As("admin"))
		wheres := 0
		for _, ty := range types {
			if ty.Kind == "INPUT_OBJECT" {
				require.False(t, strings.HasSuffix(ty.Name, "Filter"), "input %s: a filter is named <Type>WhereInput", ty.Name)
			}
			for _, f := range ty.Fields {
				for _, a := range f.Args {
					if a.Name == "where" {
						wheres++
						require.True(t, strings.HasSuffix(a.Type.named().Name, "WhereInput"),
							"%s.%s(where: %s): a filter is named <Type>WhereInput", ty.Name, f.Name, a.Type)
					}
				}
			}
		}
		require.NotZero(t, wheres)
	})
}

func TestGoOnlyDirectivesAreNotIntrospected(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		var out struct {
			Schema struct{ Directives []struct{ Name string } } `json:"__schema"`
		}
		gqOK(t, s, s.As("admin"), `{ __schema { directives { name } } }`, nil).Decode(t, &out)
		var names []string
		for _, d := range out.Schema.Directives {
			require.False(t, graph.IsGoOnlyDirective(d.Name), "@%s is a code-generation directive", d.Name)
			names = append(names, d.Name)
		}
		require.Subset(t, names, []string{"include", "skip", "deprecated"})
	})
}

func TestHazardAndLetterEventsHaveOneShape(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		fieldsOf := map[string]map[string]typeRef{}
		for _, ty := range introspectTypes(t, s, admin) {
			if ty.Name == "HazardEvent" || ty.Name == "LetterEvent" {
				fieldsOf[ty.Name] = map[string]typeRef{}
				for _, f := range ty.Fields {
					fieldsOf[ty.Name][f.Name] = f.Type
				}
			}
		}
		for field, kind := range map[string]string{"fromState": "ENUM", "toState": "ENUM", "actor": "OBJECT", "post": "OBJECT", "at": "SCALAR", "note": "SCALAR"} {
			h, l := fieldsOf["HazardEvent"][field], fieldsOf["LetterEvent"][field]
			require.Equal(t, kind, h.named().Kind, "HazardEvent.%s", field)
			require.Equal(t, kind, l.named().Kind, "LetterEvent.%s", field)
			require.Equal(t, h.Kind, l.Kind, "%s is nullable alike on both", field)
		}
		require.Equal(t, fieldsOf["HazardEvent"]["actor"].named().Name, fieldsOf["LetterEvent"]["actor"].named().Name)
		require.Equal(t, fieldsOf["HazardEvent"]["post"].named().Name, fieldsOf["LetterEvent"]["post"].named().Name)

		letter := letterID(t, s, admin, 2022, seed.CodeCounty, seed.CodeTownChengguan)
		var out struct {
			Node struct {
				Events []struct {
					ActorName string
					Actor     *struct{ DisplayName string }
					Post      *struct{ Title string }
				}
			}
		}
		gqOK(t, s, s.As("county.head"), `query($id: ID!) { node(id: $id) { ... on ResponsibilityLetter {
			events { actorName actor { displayName } post { title } } } } }`, map[string]any{"id": letter}).Decode(t, &out)
		require.NotEmpty(t, out.Node.Events)
		for _, e := range out.Node.Events {
			require.NotNil(t, e.Actor, "the county head sees every actor of the county's letter")
			require.Equal(t, e.ActorName, e.Actor.DisplayName)
			require.NotNil(t, e.Post)
		}
	})
}
