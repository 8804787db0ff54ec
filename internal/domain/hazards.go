package domain

import (
	"io"
	"time"
)

// HazardPlan is a major hazard's rectification plan (五到位: measures, funds,
// responsible person, deadline and emergency measures).
type HazardPlan struct {
	Measures          string    `json:"measures"`
	Funds             string    `json:"funds"`
	ResponsiblePerson string    `json:"responsiblePerson"`
	Deadline          time.Time `json:"deadline"`
	EmergencyMeasures string    `json:"emergencyMeasures"`
}

// HazardLevel is a hazard's grade: GENERAL (一般隐患), rectified by the
// enterprise, or MAJOR (重大隐患), rectified under a government-approved plan.
type HazardLevel string

// Hazard levels.
const (
	LevelGeneral HazardLevel = "GENERAL"
	LevelMajor   HazardLevel = "MAJOR"
)

// Values lists the hazard levels (ent enum contract).
func (HazardLevel) Values() []string { return []string{"GENERAL", "MAJOR"} }

// HazardSource says how a hazard was found.
type HazardSource string

// Hazard sources.
const (
	SourceInspection HazardSource = "INSPECTION"
	SourceSelfCheck  HazardSource = "SELF_CHECK"
	SourceReport     HazardSource = "REPORT"
)

// Values lists the hazard sources (ent enum contract).
func (HazardSource) Values() []string { return []string{"INSPECTION", "SELF_CHECK", "REPORT"} }

// HazardState is where a hazard stands in its rectification.
type HazardState string

// Hazard states.
const (
	HazardReported      HazardState = "REPORTED"
	HazardPlanSubmitted HazardState = "PLAN_SUBMITTED"
	HazardRectifying    HazardState = "RECTIFYING"
	HazardSubmitted     HazardState = "SUBMITTED"
	HazardClosed        HazardState = "CLOSED"
)

// Values lists the hazard states (ent enum contract).
func (HazardState) Values() []string {
	return []string{"REPORTED", "PLAN_SUBMITTED", "RECTIFYING", "SUBMITTED", "CLOSED"}
}

// HazardAction is a step requested on a hazard (GraphQL HazardAction); a
// hazard's events also record REPORT, its creation.
type HazardAction string

// Hazard actions.
const (
	HazardReport             HazardAction = "REPORT"
	HazardSubmitPlan         HazardAction = "SUBMIT_PLAN"
	HazardApprovePlan        HazardAction = "APPROVE_PLAN"
	HazardStartRectification HazardAction = "START_RECTIFICATION"
	HazardSubmit             HazardAction = "SUBMIT"
	HazardReject             HazardAction = "REJECT"
	HazardClose              HazardAction = "CLOSE"
	HazardCloseOnSpot        HazardAction = "CLOSE_ON_SPOT"
	HazardRequestExtension   HazardAction = "REQUEST_EXTENSION"
	HazardApproveExtension   HazardAction = "APPROVE_EXTENSION"
	HazardRejectExtension    HazardAction = "REJECT_EXTENSION"
	HazardSupervise          HazardAction = "SUPERVISE"
	HazardLiftSupervision    HazardAction = "LIFT_SUPERVISION"
	// HazardAssign is an assignment (交办), made with assignHazard; the
	// state does not change.
	HazardAssign HazardAction = "ASSIGN"
	// HazardFollowUp is a follow-up (事后督查) in the assignee's name, made
	// with followUpHazard; it records a FOLLOW_UP inspection, not an event
	// of its own.
	HazardFollowUp HazardAction = "FOLLOW_UP"
)

// Values lists the hazard actions, REPORT first (ent enum contract of the
// hazard events).
func (HazardAction) Values() []string {
	return []string{"REPORT", "SUBMIT_PLAN", "APPROVE_PLAN", "START_RECTIFICATION", "SUBMIT", "REJECT", "CLOSE",
		"CLOSE_ON_SPOT", "REQUEST_EXTENSION", "APPROVE_EXTENSION", "REJECT_EXTENSION", "SUPERVISE", "LIFT_SUPERVISION", "ASSIGN"}
}

// MarshalGQL implements graphql.Marshaler.
func (l HazardLevel) MarshalGQL(w io.Writer) { writeQuoted(w, string(l)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (l *HazardLevel) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, l.Values(), (*string)(l), "HazardLevel")
}

// MarshalGQL implements graphql.Marshaler.
func (s HazardSource) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *HazardSource) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "HazardSource")
}

// MarshalGQL implements graphql.Marshaler.
func (s HazardState) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *HazardState) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "HazardState")
}

// MarshalGQL implements graphql.Marshaler.
func (a HazardAction) MarshalGQL(w io.Writer) { writeQuoted(w, string(a)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *HazardAction) UnmarshalGQL(v any) error {
	// FOLLOW_UP is listed in allowedActions but is never an event.
	return unmarshalEnum(v, append(a.Values(), string(HazardFollowUp)), (*string)(a), "HazardAction")
}

// FollowUpOutcome is what a FOLLOW_UP inspection (事后督查) found of one
// hazard it re-checked.
type FollowUpOutcome string

// Follow-up outcomes.
const (
	FollowUpRectified    FollowUpOutcome = "RECTIFIED"
	FollowUpPartly       FollowUpOutcome = "PARTLY"
	FollowUpNotRectified FollowUpOutcome = "NOT_RECTIFIED"
)

// Values lists the follow-up outcomes (ent enum contract).
func (FollowUpOutcome) Values() []string { return []string{"RECTIFIED", "PARTLY", "NOT_RECTIFIED"} }

// MarshalGQL implements graphql.Marshaler.
func (o FollowUpOutcome) MarshalGQL(w io.Writer) { writeQuoted(w, string(o)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (o *FollowUpOutcome) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, o.Values(), (*string)(o), "FollowUpOutcome")
}
