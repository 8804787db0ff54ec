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
}

// collectThroughSharedCache makes entgql's field collection in file call
// gqlcollect.Collect instead of graphql.CollectFields: the fields of a
// selection set no directive decides are then collected once for every
// operation of its document, as the graph executor's are, rather than once
// per request under a key gqlgen hashes for every lookup.
func collectThroughSharedCache(file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	const (
		call     = "graphql.CollectFields("
		ours     = "gqlcollect.Collect("
		imported = "\t\"github.com/99designs/gqlgen/graphql\"\n"
	)
	if !bytes.Contains(src, []byte(call)) || !bytes.Contains(src, []byte(imported)) {
		return fmt.Errorf("%s no longer calls %s: entgql's templates changed; update ent/entc.go", file, call)
	}
	src = bytes.ReplaceAll(src, []byte(call), []byte(ours))
	src = bytes.Replace(src, []byte(imported),
		[]byte(imported+"\t\"github.com/dutychain/dutychain/internal/gqlcollect\"\n"), 1)
	out, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("format %s: %w", file, err)
	}
	return os.WriteFile(file, out, 0o644)
}
