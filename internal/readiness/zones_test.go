package readiness

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/ent"
)

// nights are local dates whose night a zone changes its clocks in (or, in
// Asia/Shanghai, an ordinary night): rosters entered in wall-clock time
// around them have shifts of 23 or 25 hours' worth of wall clock.
var nights = []struct {
	zone  string
	year  int
	month time.Month
	day   int
}{
	{"Europe/Berlin", 2022, time.March, 27},
	{"Europe/Berlin", 2022, time.October, 30},
	{"America/New_York", 2022, time.November, 6},
	{"Asia/Shanghai", 2022, time.October, 1},
}

func mustZone(t interface{ Fatalf(string, ...any) }, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("zone %s: %v", name, err)
	}
	return loc
}

// TestGapsInZonesAgreeWithTheOracle: shifts entered in a zone's wall clock
// (from the evening before a clock change, across midnight, into the next
// day) leave exactly the gaps the minute-by-minute oracle finds over the
// real instants, and GapsOf shows them in the zone without moving them.
func TestGapsInZonesAgreeWithTheOracle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := nights[rapid.IntRange(0, len(nights)-1).Draw(t, "night")]
		loc := mustZone(t, n.zone)
		// Wall-clock minutes from 18:00 the evening before the night.
		wall := func(min int) time.Time {
			return time.Date(n.year, n.month, n.day-1, 18, min, 0, 0, loc)
		}
		start := rapid.IntRange(0, 120).Draw(t, "start")
		end := start + rapid.IntRange(0, 20*60).Draw(t, "length")
		covers := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) Cover {
			s := rapid.IntRange(-60, 22*60).Draw(t, "shiftStart")
			return Cover{Start: wall(s), End: wall(s + rapid.IntRange(-10, 14*60).Draw(t, "shiftLength")),
				Leader: rapid.Bool().Draw(t, "leader"), Staff: rapid.Bool().Draw(t, "staff")}
		}), 0, 6).Draw(t, "covers")
		want := bruteGaps(wall(start), wall(end), covers)
		r := &ent.DutyRoster{PeriodStart: wall(start).UTC(), PeriodEnd: wall(end).UTC(), RequiresFullCover: true}
		shifts := make([]*ent.DutyShift, len(covers))
		for i, c := range covers {
			sh := &ent.DutyShift{StartsAt: c.Start.UTC(), EndsAt: c.End.UTC()}
			if c.Leader {
				sh.LeaderPostID = new(int)
			}
			if c.Staff {
				sh.StaffName = "值班员"
			}
			shifts[i] = sh
		}
		got := GapsOf(r, shifts, loc)
		sameGaps(t, got, want)
		for _, g := range got {
			if g.Start.Location() != loc || g.End.Location() != loc {
				t.Fatalf("gap %v is not shown in %s", g, n.zone)
			}
			if g.Minutes() != int(g.End.Sub(g.Start)/time.Minute) {
				t.Fatalf("gap %v lasts %d minutes by its instants", g, g.Minutes())
			}
		}
	})
}

func TestGapsAcrossClockChanges(t *testing.T) {
	for _, c := range []struct {
		name        string
		night       int
		wantMinutes int
	}{
		{"a night shift from 20:00 to 08:00 in Berlin in spring lasts 11 hours", 0, 11 * 60},
		{"a night shift from 20:00 to 08:00 in Berlin in autumn lasts 13 hours", 1, 13 * 60},
		{"a night shift from 20:00 to 08:00 in Shanghai lasts 12 hours", 3, 12 * 60},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := nights[c.night]
			loc := mustZone(t, n.zone)
			evening := time.Date(n.year, n.month, n.day-1, 20, 0, 0, 0, loc)
			morning := time.Date(n.year, n.month, n.day, 8, 0, 0, 0, loc)
			// The roster needs cover from 20:00 to 08:00 and nobody is on
			// duty: the whole night is one gap of the night's real length.
			r := &ent.DutyRoster{PeriodStart: evening.UTC(), PeriodEnd: morning.UTC(), RequiresFullCover: true}
			gaps := GapsOf(r, nil, loc)
			if len(gaps) != 1 || gaps[0].Minutes() != c.wantMinutes {
				t.Fatalf("gaps %v, want one of %d minutes", gaps, c.wantMinutes)
			}
			if gaps[0].Start.Hour() != 20 || gaps[0].End.Hour() != 8 {
				t.Fatalf("gap %v is not shown from 20:00 to 08:00 in %s", gaps[0], n.zone)
			}
		})
	}
}
