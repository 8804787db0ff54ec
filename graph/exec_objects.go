package graph

import (
	"bytes"
	"context"
	"io"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dutychain/dutychain/internal/gqlcollect"
)

// objectJSON writes an object of the response: its collected fields with
// their values, once every value is resolved. The executor gqlgen generates
// returns its *graphql.FieldSet for that, whose MarshalGQL builds a map of the
// aliases written and a closure per object and a pointer per field to walk
// them; graph/gqlgen.go substitutes objectJSON for objects without @defer.
type objectJSON struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

// maxLinearAliases bounds the fields objectJSON checks for a repeated alias
// by comparing with those before; larger objects use gqlgen's own writer.
const maxLinearAliases = 32

// MarshalGQL writes {"alias":value,...}. CollectFields merges the fields of
// one alias, so an alias repeats only in theory; it is written once, as
// gqlgen does. Aliases are GraphQL names, which JSON needs no escape for.
func (o objectJSON) MarshalGQL(w io.Writer) {
	if len(o.fields) > maxLinearAliases {
		fs := graphql.NewFieldSet(o.fields)
		copy(fs.Values, o.values)
		fs.MarshalGQL(w)
		return
	}
	_, _ = io.WriteString(w, "{")
	for i := range o.fields {
		alias := o.fields[i].Alias
		if aliasWrittenBefore(o.fields[:i], alias) {
			continue
		}
		if i > 0 {
			_, _ = io.WriteString(w, `,"`)
		} else {
			_, _ = io.WriteString(w, `"`)
		}
		_, _ = io.WriteString(w, alias)
		_, _ = io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	_, _ = io.WriteString(w, "}")
}

// objectOut stands, in the executor's objects (graph/gqlgen.go, objectOuts),
// for gqlgen's *graphql.FieldSet: the values, the count of invalid ones and
// the response's writer in one allocation, the values inline for objects of
// up to objectInline fields. gqlgen allocates a FieldSet, its values and, for
// objectJSON, an interface box per object. A field resolved concurrently
// (a resolver of this package) makes the real FieldSet on first use, sharing
// the values, so an object pays for it only when its selection has one.
type objectOut struct {
	fields   []graphql.CollectedField
	Values   []graphql.Marshaler
	Invalids uint32 // the fields resolved in line; Dispatch adds the others
	set      *graphql.FieldSet
	inline   [objectInline]graphql.Marshaler
}

// objectInline is how many values an objectOut holds without a second
// allocation: most selections of an object name fewer fields.
const objectInline = 8

func newObjectOut(fields []graphql.CollectedField) *objectOut {
	o := &objectOut{fields: fields}
	if len(fields) <= len(o.inline) {
		o.Values = o.inline[:len(fields)]
	} else {
		o.Values = make([]graphql.Marshaler, len(fields))
	}
	return o
}

// ResolveConcurrently schedules field i as gqlgen's FieldSet does, on the
// FieldSet made for the first such field.
func (o *objectOut) ResolveConcurrently(oc *graphql.OperationContext, deferred *graphql.DeferredGroup, i int,
	recoverFromPanic, nonNull bool, resolve func(context.Context) graphql.Marshaler,
) {
	if o.set == nil {
		o.set = graphql.NewFieldSet(o.fields)
		o.set.Values = o.Values
	}
	o.set.ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
}

// Dispatch resolves the fields scheduled concurrently, if any, and adds
// those invalid to o.Invalids.
func (o *objectOut) Dispatch(ctx context.Context) {
	if o.set == nil {
		return
	}
	o.set.Dispatch(ctx)
	o.Invalids += atomic.LoadUint32(&o.set.Invalids)
}

// fieldSet is o as gqlgen's FieldSet, for an object with @defer.
func (o *objectOut) fieldSet() *graphql.FieldSet {
	if o.set == nil {
		o.set = graphql.NewFieldSet(o.fields)
		copy(o.set.Values, o.Values)
	}
	o.set.Invalids = o.Invalids
	return o.set
}

// MarshalGQL writes the object as objectJSON does.
func (o *objectOut) MarshalGQL(w io.Writer) {
	objectJSON{o.fields, o.Values}.MarshalGQL(w)
}

// aliasWrittenBefore reports whether one of before has alias.
func aliasWrittenBefore(before []graphql.CollectedField, alias string) bool {
	for j := range before {
		if before[j].Alias == alias {
			return true
		}
	}
	return false
}

// collectedFields is the executor's per-operation cache of the fields an
// object's selection collects (graphql.CollectFields), kept on its
// executionContext (graph/gqlgen.go adds the field), for the selection sets
// a directive decides; the others are kept across operations
// (gqlcollect.Shared). gqlgen caches them per operation too, but builds a
// hashed key per object to look them up; this cache is keyed by the
// selection set's identity and the type's list of implementors, which the
// executor holds in one variable per type.
type collectedFields struct {
	mu     sync.Mutex
	fields map[collectedKey]collectedEntry
}

// collectedKey identifies, in part, a selection set (its first and last
// elements and its length) and the implementors it is collected for; the
// entry holds the set, compared on every lookup (gqlcollect's key explains
// why the first element and length are not enough).
type collectedKey struct {
	first, last ast.Selection
	length      int
	satisfies   *string
	satisfiesN  int
}

type collectedEntry struct {
	sel    ast.SelectionSet
	fields []graphql.CollectedField
}

// collect returns graphql.CollectFields(oc, sel, satisfies), computed once
// per operation, or once for every operation of the same document when no
// directive decides it. The result is shared, as gqlgen's cached one is.
func (c *collectedFields) collect(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	if len(sel) == 0 || len(satisfies) == 0 {
		return graphql.CollectFields(oc, sel, satisfies)
	}
	key := collectedKey{first: sel[0], last: sel[len(sel)-1], length: len(sel), satisfies: &satisfies[0], satisfiesN: len(satisfies)}
	c.mu.Lock()
	e, found := c.fields[key]
	c.mu.Unlock()
	if found && gqlcollect.SameSelections(e.sel, sel) {
		return e.fields
	}
	if fields, ok := gqlcollect.Shared(oc, sel, satisfies); ok {
		return fields
	}
	fields := graphql.CollectFields(oc, sel, satisfies)
	if found {
		return fields // another set under the same key: not kept
	}
	c.mu.Lock()
	if c.fields == nil {
		c.fields = make(map[collectedKey]collectedEntry)
	}
	c.fields[key] = collectedEntry{sel: sel, fields: fields}
	c.mu.Unlock()
	return fields
}

// resolvePlainField resolves a plain struct field of an object or list type
// (plainFields in graph/gqlgen.go): the field context gqlgen would build,
// the value marshalled under it, and a panic becoming the field's null and
// an error, as graphql.ResolveField does, without the resolver and field
// middleware closures a struct field has no use for.
func resolvePlainField[T any](ctx context.Context, oc *graphql.OperationContext, field graphql.CollectedField,
	fieldContext func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error),
	value T, marshal func(context.Context, ast.SelectionSet, T) graphql.Marshaler, recoverFromPanic bool,
) (ret graphql.Marshaler) {
	fc, err := fieldContext(ctx, field)
	if err != nil {
		return graphql.Null
	}
	ctx = graphql.WithFieldContext(ctx, fc)
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				ret = graphql.Null
			}
		}()
	}
	fc.Result = value
	return marshal(ctx, field.Selections, value)
}

// responseSize is the size of the last query response written, the first
// guess for the next one's buffer (newResponseBuffer).
var responseSize atomic.Int64

// Bounds of newResponseBuffer's guess: below minResponseBuffer a buffer
// grows as cheaply as it starts; above maxResponseBuffer one large response
// should not make every small one pay for its size.
const (
	minResponseBuffer = 512
	maxResponseBuffer = 64 << 10
)

// newResponseBuffer is the buffer a query's response is written into,
// sized as the last response was: the responses of a client's screen come
// in similar sizes, and a bytes.Buffer grown from empty copies a 20 KB
// response ten times over (graph/gqlgen.go substitutes it in the executor).
func newResponseBuffer() *bytes.Buffer {
	n := min(max(responseSize.Load(), minResponseBuffer), maxResponseBuffer)
	return bytes.NewBuffer(make([]byte, 0, n))
}

// keepResponseSize notes data's size for the next newResponseBuffer.
func keepResponseSize(data []byte) []byte {
	responseSize.Store(int64(len(data)))
	return data
}
