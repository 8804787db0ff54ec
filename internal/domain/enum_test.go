package domain

import (
	"bytes"
	"testing"
)

func TestEnumsMarshalAsJSONStrings(t *testing.T) {
	for _, tc := range []struct {
		name, value, want string
	}{
		{"an identifier is written between quotes", "REPORTED", `"REPORTED"`},
		{"a value with a quote is escaped", `A"B`, `"A\"B"`},
		{"a value with Chinese text stays valid JSON", "隐患", `"隐患"`},
		{"the empty value is an empty string", "", `""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			HazardState(tc.value).MarshalGQL(&buf)
			if buf.String() != tc.want {
				t.Fatalf("got %s, want %s", buf.String(), tc.want)
			}
		})
	}
	t.Run("writing an enum into a buffer with room allocates nothing", func(t *testing.T) {
		buf := bytes.NewBuffer(make([]byte, 0, 1024))
		if allocs := testing.AllocsPerRun(100, func() { buf.Reset(); HazardAction("START_RECTIFICATION").MarshalGQL(buf) }); allocs != 0 {
			t.Fatalf("%v allocations per value written", allocs)
		}
	})
}
