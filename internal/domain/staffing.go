package domain

import "io"

// CertificateKind is what a certificate (持证) qualifies its holder for.
type CertificateKind string

// Certificate kinds.
const (
	CertPrincipal            CertificateKind = "PRINCIPAL"
	CertSafetyManager        CertificateKind = "SAFETY_MANAGER"
	CertSpecialOperation     CertificateKind = "SPECIAL_OPERATION"
	CertFireFacilityOperator CertificateKind = "FIRE_FACILITY_OPERATOR"
	CertSpecialEquipment     CertificateKind = "SPECIAL_EQUIPMENT"
	CertOther                CertificateKind = "OTHER"
)

// Values lists the certificate kinds (ent enum contract).
func (CertificateKind) Values() []string {
	return []string{"PRINCIPAL", "SAFETY_MANAGER", "SPECIAL_OPERATION", "FIRE_FACILITY_OPERATOR", "SPECIAL_EQUIPMENT", "OTHER"}
}

// MarshalGQL implements graphql.Marshaler.
func (k CertificateKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *CertificateKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k.Values(), (*string)(k), "CertificateKind")
}

// CertificateStatus is where a certificate stands at a date: VALID, valid
// but expiring within 90 or within 30 days, or EXPIRED.
type CertificateStatus string

// Certificate statuses.
const (
	CertValid      CertificateStatus = "VALID"
	CertExpiring90 CertificateStatus = "EXPIRING_90"
	CertExpiring30 CertificateStatus = "EXPIRING_30"
	CertExpired    CertificateStatus = "EXPIRED"
)

// Values lists the certificate statuses.
func (CertificateStatus) Values() []string {
	return []string{"VALID", "EXPIRING_90", "EXPIRING_30", "EXPIRED"}
}

// MarshalGQL implements graphql.Marshaler.
func (s CertificateStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *CertificateStatus) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "CertificateStatus")
}

// CertificateAction is a step on a certificate, as listed in its
// allowedActions.
type CertificateAction string

// Certificate actions.
const (
	CertificateUpdate CertificateAction = "UPDATE"
)

// Values lists the certificate actions.
func (CertificateAction) Values() []string { return []string{"UPDATE"} }

// MarshalGQL implements graphql.Marshaler.
func (a CertificateAction) MarshalGQL(w io.Writer) { writeQuoted(w, string(a)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *CertificateAction) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, a.Values(), (*string)(a), "CertificateAction")
}

// DutyListAction is a step on a post's duty list, as listed in its
// allowedActions.
type DutyListAction string

// Duty list actions.
const (
	DutyListEdit        DutyListAction = "EDIT"
	DutyListAcknowledge DutyListAction = "ACKNOWLEDGE"
)

// Values lists the duty list actions.
func (DutyListAction) Values() []string { return []string{"EDIT", "ACKNOWLEDGE"} }

// MarshalGQL implements graphql.Marshaler.
func (a DutyListAction) MarshalGQL(w io.Writer) { writeQuoted(w, string(a)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *DutyListAction) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, a.Values(), (*string)(a), "DutyListAction")
}

// DutyGapReason is why a post is on the duty-list gap list: it has no
// list, or the holder has not acknowledged its current version.
type DutyGapReason string

// Duty gap reasons.
const (
	DutyGapNoList         DutyGapReason = "NO_LIST"
	DutyGapUnacknowledged DutyGapReason = "UNACKNOWLEDGED"
)

// Values lists the duty gap reasons.
func (DutyGapReason) Values() []string { return []string{"NO_LIST", "UNACKNOWLEDGED"} }

// MarshalGQL implements graphql.Marshaler.
func (r DutyGapReason) MarshalGQL(w io.Writer) { writeQuoted(w, string(r)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (r *DutyGapReason) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, r.Values(), (*string)(r), "DutyGapReason")
}
