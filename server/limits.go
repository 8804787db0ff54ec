package server

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/dutychain/dutychain/internal/apperr"
)

// Limits caps what one operation may ask for. Connections weigh by their
// page size, so `first: 500` under `first: 500` costs 250 000, not 2; list
// arguments weigh by their length, and nodes(ids:) multiplies its
// selection by the number of ids.
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
// it with a coded error when a limit is exceeded; the cost of an accepted
// operation is reported in the response's extensions.cost.
func (l Limits) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	w := walker{doc: rc.Doc, vars: rc.Variables, limits: l, mutation: rc.Operation.Operation == ast.Mutation}
	cost := w.cost(rc.Operation.SelectionSet, 1, nil)
	signIns := w.signIns
	if budget, ok := ctx.Value(signInBudgetKey{}).(*atomic.Int32); ok && signIns > 0 {
		signIns = int(budget.Add(int32(signIns)))
	}
	switch {
	case w.maxDepth > l.MaxDepth:
		return limitError("QUERY_TOO_DEEP", fmt.Sprintf("the query is %d levels deep; the limit is %d", w.maxDepth, l.MaxDepth))
	case w.aliases > l.MaxAliases:
		return limitError("TOO_MANY_ALIASES", fmt.Sprintf("the query uses %d aliases; the limit is %d", w.aliases, l.MaxAliases))
	case signIns > 1:
		return limitError("ONE_SIGN_IN_PER_REQUEST", fmt.Sprintf("a request may hold one login or refreshToken field (aliases and batched operations count); this one holds %d", signIns))
	case w.badPage != "":
		return limitError("PAGE_TOO_LARGE", w.badPage)
	case w.longList != "":
		return limitError("LIST_TOO_LONG", w.longList)
	case cost > l.MaxComplexity:
		e := limitError("QUERY_TOO_COMPLEX", fmt.Sprintf("the query costs %d (page sizes and list arguments multiply nested fields); the limit is %d", cost, l.MaxComplexity))
		e.Extensions["cost"] = Cost{Complexity: cost, Limit: l.MaxComplexity}
		return e
	}
	rc.Stats.SetExtension(costExtension, Cost{Complexity: cost, Limit: l.MaxComplexity})
	return nil
}

// Cost is an operation's computed complexity and the server's limit,
// reported to clients in extensions.cost.
type Cost struct {
	Complexity int `json:"complexity"`
	Limit      int `json:"limit"`
}

const costExtension = "DutychainCost"

// InterceptResponse implements graphql.ResponseInterceptor: it adds
// extensions.cost to every response of a measured operation.
func (Limits) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if graphql.HasOperationContext(ctx) {
		if c, ok := graphql.GetOperationContext(ctx).Stats.GetExtension(costExtension).(Cost); ok {
			graphql.RegisterExtension(ctx, "cost", c)
		}
	}
	return next(ctx)
}

// signInBudgetKey holds the login and refreshToken fields seen so far in one
// HTTP request (a batch), so that one request checks at most one password.
type signInBudgetKey struct{}

// signInFields are the root mutations that check a credential.
var signInFields = map[string]bool{"login": true, "refreshToken": true}

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
	// mutation and signIns count login/refreshToken root fields.
	mutation bool
	signIns  int
}

const complexityCeiling = 1 << 40

// cost returns the weighted field count of set, where each field counts once
// per item its parent connection may return. visiting holds the fragments
// being walked (nil: none yet).
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
			if depth == 1 && w.mutation && signInFields[s.Name] {
				w.signIns++
			}
			items, fanOut := w.weighArguments(s)
			mult := w.pageSize(s)
			if fanOut > 0 {
				mult = fanOut
			}
			child := w.cost(s.SelectionSet, depth+1, visiting)
			total = sat(total + sat(1+items+sat(mult*child)))
		case *ast.InlineFragment:
			total = sat(total + w.cost(s.SelectionSet, depth, visiting))
		case *ast.FragmentSpread:
			if visiting[s.Name] {
				continue
			}
			if f := w.doc.Fragments.ForName(s.Name); f != nil {
				if visiting == nil {
					visiting = map[string]bool{}
				}
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

// weighArguments returns how many list items the arguments of f hold, in
// input objects (where: {and: [{idIn: […]}]}) and variables too, and, for a
// field returning a list, its longest list argument: nodes(ids:) returns
// one item per id. It records the first list longer than MaxList.
func (w *walker) weighArguments(f *ast.Field) (items, fanOut int) {
	returnsList := f.Definition != nil && f.Definition.Type.Elem != nil
	for _, arg := range f.Arguments {
		v, err := arg.Value.Value(w.vars)
		if err != nil {
			continue
		}
		items = sat(items + listItems(v))
		if l, ok := v.([]any); ok && returnsList {
			fanOut = max(fanOut, len(l))
		}
		if w.longList != "" || w.limits.MaxList <= 0 {
			continue
		}
		if path, n := longestList(v, arg.Name, w.limits.MaxList); path != "" {
			w.longList = fmt.Sprintf("%s.%s has %d items; lists take at most %d", f.Name, path, n, w.limits.MaxList)
		}
	}
	return items, fanOut
}

// listItems counts the items of every list in v.
func listItems(v any) int {
	n := 0
	switch x := v.(type) {
	case []any:
		n = len(x)
		for _, item := range x {
			n += listItems(item)
		}
	case map[string]any:
		for _, item := range x {
			n += listItems(item)
		}
	}
	return n
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
