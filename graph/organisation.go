package graph

import (
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/organisation"
)

// seatsOf converts the seats of a leadership group.
func seatsOf(in []*model.GroupMemberInput) []organisation.MemberInput {
	out := make([]organisation.MemberInput, len(in))
	for i, m := range in {
		out[i] = organisation.MemberInput{PostID: m.PostID, Role: m.Role}
	}
	return out
}

// seatRank orders the members of a group: leader, deputies, members, office.
func seatRank(r domain.GroupRole) int {
	return map[domain.GroupRole]int{domain.GroupLeader: 0, domain.GroupDeputyLeader: 1, domain.GroupMember: 2, domain.GroupOffice: 3}[r]
}
