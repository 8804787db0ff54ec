package schemadoc

import (
	"testing"

	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestWordsSpellsNamesForSentences(t *testing.T) {
	for name, want := range map[string]string{
		"createdAt":            "created at",
		"clientIP":             "client IP",
		"requestID":            "request ID",
		"HazardEvent":          "hazard event",
		"ABOVE_SCALE_INDUSTRY": "above scale industry",
		"id":                   "ID",
	} {
		t.Run(name+" reads as "+want, func(t *testing.T) {
			if got := words(name); got != want {
				t.Errorf("words(%q) = %q, want %q", name, got, want)
			}
		})
	}
}

func TestPredicatesAreDescribedByTheirSuffix(t *testing.T) {
	fields := map[string]bool{"id": true, "name": true, "createdAt": true, "closedAt": true}
	edges := map[string]*gen.Edge{
		"parent":   {Name: "parent", Unique: true},
		"children": {Name: "children"},
	}
	tests := []struct {
		field, typ, want string
	}{
		{"id", "ID", "ID equals this."},
		{"idIn", "ID", "ID is one of these."},
		{"idNotIn", "ID", "ID is none of these."},
		{"nameHasPrefix", "String", "Name starts with this text."},
		{"nameContainsFold", "String", "Name contains this text, ignoring case."},
		{"createdAtGTE", "Time", "Created at is at this time or later."},
		{"closedAtIsNil", "Boolean", "Closed at is not set."},
		{"hasParent", "Boolean", "Has a parent."},
		{"hasParentWith", "UnitWhereInput", "Has a parent matching all of these conditions."},
		{"hasChildrenWith", "UnitWhereInput", "Has at least one of its children matching all of these conditions."},
		{"or", "UnitWhereInput", "Matches when at least one of these conditions matches."},
	}
	for _, tt := range tests {
		t.Run(tt.field+" is described as "+tt.want, func(t *testing.T) {
			f := &ast.FieldDefinition{Name: tt.field, Type: ast.NamedType(tt.typ, nil)}
			if got := predicateDoc(f, fields, edges); got != tt.want {
				t.Errorf("predicateDoc(%s) = %q, want %q", tt.field, got, tt.want)
			}
		})
	}
}
