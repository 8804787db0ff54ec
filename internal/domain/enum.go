// Package domain holds the vocabulary shared by the ent schema, the
// authorization layer, the services and the GraphQL API: every domain enum
// (unit kinds, sectors, roles, the states, levels, sources and actions of
// letters and hazards, …) is a Go string type declared here, with Values()
// for ent and MarshalGQL/UnmarshalGQL where the API binds it.
package domain

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/scalar"
)

// writeQuoted writes the enum value s as a JSON string. Values are upper-case
// identifiers, which need no escape: appended into the response's buffer
// without an intermediate string. Anything else is quoted by encoding/json.
func writeQuoted(w io.Writer, s string) {
	if !isIdentifier(s) {
		quoted, _ := json.Marshal(s)
		_, _ = w.Write(quoted)
		return
	}
	b := append(scalar.SpareBuffer(w), '"')
	b = append(b, s...)
	_, _ = w.Write(append(b, '"'))
}

// isIdentifier reports whether s is made of ASCII letters, digits and '_'.
func isIdentifier(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

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
