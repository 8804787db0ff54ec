package readiness

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

var day0 = time.Date(2022, time.October, 1, 0, 0, 0, 0, time.UTC)

func at(min int) time.Time { return day0.Add(time.Duration(min) * time.Minute) }

// bruteGaps is the oracle: it walks [start, end) minute by minute (both
// whole minutes) and asks of each minute whether some shift has a leader
// and some shift a staff member on duty throughout it.
func bruteGaps(start, end time.Time, covers []Cover) []Gap {
	gaps := []Gap{}
	for m := start; m.Before(end); m = m.Add(time.Minute) {
		leader, staff := false, false
		for _, c := range covers {
			if !c.Start.After(m) && c.End.After(m) {
				leader = leader || c.Leader
				staff = staff || c.Staff
			}
		}
		if leader && staff {
			continue
		}
		if n := len(gaps); n > 0 && gaps[n-1].End.Equal(m) {
			gaps[n-1].End = m.Add(time.Minute)
		} else {
			gaps = append(gaps, Gap{Start: m, End: m.Add(time.Minute)})
		}
	}
	return gaps
}

// sameGaps fails t unless got and want are the same instants.
func sameGaps(t interface{ Fatalf(string, ...any) }, got, want []Gap) {
	if len(got) != len(want) {
		t.Fatalf("gaps %v, oracle %v", got, want)
	}
	for i := range got {
		if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) {
			t.Fatalf("gap %d is %v, oracle %v", i, got[i], want[i])
		}
	}
}

func TestGapsAgreeWithAMinuteByMinuteOracle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		start := rapid.IntRange(0, 60).Draw(t, "start")
		end := start + rapid.IntRange(0, 300).Draw(t, "length")
		covers := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) Cover {
			s := rapid.IntRange(-30, 400).Draw(t, "shiftStart")
			return Cover{Start: at(s), End: at(s + rapid.IntRange(-10, 200).Draw(t, "shiftLength")),
				Leader: rapid.Bool().Draw(t, "leader"), Staff: rapid.Bool().Draw(t, "staff")}
		}), 0, 8).Draw(t, "covers")
		sameGaps(t, Gaps(at(start), at(end), covers), bruteGaps(at(start), at(end), covers))
	})
}

func TestGaps(t *testing.T) {
	h := func(n int) time.Time { return at(60 * n) }
	both := func(s, e int) Cover { return Cover{Start: h(s), End: h(e), Leader: true, Staff: true} }
	for _, c := range []struct {
		name   string
		covers []Cover
		want   []Gap
	}{
		{"adjacent shifts leave no gap", []Cover{both(0, 8), both(8, 48)}, []Gap{}},
		{"a shift across midnight covers both days", []Cover{both(0, 20), both(20, 32), both(32, 48)}, []Gap{}},
		{"a leader without staff is a gap", []Cover{both(0, 10), {Start: h(10), End: h(14), Leader: true}, both(14, 48)},
			[]Gap{{h(10), h(14)}}},
		{"a leader and staff on separate overlapping shifts cover their overlap",
			[]Cover{{Start: h(0), End: h(30), Leader: true}, {Start: h(-5), End: h(20), Staff: true}, both(20, 48)}, []Gap{}},
		{"shifts beyond the period are clipped", []Cover{both(-10, 2), both(40, 60)}, []Gap{{h(2), h(40)}}},
		{"no shift is one gap over the period", nil, []Gap{{h(0), h(48)}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Gaps(h(0), h(48), c.covers)
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}
