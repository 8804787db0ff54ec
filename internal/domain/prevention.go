package domain

import "io"

// RiskPointKind is what a risk point (风险点) is: a key location (重点部位:
// 油罐区、加油区、配电室) or a key process (重点环节: 卸油、加油、检修、施工).
type RiskPointKind string

// Risk point kinds.
const (
	RiskLocation RiskPointKind = "LOCATION"
	RiskProcess  RiskPointKind = "PROCESS"
)

// Values lists the risk point kinds (ent enum contract).
func (RiskPointKind) Values() []string { return []string{"LOCATION", "PROCESS"} }

// MarshalGQL implements graphql.Marshaler.
func (k RiskPointKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *RiskPointKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k.Values(), (*string)(k), "RiskPointKind")
}

// RiskLevel is the grade of a risk point (风险分级): MAJOR (重大), LARGE
// (较大), GENERAL (一般) or LOW (低), shown as RED, ORANGE, YELLOW, BLUE.
type RiskLevel string

// Risk levels, highest first.
const (
	RiskMajor   RiskLevel = "MAJOR"
	RiskLarge   RiskLevel = "LARGE"
	RiskGeneral RiskLevel = "GENERAL"
	RiskLow     RiskLevel = "LOW"
)

// Values lists the risk levels, highest first (ent enum contract).
func (RiskLevel) Values() []string { return []string{"MAJOR", "LARGE", "GENERAL", "LOW"} }

// MarshalGQL implements graphql.Marshaler.
func (l RiskLevel) MarshalGQL(w io.Writer) { writeQuoted(w, string(l)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (l *RiskLevel) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, l.Values(), (*string)(l), "RiskLevel")
}

// RiskColour is the colour a risk level is shown in (四色).
type RiskColour string

// Risk colours, in the order of the levels.
const (
	ColourRed    RiskColour = "RED"
	ColourOrange RiskColour = "ORANGE"
	ColourYellow RiskColour = "YELLOW"
	ColourBlue   RiskColour = "BLUE"
)

// Values lists the colours (ent enum contract).
func (RiskColour) Values() []string { return []string{"RED", "ORANGE", "YELLOW", "BLUE"} }

// MarshalGQL implements graphql.Marshaler.
func (c RiskColour) MarshalGQL(w io.Writer) { writeQuoted(w, string(c)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (c *RiskColour) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, c.Values(), (*string)(c), "RiskColour")
}

// Colour is the colour level is shown in.
func (l RiskLevel) Colour() RiskColour {
	switch l {
	case RiskMajor:
		return ColourRed
	case RiskLarge:
		return ColourOrange
	case RiskGeneral:
		return ColourYellow
	default:
		return ColourBlue
	}
}

// CheckFrequency is how often a control measure is checked.
type CheckFrequency string

// Check frequencies.
const (
	CheckDaily     CheckFrequency = "DAILY"
	CheckWeekly    CheckFrequency = "WEEKLY"
	CheckMonthly   CheckFrequency = "MONTHLY"
	CheckQuarterly CheckFrequency = "QUARTERLY"
)

// Values lists the check frequencies (ent enum contract).
func (CheckFrequency) Values() []string { return []string{"DAILY", "WEEKLY", "MONTHLY", "QUARTERLY"} }

// MarshalGQL implements graphql.Marshaler.
func (f CheckFrequency) MarshalGQL(w io.Writer) { writeQuoted(w, string(f)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (f *CheckFrequency) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, f.Values(), (*string)(f), "CheckFrequency")
}
