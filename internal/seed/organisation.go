package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/organisation"
)

// The demo county's organisation, from the seed document: the county's
// industrial safety leading group with the secretary as leader and the
// county head as deputy ("调整充实了工业安全生产工作领导组，由书记和县长分别担任正副
// 组长"), the bureau's 集中整治领导小组 led by its chief with the deputy as
// deputy leader and its section heads as members, and the year's meetings:
// quarterly safety committee sessions, the bureau's special meetings on
// safety, epidemic control and flood prevention, and a dispatch meeting
// before National Day. Safety is on every agenda (逢会必讲).

// GroupInfo describes one demo leadership group.
type GroupInfo struct {
	Unit, Name, Purpose, EstablishedBy string
	EstablishedOn                      time.Time
	// Seats are (username, role) pairs; each user's first post holds the seat.
	Seats []Seat
}

// Seat is one member of a demo group.
type Seat struct {
	Username string
	Role     domain.GroupRole
}

// MeetingInfo describes one demo meeting.
type MeetingInfo struct {
	Organiser, Title string
	Kind             domain.MeetingKind
	HeldOn           time.Time
	Group            string // the name of the organiser's group, if any
	Attending        []string
	Attendees        int
}

// Groups lists the leadership groups of tenant tenantCode.
func Groups(tenantCode string) []GroupInfo {
	if tenantCode != TenantDemo {
		return []GroupInfo{{Unit: CodeCounty, Name: "邻县安全生产委员会", EstablishedBy: "邻政〔2022〕2号",
			EstablishedOn: day(2022, time.January, 6),
			Seats:         []Seat{{NeighborSecretary, domain.GroupLeader}, {"neighbor.head", domain.GroupDeputyLeader}}}}
	}
	return []GroupInfo{
		{Unit: CodeCounty, Name: "示范县工业安全生产工作领导组", EstablishedBy: "示安委〔2022〕1号",
			Purpose:       "统筹全县工业、商贸和成品油安全生产工作，落实党政同责、一岗双责、齐抓共管。",
			EstablishedOn: day(2022, time.January, 10),
			Seats: []Seat{{"county.secretary", domain.GroupLeader}, {"county.head", domain.GroupDeputyLeader},
				{"county.deputy.industry", domain.GroupMember}, {"bureau.chief", domain.GroupMember},
				{"emergency.chief", domain.GroupMember}, {"admin", domain.GroupOffice}}},
		{Unit: CodeDeptIndustryCommerce, Name: "县工信商务局工业安全生产集中整治领导小组", EstablishedBy: "示工信商务〔2022〕8号",
			Purpose:       "协调、指导、督查工业、商贸和成品油安全生产集中整治工作有序推进。",
			EstablishedOn: day(2022, time.March, 1),
			Seats: []Seat{{"bureau.chief", domain.GroupLeader}, {"bureau.fuel", domain.GroupDeputyLeader},
				{"bureau.secretary", domain.GroupMember}, {"bureau.inspector1", domain.GroupMember}, {"bureau.inspector2", domain.GroupOffice}}},
	}
}

