//go:build ignore

// entc.go generates the ent client and the entgql GraphQL schema.
// It is run by `go generate ./...` through ent/generate.go.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dutychain/dutychain/ent/schemadoc"
)

// hazardStatesAsEnum serves HazardEvent.fromState and toState as HazardState,
// as LetterEvent serves its states as LetterState; the columns stay strings
// and graph/ converts them.
func hazardStatesAsEnum(_ *gen.Graph, s *ast.Schema) error {
	ev, ok := s.Types["HazardEvent"]
	if !ok {
		return fmt.Errorf("schema hook: no HazardEvent type")
	}
	for _, f := range ev.Fields {
		switch f.Name {
		case "fromState":
			f.Type = ast.NamedType("HazardState", nil)
		case "toState":
			f.Type = ast.NonNullNamedType("HazardState", nil)
		}
	}
	return nil
}

// lenientNodeIDs marks nodes(ids:) with @lenientIDs, a Go-only directive: the
// ids are decoded one by one in the resolver, so one malformed id is a null
// entry with its own error instead of failing the whole list.
func lenientNodeIDs(_ *gen.Graph, s *ast.Schema) error {
	q, ok := s.Types["Query"]
	if !ok || q.Fields.ForName("nodes") == nil || q.Fields.ForName("nodes").Arguments.ForName("ids") == nil {
		return fmt.Errorf("schema hook: no Query.nodes(ids:)")
	}
	s.Directives["lenientIDs"] = &ast.DirectiveDefinition{
		Name:        "lenientIDs",
		Description: "lenientIDs (Go only) hands the resolver each id decoded on its own, 0 for a malformed one.",
		Locations:   []ast.DirectiveLocation{ast.LocationArgumentDefinition},
	}
	ids := q.Fields.ForName("nodes").Arguments.ForName("ids")
	ids.Directives = append(ids.Directives, &ast.Directive{Name: "lenientIDs"})
	return nil
}

// noEdgePredicates removes the has<Edge> and has<Edge>With predicates from
// every generated WhereInput: they filter by rows of another type in a
// subquery that the other type's read filter does not reach, so a caller
// could learn of rows outside their jurisdiction (whether some hazard of a
// unit has a given description). Nested connections take their own where,
// which runs through the read filter.
func noEdgePredicates(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		in, ok := s.Types[n.Name+"WhereInput"]
		if !ok {
			continue
		}
		drop := map[string]bool{}
		for _, e := range n.Edges {
			drop["has"+e.StructField()], drop["has"+e.StructField()+"With"] = true, true
		}
		kept := in.Fields[:0]
		for _, f := range in.Fields {
			if !drop[f.Name] {
				kept = append(kept, f)
			}
		}
		in.Fields = kept
	}
	return nil
}

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithConfigPath("../gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("../schema/ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(false),
		// hazardStatesAsEnum first, so schemadoc describes the served types;
		// schemadoc describes what entgql leaves undescribed: predicates,
		// ordering, ids, enum values.
		entgql.WithSchemaHook(hazardStatesAsEnum, lenientNodeIDs, noEdgePredicates, schemadoc.Hook),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./schema", &gen.Config{
		Features: []gen.Feature{
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
			gen.FeatureIntercept,
			gen.FeatureModifier,
			gen.FeatureGlobalID,
			gen.FeatureVersionedMigration,
			gen.FeatureLock,
			gen.FeatureExecQuery,
		},
	}, entc.Extensions(ex))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
	for _, file := range []string{"gql_collection.go", "gql_pagination.go"} {
		if err := collectThroughSharedCache(file); err != nil {
			log.Fatalf("entc.go: %v", err)
		}
	}
	if err := rewrite("gql_collection.go", collectionOnTheStack); err != nil {
		log.Fatalf("entc.go: %v", err)
	}
	if err := rowsInBlocksAndHolders(); err != nil {
		log.Fatalf("entc.go: %v", err)
	}
	if err := rewrite("gql_pagination.go", collectedFieldInPlace); err != nil {
		log.Fatalf("entc.go: %v", err)
	}
	if err := rewrite("gql_pagination.go", edgesInOneBlock); err != nil {
		log.Fatalf("entc.go: %v", err)
	}
}

