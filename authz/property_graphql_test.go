package authz_test

// Running mutations of the served schema the way a client does: one
// in-process gqlgen executor over the same resolvers and services the server
// wires, with the viewer in the context. Queries and variables are built
// from the schema itself (its arguments and input types), so a new mutation
// or a changed argument shape is run without touching the property.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/app"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/gid"
)

// gqlRunner executes operations against the schema with the resolvers the
// server uses.
type gqlRunner struct {
	exec   *executor.Executor
	schema *ast.Schema
	// now is the clock the services read; the property moves it per case.
	now time.Time
}

func newGQLRunner(t testing.TB, client *ent.Client, store *authz.Store, dialect string) *gqlRunner {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	keys, err := auth.LoadKeySet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := files.OpenDirStore(cfg.FilesDir())
	if err != nil {
		t.Fatal(err)
	}
	g := &gqlRunner{}
	now := func() time.Time { return g.now }
	authSvc := auth.NewService(client, keys, cfg)
	authSvc.Now = now
	fileSvc := &files.Service{Store: blobs, MaxBytes: cfg.MaxUploadBytes}
	es := graph.NewExecutableSchema(graph.Config{Resolvers: app.NewResolver(client, dialect, authSvc, store, fileSvc, now, 100)})
	g.exec, g.schema = executor.New(es), es.Schema()
	g.exec.SetRecoverFunc(func(_ context.Context, p any) error { return fmt.Errorf("panic: %v", p) })
	return g
}

// errNoID: no object of the kind an ID argument names exists yet.
var errNoID = errors.New("no object to name")

// errPanic marks a resolver panic: always a defect.
var errPanic = errors.New("resolver panicked")

// do runs one operation and returns its data, or the first error (the
// resolver's own error, so its code can be read).
func (g *gqlRunner) do(ctx context.Context, query string, vars map[string]any) (json.RawMessage, error) {
	ctx = graphql.StartOperationTrace(ctx)
	oc, errs := g.exec.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: vars})
	if errs != nil {
		return nil, apperr.Invalid("", errs.Error())
	}
	h, ctx := g.exec.DispatchOperation(graphql.WithOperationContext(ctx, oc), oc)
	resp := h(ctx)
	if len(resp.Errors) > 0 {
		e := resp.Errors[0]
		if strings.HasPrefix(e.Message, "panic: ") || (e.Err != nil && strings.HasPrefix(e.Err.Error(), "panic: ")) {
			return nil, fmt.Errorf("%w: %s", errPanic, e.Message)
		}
		if e.Err != nil {
			return nil, e.Err
		}
		return nil, e
	}
	return resp.Data, nil
}

// mutationCall is one mutation with generated arguments.
type mutationCall struct {
	query string
	vars  map[string]any
	// refs are the object ids the arguments name.
	refs []int
}

// valueGen fills one named value of a type: an ID, a string, an Int… The
// property supplies it (property_mutations_test.go); the walk over types
// is here.
type valueGen interface {
	id(owner, field string) (int, bool)
	scalar(owner, field, typ string) (any, bool)
	enum(field string, values []string) string
	optional(field string) bool
	listLen(field string) int
}

// call builds mutation m with arguments drawn by gen: every required
// argument and input field, the optional ones when gen says so.
func (g *gqlRunner) call(m *ast.FieldDefinition, gen valueGen) (mutationCall, error) {
	c := mutationCall{vars: map[string]any{}}
	var decl, args []string
	for i, a := range m.Arguments {
		if !a.Type.NonNull && !gen.optional(a.Name) {
			continue
		}
		v, err := g.value(m.Name, a.Name, a.Type, gen, &c.refs)
		if err != nil {
			return c, fmt.Errorf("%s(%s): %w", m.Name, a.Name, err)
		}
		name := fmt.Sprintf("a%d", i)
		c.vars[name] = v
		decl = append(decl, "$"+name+": "+a.Type.String())
		args = append(args, a.Name+": $"+name)
	}
	head, call := "mutation", m.Name
	if len(decl) > 0 {
		head += "(" + strings.Join(decl, ", ") + ")"
		call += "(" + strings.Join(args, ", ") + ")"
	}
	c.query = head + " { " + call + g.selection(m.Type, 2) + " }"
	return c, nil
}

func (g *gqlRunner) value(owner, field string, t *ast.Type, gen valueGen, refs *[]int) (any, error) {
	if t.Elem != nil {
		n := gen.listLen(field)
		if t.NonNull && n == 0 {
			n = 1
		}
		out := make([]any, 0, n)
		for range n {
			v, err := g.value(owner, field, t.Elem, gen, refs)
			if errors.Is(err, errNoID) {
				break // nothing of that kind yet: a shorter list
			}
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	def := g.schema.Types[t.NamedType]
	switch {
	case def == nil:
		return nil, fmt.Errorf("unknown type %s", t.NamedType)
	case def.Kind == ast.Enum:
		values := make([]string, len(def.EnumValues))
		for i, v := range def.EnumValues {
			values[i] = v.Name
		}
		return gen.enum(field, values), nil
	case def.Kind == ast.InputObject:
		obj := map[string]any{}
		for _, f := range def.Fields {
			if !f.Type.NonNull && !gen.optional(f.Name) {
				continue
			}
			v, err := g.value(owner, f.Name, f.Type, gen, refs)
			if err != nil {
				return nil, err
			}
			obj[f.Name] = v
		}
		return obj, nil
	case t.NamedType == "ID":
		id, ok := gen.id(owner, field)
		if !ok {
			return nil, errNoID
		}
		*refs = append(*refs, id)
		return gid.Encode(id), nil
	}
	v, ok := gen.scalar(owner, field, t.NamedType)
	if !ok {
		return nil, fmt.Errorf("no value for %s %s.%s", t.NamedType, owner, field)
	}
	return v, nil
}

// selection asks for __typename, id and the ids of the objects a payload
// holds: enough to find what changed, whatever the result's shape.
func (g *gqlRunner) selection(t *ast.Type, depth int) string {
	for t.Elem != nil {
		t = t.Elem
	}
	def := g.schema.Types[t.NamedType]
	if def == nil || (def.Kind != ast.Object && def.Kind != ast.Interface) {
		return ""
	}
	parts := []string{"__typename"}
	for _, f := range def.Fields {
		if f.Name == "id" {
			parts = append(parts, "id")
		}
	}
	if depth > 1 {
		for _, f := range def.Fields {
			if len(f.Arguments) > 0 || strings.HasPrefix(f.Name, "__") {
				continue
			}
			if sub := g.selection(f.Type, depth-1); sub != "" && strings.Contains(sub, " id") {
				parts = append(parts, f.Name+sub)
			}
		}
	}
	return " { " + strings.Join(parts, " ") + " }"
}

// changedIDs reads every object id in a mutation's result, outermost first.
func changedIDs(data json.RawMessage) []int {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return nil
	}
	var out []int
	var walk func(any)
	walk = func(x any) {
		switch y := x.(type) {
		case map[string]any:
			if s, ok := y["id"].(string); ok {
				if id, err := gid.Decode(s); err == nil {
					out = append(out, id)
				}
			}
			for k, z := range y {
				if k != "id" {
					walk(z)
				}
			}
		case []any:
			for _, z := range y {
				walk(z)
			}
		case string:
			if id, err := gid.Decode(y); err == nil {
				out = append(out, id) // a mutation returning a bare ID
			}
		}
	}
	walk(v)
	return out
}