// Meetings lists the meetings of tenant tenantCode.
func Meetings(tenantCode string) []MeetingInfo {
	if tenantCode != TenantDemo {
		return []MeetingInfo{{Organiser: CodeCounty, Kind: domain.MeetingSafetyCommittee, HeldOn: day(2022, time.February, 10),
			Title: "2022年县安委会第一次全体会议", Group: "邻县安全生产委员会", Attendees: 20}}
	}
	towns := []string{CodeTownChengguan, CodeTownDongcheng, CodeTownXihe, CodeTownNanshan, CodeTownBeiling, CodeTownQiaotou}
	govs := append(append([]string{}, towns...), CodeDeptIndustryCommerce, CodeDeptEmergency)
	group, bureauGroup := Groups(TenantDemo)[0].Name, Groups(TenantDemo)[1].Name
	out := []MeetingInfo{}
	for q, m := range []time.Month{time.January, time.April, time.July, time.October} {
		out = append(out, MeetingInfo{Organiser: CodeCounty, Kind: domain.MeetingSafetyCommittee, HeldOn: day(2022, m, 18),
			Title: fmt.Sprintf("2022年第%d季度县安委会全体会议", q+1), Group: group, Attending: govs, Attendees: 42})
	}
	ents := []string{CodeCement, CodePaper, CodeFood, CodeMech, CodeElec, CodeAuto, CodeBio, CodeLogistics, CodeSupermarket, CodeFruit, CodeHotel}
	for _, m := range []struct {
		title string
		on    time.Time
	}{
		{"规上工业企业、限上商贸企业安全生产专项工作会议", day(2022, time.March, 8)},
		{"工业企业疫情防控和安全生产工作会议", day(2022, time.April, 26)},
		{"防汛防灾专项工作会议", day(2022, time.June, 14)},
	} {
		out = append(out, MeetingInfo{Organiser: CodeDeptIndustryCommerce, Kind: domain.MeetingSpecial, HeldOn: m.on,
			Title: m.title, Group: bureauGroup, Attending: ents, Attendees: 35})
	}
	out = append(out,
		MeetingInfo{Organiser: CodeDeptIndustryCommerce, Kind: domain.MeetingDispatch, HeldOn: day(2022, time.September, 23),
			Title: "国庆期间安全生产大检查调度会", Group: bureauGroup, Attendees: 12},
		MeetingInfo{Organiser: CodeCounty, Kind: domain.MeetingSafetyCommittee, HeldOn: day(2023, time.January, 17),
			Title: "2023年第1季度县安委会全体会议", Group: group, Attending: govs, Attendees: 45})
	return out
}

// organisationStep is the seed Step writing a tenant's groups and meetings.
func organisationStep(spec tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		groups := map[string]int{}
		for _, gi := range Groups(spec.code) {
			u, err := c.Unit.Get(ctx, b.Units[gi.Unit])
			if err != nil {
				return fmt.Errorf("organisation: %w", err)
			}
			g, err := c.LeadershipGroup.Create().SetTenantID(b.TenantID).SetUnitID(u.ID).SetName(gi.Name).
				SetPurpose(gi.Purpose).SetEstablishedBy(gi.EstablishedBy).SetEstablishedOn(gi.EstablishedOn).Save(ctx)
			if err != nil {
				return fmt.Errorf("organisation: group %s: %w", gi.Name, err)
			}
			seats := make([]organisation.MemberInput, len(gi.Seats))
			for i, s := range gi.Seats {
				seats[i] = organisation.MemberInput{PostID: b.Posts[s.Username][0], Role: s.Role}
			}
			if err := organisation.Seat(ctx, c, g, u, seats, gi.EstablishedOn.Add(time.Hour)); err != nil {
				return fmt.Errorf("organisation: seat %s: %w", gi.Name, err)
			}
			groups[gi.Name] = g.ID
		}
		for _, mi := range Meetings(spec.code) {
			ids := make([]int, len(mi.Attending))
			for i, code := range mi.Attending {
				ids[i] = b.Units[code]
			}
			create := c.Meeting.Create().SetTenantID(b.TenantID).SetOrganiserUnitID(b.Units[mi.Organiser]).SetKind(mi.Kind).
				SetTitle(mi.Title).SetHeldOn(mi.HeldOn).SetSafetyOnAgenda(true).SetAttendingUnitIds(ids).
				SetAttendeeCount(mi.Attendees).SetAgenda("传达上级安全生产工作部署；通报隐患排查整改情况；部署下阶段工作。")
			if id, ok := groups[mi.Group]; ok {
				create.SetGroupID(id)
			}
			if err := create.Exec(ctx); err != nil {
				return fmt.Errorf("organisation: meeting %s: %w", mi.Title, err)
			}
		}
		return nil
	}
}
