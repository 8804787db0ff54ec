package domain

import "io"

// LetterState is the lifecycle state of a responsibility letter (责任书):
// DRAFT → ISSUED → (PARTIALLY_SIGNED) → SIGNED → ARCHIVED, and ISSUED or
// PARTIALLY_SIGNED → REVOKED.
type LetterState string

// Letter states.
const (
	LetterDraft           LetterState = "DRAFT"
	LetterIssued          LetterState = "ISSUED"
	LetterPartiallySigned LetterState = "PARTIALLY_SIGNED"
	LetterSigned          LetterState = "SIGNED"
	LetterArchived        LetterState = "ARCHIVED"
	LetterRevoked         LetterState = "REVOKED"
)

// Values lists the letter states (ent enum contract).
func (LetterState) Values() []string {
	return []string{"DRAFT", "ISSUED", "PARTIALLY_SIGNED", "SIGNED", "ARCHIVED", "REVOKED"}
}

// MarshalGQL implements graphql.Marshaler.
func (s LetterState) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *LetterState) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "LetterState")
}

// LetterAction is a step on an existing responsibility letter.
type LetterAction string

// Letter actions.
const (
	LetterEdit    LetterAction = "EDIT"
	LetterDiscard LetterAction = "DISCARD"
	LetterIssue   LetterAction = "ISSUE"
	LetterSign    LetterAction = "SIGN"
	LetterRevoke  LetterAction = "REVOKE"
	LetterArchive LetterAction = "ARCHIVE"
	LetterAttach  LetterAction = "ATTACH"
)

// Values lists the letter actions.
func (LetterAction) Values() []string {
	return []string{"EDIT", "DISCARD", "ISSUE", "SIGN", "REVOKE", "ARCHIVE", "ATTACH"}
}

// LetterTarget is one responsibility target of a letter: what the signee
// answers for, with an optional measurable indicator such as "隐患整改率100%".
type LetterTarget struct {
	Description string  `json:"description"`
	Indicator   *string `json:"indicator,omitempty"`
}

// CoverageStatus is where a unit stands in a year's letter chain (层层签订):
// its letter from the parent is SIGNED (or archived after signing), PENDING
// (issued, signatures missing) or MISSING (none issued, only a draft, or
// revoked).
type CoverageStatus string

// Coverage statuses.
const (
	CoverageSigned  CoverageStatus = "SIGNED"
	CoveragePending CoverageStatus = "PENDING"
	CoverageMissing CoverageStatus = "MISSING"
)

// Values lists the coverage statuses.
func (CoverageStatus) Values() []string { return []string{"SIGNED", "PENDING", "MISSING"} }

// MarshalGQL implements graphql.Marshaler.
func (s CoverageStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *CoverageStatus) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "CoverageStatus")
}
