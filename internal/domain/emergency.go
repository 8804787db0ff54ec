package domain

import "io"

// EmergencyPlanKind is the kind of an emergency plan (应急预案), after the
// 生产经营单位生产安全事故应急预案编制导则: the comprehensive plan (综合应急预案),
// a special plan for one kind of emergency (专项应急预案), or an on-site
// disposal plan for one post or installation (现场处置方案).
type EmergencyPlanKind string

// Emergency plan kinds.
const (
	PlanComprehensive EmergencyPlanKind = "COMPREHENSIVE"
	PlanSpecial       EmergencyPlanKind = "SPECIAL"
	PlanOnSite        EmergencyPlanKind = "ON_SITE"
)

// Values lists the plan kinds (ent enum contract).
func (EmergencyPlanKind) Values() []string { return []string{"COMPREHENSIVE", "SPECIAL", "ON_SITE"} }

// MarshalGQL implements graphql.Marshaler.
func (k EmergencyPlanKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *EmergencyPlanKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k.Values(), (*string)(k), "EmergencyPlanKind")
}

// EmergencyPlanTopic is the emergency a SPECIAL plan is for.
type EmergencyPlanTopic string

// Special plan topics.
const (
	TopicFlood              EmergencyPlanTopic = "FLOOD"
	TopicFire               EmergencyPlanTopic = "FIRE"
	TopicGas                EmergencyPlanTopic = "GAS"
	TopicHazardousChemicals EmergencyPlanTopic = "HAZARDOUS_CHEMICALS"
	TopicOther              EmergencyPlanTopic = "OTHER"
)

// Values lists the topics (ent enum contract).
func (EmergencyPlanTopic) Values() []string {
	return []string{"FLOOD", "FIRE", "GAS", "HAZARDOUS_CHEMICALS", "OTHER"}
}

// MarshalGQL implements graphql.Marshaler.
func (t EmergencyPlanTopic) MarshalGQL(w io.Writer) { writeQuoted(w, string(t)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (t *EmergencyPlanTopic) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, t.Values(), (*string)(t), "EmergencyPlanTopic")
}

// EmergencyPlanState is where a plan stands: a DRAFT being written, the
// EFFECTIVE version of its series, or SUPERSEDED by a newer version.
type EmergencyPlanState string

// Emergency plan states.
const (
	PlanDraft      EmergencyPlanState = "DRAFT"
	PlanEffective  EmergencyPlanState = "EFFECTIVE"
	PlanSuperseded EmergencyPlanState = "SUPERSEDED"
)

// Values lists the plan states (ent enum contract).
func (EmergencyPlanState) Values() []string { return []string{"DRAFT", "EFFECTIVE", "SUPERSEDED"} }

// MarshalGQL implements graphql.Marshaler.
func (s EmergencyPlanState) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *EmergencyPlanState) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "EmergencyPlanState")
}

// EmergencyPlanStatus is a plan's review status on a day: CURRENT, its
// review due within 90 days, OVERDUE for review, SUPERSEDED, or still a
// DRAFT.
type EmergencyPlanStatus string

// Emergency plan statuses.
const (
	PlanStatusCurrent    EmergencyPlanStatus = "CURRENT"
	PlanStatusReviewDue  EmergencyPlanStatus = "REVIEW_DUE_90"
	PlanStatusOverdue    EmergencyPlanStatus = "OVERDUE"
	PlanStatusSuperseded EmergencyPlanStatus = "SUPERSEDED"
	PlanStatusDraft      EmergencyPlanStatus = "DRAFT"
)

// Values lists the statuses.
func (EmergencyPlanStatus) Values() []string {
	return []string{"CURRENT", "REVIEW_DUE_90", "OVERDUE", "SUPERSEDED", "DRAFT"}
}

// MarshalGQL implements graphql.Marshaler.
func (s EmergencyPlanStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *EmergencyPlanStatus) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "EmergencyPlanStatus")
}

// DrillForm is how a drill was held: at a table (桌面演练), functional
// (功能演练) or full-scale (全面演练 / 实战演练).
type DrillForm string

// Drill forms.
const (
	DrillTabletop   DrillForm = "TABLETOP"
	DrillFunctional DrillForm = "FUNCTIONAL"
	DrillFullScale  DrillForm = "FULL_SCALE"
)

// Values lists the drill forms (ent enum contract).
func (DrillForm) Values() []string { return []string{"TABLETOP", "FUNCTIONAL", "FULL_SCALE"} }

// MarshalGQL implements graphql.Marshaler.
func (f DrillForm) MarshalGQL(w io.Writer) { writeQuoted(w, string(f)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (f *DrillForm) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, f.Values(), (*string)(f), "DrillForm")
}

// DrillComplianceStatus is an enterprise's standing against the drill
// rule in a year: COMPLIANT, BEHIND (some drill missing) or NONE (no drill
// at all).
type DrillComplianceStatus string

// Drill compliance statuses.
const (
	DrillCompliant DrillComplianceStatus = "COMPLIANT"
	DrillBehind    DrillComplianceStatus = "BEHIND"
	DrillNone      DrillComplianceStatus = "NONE"
)

// Values lists the compliance statuses.
func (DrillComplianceStatus) Values() []string { return []string{"COMPLIANT", "BEHIND", "NONE"} }

// MarshalGQL implements graphql.Marshaler.
func (s DrillComplianceStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *DrillComplianceStatus) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "DrillComplianceStatus")
}

// DrillRequirement is one drill the rule asks of an enterprise in a year.
type DrillRequirement string

// Drill requirements.
const (
	RequireAnnualPlanDrill DrillRequirement = "ANNUAL_COMPREHENSIVE_OR_SPECIAL"
	RequireOnSiteFirstHalf DrillRequirement = "ON_SITE_FIRST_HALF"
	RequireOnSiteSecond    DrillRequirement = "ON_SITE_SECOND_HALF"
)

// Values lists the requirements.
func (DrillRequirement) Values() []string {
	return []string{"ANNUAL_COMPREHENSIVE_OR_SPECIAL", "ON_SITE_FIRST_HALF", "ON_SITE_SECOND_HALF"}
}

// MarshalGQL implements graphql.Marshaler.
func (r DrillRequirement) MarshalGQL(w io.Writer) { writeQuoted(w, string(r)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (r *DrillRequirement) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, r.Values(), (*string)(r), "DrillRequirement")
}

// DrillProblem is one problem a drill found; HazardID names the hazard it
// was recorded as, if any.
type DrillProblem struct {
	Description string `json:"description"`
	HazardID    *int   `json:"hazardID,omitempty"`
}
