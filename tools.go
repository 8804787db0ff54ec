//go:build tools

// Package tools pins code generators so `go run` uses the go.mod versions.
package main

import (
	_ "entgo.io/contrib/entgql"
	_ "entgo.io/ent/cmd/ent"
	_ "github.com/99designs/gqlgen"
)
