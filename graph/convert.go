package graph

import (
	"errors"

	"github.com/vikstrous/dataloadgen"
)

// The converters every resolver file shares: optional GraphQL inputs to Go
// values, and a loader's miss to null.

// deref is the string an optional input holds, or "".
func deref(s *string) string { return derefOr(s, "") }

// derefInt is the int an optional input holds, or 0.
func derefInt(p *int) int { return derefOr(p, 0) }

// derefOr is the value an optional input holds, or fallback.
func derefOr[T any](p *T, fallback T) T {
	if p == nil {
		return fallback
	}
	return *p
}

// orNil turns a loader's "not found" (absent or out of scope) into null.
func orNil[T any](v *T, err error) (*T, error) {
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	return v, err
}
