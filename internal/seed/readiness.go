package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/readiness"
)

// The demo county's emergency readiness, from the seed document ("严格落实
// 24小时值班和领导带班制度", flood-season preparation, rescue teams and
// reserves): the county's and 城关镇's National Day 2022 rosters, a day
// shift from 08:00 to 08:00 the next day (China Standard Time) with a
// leader and a staff member on duty — 城关镇's with three hours without
// staff in the night of 4 October (02:00–05:00), its one gap; the county's
// flood-season roster in weekly shifts; the county rescue team; and the
// flood reserves of the 应急管理局, one item expired and one below its
// minimum.

// cst is China Standard Time, the demo tenants' zone.
var cst = time.FixedZone("CST", 8*3600)

// local is an instant of the demo county written in its zone, stored UTC.
func local(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, cst).UTC() }

// RosterInfo describes one demo duty roster: daily (or, with Every, longer)
// shifts from its start to its end, leaders taking turns.
type RosterInfo struct {
	Unit, Title string
	KeyPeriod   domain.DutyKeyPeriod
	Start, End  time.Time
	Every       time.Duration
	Leaders     []string // usernames taking turns as leader on duty
	// NoStaff is a night interval of a shift without staff on duty, if any.
	NoStaff [2]time.Time
}

// Rosters lists the duty rosters of tenant tenantCode.
func Rosters(tenantCode string) []RosterInfo {
	if tenantCode != TenantDemo {
		return nil
	}
	natStart, natEnd := local(2022, time.October, 1, 8), local(2022, time.October, 8, 8)
	return []RosterInfo{
		{Unit: CodeCounty, Title: "示范县2022年国庆节假期值班表", KeyPeriod: domain.DutyNationalDay, Start: natStart, End: natEnd,
			Every: 24 * time.Hour, Leaders: []string{"county.secretary", "county.head"}},
		{Unit: CodeTownChengguan, Title: "城关镇2022年国庆节假期值班表", KeyPeriod: domain.DutyNationalDay, Start: natStart, End: natEnd,
			Every: 24 * time.Hour, Leaders: []string{"chengguan.secretary", "chengguan.head"},
			NoStaff: [2]time.Time{local(2022, time.October, 4, 2), local(2022, time.October, 4, 5)}},
		{Unit: CodeCounty, Title: "示范县2022年汛期值班表", KeyPeriod: domain.DutyFloodSeason,
			Start: local(2022, time.June, 1, 8), End: local(2022, time.August, 31, 8),
			Every: 7 * 24 * time.Hour, Leaders: []string{"county.head", "county.secretary"}},
	}
}

// shiftsOf are the shifts of a demo roster, the last one clipped to its end.
func shiftsOf(ri RosterInfo, b *Built) []readiness.ShiftInput {
	staff := []string{"王值班", "李值班", "张值班"}
	out := []readiness.ShiftInput{}
	for i, at := 0, ri.Start; at.Before(ri.End); i, at = i+1, at.Add(ri.Every) {
		end := at.Add(ri.Every)
		if end.After(ri.End) {
			end = ri.End
		}
		leader := b.Posts[ri.Leaders[i%len(ri.Leaders)]][0]
		sh := readiness.ShiftInput{StartsAt: at, EndsAt: end, LeaderPostID: &leader, LeaderPhone: "0550-1234567",
			StaffName: staff[i%len(staff)], StaffPhone: fmt.Sprintf("1380550%04d", 1000+i)}
		if gap := ri.NoStaff; !gap[0].IsZero() && !gap[0].Before(at) && !gap[1].After(end) {
			// The staff member leaves at the gap's start and the next
			// arrives at its end; the leader stays on duty throughout.
			first, rest := sh, sh
			first.EndsAt, rest.StartsAt = gap[0], gap[1]
			alone := readiness.ShiftInput{StartsAt: gap[0], EndsAt: gap[1], LeaderPostID: &leader, LeaderPhone: sh.LeaderPhone}
			out = append(out, first, alone, rest)
			continue
		}
		out = append(out, sh)
	}
	return out
}

// readinessStep is the seed Step writing a tenant's rosters, rescue team
// and reserves.
func readinessStep(spec tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		if spec.code != TenantDemo {
			return nil
		}
		for _, ri := range Rosters(spec.code) {
			u, err := c.Unit.Get(ctx, b.Units[ri.Unit])
			if err != nil {
				return fmt.Errorf("readiness: %w", err)
			}
			r, err := c.DutyRoster.Create().SetTenantID(b.TenantID).SetUnitID(u.ID).SetTitle(ri.Title).SetKeyPeriod(ri.KeyPeriod).
				SetPeriodStart(ri.Start).SetPeriodEnd(ri.End).SetRequiresFullCover(true).Save(ctx)
			if err != nil {
				return fmt.Errorf("readiness: roster %s: %w", ri.Title, err)
			}
			shifts := shiftsOf(ri, b)
			ids := []int{}
			for _, name := range ri.Leaders {
				ids = append(ids, b.Posts[name][0])
			}
			leaders, err := c.Post.Query().Where(post.IDIn(ids...)).WithUser().All(ctx)
			if err != nil {
				return fmt.Errorf("readiness: leaders of %s: %w", ri.Title, err)
			}
			byID := map[int]*ent.Post{}
			for _, p := range leaders {
				byID[p.ID] = p
			}
			if err := readiness.WriteShifts(ctx, c, r, u, shifts, byID); err != nil {
				return fmt.Errorf("readiness: shifts of %s: %w", ri.Title, err)
			}
		}
		if err := c.RescueTeam.Create().SetTenantID(b.TenantID).SetUnitID(b.Units[CodeCounty]).SetName("示范县综合应急救援队").
			SetKind(domain.RescueFullTime).SetMemberCount(32).SetLeaderName("周振华").SetContactPhone("0550-7110119").
			SetEquipment("抢险救援车2辆、冲锋舟3艘、排涝泵8台、破拆工具组4套、救生衣120件").Exec(ctx); err != nil {
			return fmt.Errorf("readiness: rescue team: %w", err)
		}
		expired := local(2022, time.May, 31, 0)
		for _, m := range []struct {
			item, measure   string
			quantity, least int
			expires         *time.Time
		}{
			{"编织袋", "条", 20000, 10000, nil},
			{"救生衣", "件", 150, 100, &expired},
			{"排涝泵", "台", 6, 10, nil},
		} {
			if err := c.MaterialReserve.Create().SetTenantID(b.TenantID).SetUnitID(b.Units[CodeDeptEmergency]).SetItem(m.item).
				SetCategory("防汛物资").SetQuantity(m.quantity).SetMinimumQuantity(m.least).SetUnitOfMeasure(m.measure).
				SetLocation("县防汛物资仓库").SetKeeper("刘保管").SetNillableExpiresOn(m.expires).
				SetNextCheckOn(local(2022, time.November, 1, 0)).Exec(ctx); err != nil {
				return fmt.Errorf("readiness: reserve %s: %w", m.item, err)
			}
		}
		return nil
	}
}
