package prevention

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/domain"
)

func TestGrade(t *testing.T) {
	cases := []struct {
		name   string
		l, s   int
		score  int
		level  domain.RiskLevel
		colour domain.RiskColour
	}{
		{"the lowest score is LOW and blue", 1, 1, 1, domain.RiskLow, domain.ColourBlue},
		{"8 is the highest LOW", 2, 4, 8, domain.RiskLow, domain.ColourBlue},
		{"9 is the lowest GENERAL and yellow", 3, 3, 9, domain.RiskGeneral, domain.ColourYellow},
		{"12 is GENERAL", 4, 3, 12, domain.RiskGeneral, domain.ColourYellow},
		{"15 is the lowest LARGE and orange", 3, 5, 15, domain.RiskLarge, domain.ColourOrange},
		{"16 is LARGE", 4, 4, 16, domain.RiskLarge, domain.ColourOrange},
		{"20 is the lowest MAJOR and red", 4, 5, 20, domain.RiskMajor, domain.ColourRed},
		{"25 is MAJOR", 5, 5, 25, domain.RiskMajor, domain.ColourRed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			score, level := Grade(c.l, c.s)
			require.Equal(t, c.score, score)
			require.Equal(t, c.level, level)
			require.Equal(t, c.colour, level.Colour())
		})
	}
	t.Run("a higher score never grades lower", func(t *testing.T) {
		rank := map[domain.RiskLevel]int{domain.RiskLow: 0, domain.RiskGeneral: 1, domain.RiskLarge: 2, domain.RiskMajor: 3}
		for l := 1; l <= 5; l++ {
			for s := 1; s <= 5; s++ {
				a, la := Grade(l, s)
				for l2 := 1; l2 <= 5; l2++ {
					b, lb := Grade(l2, s)
					if b > a {
						require.GreaterOrEqual(t, rank[lb], rank[la], "L=%d S=%d vs L=%d", l, s, l2)
					}
				}
			}
		}
	})
}

func TestNextDue(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 30, 0, 0, time.UTC) }
	cases := []struct {
		name string
		from time.Time
		f    domain.CheckFrequency
		want time.Time
	}{
		{"a daily check is due the next day", at(2022, 3, 1), domain.CheckDaily, at(2022, 3, 2)},
		{"a daily check on new year's eve is due on new year's day", at(2022, 12, 31), domain.CheckDaily, at(2023, 1, 1)},
		{"a weekly check is due seven days later", at(2022, 2, 25), domain.CheckWeekly, at(2022, 3, 4)},
		{"a monthly check is due the same day next month", at(2022, 5, 15), domain.CheckMonthly, at(2022, 6, 15)},
		{"a monthly check on 31 January is due on the last day of February", at(2022, 1, 31), domain.CheckMonthly, at(2022, 2, 28)},
		{"in a leap year that is 29 February", at(2024, 1, 31), domain.CheckMonthly, at(2024, 2, 29)},
		{"a monthly check in December is due in January", at(2022, 12, 10), domain.CheckMonthly, at(2023, 1, 10)},
		{"a quarterly check is due three months later", at(2022, 4, 1), domain.CheckQuarterly, at(2022, 7, 1)},
		{"a quarterly check on 30 November is due on the last day of February", at(2022, 11, 30), domain.CheckQuarterly, at(2023, 2, 28)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, NextDue(c.from, c.f))
		})
	}
	t.Run("a check is overdue only after its due time", func(t *testing.T) {
		due := at(2022, 3, 2)
		require.False(t, Overdue(due, due))
		require.False(t, Overdue(due, due.Add(-time.Second)))
		require.True(t, Overdue(due, due.Add(time.Second)))
	})
}
