// Package domain holds the vocabulary shared by the ent schema, the
// authorization layer, the services and the GraphQL API: every domain enum
// (unit kinds, sectors, roles, the states, levels, sources and actions of
// letters and hazards, …) is a Go string type declared here, with Values()
// for ent and MarshalGQL/UnmarshalGQL where the API binds it.
package domain

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/dutychain/dutychain/internal/apperr"
)

func writeQuoted(w io.Writer, s string) { _, _ = io.WriteString(w, strconv.Quote(s)) }

func unmarshalEnum(v any, values []string, dst *string, name string) error {
	s, ok := v.(string)
	if !ok {
		return &apperr.Error{Code: apperr.BadUserInput, Message: name + " must be a string"}
	}
	for _, allowed := range values {
		if s == allowed {
			*dst = s
			return nil
		}
	}
	return &apperr.Error{Code: apperr.BadUserInput, Message: fmt.Sprintf("%q is not a valid %s", s, name)}
}

// isValue reports whether s is one of values.
func isValue(values []string, s string) bool { return slices.Contains(values, s) }