// assignNodeRe is the start of a generated sqlAll's row assignment, which
// allocates each node on its own.
var assignNodeRe = regexp.MustCompile(`\t_spec\.Assign = func\(columns \[\]string, values \[\]any\) error \{\n\t\tnode := &(\w+)\{config: _q\.config\}\n`)

// queryNodes is a generated sqlAll's statement.
const queryNodes = "\tif err := sqlgraph.QueryNodes(ctx, _q.driver, _spec); err != nil {\n"

// scanValuesRe is a generated sqlAll's holders for a row.
var scanValuesRe = regexp.MustCompile(`\t_spec\.ScanValues = func\(columns \[\]string\) \(\[\]any, error\) \{\n\t\treturn \(\*(\w+)\)\.scanValues\(nil, columns\)\n\t\}\n`)

// rowsInBlocksAndHolders makes every query's sqlAll take its nodes from
// blocks (rows.go, nodeBlocks): a page of n rows costs a block or two rather
// than n allocations, and an edge loaded for a page (a hazard's events)
// about log n rather than one per row; scan its rows after the first into
// the first's holders (rows.go, rowHolders) rather than one new holder per
// column per row; and select its columns already qualified (rows.go,
// qualifyColumns).
func rowsInBlocksAndHolders() error {
	files, err := filepath.Glob("*_query.go")
	if err != nil {
		return fmt.Errorf("list the query files: %w", err)
	}
	n := 0
	for _, file := range files {
		err := rewrite(file, func(src []byte) ([]byte, error) {
			assigns, scans := len(assignNodeRe.FindAllIndex(src, -1)), len(scanValuesRe.FindAllIndex(src, -1))
			queries := bytes.Count(src, []byte(queryNodes))
			switch {
			case assigns == 0 && scans == 0 && queries == 0:
				return src, nil // not a node's query file
			case assigns != 1 || scans != 1 || queries != 1:
				return nil, fmt.Errorf("a sqlAll no longer scans and assigns its rows as expected: ent's templates changed; update rowsInBlocksAndHolders in ent/entc.go")
			}
			n++
			src = bytes.Replace(src, []byte(queryNodes),
				[]byte("\tqualifyColumns(_spec, _q.driver.Dialect()) // ent/entc.go, rowsInBlocksAndHolders\n"+queryNodes), 1)
			src = scanValuesRe.ReplaceAll(src, []byte("\tvar holders rowHolders // ent/entc.go, rowsInBlocksAndHolders\n"+
				"\t_spec.ScanValues = func(columns []string) ([]any, error) {\n"+
				"\t\treturn holders.scan(columns, func(c []string) ([]any, error) { return (*$1).scanValues(nil, c) })\n\t}\n"))
			return assignNodeRe.ReplaceAll(src, []byte("\tblocks := newNodeBlocks[$1](_q.ctx.Limit) // ent/entc.go, rowsInBlocksAndHolders\n"+
				"\t_spec.Assign = func(columns []string, values []any) error {\n\t\tnode := blocks.take()\n\t\tnode.config = _q.config\n")), nil
		})
		if err != nil {
			return err
		}
	}
	if n == 0 {
		return fmt.Errorf("no sqlAll allocates its nodes as expected: ent's templates changed; update rowsInBlocksAndHolders in ent/entc.go")
	}
	return nil
}

// The shapes of entgql's field collection collectionOnTheStack rewrites.
var (
	fieldSeenRe      = regexp.MustCompile(`fieldSeen( +)= make\(map\[string\]struct\{\}, len\(\w+\.Columns\)\)`)
	selectedFieldsRe = regexp.MustCompile(`selectedFields = \[\]string\{(\w+\.FieldID)\}`)
)

// collectionOnTheStack gives each type's field collection (one per
// connection a request reads) a map of the fields seen and a list of those
// selected that stay on the stack: the map was sized for all of the type's
// columns, and the list grew from one field, three or four allocations per
// collection for the handful of fields a selection names.
func collectionOnTheStack(src []byte) ([]byte, error) {
	if len(fieldSeenRe.FindAllIndex(src, -1)) == 0 || len(selectedFieldsRe.FindAllIndex(src, -1)) == 0 {
		return nil, fmt.Errorf("no field collection as expected: entgql's templates changed; update collectionOnTheStack in ent/entc.go")
	}
	src = fieldSeenRe.ReplaceAll(src, []byte("fieldSeen$1= make(map[string]struct{}, 8)"))
	return selectedFieldsRe.ReplaceAll(src, []byte("selectedFields = append(make([]string, 0, 16), $1)")), nil
}

