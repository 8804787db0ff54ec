// Package gqlcollect keeps, across operations, the fields that selection
// sets collect (graphql.CollectFields) when no directive decides them.
//
// gqlgen caches collected fields per operation, under a key it hashes for
// every lookup (several allocations each), so every request collects each of
// its selection sets afresh. A selection set that no directive decides
// (@skip, @include, @defer) collects the same fields in every operation of
// its document, and gqlgen's query cache gives the requests sending one text
// the same document: the graph executor (graph/exec_objects.go) and ent's
// GraphQL field collection (ent/gql_collection.go and gql_pagination.go,
// rewritten by ent/entc.go) look such sets up here instead.
package gqlcollect

import (
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Collect is graphql.CollectFields(oc, sel, satisfies), computed once for
// every operation of the document when no directive decides sel.
func Collect(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	if fields, ok := Shared(oc, sel, satisfies); ok {
		return fields
	}
	return graphql.CollectFields(oc, sel, satisfies)
}

// Shared returns the fields sel collects for satisfies and true when no
// directive decides sel, computing them once for all operations; false
// when one may (the caller collects them for its operation).
func Shared(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) ([]graphql.CollectedField, bool) {
	if len(sel) == 0 || oc == nil {
		return nil, false
	}
	k := key{first: sel[0], last: sel[len(sel)-1], length: len(sel), satisfiesN: len(satisfies)}
	if len(satisfies) > 0 {
		k.satisfies0 = satisfies[0]
	}
	cache.mu.RLock()
	e, found := cache.entries[k]
	cache.mu.RUnlock()
	if found && SameSelections(e.sel, sel) && slices.Equal(e.satisfies, satisfies) {
		return e.fields, true
	}
	if !WithoutDirectives(oc.Doc, sel, 0) {
		return nil, false
	}
	fields := graphql.CollectFields(oc, sel, satisfies)
	if found {
		// Another set or list of implementors under the same key: rare,
		// and not worth a second entry.
		return fields, true
	}
	cache.mu.Lock()
	if cache.entries == nil || len(cache.entries) >= maxEntries {
		cache.entries = make(map[key]entry)
	}
	cache.entries[k] = entry{sel: sel, satisfies: slices.Clone(satisfies), fields: fields}
	cache.mu.Unlock()
	return fields, true
}

// key identifies, in part, a selection set (its first and last elements and
// its length) and the implementors it is collected for; the entry holds both
// whole, compared on every lookup. A field selected both in a fragment and
// directly collects the fragment's selections followed by its own, so two
// such sets can share their first element and length and differ after it.
// The entry holds the set's selections, so their addresses are not reused
// while it lives.
type key struct {
	first, last ast.Selection
	length      int
	satisfiesN  int
	satisfies0  string
}

type entry struct {
	sel       ast.SelectionSet
	satisfies []string
	fields    []graphql.CollectedField
}

// SameSelections reports whether a and b hold the same selections, in order.
func SameSelections(a, b ast.SelectionSet) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// cache is the shared collection.
var cache struct {
	mu      sync.RWMutex
	entries map[key]entry
}

// maxEntries bounds the cache; past it, it starts afresh.
const maxEntries = 4096

// WithoutDirectives reports whether collecting sel reads no directive:
// none on its fields, inline fragments, fragment spreads or the fragments
// they spread (followed to the depth validation allows, bounded here).
func WithoutDirectives(doc *ast.QueryDocument, sel ast.SelectionSet, depth int) bool {
	if depth > 32 {
		return false
	}
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if len(s.Directives) > 0 {
				return false
			}
		case *ast.InlineFragment:
			if len(s.Directives) > 0 || !WithoutDirectives(doc, s.SelectionSet, depth+1) {
				return false
			}
		case *ast.FragmentSpread:
			if len(s.Directives) > 0 || doc == nil {
				return false
			}
			f := doc.Fragments.ForName(s.Name)
			if f == nil || len(f.Directives) > 0 || !WithoutDirectives(doc, f.SelectionSet, depth+1) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
