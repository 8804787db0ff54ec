package domain

import "io"

// NoticeKind is what a notice is (文件、通知、工作要点、方案、总结).
type NoticeKind string

// Notice kinds.
const (
	NoticeWorkPlan NoticeKind = "WORK_PLAN"
	NoticeNotice   NoticeKind = "NOTICE"
	NoticePlan     NoticeKind = "PLAN"
	NoticeSummary  NoticeKind = "SUMMARY"
	NoticeOther    NoticeKind = "OTHER"
)

// Values lists the notice kinds (ent enum contract).
func (NoticeKind) Values() []string {
	return []string{"WORK_PLAN", "NOTICE", "PLAN", "SUMMARY", "OTHER"}
}

// MarshalGQL implements graphql.Marshaler.
func (k NoticeKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *NoticeKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k.Values(), (*string)(k), "NoticeKind")
}

// ReceiptStatus is where one recipient stands with a notice: RECEIVED
// (signed for, 已签收), PENDING (not yet, due date not passed) or OVERDUE
// (not signed for after its due date).
type ReceiptStatus string

// Receipt statuses.
const (
	ReceiptReceived ReceiptStatus = "RECEIVED"
	ReceiptPending  ReceiptStatus = "PENDING"
	ReceiptOverdue  ReceiptStatus = "OVERDUE"
)

// Values lists the receipt statuses.
func (ReceiptStatus) Values() []string { return []string{"RECEIVED", "PENDING", "OVERDUE"} }

// MarshalGQL implements graphql.Marshaler.
func (s ReceiptStatus) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *ReceiptStatus) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "ReceiptStatus")
}