// collectedFieldCopy is entgql's collectedField (after collectThroughSharedCache),
// which returns a copy of the field it finds: one allocation per connection
// and path a request reads.
const collectedFieldCopy = `func collectedField(ctx context.Context, path ...string) *graphql.CollectedField {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil
	}
	field := fc.Field
	oc := graphql.GetOperationContext(ctx)
walk:
	for _, name := range path {
		for _, f := range gqlcollect.Collect(oc, field.Selections, nil) {
			if f.Alias == name {
				field = f
				continue walk
			}
		}
		return nil
	}
	return &field
}`

// collectedFieldInPlace makes collectedField return the field where it
// lies, in the field context or in the collected fields (which are shared
// and read only): every caller reads it.
func collectedFieldInPlace(src []byte) ([]byte, error) {
	if !bytes.Contains(src, []byte(collectedFieldCopy)) {
		return nil, fmt.Errorf("collectedField is not as expected: entgql's templates changed; update collectedFieldInPlace in ent/entc.go")
	}
	return bytes.Replace(src, []byte(collectedFieldCopy), []byte(`// collectedField returns the field at path under ctx's field, where it lies
// (ent/entc.go, collectedFieldInPlace): callers only read it.
func collectedField(ctx context.Context, path ...string) *graphql.CollectedField {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil
	}
	field := &fc.Field
	oc := graphql.GetOperationContext(ctx)
walk:
	for _, name := range path {
		fields := gqlcollect.Collect(oc, field.Selections, nil)
		for i := range fields {
			if fields[i].Alias == name {
				field = &fields[i]
				continue walk
			}
		}
		return nil
	}
	return field
}`), 1), nil
}

// edgesRe is a generated connection's loop building one edge per node.
var edgesRe = regexp.MustCompile(`\tc\.Edges = make\(\[\]\*(\w+Edge), len\(nodes\)\)\n\tfor i := range nodes \{\n\t\tnode := nodeAt\(i\)\n\t\tc\.Edges\[i\] = &\w+Edge\{\n\t\t\tNode: +node,\n\t\t\tCursor: pager\.toCursor\(node\),\n\t\t\}\n\t\}\n`)

// edgesInOneBlock makes a connection's edges one allocation, not one each.
func edgesInOneBlock(src []byte) ([]byte, error) {
	if !edgesRe.Match(src) {
		return nil, fmt.Errorf("no connection builds its edges as expected: entgql's templates changed; update edgesInOneBlock in ent/entc.go")
	}
	return edgesRe.ReplaceAll(src, []byte("\tc.Edges = make([]*$1, len(nodes))\n\tedges := make([]$1, len(nodes)) // ent/entc.go, edgesInOneBlock\n"+
		"\tfor i := range nodes {\n\t\tnode := nodeAt(i)\n\t\tedges[i] = $1{Node: node, Cursor: pager.toCursor(node)}\n\t\tc.Edges[i] = &edges[i]\n\t}\n")), nil
}

// rewrite applies change to file and formats it.
func rewrite(file string, change func([]byte) ([]byte, error)) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	src, err = change(src)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	out, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("format %s: %w", file, err)
	}
	return os.WriteFile(file, out, 0o644)
}

// collectThroughSharedCache makes entgql's field collection in file call
// gqlcollect.Collect instead of graphql.CollectFields: the fields of a
// selection set no directive decides are then collected once for every
// operation of its document, as the graph executor's are, rather than once
// per request under a key gqlgen hashes for every lookup.
func collectThroughSharedCache(file string) error {
	const (
		call     = "graphql.CollectFields("
		ours     = "gqlcollect.Collect("
		imported = "\t\"github.com/99designs/gqlgen/graphql\"\n"
	)
	return rewrite(file, func(src []byte) ([]byte, error) {
		if !bytes.Contains(src, []byte(call)) || !bytes.Contains(src, []byte(imported)) {
			return nil, fmt.Errorf("no call of %s: entgql's templates changed; update ent/entc.go", call)
		}
		src = bytes.ReplaceAll(src, []byte(call), []byte(ours))
		return bytes.Replace(src, []byte(imported),
			[]byte(imported+"\t\"github.com/dutychain/dutychain/internal/gqlcollect\"\n"), 1), nil
	})
}
