package domain

import "io"

// EnforcementKind is what an enforcement action (执法) is: an order to
// rectify within a deadline (责令限期整改), an administrative penalty
// (行政处罚) or a seizure (查封扣押).
type EnforcementKind string

// Enforcement action kinds.
const (
	RectificationOrder    EnforcementKind = "RECTIFICATION_ORDER"
	AdministrativePenalty EnforcementKind = "ADMINISTRATIVE_PENALTY"
	Seizure               EnforcementKind = "SEIZURE"
)

// Values lists the enforcement action kinds (ent enum contract).
func (EnforcementKind) Values() []string {
	return []string{"RECTIFICATION_ORDER", "ADMINISTRATIVE_PENALTY", "SEIZURE"}
}

// MarshalGQL implements graphql.Marshaler.
func (k EnforcementKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *EnforcementKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k.Values(), (*string)(k), "EnforcementKind")
}

// EnforcementState is where an enforcement action stands: ISSUED, then
// COMPLIED or OVERDUE as the department found, then CLOSED.
type EnforcementState string

// Enforcement action states.
const (
	EnforcementIssued   EnforcementState = "ISSUED"
	EnforcementComplied EnforcementState = "COMPLIED"
	EnforcementOverdue  EnforcementState = "OVERDUE"
	EnforcementClosed   EnforcementState = "CLOSED"
)

// Values lists the enforcement action states (ent enum contract).
func (EnforcementState) Values() []string {
	return []string{"ISSUED", "COMPLIED", "OVERDUE", "CLOSED"}
}

// MarshalGQL implements graphql.Marshaler.
func (s EnforcementState) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *EnforcementState) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "EnforcementState")
}

// EnforcementStep is a step an issuing department takes on an enforcement
// action: find it complied with, find it overdue, close it.
type EnforcementStep string

// Enforcement action steps.
const (
	StepComply      EnforcementStep = "COMPLY"
	StepMarkOverdue EnforcementStep = "MARK_OVERDUE"
	StepClose       EnforcementStep = "CLOSE"
)

// Values lists the enforcement action steps.
func (EnforcementStep) Values() []string { return []string{"COMPLY", "MARK_OVERDUE", "CLOSE"} }

// MarshalGQL implements graphql.Marshaler.
func (s EnforcementStep) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *EnforcementStep) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "EnforcementStep")
}
