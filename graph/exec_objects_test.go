package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"
	"unicode"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/gqlcollect"
	"github.com/dutychain/dutychain/internal/scalar"
)

// fieldsNamed returns collected fields with the given aliases.
func fieldsNamed(aliases ...string) []graphql.CollectedField {
	fields := make([]graphql.CollectedField, len(aliases))
	for i, a := range aliases {
		fields[i] = graphql.CollectedField{Field: &ast.Field{Alias: a, Name: a}}
	}
	return fields
}

// gqlgenObject is what gqlgen's own *graphql.FieldSet writes for fields and values.
func gqlgenObject(fields []graphql.CollectedField, values []graphql.Marshaler) string {
	fs := graphql.NewFieldSet(fields)
	copy(fs.Values, values)
	var buf bytes.Buffer
	fs.MarshalGQL(&buf)
	return buf.String()
}

func TestObjectJSONWritesWhatGqlgensFieldSetWrites(t *testing.T) {
	many := make([]string, maxLinearAliases+5)
	for i := range many {
		many[i] = fmt.Sprintf("f%d", i)
	}
	many[len(many)-1] = "f3" // a repeated alias past the linear bound
	for _, c := range []struct {
		name    string
		aliases []string
	}{
		{"an object with one field", []string{"id"}},
		{"fields keep the order they were collected in", []string{"state", "id", "level", "__typename"}},
		{"a repeated alias is written once, with its first value", []string{"id", "name", "id"}},
		{"an object with more fields than the linear check uses gqlgen's writer", many},
	} {
		t.Run(c.name, func(t *testing.T) {
			fields := fieldsNamed(c.aliases...)
			values := make([]graphql.Marshaler, len(fields))
			for i := range values {
				values[i] = graphql.MarshalInt(i)
			}
			var buf bytes.Buffer
			objectJSON{fields, values}.MarshalGQL(&buf)
			require.Equal(t, gqlgenObject(fields, values), buf.String())
			require.True(t, json.Valid(buf.Bytes()), "%s", buf.String())
		})
	}
	t.Run("an object written into a plain io.Writer is the same", func(t *testing.T) {
		fields := fieldsNamed("a", "b")
		values := []graphql.Marshaler{graphql.MarshalString(`x"y`), graphql.Null}
		var plain plainWriter
		objectJSON{fields, values}.MarshalGQL(&plain)
		require.Equal(t, gqlgenObject(fields, values), string(plain))
	})
}

// plainWriter is an io.Writer without WriteString or a spare buffer.
type plainWriter []byte

func (p *plainWriter) Write(b []byte) (int, error) { *p = append(*p, b...); return len(b), nil }

// written is what m writes into a bytes.Buffer and into a plain io.Writer,
// which must agree.
func written(t *testing.T, m graphql.Marshaler) string {
	t.Helper()
	var buf bytes.Buffer
	m.MarshalGQL(&buf)
	var plain plainWriter
	m.MarshalGQL(&plain)
	require.Equal(t, buf.String(), string(plain), "a bytes.Buffer and a plain writer got different bytes")
	return buf.String()
}

func TestPlainScalarMarshalersWriteWhatGqlgensWrite(t *testing.T) {
	t.Run("any string, control characters and invalid UTF-8 included, is quoted as graphql.MarshalString quotes it", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			s := rapid.OneOf(rapid.String(), rapid.StringOf(rapid.RuneFrom(nil, ascii)),
				rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) })).Draw(t, "s")
			var want bytes.Buffer
			graphql.MarshalString(s).MarshalGQL(&want)
			var got bytes.Buffer
			marshalStringAt(&s).MarshalGQL(&got)
			if got.String() != want.String() {
				t.Fatalf("%q: got %s, want %s", s, got.String(), want.String())
			}
		})
	})
	for _, n := range []int{0, 7, -1, math.MaxInt64, math.MinInt64} {
		t.Run(fmt.Sprintf("the int %d is written as graphql.MarshalInt writes it", n), func(t *testing.T) {
			n64 := int64(n)
			require.Equal(t, written(t, graphql.MarshalInt(n)), written(t, marshalIntAt(&n)))
			require.Equal(t, written(t, graphql.MarshalInt64(n64)), written(t, marshalInt64At(&n64)))
		})
	}
	for _, b := range []bool{true, false} {
		t.Run(fmt.Sprintf("the boolean %v is written as graphql.MarshalBoolean writes it", b), func(t *testing.T) {
			require.Equal(t, written(t, graphql.MarshalBoolean(b)), written(t, marshalBooleanAt(&b)))
		})
	}
	t.Run("a time is written as scalar.MarshalTime writes it", func(t *testing.T) {
		at := time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("CST", 8*3600))
		require.Equal(t, written(t, scalar.MarshalTime(at)), written(t, marshalTimeAt(&at)))
	})
	t.Run("the zero time is null, so that the field takes gqlgen's path and reports it", func(t *testing.T) {
		var zero time.Time
		require.Equal(t, graphql.Null, marshalTimeAt(&zero))
	})
	t.Run("an ID is written as gid.MarshalID writes it", func(t *testing.T) {
		id := 1<<32 + 42
		require.Equal(t, written(t, gid.MarshalID(id)), written(t, marshalIDAt(&id)))
	})
	t.Run("a value is written as it is when the response is written", func(t *testing.T) {
		s := "before"
		m := marshalStringAt(&s)
		s = "after"
		require.Equal(t, `"after"`, written(t, m), "the marshaler points at the row's field")
	})
}

