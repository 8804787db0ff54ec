package education_test

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/education"
)

func TestElapsedPeriods(t *testing.T) {
	now := time.Date(2023, time.May, 20, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name             string
		year, months, qs int
	}{
		{"a past year is over", 2022, 12, 4},
		{"the current year has the months before this one", 2023, 4, 1},
		{"a future year has none", 2024, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, q := education.Elapsed(c.year, now)
			if m != c.months || q != c.qs {
				t.Errorf("Elapsed(%d) = %d months, %d quarters; want %d, %d", c.year, m, q, c.months, c.qs)
			}
		})
	}
}

func TestPeriodsReadTheMonthMask(t *testing.T) {
	// Trained in February, March and November of a past year.
	mask := int64(1<<2 | 1<<3 | 1<<11)
	months, quarters, missing := education.Periods(mask, domain.CadenceQuarterly, 12, 4)
	if want := []int{2, 3, 11}; !slices.Equal(months, want) {
		t.Errorf("months %v, want %v", months, want)
	}
	if want := []int{1, 4}; !slices.Equal(quarters, want) || !slices.Equal(missing, []int{2, 3}) {
		t.Errorf("quarters %v missing %v, want %v and [2 3]", quarters, missing, want)
	}
	_, _, missing = education.Periods(mask, domain.CadenceMonthly, 4, 1)
	if want := []int{1, 4}; !slices.Equal(missing, want) {
		t.Errorf("monthly missing %v, want %v", missing, want)
	}
}

func TestPeriodsAgreeWithTheMonthsTrained(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		trained := rapid.SliceOfDistinct(rapid.IntRange(1, 12), rapid.ID[int]).Draw(t, "months")
		elapsed := rapid.IntRange(0, 12).Draw(t, "elapsed")
		var mask int64
		in := map[int]bool{}
		for _, m := range trained {
			mask |= 1 << m
			in[m] = true
		}
		months, quarters, missingMonths := education.Periods(mask, domain.CadenceMonthly, elapsed, elapsed/3)
		if len(months) != len(trained) {
			t.Fatalf("months %v of %v", months, trained)
		}
		for m := 1; m <= elapsed; m++ {
			if in[m] == slices.Contains(missingMonths, m) {
				t.Fatalf("month %d trained %t but missing %v", m, in[m], missingMonths)
			}
		}
		_, _, missingQuarters := education.Periods(mask, domain.CadenceQuarterly, elapsed, elapsed/3)
		for q := 1; q <= 4; q++ {
			trainedQ := in[3*q-2] || in[3*q-1] || in[3*q]
			if trainedQ != slices.Contains(quarters, q) {
				t.Fatalf("quarter %d trained %t, quarters %v", q, trainedQ, quarters)
			}
			if want := q <= elapsed/3 && !trainedQ; want != slices.Contains(missingQuarters, q) {
				t.Fatalf("quarter %d missing %t, got %v", q, want, missingQuarters)
			}
		}
	})
}
