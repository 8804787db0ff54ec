package staffing

import (
	"time"

	"github.com/dutychain/dutychain/internal/domain"
)

// Days a certificate is "expiring" before its last valid day.
const (
	ExpiringSoon   = 30
	ExpiringWithin = 90
)

// Thresholds are the instants the status of a certificate is decided on,
// for one day: the start of that day (UTC) and the starts of the days
// after the 30- and 90-day windows. A certificate's valid_until is its last
// valid day, whatever the time of day it carries; the SQL views compare
// with the same instants.
type Thresholds struct {
	Today, After30, After90 time.Time
}

// ThresholdsAt are the thresholds of the day holding at.
func ThresholdsAt(at time.Time) Thresholds {
	y, m, d := at.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Thresholds{Today: today, After30: today.AddDate(0, 0, ExpiringSoon+1), After90: today.AddDate(0, 0, ExpiringWithin+1)}
}

// Status is where a certificate valid until validUntil (its last valid
// day) stands on the day of t: EXPIRED once that day has passed,
// EXPIRING_30 when it is at most 30 days away (today included),
// EXPIRING_90 when at most 90, VALID beyond.
func (t Thresholds) Status(validUntil time.Time) domain.CertificateStatus {
	switch {
	case validUntil.Before(t.Today):
		return domain.CertExpired
	case validUntil.Before(t.After30):
		return domain.CertExpiring30
	case validUntil.Before(t.After90):
		return domain.CertExpiring90
	}
	return domain.CertValid
}

// StatusAt is Status on the day of at.
func StatusAt(validUntil, at time.Time) domain.CertificateStatus {
	return ThresholdsAt(at).Status(validUntil)
}

// Requirement is a position that requires a certificate: a post of Role at
// a unit of UnitKind needs its holder to hold a certificate of Kind, valid,
// at that unit's enterprise.
type Requirement struct {
	Role     domain.Role
	UnitKind domain.UnitKind
	Kind     domain.CertificateKind
}

// Requirements is the table of positions that require a certificate (持证上岗),
// the 持证率 of certificateStatus counts them: an enterprise's principal
// (主要负责人) needs the principal's qualification, its safety officers
// (安全管理人员) the safety manager's. Workshop and team heads, and special
// operations, are counted by certificate, not required by position.
var Requirements = []Requirement{
	{Role: domain.RolePrincipal, UnitKind: domain.KindEnterprise, Kind: domain.CertPrincipal},
	{Role: domain.RoleSafetyOfficer, UnitKind: domain.KindEnterprise, Kind: domain.CertSafetyManager},
}
