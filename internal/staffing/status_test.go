package staffing_test

import (
	"testing"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/staffing"
)

func TestStatusAtTheBoundaries(t *testing.T) {
	// Any time of the asking day decides alike; valid_until is a last day.
	at := time.Date(2024, time.March, 10, 15, 30, 0, 0, time.UTC)
	day := func(days int, hour int) time.Time {
		return time.Date(2024, time.March, 10+days, hour, 0, 0, 0, time.UTC)
	}
	for _, c := range []struct {
		name  string
		until time.Time
		want  domain.CertificateStatus
	}{
		{"valid until yesterday is expired", day(-1, 23), domain.CertExpired},
		{"valid until today is expiring within 30 days", day(0, 0), domain.CertExpiring30},
		{"exactly 30 days away is expiring within 30 days", day(30, 23), domain.CertExpiring30},
		{"31 days away is expiring within 90 days", day(31, 0), domain.CertExpiring90},
		{"exactly 90 days away is expiring within 90 days", day(90, 12), domain.CertExpiring90},
		{"91 days away is valid", day(91, 0), domain.CertValid},
		{"years away is valid", day(1000, 0), domain.CertValid},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := staffing.StatusAt(c.until, at); got != c.want {
				t.Errorf("StatusAt(%s, %s) = %s, want %s", c.until, at, got, c.want)
			}
		})
	}
	t.Run("the status only worsens as the days pass", func(t *testing.T) {
		rank := map[domain.CertificateStatus]int{domain.CertValid: 0, domain.CertExpiring90: 1, domain.CertExpiring30: 2, domain.CertExpired: 3}
		until := day(100, 6)
		prev := 0
		for d := 0; d < 120; d++ {
			r := rank[staffing.StatusAt(until, at.AddDate(0, 0, d))]
			if r < prev {
				t.Fatalf("day %d: status went back to %d from %d", d, r, prev)
			}
			prev = r
		}
	})
}

func TestHeldPercentRoundsToOneDecimal(t *testing.T) {
	for _, c := range []struct {
		held, required int
		want           float64
	}{{0, 0, 100}, {1, 2, 50}, {1, 3, 33.3}, {2, 3, 66.7}, {0, 5, 0}} {
		got := staffing.CertificateCounts{Held: c.held, Required: c.required}.HeldPercent()
		if got != c.want {
			t.Errorf("%d of %d: %v, want %v", c.held, c.required, got, c.want)
		}
	}
}
