package readiness

import (
	"sort"
	"time"
)

// Cover is what one shift puts on duty from Start to End: a leader, a staff
// member, or both.
type Cover struct {
	Start, End    time.Time
	Leader, Staff bool
}

// Gap is a maximal interval of a period without both a leader and a staff
// member on duty.
type Gap struct {
	Start, End time.Time
}

// Minutes is how long the gap lasts, rounded down.
func (g Gap) Minutes() int { return int(g.End.Sub(g.Start) / time.Minute) }

// Gaps returns every maximal interval of [start, end) not covered at once
// by a leader and a staff member, earliest first. Shifts may overlap, touch
// or reach beyond the period (they are clipped); a shift with End not after
// Start covers nothing. The sweep visits each shift boundary once: at every
// boundary it adds the shifts starting there and removes those ending
// there, so touching shifts leave no gap between them.
func Gaps(start, end time.Time, covers []Cover) []Gap {
	type edge struct {
		at            time.Time
		leader, staff int
	}
	edges := make([]edge, 0, 2*len(covers))
	for _, c := range covers {
		s, e := later(c.Start, start), earlier(c.End, end)
		if !e.After(s) || (!c.Leader && !c.Staff) {
			continue
		}
		l, st := count(c.Leader), count(c.Staff)
		edges = append(edges, edge{s, l, st}, edge{e, -l, -st})
	}
	sort.Slice(edges, func(i, j int) bool { return edges[i].at.Before(edges[j].at) })
	gaps := []Gap{}
	leaders, staff := 0, 0
	at := start
	for i := 0; i <= len(edges); i++ {
		next := end
		if i < len(edges) {
			next = edges[i].at
		}
		if next.After(at) && (leaders == 0 || staff == 0) {
			if n := len(gaps); n > 0 && gaps[n-1].End.Equal(at) {
				gaps[n-1].End = next
			} else {
				gaps = append(gaps, Gap{Start: at, End: next})
			}
		}
		if i < len(edges) {
			leaders += edges[i].leader
			staff += edges[i].staff
			at = next
		}
	}
	return gaps
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