// ascii is every ASCII rune, control characters included, drawn often so
// that escapes are.
var ascii = &unicode.RangeTable{R16: []unicode.Range16{{Lo: 0, Hi: 127, Stride: 1}}}

func TestResolvePlainFieldKeepsTheFieldContext(t *testing.T) {
	newOperation := func() (context.Context, *graphql.OperationContext) {
		quiet := func(_ context.Context, r any) error { return fmt.Errorf("internal system error: %v", r) }
		oc := &graphql.OperationContext{RecoverFunc: quiet}
		ctx := graphql.WithOperationContext(context.Background(), oc)
		ctx = graphql.WithResponseContext(ctx, graphql.DefaultErrorPresenter, quiet)
		parent := &graphql.FieldContext{Object: "Query", Field: graphql.CollectedField{Field: &ast.Field{Alias: "hazard", Name: "hazard"}}}
		return graphql.WithFieldContext(ctx, parent), oc
	}
	field := graphql.CollectedField{Field: &ast.Field{Alias: "node", Name: "node"}}
	fieldContext := func(_ context.Context, f graphql.CollectedField) (*graphql.FieldContext, error) {
		return &graphql.FieldContext{Object: "HazardEdge", Field: f}, nil
	}

	t.Run("the value is marshalled under the field's own context, with its path and result", func(t *testing.T) {
		ctx, oc := newOperation()
		var path string
		var result any
		m := resolvePlainField(ctx, oc, field, fieldContext, 42, func(ctx context.Context, _ ast.SelectionSet, v int) graphql.Marshaler {
			path = graphql.GetPath(ctx).String()
			result = graphql.GetFieldContext(ctx).Result
			return graphql.MarshalInt(v)
		}, true)
		require.Equal(t, "42", written(t, m))
		require.Equal(t, "hazard.node", path)
		require.Equal(t, 42, result)
	})
	t.Run("a panic becomes the field's null and an error at its path", func(t *testing.T) {
		ctx, oc := newOperation()
		m := resolvePlainField(ctx, oc, field, fieldContext, 1, func(context.Context, ast.SelectionSet, int) graphql.Marshaler {
			panic("boom")
		}, true)
		require.Equal(t, graphql.Null, m)
		errs := graphql.GetErrors(ctx)
		require.Len(t, errs, 1)
		require.Equal(t, "hazard.node", errs[0].Path.String())
	})
	t.Run("a field context that fails makes the field null without marshalling", func(t *testing.T) {
		ctx, oc := newOperation()
		m := resolvePlainField(ctx, oc, field, func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error) {
			return nil, errors.New("no such field")
		}, 1, func(context.Context, ast.SelectionSet, int) graphql.Marshaler {
			t.Fatal("marshalled a field whose context failed")
			return nil
		}, true)
		require.Equal(t, graphql.Null, m)
	})
}

func TestCollectedFieldsAreCollectedOncePerOperation(t *testing.T) {
	doc := `query($t: Boolean!) { hazards { edges { node { id category @include(if: $t) state } } } }`
	q, errs := gqlparser.LoadQuery(ServedSchema(), doc)
	require.Empty(t, errs)
	node := listField(t, doc, "hazards", "edges", "node")
	for _, include := range []bool{true, false} {
		t.Run(fmt.Sprintf("with the variable %v the fields are gqlgen's and the same slice each time", include), func(t *testing.T) {
			oc := &graphql.OperationContext{Doc: q, Variables: map[string]any{"t": include}}
			var c collectedFields
			first := c.collect(oc, node.SelectionSet, hazardImplementors)
			again := c.collect(oc, node.SelectionSet, hazardImplementors)
			want := graphql.CollectFields(&graphql.OperationContext{Doc: q, Variables: oc.Variables}, node.SelectionSet, hazardImplementors)
			require.Equal(t, aliases(want), aliases(first))
			require.Same(t, &first[0], &again[0], "collected once")
			if include {
				require.Equal(t, []string{"id", "category", "state"}, aliases(first))
			} else {
				require.Equal(t, []string{"id", "state"}, aliases(first))
			}
		})
	}
	t.Run("another type's implementors are collected apart", func(t *testing.T) {
		oc := &graphql.OperationContext{Doc: q, Variables: map[string]any{"t": true}}
		var c collectedFields
		a := c.collect(oc, node.SelectionSet, hazardImplementors)
		b := c.collect(oc, node.SelectionSet, unitImplementors)
		require.NotSame(t, &a[0], &b[0])
	})
}

