//go:build ignore

// gqlgen.go runs gqlgen (gqlgen.yml) and then rewrites parts of the executor
// it generates (graph/generated.go), so that a response's objects and fields
// cost less to resolve and marshal. Each rewrite must match, or generation
// fails:
//
//   - graphql.MarshalSliceConcurrently → marshalList (exec_lists.go): a list
//     whose selection reaches no resolver of this package is marshalled on the
//     request's goroutine instead of one goroutine per element;
//   - graphql.NewDeferredGroup(ctx) → newDeferredGroup(ctx, ec.OperationContext):
//     the @defer bookkeeping (with the object's path) is built only for a
//     document that can contain @defer;
//   - an object without @defer is written by objectJSON (exec_objects.go)
//     instead of its *graphql.FieldSet, without a map and closures per object
//     (the roots; the others by their objectOut, below);
//   - a query's response is written into a buffer sized like the last one
//     (newResponseBuffer, exec_objects.go) rather than grown from empty;
//   - graphql.CollectFields → ec.collected.collect (exec_objects.go): the
//     fields an object's selection collects, cached per operation under the
//     selection's identity rather than a key hashed per object;
//   - an object other than the roots keeps its values in an objectOut
//     (exec_objects.go), which also writes it, instead of a *graphql.FieldSet:
//     one allocation rather than three per object, and a FieldSet only once a
//     field is resolved concurrently (objectOuts);
//   - a field read straight from a Go struct field (no resolver, method,
//     arguments or directive) skips graphql.ResolveField and the field
//     middlewares (plainFields): a scalar is marshalled from the row by a
//     marshaler pointing at it (exec_scalars.go), an object or a list keeps
//     its field context (resolvePlainField).
//
// It also writes graph/resolver_fields.go: the fields, per GraphQL type, that
// resolvers of this package resolve (marshalList's test). Run from the
// module root: go run ./graph/gqlgen.go (ent/generate.go does, after ent).
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"go/types"
	"log"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	"github.com/vektah/gqlparser/v2/ast"
)

// substitutions are the executor's texts gqlgen.go replaces; each must occur.
var substitutions = []struct{ old, new string }{
	{"graphql.MarshalSliceConcurrently(ctx, ", "marshalList(ctx, "},
	{"graphql.NewDeferredGroup(ctx)", "newDeferredGroup(ctx, ec.OperationContext)"},
	{"\t\tec.ProcessDeferredGroup(deferred)\n\t}\n\n\treturn out\n}",
		"\t\tec.ProcessDeferredGroup(deferred)\n\t\treturn out\n\t}\n\n\treturn objectJSON{fields, out.Values}\n}"},
	{"type executionContext struct {\n\t*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]\n}",
		"type executionContext struct {\n\t*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]\n\tcollected collectedFields // exec_objects.go\n}"},
	{"graphql.CollectFields(ec.OperationContext, sel, ", "ec.collected.collect(ec.OperationContext, sel, "},
	{"\t\t\tvar buf bytes.Buffer\n\t\t\tdata.MarshalGQL(&buf)\n\t\t\tresponse.Data = buf.Bytes()\n",
		"\t\t\tbuf := newResponseBuffer()\n\t\t\tdata.MarshalGQL(buf)\n\t\t\tresponse.Data = keepResponseSize(buf.Bytes())\n"},
}

func main() {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		log.Fatalf("gqlgen.go: load gqlgen.yml: %v", err)
	}
	if err := api.Generate(cfg, api.AddPlugin(resolverFields{file: "graph/resolver_fields.go"})); err != nil {
		log.Fatalf("gqlgen.go: generate: %v", err)
	}
	if err := substitute(cfg.Exec.Filename); err != nil {
		log.Fatalf("gqlgen.go: %v", err)
	}
}

