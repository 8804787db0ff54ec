package gid

import (
	"bytes"
	"io"
	"math"
	"strconv"
	"testing"
)

func TestMarshalID(t *testing.T) {
	for _, id := range []int{1, 42, 1<<32 + 7, 60129542241, math.MaxInt64} {
		want := strconv.Quote(Encode(id))
		t.Run("id "+strconv.Itoa(id)+" is written as its quoted opaque form", func(t *testing.T) {
			var buf bytes.Buffer
			MarshalID(id).MarshalGQL(&buf)
			if buf.String() != want {
				t.Fatalf("into a bytes.Buffer: got %s, want %s", buf.String(), want)
			}
			var plain plainWriter
			MarshalID(id).MarshalGQL(&plain)
			if string(plain) != want {
				t.Fatalf("into a plain io.Writer: got %s, want %s", plain, want)
			}
			got, err := UnmarshalID(want[1 : len(want)-1])
			if err != nil || got != id {
				t.Fatalf("decoding it back: got %d, %v", got, err)
			}
		})
	}
	t.Run("writing an ID into a buffer with room allocates nothing", func(t *testing.T) {
		m := MarshalID(1<<32 + 7)
		buf := bytes.NewBuffer(make([]byte, 0, 1024))
		allocs := testing.AllocsPerRun(100, func() {
			buf.Reset()
			m.MarshalGQL(buf)
		})
		if allocs != 0 {
			t.Fatalf("%v allocations per ID written", allocs)
		}
	})
}

// plainWriter is an io.Writer without bytes.Buffer's spare buffer.
type plainWriter []byte

func (p *plainWriter) Write(b []byte) (int, error) { *p = append(*p, b...); return len(b), nil }

var _ io.Writer = (*plainWriter)(nil)
