// Package scalar holds GraphQL scalar marshalers whose input errors must
// reach clients as BAD_USER_INPUT rather than internal errors.
package scalar

import (
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dutychain/dutychain/internal/apperr"
)

// MarshalTime writes an RFC 3339 timestamp.
func MarshalTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalTime reads an RFC 3339 timestamp.
func UnmarshalTime(v any) (time.Time, error) {
	t, err := graphql.UnmarshalTime(v)
	if err != nil {
		return time.Time{}, &apperr.Error{Code: apperr.BadUserInput, Message: "a Time is an RFC 3339 timestamp such as 2022-01-01T00:00:00Z", Err: err}
	}
	return t, nil
}
