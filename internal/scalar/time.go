// Package scalar holds GraphQL scalar marshalers whose input errors must
// reach clients as BAD_USER_INPUT rather than internal errors.
package scalar

import (
	"io"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dutychain/dutychain/internal/apperr"
)

// MarshalTime writes an RFC 3339 timestamp (nanoseconds when it has them),
// null for the zero time, as graphql.MarshalTime does, but formatted into
// the response's buffer instead of two intermediate strings.
func MarshalTime(t time.Time) graphql.Marshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) { WriteTime(w, t) })
}

// WriteTime writes t as MarshalTime's marshaler does.
func WriteTime(w io.Writer, t time.Time) {
	b := append(SpareBuffer(w), '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	_, _ = w.Write(append(b, '"'))
}

// SpareBuffer returns w's unused capacity to append a value into before
// writing it, when w is a *bytes.Buffer as gqlgen's responses are; else nil.
// Appending there and writing the result costs no allocation.
func SpareBuffer(w io.Writer) []byte {
	if b, ok := w.(interface{ AvailableBuffer() []byte }); ok {
		return b.AvailableBuffer()
	}
	return nil
}

// UnmarshalTime reads an RFC 3339 timestamp.
func UnmarshalTime(v any) (time.Time, error) {
	t, err := graphql.UnmarshalTime(v)
	if err != nil {
		return time.Time{}, &apperr.Error{Code: apperr.BadUserInput, Message: "a Time is an RFC 3339 timestamp such as 2022-01-01T00:00:00Z", Err: err}
	}
	return t, nil
}
