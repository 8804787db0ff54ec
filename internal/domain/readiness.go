package domain

import "io"

// DutyKeyPeriod is the key period (重点时段) a duty roster covers: a holiday,
// a political event or a season that requires 24-hour cover.
type DutyKeyPeriod string

// Duty key periods.
const (
	DutyNewYear         DutyKeyPeriod = "NEW_YEAR"
	DutySpringFestival  DutyKeyPeriod = "SPRING_FESTIVAL"
	DutyTwoSessions     DutyKeyPeriod = "TWO_SESSIONS"
	DutyMayDay          DutyKeyPeriod = "MAY_DAY"
	DutyNationalDay     DutyKeyPeriod = "NATIONAL_DAY"
	DutyFloodSeason     DutyKeyPeriod = "FLOOD_SEASON"
	DutyHighTemperature DutyKeyPeriod = "HIGH_TEMPERATURE"
	DutyWinterStorm     DutyKeyPeriod = "WINTER_STORM"
	DutyOther           DutyKeyPeriod = "OTHER"
)

// Values lists the duty key periods (ent enum contract).
func (DutyKeyPeriod) Values() []string {
	return []string{"NEW_YEAR", "SPRING_FESTIVAL", "TWO_SESSIONS", "MAY_DAY", "NATIONAL_DAY", "FLOOD_SEASON",
		"HIGH_TEMPERATURE", "WINTER_STORM", "OTHER"}
}

// MarshalGQL implements graphql.Marshaler.
func (k DutyKeyPeriod) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *DutyKeyPeriod) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k.Values(), (*string)(k), "DutyKeyPeriod")
}

// RescueTeamKind says whether a rescue team (救援队伍) is full-time (专职) or
// part-time (兼职).
type RescueTeamKind string

// Rescue team kinds.
const (
	RescueFullTime RescueTeamKind = "FULL_TIME"
	RescuePartTime RescueTeamKind = "PART_TIME"
)

// Values lists the rescue team kinds (ent enum contract).
func (RescueTeamKind) Values() []string { return []string{"FULL_TIME", "PART_TIME"} }

// MarshalGQL implements graphql.Marshaler.
func (k RescueTeamKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *RescueTeamKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k.Values(), (*string)(k), "RescueTeamKind")
}
