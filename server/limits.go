package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dutychain/dutychain/internal/apperr"
)

// Limits caps what one operation may ask for. Connections weigh by their
// page size, so `first: 500` under `first: 500` costs 250 000, not 2.
type Limits struct {
	MaxDepth      int
	MaxComplexity int
	MaxAliases    int
	DefaultPage   int
	MaxPage       int
	// MaxList caps every list in arguments (ids, idIn, …): long lists
	// would exceed the databases' bind-parameter limits.
	MaxList int
}

// ExtensionName implements graphql.HandlerExtension.
func (Limits) ExtensionName() string { return "DutychainLimits" }

// Validate implements graphql.HandlerExtension.
func (Limits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext measures the operation before it runs and refuses
// it with a coded error when a limit is exceeded.
func (l Limits) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	w := walker{doc: rc.Doc, vars: rc.Variables, limits: l}
	cost := w.cost(rc.Operation.SelectionSet, 1, map[string]bool{})
	switch {
	case w.maxDepth > l.MaxDepth:
		return limitError("QUERY_TOO_DEEP", fmt.Sprintf("the query is %d levels deep; the limit is %d", w.maxDepth, l.MaxDepth))
	case w.aliases > l.MaxAliases:
		return limitError("TOO_MANY_ALIASES", fmt.Sprintf("the query uses %d aliases; the limit is %d", w.aliases, l.MaxAliases))
	case cost > l.MaxComplexity:
		return limitError("QUERY_TOO_COMPLEX", fmt.Sprintf("the query costs %d (page sizes multiply nested fields); the limit is %d", cost, l.MaxComplexity))
	case w.badPage != "":
		return limitError("PAGE_TOO_LARGE", w.badPage)
	case w.longList != "":
		return limitError("LIST_TOO_LONG", w.longList)
	}
	return nil
}

func limitError(reason, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(apperr.BadUserInput), "reason": reason}}
}

type walker struct {
	doc      *ast.QueryDocument
	vars     map[string]any
	limits   Limits
	depth    int
	maxDepth int
	aliases  int
	badPage  string
	longList string
}

const complexityCeiling = 1 << 40

// cost returns the weighted field count of set, where each field counts once
// per item its parent connection may return.
func (w *walker) cost(set ast.SelectionSet, depth int, visiting map[string]bool) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue // introspection is bounded by the schema and the token limit
			}
			if s.Alias != "" && s.Alias != s.Name {
				w.aliases++
			}
			if depth > w.maxDepth {
				w.maxDepth = depth
			}
			w.checkLists(s)
			mult := w.pageSize(s)
			child := w.cost(s.SelectionSet, depth+1, visiting)
			total = sat(total + sat(1+sat(mult*child)))
		case *ast.InlineFragment:
			total = sat(total + w.cost(s.SelectionSet, depth, visiting))
		case *ast.FragmentSpread:
			if visiting[s.Name] {
				continue
			}
			if f := w.doc.Fragments.ForName(s.Name); f != nil {
				visiting[s.Name] = true
				total = sat(total + w.cost(f.SelectionSet, depth, visiting))
				delete(visiting, s.Name)
			}
		}
	}
	return total
}

func sat(n int) int {
	if n > complexityCeiling || n < 0 {
		return complexityCeiling
	}
	return n
}

// pageSize is the number of items a field may return: its first/last
// argument, the default page for a connection without one, else 1.
func (w *walker) pageSize(f *ast.Field) int {
	size := 0
	for _, name := range []string{"first", "last"} {
		arg := f.Arguments.ForName(name)
		if arg == nil {
			continue
		}
		v, err := arg.Value.Value(w.vars)
		if err != nil || v == nil {
			continue
		}
		n, ok := toInt(v)
		if !ok {
			continue
		}
		if n > w.limits.MaxPage && w.badPage == "" {
			w.badPage = fmt.Sprintf("%s: %d on %s exceeds the maximum page size %d", name, n, f.Name, w.limits.MaxPage)
		}
		size = max(size, n)
	}
	if size > 0 {
		return size
	}
	if f.Definition != nil && strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
		return w.limits.DefaultPage
	}
	return 1
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	}
	return 0, false
}

// pageSizeMiddleware gives every connection without first/last the default
// page size and refuses one above the maximum, so no list is unbounded.
func pageSizeMiddleware(l Limits) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		if fc == nil || fc.Field.Definition == nil || !strings.HasSuffix(fc.Field.Definition.Type.Name(), "Connection") {
			return next(ctx)
		}
		first, _ := fc.Args["first"].(*int)
		last, _ := fc.Args["last"].(*int)
		for name, p := range map[string]*int{"first": first, "last": last} {
			if p == nil {
				continue
			}
			if *p < 0 {
				return nil, &apperr.Error{Code: apperr.BadUserInput, Field: name, Message: name + " must not be negative"}
			}
			if *p > l.MaxPage {
				return nil, &apperr.Error{Code: apperr.BadUserInput, Field: name, Reason: "PAGE_TOO_LARGE",
					Message: fmt.Sprintf("%s: %d exceeds the maximum page size %d", name, *p, l.MaxPage)}
			}
		}
		if first == nil && last == nil && fc.Args != nil {
			if _, ok := fc.Args["first"]; ok {
				n := l.DefaultPage
				fc.Args["first"] = &n
			}
		}
		return next(ctx)
	}
}

// checkLists records the first argument list longer than MaxList, looking
// into input objects (where: {and: [{idIn: […]}]}) and variables.
func (w *walker) checkLists(f *ast.Field) {
	if w.longList != "" || w.limits.MaxList <= 0 {
		return
	}
	for _, arg := range f.Arguments {
		v, err := arg.Value.Value(w.vars)
		if err != nil {
			continue
		}
		if path, n := longestList(v, arg.Name, w.limits.MaxList); path != "" {
			w.longList = fmt.Sprintf("%s.%s has %d items; lists take at most %d", f.Name, path, n, w.limits.MaxList)
			return
		}
	}
}

func longestList(v any, path string, limit int) (string, int) {
	switch x := v.(type) {
	case []any:
		if len(x) > limit {
			return path, len(x)
		}
		for _, item := range x {
			if p, n := longestList(item, path+"[]", limit); p != "" {
				return p, n
			}
		}
	case map[string]any:
		for k, item := range x {
			if p, n := longestList(item, path+"."+k, limit); p != "" {
				return p, n
			}
		}
	}
	return "", 0
}