func aliases(fields []graphql.CollectedField) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Alias
	}
	return out
}

func TestCollectedFieldsWithoutDirectivesAreSharedAcrossOperations(t *testing.T) {
	doc := `query($t: Boolean!) { hazards { edges { node { id ...F ... on Hazard { level } } } totalCount @include(if: $t) } }
fragment F on Hazard { state }`
	q, errs := gqlparser.LoadQuery(ServedSchema(), doc)
	require.Empty(t, errs)
	node := listField(t, doc, "hazards", "edges", "node")
	hazards := q.Operations[0].SelectionSet[0].(*ast.Field)
	var first []graphql.CollectedField
	for _, include := range []bool{true, false} {
		oc := &graphql.OperationContext{Doc: q, Variables: map[string]any{"t": include}}
		var c collectedFields // a new operation
		got := c.collect(oc, node.SelectionSet, hazardImplementors)
		require.Equal(t, []string{"id", "state", "level"}, aliases(got))
		if first == nil {
			first = got
		} else {
			require.Same(t, &first[0], &got[0], "no directive decides the node's fields: collected once for both operations")
		}
		// The connection's fields depend on $t: each operation collects its own.
		conn := c.collect(oc, hazards.SelectionSet, []string{"HazardConnection"})
		if include {
			require.Equal(t, []string{"edges", "totalCount"}, aliases(conn))
		} else {
			require.Equal(t, []string{"edges"}, aliases(conn))
		}
	}
	require.True(t, gqlcollect.WithoutDirectives(q, node.SelectionSet, 0))
	require.False(t, gqlcollect.WithoutDirectives(q, hazards.SelectionSet, 0))
}

func TestObjectOutStandsForGqlgensFieldSet(t *testing.T) {
	t.Run("values resolved in line are written as gqlgen writes them, small or large", func(t *testing.T) {
		for _, n := range []int{1, objectInline, objectInline + 3} {
			aliases := make([]string, n)
			values := make([]graphql.Marshaler, n)
			for i := range n {
				aliases[i] = fmt.Sprintf("f%d", i)
				values[i] = graphql.MarshalInt(i)
			}
			fields := fieldsNamed(aliases...)
			o := newObjectOut(fields)
			copy(o.Values, values)
			o.Dispatch(context.Background())
			require.Nil(t, o.set, "no field resolved concurrently: no FieldSet")
			var ours bytes.Buffer
			o.MarshalGQL(&ours)
			require.Equal(t, gqlgenObject(fields, values), ours.String())
		}
	})
	t.Run("fields resolved concurrently land in its values and count their nulls", func(t *testing.T) {
		fields := fieldsNamed("id", "events", "actor")
		o := newObjectOut(fields)
		o.Values[0] = graphql.MarshalString("1")
		var deferred graphql.DeferredGroup
		oc := &graphql.OperationContext{}
		o.ResolveConcurrently(oc, &deferred, 1, true, true, func(context.Context) graphql.Marshaler { return graphql.MarshalString("E") })
		o.ResolveConcurrently(oc, &deferred, 2, true, true, func(context.Context) graphql.Marshaler { return graphql.Null })
		o.Dispatch(context.Background())
		require.Equal(t, uint32(1), o.Invalids, "the non-null actor resolved to null")
		var ours bytes.Buffer
		o.MarshalGQL(&ours)
		require.Equal(t, `{"id":"1","events":"E","actor":null}`, ours.String())
	})
	t.Run("as a FieldSet for @defer it keeps the values and the invalid count", func(t *testing.T) {
		fields := fieldsNamed("id", "state")
		o := newObjectOut(fields)
		o.Values[0], o.Values[1] = graphql.MarshalString("1"), graphql.MarshalString("OPEN")
		o.Invalids = 1
		fs := o.fieldSet()
		require.Equal(t, o.Invalids, fs.Invalids)
		var gqlgen, ours bytes.Buffer
		fs.MarshalGQL(&gqlgen)
		o.MarshalGQL(&ours)
		require.Equal(t, gqlgen.String(), ours.String())
		require.Equal(t, `{"id":"1","state":"OPEN"}`, ours.String())
	})
}

func TestResponseBufferStartsAtTheLastResponsesSize(t *testing.T) {
	keepResponseSize(make([]byte, 3000))
	require.Equal(t, 3000, newResponseBuffer().Cap())
	keepResponseSize(make([]byte, 10))
	require.Equal(t, minResponseBuffer, newResponseBuffer().Cap(), "a tiny response: the floor")
	keepResponseSize(make([]byte, 10<<20))
	require.Equal(t, maxResponseBuffer, newResponseBuffer().Cap(), "a huge response: the ceiling")
}
