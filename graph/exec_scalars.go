package graph

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/scalar"
)

// Marshalers for the plain scalar fields of the executor (plainScalars in
// graph/gqlgen.go) that point at the value in the loaded row. A pointer goes
// into the graphql.Marshaler interface without an allocation, where
// graphql.MarshalString and its kind allocate a closure per value. Rows are
// not changed once loaded, so writing the value when the response is
// written gives what copying it earlier would. Enums need no helper: a
// pointer to a domain enum is already a Marshaler.
type (
	stringAt  string
	intAt     int
	int64At   int64
	booleanAt bool
	timeAt    time.Time
	idAt      int
)

func marshalStringAt(p *string) graphql.Marshaler { return (*stringAt)(p) }
func marshalIntAt(p *int) graphql.Marshaler       { return (*intAt)(p) }
func marshalInt64At(p *int64) graphql.Marshaler   { return (*int64At)(p) }
func marshalBooleanAt(p *bool) graphql.Marshaler  { return (*booleanAt)(p) }
func marshalIDAt(p *int) graphql.Marshaler        { return (*idAt)(p) }

// marshalTimeAt is null for the zero time, as scalar.MarshalTime.
func marshalTimeAt(p *time.Time) graphql.Marshaler {
	if p.IsZero() {
		return graphql.Null
	}
	return (*timeAt)(p)
}

func (s *stringAt) MarshalGQL(w io.Writer) { writeJSONString(w, string(*s)) }

func (n *intAt) MarshalGQL(w io.Writer) {
	_, _ = w.Write(strconv.AppendInt(scalar.SpareBuffer(w), int64(*n), 10))
}

func (n *int64At) MarshalGQL(w io.Writer) {
	_, _ = w.Write(strconv.AppendInt(scalar.SpareBuffer(w), int64(*n), 10))
}

func (b *booleanAt) MarshalGQL(w io.Writer) {
	_, _ = w.Write(strconv.AppendBool(scalar.SpareBuffer(w), bool(*b)))
}

func (t *timeAt) MarshalGQL(w io.Writer) { scalar.WriteTime(w, time.Time(*t)) }

func (id *idAt) MarshalGQL(w io.Writer) { gid.WriteID(w, int(*id)) }

// hexDigits are those of gqlgen's \u00XX escapes.
const hexDigits = "0123456789ABCDEF"

// writeJSONString writes s quoted as graphql.MarshalString does: '"', '\\'
// and control characters escaped, everything else (invalid UTF-8 included)
// as it is. The bytes of a multi-byte character are all ≥ 0x80, so a byte
// loop escapes what gqlgen's rune loop does.
func writeJSONString(w io.Writer, s string) {
	b := append(scalar.SpareBuffer(w), '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	_, _ = w.Write(append(b, '"'))
}
