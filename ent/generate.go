// Package ent holds the generated ent client; the schema lives in ent/schema.
//
// The single ordered generation entry: ent (and the entgql SDL) first, then gqlgen
// through graph/gqlgen.go (gqlgen with two substitutions in its executor).
package ent

//go:generate go run entc.go
//go:generate sh -c "cd .. && go run ./graph/gqlgen.go"
