// Package schemadoc describes the GraphQL schema entgql generates. Field and
// edge descriptions come from their Comment() in ent/schema and type
// descriptions from schema.Comment annotations; Hook fills in the rest: the
// generated predicates of every *WhereInput, ordering enums, ids and
// timestamps, connection fields, enum values and the gqlgen directives, all
// from their names, so records added later are described without more work.
package schemadoc

import (
	"fmt"
	"strings"
	"unicode"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// Hook is an entgql schema hook: it describes every type, field, argument
// and enum value left without a description.
func Hook(g *gen.Graph, s *ast.Schema) error {
	nodes, err := nodesByGQLName(g)
	if err != nil {
		return err
	}
	for _, def := range s.Types {
		switch node := nodes[def.Name]; {
		case node != nil:
			describeNode(def, node)
		case def.Kind == ast.InputObject && strings.HasSuffix(def.Name, "WhereInput"):
			describeWhereInput(def, nodes[strings.TrimSuffix(def.Name, "WhereInput")])
		case def.Kind == ast.Enum && strings.HasSuffix(def.Name, "OrderField"):
			for _, v := range def.EnumValues {
				setIfEmpty(&v.Description, "Order by "+words(strings.ToLower(v.Name))+".")
			}
		case def.Kind == ast.Enum:
			if err := describeEnum(def); err != nil {
				return err
			}
		case def.Name == "Query":
			setIfEmpty(&def.Description, "The root of every read.")
		}
		for _, f := range def.Fields {
			describeCommonField(def, f)
		}
	}
	describeDirectives(s)
	return nil
}

// nodesByGQLName maps each ent type to its GraphQL type name.
func nodesByGQLName(g *gen.Graph) (map[string]*gen.Type, error) {
	nodes := make(map[string]*gen.Type, len(g.Nodes))
	for _, n := range g.Nodes {
		ant := &entgql.Annotation{}
		if raw := n.Annotations[ant.Name()]; raw != nil {
			if err := ant.Decode(raw); err != nil {
				return nil, fmt.Errorf("decode entgql annotation of %s: %w", n.Name, err)
			}
		}
		name := n.Name
		if ant.Type != "" {
			name = ant.Type
		}
		nodes[name] = n
	}
	return nodes, nil
}

// describeNode gives an entity its schema.Comment and its connection edges
// their edge comments (entgql drops them when it builds the connection).
func describeNode(def *ast.Definition, node *gen.Type) {
	if c, ok := node.Annotations["Comment"].(map[string]any); ok {
		if text, ok := c["Text"].(string); ok {
			setIfEmpty(&def.Description, text)
		}
	}
	for _, e := range node.Edges {
		if f := def.Fields.ForName(camel(e.Name)); f != nil {
			setIfEmpty(&f.Description, e.Comment())
		}
	}
}

// describeCommonField describes the fields every record shares and the
// arguments of connection fields.
func describeCommonField(def *ast.Definition, f *ast.FieldDefinition) {
	if def.Kind == ast.Object {
		switch {
		case f.Name == "id":
			setIfEmpty(&f.Description, "Global ID of the "+words(def.Name)+".")
		case f.Name == "createdAt":
			setIfEmpty(&f.Description, "When the record was created.")
		case f.Name == "updatedAt":
			setIfEmpty(&f.Description, "When the record was last changed.")
		case strings.HasSuffix(f.Name, "ID") && def.Fields.ForName(strings.TrimSuffix(f.Name, "ID")) != nil:
			setIfEmpty(&f.Description, fmt.Sprintf("ID of `%s`.", strings.TrimSuffix(f.Name, "ID")))
		case strings.HasSuffix(f.Type.Name(), "Connection"):
			setIfEmpty(&f.Description, sentence(words(strings.TrimSuffix(f.Type.Name(), "Connection")))+
				" records the viewer may read, one page at a time.")
		}
	}
	for _, a := range f.Arguments {
		setIfEmpty(&a.Description, connectionArgs[a.Name])
	}
}

var connectionArgs = map[string]string{
	"after":   "Returns the elements in the list that come after the specified cursor.",
	"first":   "Returns the first _n_ elements from the list.",
	"before":  "Returns the elements in the list that come before the specified cursor.",
	"last":    "Returns the last _n_ elements from the list.",
	"orderBy": "Ordering options for the elements returned.",
	"where":   "Filtering options for the elements returned.",
}

// describeDirectives describes gqlgen's Go-binding directives.
func describeDirectives(s *ast.Schema) {
	for name, d := range s.Directives {
		setIfEmpty(&d.Description, directiveDocs[name])
		for _, a := range d.Arguments {
			setIfEmpty(&a.Description, directiveDocs[name+"."+a.Name])
		}
	}
}

var directiveDocs = map[string]string{
	"goField":               "Code generation only: how gqlgen binds the field to Go.",
	"goField.forceResolver": "Resolve the field with a resolver method.",
	"goField.name":          "The Go field or method the field binds to.",
	"goField.omittable":     "Bind the input field to an omittable Go value.",
	"goModel":               "Code generation only: the Go type the GraphQL type binds to.",
	"goModel.model":         "The Go type, as package path and name.",
	"goModel.models":        "Several Go types, the first that fits is used.",
	"goModel.forceGenerate": "Generate the Go type even though it is bound.",
}

func setIfEmpty(dst *string, text string) {
	if strings.TrimSpace(*dst) == "" {
		*dst = text
	}
}

// camel turns an ent name (snake_case) into its GraphQL name.
func camel(snake string) string {
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		switch parts[i] {
		case "id", "ip":
			parts[i] = strings.ToUpper(parts[i])
		default:
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// words spells a camelCase, PascalCase or snake_case name as lower-case
// words ("createdAt" → "created at", "HazardEvent" → "hazard event"),
// keeping ID and IP upper-case.
func words(name string) string {
	var b strings.Builder
	runes := []rune(name)
	for i, r := range runes {
		switch {
		case r == '_':
			b.WriteRune(' ')
			continue
		case i > 0 && unicode.IsUpper(r) && !unicode.IsUpper(runes[i-1]):
			b.WriteRune(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	out := strings.Fields(b.String())
	for i, w := range out {
		if w == "id" || w == "ip" {
			out[i] = strings.ToUpper(w)
		}
	}
	return strings.Join(out, " ")
}

// sentence capitalises the first letter of text.
func sentence(text string) string {
	if text == "" {
		return text
	}
	r := []rune(text)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
