// Package gid encodes ent's globally unique integer ids as opaque GraphQL IDs.
//
// With ent's sql/globalid feature every table owns a range of 1<<32 ids, so an
// id alone names its type; the opaque form only hides that structure from
// clients, who must treat IDs as strings they did not build.
package gid

import (
	"encoding/base64"
	"io"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/scalar"
)

const prefix = "dc:"

// Encode returns the opaque form of id.
func Encode(id int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + strconv.Itoa(id)))
}

// ErrMalformed is returned for an ID the server did not issue.
var ErrMalformed = &apperr.Error{Code: apperr.BadUserInput, Message: "malformed ID"}

// Decode returns the integer id behind an opaque ID.
func Decode(s string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(raw), prefix) {
		return 0, ErrMalformed
	}
	id, err := strconv.Atoi(string(raw[len(prefix):]))
	if err != nil || id <= 0 {
		return 0, ErrMalformed
	}
	return id, nil
}

// MarshalID is gqlgen's marshaler for the ID scalar.
func MarshalID(id int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { WriteID(w, id) })
}

// WriteID writes the opaque form of id as a JSON string, formatted into w's
// spare buffer (scalar.SpareBuffer) rather than intermediate strings.
func WriteID(w io.Writer, id int) {
	var raw [len(prefix) + 20]byte
	b := append(scalar.SpareBuffer(w), '"')
	b = base64.RawURLEncoding.AppendEncode(b, strconv.AppendInt(append(raw[:0], prefix...), int64(id), 10))
	_, _ = w.Write(append(b, '"'))
}

// UnmarshalID is gqlgen's unmarshaler for the ID scalar.
func UnmarshalID(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		return 0, ErrMalformed
	}
	return Decode(s)
}
