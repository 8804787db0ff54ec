package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// The two functions below replace calls in the executor gqlgen generates
// (graph/gqlgen.go makes the substitution). gqlgen marshals every element of
// a list of objects on its own goroutine, so that resolvers of sibling
// elements reach the request's batch loaders within one wait; and it builds
// the @defer bookkeeping, the object's path included, for every object of a
// response. On a page of enterprises with their hazards and events that was
// ≈ 300 goroutines and a fifth of the allocations per request, for lists
// whose elements wait on nothing and documents without @defer.

// marshalList marshals the elements of a list of objects: on the caller's
// goroutine when the list's selection reaches no field that may wait (no
// resolver of this package, see resolverFields), else as gqlgen does, one
// goroutine per element. Element contexts, panics and nulls are gqlgen's.
func marshalList(ctx context.Context, length int, workerLimit int64, omitPanicHandler bool, marshal func(context.Context, int) graphql.Marshaler) graphql.Array {
	if length < 2 || listMayWait(ctx) {
		return graphql.MarshalSliceConcurrently(ctx, length, workerLimit, omitPanicHandler, marshal)
	}
	// The elements' field contexts and indices in one allocation each,
	// rather than two per element.
	ret := make(graphql.Array, length)
	indices := make([]int, length)
	elems := make([]graphql.FieldContext, length)
	for i := range length {
		indices[i] = i
		elems[i].Index = &indices[i]
		elemCtx := graphql.WithFieldContext(ctx, &elems[i])
		ret[i] = marshalElement(elemCtx, i, omitPanicHandler, marshal)
	}
	return ret
}

// marshalElement marshals element i, a panic becoming the element's null and
// an error of the response, as in graphql.MarshalSliceConcurrently.
func marshalElement(ctx context.Context, i int, omitPanicHandler bool, marshal func(context.Context, int) graphql.Marshaler) (m graphql.Marshaler) {
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				graphql.AddError(ctx, graphql.Recover(ctx, r))
				m = graphql.Null
			}
		}()
	}
	return marshal(ctx, i)
}

// listMayWait reports whether marshalling the list whose field is ctx's may
// reach a field in resolverFields. Unknown shapes (a list of lists) answer
// true: gqlgen's concurrent marshalling is always correct.
func listMayWait(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil {
		return true
	}
	elem := fc.Field.Definition.Type.Elem
	if elem == nil || elem.Elem != nil {
		return true
	}
	return selectionMayWait(elem.NamedType, fc.Field.Selections, 0)
}

// maxSelectionDepth bounds selectionMayWait's walk; deeper selections are
// taken to wait (the server's depth limit is far below it).
const maxSelectionDepth = 64

// selectionMayWait reports whether sel, selected on the type named typeName,
// names a field in resolverFields at any depth. Fragments are followed with
// their type condition; skipped or not, a field counts.
func selectionMayWait(typeName string, sel ast.SelectionSet, depth int) bool {
	if depth > maxSelectionDepth {
		return true
	}
	waits := resolverFields[typeName]
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			if waits[s.Name] || s.Definition == nil {
				return true
			}
			if len(s.SelectionSet) > 0 && selectionMayWait(s.Definition.Type.Name(), s.SelectionSet, depth+1) {
				return true
			}
		case *ast.InlineFragment:
			on := typeName
			if s.TypeCondition != "" {
				on = s.TypeCondition
			}
			if selectionMayWait(on, s.SelectionSet, depth+1) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || selectionMayWait(s.Definition.TypeCondition, s.Definition.SelectionSet, depth+1) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// newDeferredGroup is graphql.NewDeferredGroup for a document that may
// contain @defer; for one that cannot (no "defer" anywhere in its text), an
// empty group: without deferred fields gqlgen reads only its Defers, empty.
func newDeferredGroup(ctx context.Context, oc *graphql.OperationContext) graphql.DeferredGroup {
	if oc == nil || oc.RawQuery == "" || strings.Contains(oc.RawQuery, "defer") {
		return graphql.NewDeferredGroup(ctx)
	}
	return graphql.DeferredGroup{Context: ctx}
}
