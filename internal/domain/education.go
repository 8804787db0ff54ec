package domain

import "io"

// TraineePostKind is the kind of post a trainee holds at their enterprise:
// the staff the seed trains (安全生产业务人员, 消防控制室操作人员, 保安 …).
type TraineePostKind string

// Trainee post kinds.
const (
	TraineePrincipal       TraineePostKind = "PRINCIPAL"
	TraineeSafetyManager   TraineePostKind = "SAFETY_MANAGER"
	TraineeSpecialOperator TraineePostKind = "SPECIAL_OPERATOR"
	TraineeFireControl     TraineePostKind = "FIRE_CONTROL_OPERATOR"
	TraineeSecurity        TraineePostKind = "SECURITY"
	TraineeEmployee        TraineePostKind = "EMPLOYEE"
	TraineeOther           TraineePostKind = "OTHER"
)

// Values lists the trainee post kinds (ent enum contract).
func (TraineePostKind) Values() []string {
	return []string{"PRINCIPAL", "SAFETY_MANAGER", "SPECIAL_OPERATOR", "FIRE_CONTROL_OPERATOR", "SECURITY", "EMPLOYEE", "OTHER"}
}

// MarshalGQL implements graphql.Marshaler.
func (k TraineePostKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *TraineePostKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k.Values(), (*string)(k), "TraineePostKind")
}

// Assessment is a trainee's result in the assessment (考核) that closed a
// training: PASSED or FAILED when the training was assessed, NOT_ASSESSED
// when it was not.
type Assessment string

// Assessment results.
const (
	AssessmentPassed      Assessment = "PASSED"
	AssessmentFailed      Assessment = "FAILED"
	AssessmentNotAssessed Assessment = "NOT_ASSESSED"
)

// Values lists the assessment results (ent enum contract).
func (Assessment) Values() []string { return []string{"PASSED", "FAILED", "NOT_ASSESSED"} }

// MarshalGQL implements graphql.Marshaler.
func (a Assessment) MarshalGQL(w io.Writer) { writeQuoted(w, string(a)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *Assessment) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, a.Values(), (*string)(a), "Assessment")
}

// PublicityKind is what kind of publicity activity (宣传) a unit held.
type PublicityKind string

// Publicity kinds.
const (
	PublicityEnterpriseVisit PublicityKind = "ENTERPRISE_VISIT"
	PublicitySafetyMonth     PublicityKind = "SAFETY_MONTH"
	PublicityConsultationDay PublicityKind = "CONSULTATION_DAY"
	PublicityLecture         PublicityKind = "LECTURE"
	PublicityOther           PublicityKind = "OTHER"
)

// Values lists the publicity kinds (ent enum contract).
func (PublicityKind) Values() []string {
	return []string{"ENTERPRISE_VISIT", "SAFETY_MONTH", "CONSULTATION_DAY", "LECTURE", "OTHER"}
}

// MarshalGQL implements graphql.Marshaler.
func (k PublicityKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *PublicityKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k.Values(), (*string)(k), "PublicityKind")
}

// TrainingCadence is how often an enterprise's staff are to be trained
// (每月、每季度集中培训).
type TrainingCadence string

// Training cadences.
const (
	CadenceMonthly   TrainingCadence = "MONTHLY"
	CadenceQuarterly TrainingCadence = "QUARTERLY"
)

// Values lists the cadences.
func (TrainingCadence) Values() []string { return []string{"MONTHLY", "QUARTERLY"} }

// MarshalGQL implements graphql.Marshaler.
func (c TrainingCadence) MarshalGQL(w io.Writer) { writeQuoted(w, string(c)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (c *TrainingCadence) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, c.Values(), (*string)(c), "TrainingCadence")
}

// TrainingCoverageStatus is where an enterprise stands with its training
// in a year: COVERED when every elapsed period had a training of its
// staff, GAP otherwise.
type TrainingCoverageStatus string

// Training coverage statuses.
const (
	CoverageCovered TrainingCoverageStatus = "COVERED"
	CoverageGap     TrainingCoverageStatus = "GAP"
)

// Values lists the statuses.
func (TrainingCoverageStatus) Values() []string { return []string{"COVERED", "GAP"} }

// MarshalGQL implements graphql.Marshaler.
func (s TrainingCoverageStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *TrainingCoverageStatus) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "TrainingCoverageStatus")
}