// substitute applies substitutions to the generated executor in file.
func substitute(file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read executor: %w", err)
	}
	for _, s := range substitutions {
		if !bytes.Contains(src, []byte(s.old)) {
			return fmt.Errorf("%s no longer contains %q: gqlgen's templates changed; update graph/gqlgen.go and graph/exec_lists.go", file, s.old)
		}
		src = bytes.ReplaceAll(src, []byte(s.old), []byte(s.new))
	}
	src, n := plainFields(src)
	if n == 0 {
		return fmt.Errorf("%s: no plain scalar field matched: gqlgen's templates changed; update plainFields in graph/gqlgen.go", file)
	}
	src, n = objectOuts(src)
	if n == 0 {
		return fmt.Errorf("%s: no object matched: gqlgen's templates changed; update objectOuts in graph/gqlgen.go", file)
	}
	out, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("format executor: %w", err)
	}
	return os.WriteFile(file, out, 0o644)
}

// resolverFields is the gqlgen plugin writing resolver_fields.go.
type resolverFields struct{ file string }

func (resolverFields) Name() string { return "resolverfields" }

// GenerateCode writes, per object, its fields that may wait on something
// other than the rows already loaded: resolvers of this package (they may
// use the request's batch loaders) and methods taking a context on types
// outside ent (ent's context methods read edges entgql loaded, or query).
// An interface or union lists the fields of all its implementors.
func (p resolverFields) GenerateCode(data *codegen.Data) error {
	byType := map[string][]string{}
	for _, o := range data.Objects {
		if o.Root {
			continue
		}
		for _, f := range o.Fields {
			if f.IsResolver || (f.MethodHasContext && !inEnt(o.Type)) {
				byType[o.Name] = append(byType[o.Name], f.Name)
			}
		}
	}
	for _, def := range data.Schema.Types {
		if def.Kind != ast.Interface && def.Kind != ast.Union {
			continue
		}
		for _, impl := range data.Schema.GetPossibleTypes(def) {
			byType[def.Name] = append(byType[def.Name], byType[impl.Name]...)
		}
	}
	names := make([]string, 0, len(byType))
	for name, fields := range byType {
		if len(fields) > 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("// Code generated by graph/gqlgen.go. DO NOT EDIT.\n\npackage graph\n\n")
	b.WriteString("// resolverFields lists, per GraphQL type, the fields that may wait on more\n")
	b.WriteString("// than the rows already loaded: resolvers of this package and context\n")
	b.WriteString("// methods outside ent. An interface or union has those of its implementors.\n")
	b.WriteString("var resolverFields = map[string]map[string]bool{\n")
	for _, name := range names {
		fields := slices.Compact(slices.Sorted(slices.Values(byType[name])))
		fmt.Fprintf(&b, "\t%q: {", name)
		for i, f := range fields {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q: true", f)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	out, err := format.Source([]byte(b.String()))
	if err != nil {
		return fmt.Errorf("format %s: %w", p.file, err)
	}
	return os.WriteFile(p.file, out, 0o644)
}

// inEnt reports whether t (or what it points to) is declared in the ent package.
func inEnt(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "github.com/dutychain/dutychain/ent"
}

// The executor's shapes plainFields recognises, as gqlgen v0.17 writes them.
var (
	// scalarContextRe: a field context with no arguments, method or resolver.
	scalarContextRe = regexp.MustCompile(`func \(ec \*executionContext\) (fieldContext_[^\s(]+)\(_ context\.Context, field graphql\.CollectedField\) \(fc \*graphql\.FieldContext, err error\) \{\n\treturn graphql\.NewScalarFieldContext\("[^"]+", field, false, false, "[^"]+"\)\n\}`)
	// objectContextRe: the field context of a plain field of an object type,
	// with no arguments, method or resolver.
	objectContextRe = regexp.MustCompile(`func \(ec \*executionContext\) (fieldContext_[^\s(]+)\(_ context\.Context, field graphql\.CollectedField\) \(fc \*graphql\.FieldContext, err error\) \{\n\tfc = &graphql\.FieldContext\{\n\t\tObject: +"[^"]+",\n\t\tField: +field,\n\t\tIsMethod: +false,\n\t\tIsResolver: +false,\n\t\tChild: func\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n\t\t\treturn ec\.childFields_[^\s(]+\(ctx, field\)\n\t\t\},\n\t\}\n\treturn fc, nil\n\}`)
	// funcMarshalRe: a scalar marshalled by a function of its value alone;
	// a null result is the only case that reports an error.
	funcMarshalRe = regexp.MustCompile(`func \(ec \*executionContext\) (marshal[NO][^\s(]+)\(ctx context\.Context, sel ast\.SelectionSet, v [^*\[)][^)]*\) graphql\.Marshaler \{\n\t_ = sel\n(?:\t_ = ctx\n)?\tres := ([\w.]+)\(v\)\n(?:\tif res == graphql\.Null \{\n\t\tgraphql\.AddInvalidNullFromMarshaler\(ctx, "[^"]+"\)\n\t\}\n)?\treturn res\n\}`)
	// valueMarshalRe: a value that marshals itself (an enum), never null.
	valueMarshalRe = regexp.MustCompile(`func \(ec \*executionContext\) (marshal[NO][^\s(]+)\(ctx context\.Context, sel ast\.SelectionSet, v [^*\[)][^)]*\) graphql\.Marshaler \{\n\treturn v\n\}`)
	// plainFieldRe: a field resolved by reading a struct field of obj.
	plainFieldRe = regexp.MustCompile(`(func \(ec \*executionContext\) _[^\s(]+\(ctx context\.Context, field graphql\.CollectedField, obj \*[^)]+\) \(ret graphql\.Marshaler\) \{\n)(\treturn graphql\.ResolveField\(\n\t\tctx,\n\t\tec\.OperationContext,\n\t\tfield,\n\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n\t\t\treturn ec\.(fieldContext_[^\s(]+)\(ctx, field\)\n\t\t\},\n\t\tfunc\(ctx context\.Context\) \(any, error\) \{\n\t\t\treturn (obj(?:\.\w+)+), nil\n\t\t\},\n\t\tnil,\n\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v ([^)]+)\) graphql\.Marshaler \{\n\t\t\treturn ec\.(marshal[^\s(]+)\(ctx, selections, v\)\n\t\t\},\n\t\t(true|false),\n\t\t(?:true|false),\n\t\)\n\})`)
)

// marshalAt maps a scalar's marshal function to its marshaler that points at
// the value in the row (graph/exec_scalars.go), with the Go type it takes.
var marshalAt = map[string]struct{ helper, goType string }{
	"graphql.MarshalString":  {"marshalStringAt", "string"},
	"graphql.MarshalInt":     {"marshalIntAt", "int"},
	"graphql.MarshalInt64":   {"marshalInt64At", "int64"},
	"graphql.MarshalBoolean": {"marshalBooleanAt", "bool"},
	"scalar.MarshalTime":     {"marshalTimeAt", "time.Time"},
	"gid.MarshalID":          {"marshalIDAt", "int"},
}

// plainFields gives every plain field of the executor src (one read from
// a struct field of obj: no resolver, method, arguments or directive) a
// shorter path, and returns how many it changed.
//
// gqlgen resolves every field through graphql.ResolveField: a field context,
// a context value, closures for the resolver and each field middleware, and
// the value boxed in an interface, about ten allocations for reading a
// struct field. A struct field has nothing to resolve and cannot fail, and
// the server's field middlewares leave such fields alone (server.go, where
// they are installed), so a shorter path answers the same:
//   - a scalar is marshalled straight from the row, with no field context
//     (its marshaler has no use for one). When the value marshals to null (a
//     zero Time in a non-null field), the field goes through gqlgen's path,
//     which reports the error with the field's path;
//   - an object or a list keeps its field context, which its children's
//     paths and errors hang from, but skips the resolver and middleware
//     closures (resolvePlainField).
func plainFields(src []byte) ([]byte, int) {
	scalarContexts := map[string]bool{}
	for _, m := range scalarContextRe.FindAllSubmatch(src, -1) {
		scalarContexts[string(m[1])] = true
	}
	objectContexts := map[string]bool{}
	for _, m := range objectContextRe.FindAllSubmatch(src, -1) {
		objectContexts[string(m[1])] = true
	}
	byFunc := map[string]string{} // marshal function → marshaller of the value
	for _, m := range funcMarshalRe.FindAllSubmatch(src, -1) {
		byFunc[string(m[1])] = string(m[2])
	}
	selfMarshalling := map[string]bool{}
	for _, m := range valueMarshalRe.FindAllSubmatch(src, -1) {
		selfMarshalling[string(m[1])] = true
	}
	n := 0
	out := plainFieldRe.ReplaceAllFunc(src, func(match []byte) []byte {
		m := plainFieldRe.FindSubmatch(match)
		header, body, fieldContext, value, goType, marshal, recovers := m[1], m[2], string(m[3]), string(m[4]), string(m[5]), string(m[6]), string(m[7])
		const why = "\t// A plain struct field (graph/gqlgen.go, plainFields).\n"
		if objectContexts[fieldContext] && (strings.HasPrefix(goType, "*") || strings.HasPrefix(goType, "[]")) {
			n++
			return slices.Concat(header, []byte(why+"\treturn resolvePlainField(ctx, ec.OperationContext, field, ec."+fieldContext+
				", "+value+", ec."+marshal+", "+recovers+")\n}"))
		}
		if !scalarContexts[fieldContext] {
			return match
		}
		switch {
		case selfMarshalling[marshal]:
			// A pointer to the enum in the row: a Marshaler, boxed for free.
			n++
			return slices.Concat(header, []byte(why+"\treturn &"+value+"\n}"))
		case byFunc[marshal] != "":
			n++
			call := byFunc[marshal] + "(" + value + ")"
			if at, ok := marshalAt[byFunc[marshal]]; ok && at.goType == goType {
				call = at.helper + "(&" + value + ")"
			}
			fast := "\tif res := " + call + "; res != graphql.Null {\n\t\treturn res\n\t}\n"
			return slices.Concat(header, []byte(why+fast), body)
		default:
			return match
		}
	})
	return out, n
}

// objectFuncRe matches an object's function in the executor (after the
// substitutions above).
var objectFuncRe = regexp.MustCompile(`(?s)\nfunc \(ec \*executionContext\) _\w+\(ctx context\.Context, sel ast\.SelectionSet[^\n]*\) graphql\.Marshaler \{\n.*?\n\}\n`)

// objectOuts rewrites the objects whose *graphql.FieldSet the executor uses
// only for its values, its count of invalid ones, Dispatch and
// ResolveConcurrently (every object but the roots): an objectOut
// (exec_objects.go) stands for it and is the object's writer too, one
// allocation where gqlgen makes three, and a FieldSet only once a field is
// resolved concurrently. An object with @defer returns the FieldSet made from
// it (objectOut.fieldSet). A function using the FieldSet otherwise is left
// as it is.
func objectOuts(src []byte) ([]byte, int) {
	const (
		newSet   = "\tout := graphql.NewFieldSet(fields)\n"
		ours     = "\tout := newObjectOut(fields) // graph/gqlgen.go, objectOuts\n"
		dispatch = "\tout.Dispatch(ctx)\n"
		deferred = "\t\treturn out\n"
		asSet    = "\t\treturn out.fieldSet()\n"
		written  = "\treturn objectJSON{fields, out.Values}\n}\n"
		itself   = "\treturn out\n}\n"
	)
	uses := regexp.MustCompile(`\bout\b(\.\w+)?`)
	n := 0
	out := objectFuncRe.ReplaceAllFunc(src, func(fn []byte) []byte {
		for _, once := range []string{newSet, dispatch, deferred, written} {
			if bytes.Count(fn, []byte(once)) != 1 {
				return fn
			}
		}
		for _, m := range uses.FindAllSubmatch(fn, -1) {
			switch string(m[1]) {
			case "", ".Values", ".Invalids", ".Dispatch", ".ResolveConcurrently":
			default:
				return fn // out.ResolveRootConcurrently and the like: a real FieldSet
			}
		}
		n++
		fn = bytes.Replace(fn, []byte(newSet), []byte(ours), 1)
		fn = bytes.Replace(fn, []byte(deferred), []byte(asSet), 1)
		return bytes.Replace(fn, []byte(written), []byte(itself), 1)
	})
	return out, n
}
