package graph

import (
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// goOnlyDirectives are the code-generation directives of gqlgen and entgql:
// they mean nothing to a client, so introspection does not list them.
var goOnlyDirectives = map[string]bool{
	"goField": true, "goModel": true, "goTag": true, "goExtraField": true, "goEnum": true,
	"lenientIDs": true,
}

// IsGoOnlyDirective reports whether name is a code-generation directive.
func IsGoOnlyDirective(name string) bool { return goOnlyDirectives[name] }

// ServedSchema is the schema the server serves: the generated one without
// the declarations of the Go-only directives (introspection's
// __schema.directives). The types are shared with the generated schema.
func ServedSchema() *ast.Schema {
	generated := NewExecutableSchema(Config{}).Schema()
	served := *generated
	served.Directives = make(map[string]*ast.DirectiveDefinition, len(generated.Directives))
	for name, d := range generated.Directives {
		if !goOnlyDirectives[name] {
			served.Directives[name] = d
		}
	}
	return &served
}

// NewServedSchema is the executable schema of the server: the resolvers over
// ServedSchema.
func NewServedSchema(r *Resolver) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{Resolvers: r, Schema: ServedSchema(), Directives: DirectiveRoot{LenientIDs: lenientIDs}})
}
