package scalar

import (
	"bytes"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

func TestMarshalTime(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	for name, at := range map[string]time.Time{
		"a time in UTC to the second":           time.Date(2025, 5, 29, 13, 2, 19, 0, time.UTC),
		"a time with nanoseconds":               time.Date(2025, 5, 29, 13, 2, 19, 123456789, time.UTC),
		"a time with an offset keeps it":        time.Date(2026, 1, 1, 8, 0, 0, 500, shanghai),
		"a time before the year 1000 is padded": time.Date(999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		t.Run(name+" is written as graphql.MarshalTime writes it", func(t *testing.T) {
			var got, want bytes.Buffer
			MarshalTime(at).MarshalGQL(&got)
			graphql.MarshalTime(at).MarshalGQL(&want)
			if got.String() != want.String() {
				t.Fatalf("got %s, want %s", got.String(), want.String())
			}
		})
	}
	t.Run("the zero time is null", func(t *testing.T) {
		if MarshalTime(time.Time{}) != graphql.Null {
			t.Fatal("the zero time was not null")
		}
	})
	t.Run("writing a time into a buffer with room allocates nothing", func(t *testing.T) {
		m := MarshalTime(time.Date(2025, 5, 29, 13, 2, 19, 0, time.UTC))
		buf := bytes.NewBuffer(make([]byte, 0, 1024))
		if allocs := testing.AllocsPerRun(100, func() { buf.Reset(); m.MarshalGQL(buf) }); allocs != 0 {
			t.Fatalf("%v allocations per time written", allocs)
		}
	})
}
