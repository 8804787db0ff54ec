package domain

import "io"

// GroupRole is a member's role in a leadership group (领导小组): its leader
// (组长), a deputy leader (副组长), a member (成员), or its office (办公室).
type GroupRole string

// Group roles.
const (
	GroupLeader       GroupRole = "LEADER"
	GroupDeputyLeader GroupRole = "DEPUTY_LEADER"
	GroupMember       GroupRole = "MEMBER"
	GroupOffice       GroupRole = "OFFICE"
)

// Values lists the group roles (ent enum contract).
func (GroupRole) Values() []string { return []string{"LEADER", "DEPUTY_LEADER", "MEMBER", "OFFICE"} }

// MarshalGQL implements graphql.Marshaler.
func (r GroupRole) MarshalGQL(w io.Writer) { writeQuoted(w, string(r)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (r *GroupRole) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, r.Values(), (*string)(r), "GroupRole")
}

// MeetingKind is what kind of meeting a unit held.
type MeetingKind string

// Meeting kinds.
const (
	MeetingSafetyCommittee MeetingKind = "SAFETY_COMMITTEE"
	MeetingSpecial         MeetingKind = "SPECIAL"
	MeetingDispatch        MeetingKind = "DISPATCH"
	MeetingGroup           MeetingKind = "GROUP"
	MeetingOther           MeetingKind = "OTHER"
)

// Values lists the meeting kinds (ent enum contract).
func (MeetingKind) Values() []string {
	return []string{"SAFETY_COMMITTEE", "SPECIAL", "DISPATCH", "GROUP", "OTHER"}
}

// MarshalGQL implements graphql.Marshaler.
func (k MeetingKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *MeetingKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k.Values(), (*string)(k), "MeetingKind")
}
