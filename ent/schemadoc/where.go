package schemadoc

import (
	"fmt"
	"strings"

	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// predicateSuffixes are the name endings entgql gives a field's predicates,
// longest first so that "NotIn" wins over "In" and "GTE" over "GT"; %s is
// the field, spelled as words.
var predicateSuffixes = []struct{ suffix, text, timeText string }{
	{"ContainsFold", "%s contains this text, ignoring case.", ""},
	{"EqualFold", "%s equals this text, ignoring case.", ""},
	{"HasPrefix", "%s starts with this text.", ""},
	{"HasSuffix", "%s ends with this text.", ""},
	{"Contains", "%s contains this text.", ""},
	{"NotNil", "%s is set.", ""},
	{"IsNil", "%s is not set.", ""},
	{"NotIn", "%s is none of these.", ""},
	{"NEQ", "%s differs from this.", ""},
	{"GTE", "%s is this or greater.", "%s is at this time or later."},
	{"LTE", "%s is this or less.", "%s is at this time or earlier."},
	{"GT", "%s is greater than this.", "%s is later than this."},
	{"LT", "%s is less than this.", "%s is earlier than this."},
	{"In", "%s is one of these.", ""},
}

// describeWhereInput describes the generated filter of node: the boolean
// combinators, the field predicates by their suffix and the edge
// predicates (hasX, hasXWith).
func describeWhereInput(def *ast.Definition, node *gen.Type) {
	fields := map[string]bool{"id": true}
	edges := map[string]*gen.Edge{}
	if node != nil {
		for _, f := range node.Fields {
			fields[camel(f.Name)] = true
		}
		for _, e := range node.Edges {
			edges[camel(e.Name)] = e
		}
	}
	for _, f := range def.Fields {
		// entgql heads each group with "x field predicates"; the
		// predicate's own text says more.
		if strings.HasSuffix(f.Description, " field predicates") || strings.HasSuffix(f.Description, " edge predicates") {
			f.Description = ""
		}
		setIfEmpty(&f.Description, predicateDoc(f, fields, edges))
	}
}

func predicateDoc(f *ast.FieldDefinition, fields map[string]bool, edges map[string]*gen.Edge) string {
	switch name := f.Name; {
	case name == "not":
		return "Matches when this condition does not."
	case name == "and":
		return "Matches when all of these conditions match."
	case name == "or":
		return "Matches when at least one of these conditions matches."
	case fields[name]:
		return sentence(words(name)) + " equals this."
	case strings.HasPrefix(name, "has") && strings.HasSuffix(name, "With") && len(name) > len("hasWith"):
		return edgeDoc(strings.TrimSuffix(strings.TrimPrefix(name, "has"), "With"), edges) + " matching all of these conditions."
	case strings.HasPrefix(name, "has") && len(name) > len("has") && edgeOf(name[len("has"):], edges) != nil:
		return edgeDoc(name[len("has"):], edges) + "."
	}
	for _, p := range predicateSuffixes {
		base, ok := strings.CutSuffix(f.Name, p.suffix)
		if !ok || base == "" || (!fields[base] && len(fields) > 1) {
			continue
		}
		text := p.text
		if p.timeText != "" && f.Type.Name() == "Time" {
			text = p.timeText
		}
		return fmt.Sprintf(text, sentence(words(base)))
	}
	return sentence(words(f.Name)) + " condition."
}

// edgeOf finds an edge by its GraphQL name with the first letter
// upper-cased, as it appears after "has".
func edgeOf(pascal string, edges map[string]*gen.Edge) *gen.Edge {
	if pascal == "" {
		return nil
	}
	return edges[strings.ToLower(pascal[:1])+pascal[1:]]
}

func edgeDoc(pascal string, edges map[string]*gen.Edge) string {
	name := words(pascal)
	if e := edgeOf(pascal, edges); e != nil && e.Unique {
		return "Has a " + name
	}
	return "Has at least one of its " + name
}
