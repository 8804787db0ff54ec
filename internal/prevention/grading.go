package prevention

import (
	"time"

	"github.com/dutychain/dutychain/internal/domain"
)

// The score thresholds of the LS method (风险矩阵法, R = L × S with L and S
// from 1 to 5): a score at or above a threshold is at least that level.
const (
	MajorFrom   = 20 // 20–25: MAJOR, red
	LargeFrom   = 15 // 15–19: LARGE, orange
	GeneralFrom = 9  // 9–14: GENERAL, yellow; 1–8: LOW, blue
)

// Grade is the score L × S of a likelihood and a severity (each 1–5) and
// its level.
func Grade(likelihood, severity int) (int, domain.RiskLevel) {
	score := likelihood * severity
	switch {
	case score >= MajorFrom:
		return score, domain.RiskMajor
	case score >= LargeFrom:
		return score, domain.RiskLarge
	case score >= GeneralFrom:
		return score, domain.RiskGeneral
	}
	return score, domain.RiskLow
}

// NextDue is when a control measure checked (or set up) at from is due
// again: a day, a week, a calendar month or a quarter later. A month later
// than the 31st is the last day of a shorter month, not a day of the next.
func NextDue(from time.Time, f domain.CheckFrequency) time.Time {
	switch f {
	case domain.CheckDaily:
		return from.AddDate(0, 0, 1)
	case domain.CheckWeekly:
		return from.AddDate(0, 0, 7)
	case domain.CheckQuarterly:
		return addMonths(from, 3)
	}
	return addMonths(from, 1)
}

// addMonths adds n calendar months to t, clamping the day to the length of
// the month it lands in.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// Overdue reports whether a check due at due is overdue at now.
func Overdue(due, now time.Time) bool { return now.After(due) }
