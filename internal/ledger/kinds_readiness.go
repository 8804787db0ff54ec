package ledger

import (
	"context"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/certificate"
	"github.com/dutychain/dutychain/ent/drill"
	"github.com/dutychain/dutychain/ent/dutyroster"
	"github.com/dutychain/dutychain/ent/dutyshift"
	"github.com/dutychain/dutychain/ent/emergencyplan"
	"github.com/dutychain/dutychain/ent/materialreserve"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/ent/rescueteam"
	"github.com/dutychain/dutychain/ent/training"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/education"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/staffing"
)

var trainingLedger = &Kind{
	Name: "trainings", Title: "安全培训台账", WhereType: "TrainingWhereInput",
	Columns: []Column{{"培训日期", wDate}, {"主办单位", wName}, {"所属乡镇", wTown}, {"培训主题", wName}, {"学时", 8},
		{"培训内容", wText}, {"是否考核", 8}, {"参训人数", wCount}, {"系统编号", wID}},
	rows: stream(source[*ent.Training]{
		query: func(c *ent.Client, where any) (pager[*ent.Training], error) {
			q, err := filter[*ent.TrainingWhereInput](where, c.Training.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.Training, predicate.Training, training.OrderOption](q), nil
		},
		units: func(t *ent.Training) []int { return with(t.ScopePath, t.OrganiserUnitID) },
		// 参训人数 counts the trainees the caller reads, as traineeCount
		// does: the stored count when it reads them all, else one grouped
		// statement for the page.
		extra: func(ctx context.Context, c *ent.Client, ts []*ent.Training) (any, error) {
			return education.TraineesRead(ctx, c, ts)
		},
		render: func(p *page, extra any, t *ent.Training) [][]any {
			return [][]any{{p.day(t.HeldOn), p.name(t.OrganiserUnitID), p.ofKind(t.ScopePath, domain.KindTown), t.Topic,
				t.Hours, t.Content, yesNo(t.Assessed), extra.(map[int]int)[t.ID], gid.Encode(t.ID)}}
		},
	}),
}

var certificateLedger = &Kind{
	Name: "certificates", Title: "持证上岗台账", WhereType: "CertificateWhereInput",
	Columns: []Column{{"持证人", wShort}, {"所在单位", wName}, {"所属乡镇", wTown}, {"证书类别", wName}, {"证书编号", 20},
		{"发证机关", wName}, {"发证日期", wDate}, {"有效期至", wDate}, {"状态", wEnum}, {"系统编号", wID}},
	rows: stream(source[*ent.Certificate]{
		query: func(c *ent.Client, where any) (pager[*ent.Certificate], error) {
			q, err := filter[*ent.CertificateWhereInput](where, c.Certificate.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.Certificate, predicate.Certificate, certificate.OrderOption](q), nil
		},
		units: func(c *ent.Certificate) []int { return with(c.ScopePath, c.UnitID) },
		render: func(p *page, _ any, c *ent.Certificate) [][]any {
			return [][]any{{c.HolderName, p.name(c.UnitID), p.ofKind(c.ScopePath, domain.KindTown), label("CertificateKind", c.Kind),
				c.Number, c.Issuer, p.day(c.IssuedOn), p.day(c.ValidUntil),
				label("CertificateStatus", staffing.StatusAt(c.ValidUntil, p.now)), gid.Encode(c.ID)}}
		},
	}),
}

var planLedger = &Kind{
	Name: "emergency-plans", Title: "应急预案台账", WhereType: "EmergencyPlanWhereInput",
	Columns: []Column{{"单位", wName}, {"所属乡镇", wTown}, {"预案类型", wEnum}, {"事故类别", wEnum}, {"预案名称", wName},
		{"版本", 8}, {"批准日期", wDate}, {"备案部门", wName}, {"备案日期", wDate}, {"评审到期", wDate}, {"状态", wEnum},
		{"系统编号", wID}},
	rows: stream(source[*ent.EmergencyPlan]{
		query: func(c *ent.Client, where any) (pager[*ent.EmergencyPlan], error) {
			q, err := filter[*ent.EmergencyPlanWhereInput](where, c.EmergencyPlan.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.EmergencyPlan, predicate.EmergencyPlan, emergencyplan.OrderOption](q), nil
		},
		units: func(e *ent.EmergencyPlan) []int {
			ids := with(e.ScopePath, e.UnitID)
			if e.FiledWithID != nil {
				ids = append(ids, *e.FiledWithID)
			}
			return ids
		},
		render: func(p *page, _ any, e *ent.EmergencyPlan) [][]any {
			return [][]any{{p.name(e.UnitID), p.ofKind(e.ScopePath, domain.KindTown), label("EmergencyPlanKind", e.Kind),
				labelOf("EmergencyPlanTopic", e.Topic), e.Title, e.Version, p.dayOf(e.ApprovedOn), p.nameOf(e.FiledWithID),
				p.dayOf(e.FiledOn), p.dayOf(e.ReviewDue), label("EmergencyPlanState", e.State), gid.Encode(e.ID)}}
		},
	}),
}

var drillLedger = &Kind{
	Name: "drills", Title: "应急演练台账", WhereType: "DrillWhereInput",
	Columns: []Column{{"演练日期", wDate}, {"单位", wName}, {"所属乡镇", wTown}, {"预案类型", wEnum}, {"演练形式", wEnum},
		{"参演人数", wCount}, {"演练情景", wText}, {"演练评估", wText}, {"发现问题数", wCount}, {"系统编号", wID}},
	rows: stream(source[*ent.Drill]{
		query: func(c *ent.Client, where any) (pager[*ent.Drill], error) {
			q, err := filter[*ent.DrillWhereInput](where, c.Drill.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.Drill, predicate.Drill, drill.OrderOption](q), nil
		},
		units: func(d *ent.Drill) []int { return with(d.ScopePath, d.UnitID) },
		render: func(p *page, _ any, d *ent.Drill) [][]any {
			return [][]any{{p.day(d.HeldOn), p.name(d.UnitID), p.ofKind(d.ScopePath, domain.KindTown),
				label("EmergencyPlanKind", d.PlanKind), label("DrillForm", d.Form), d.Participants, d.Scenario, d.Evaluation,
				len(d.Problems), gid.Encode(d.ID)}}
		},
	}),
}

var rosterLedger = &Kind{
	Name: "duty-rosters", Title: "值班值守台账", WhereType: "DutyRosterWhereInput",
	Columns: []Column{{"单位", wName}, {"所属乡镇", wTown}, {"值班表", wName}, {"重点时段", wEnum}, {"起始日期", wDate},
		{"结束日期", wDate}, {"须全时段覆盖", 8}, {"班次开始", wTime}, {"班次结束", wTime}, {"带班领导", wShort},
		{"带班领导电话", wPhone}, {"值班人员", wShort}, {"值班人员电话", wPhone}, {"系统编号", wID}},
	rows: stream(source[*ent.DutyRoster]{
		query: func(c *ent.Client, where any) (pager[*ent.DutyRoster], error) {
			q, err := filter[*ent.DutyRosterWhereInput](where, c.DutyRoster.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.DutyRoster, predicate.DutyRoster, dutyroster.OrderOption](q), nil
		},
		units: func(r *ent.DutyRoster) []int { return with(r.ScopePath, r.UnitID) },
		extra: shiftsOf,
		// One row per shift; a roster without shifts has one row of its own.
		render: func(p *page, extra any, r *ent.DutyRoster) [][]any {
			roster := []any{p.name(r.UnitID), p.ofKind(r.ScopePath, domain.KindTown), r.Title,
				labelOf("DutyKeyPeriod", r.KeyPeriod), p.day(r.PeriodStart), p.day(r.PeriodEnd), yesNo(r.RequiresFullCover)}
			shifts := extra.(map[int][]*ent.DutyShift)[r.ID]
			if len(shifts) == 0 {
				return [][]any{append(roster, "", "", "", "", "", "", gid.Encode(r.ID))}
			}
			rows := make([][]any, len(shifts))
			for i, s := range shifts {
				rows[i] = append(append([]any{}, roster...), p.moment(s.StartsAt), p.moment(s.EndsAt), s.LeaderName,
					s.LeaderPhone, s.StaffName, s.StaffPhone, gid.Encode(r.ID))
			}
			return rows
		},
	}),
}

// shiftsOf loads the shifts of a page's rosters, in time order: one
// statement.
func shiftsOf(ctx context.Context, c *ent.Client, rs []*ent.DutyRoster) (any, error) {
	ids := make([]int, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	shifts, err := c.DutyShift.Query().Where(dutyshift.RosterIDIn(ids...)).
		Order(ent.Asc(dutyshift.FieldStartsAt, dutyshift.FieldID)).All(ctx)
	out := map[int][]*ent.DutyShift{}
	for _, s := range shifts {
		out[s.RosterID] = append(out[s.RosterID], s)
	}
	return out, err
}

var rescueTeamLedger = &Kind{
	Name: "rescue-teams", Title: "应急救援队伍台账", WhereType: "RescueTeamWhereInput",
	Columns: []Column{{"单位", wName}, {"所属乡镇", wTown}, {"队伍名称", wName}, {"队伍类型", wEnum}, {"人数", wCount},
		{"队长", wShort}, {"联系电话", wPhone}, {"主要装备", wText}, {"系统编号", wID}},
	rows: stream(source[*ent.RescueTeam]{
		query: func(c *ent.Client, where any) (pager[*ent.RescueTeam], error) {
			q, err := filter[*ent.RescueTeamWhereInput](where, c.RescueTeam.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.RescueTeam, predicate.RescueTeam, rescueteam.OrderOption](q), nil
		},
		units: func(t *ent.RescueTeam) []int { return with(t.ScopePath, t.UnitID) },
		render: func(p *page, _ any, t *ent.RescueTeam) [][]any {
			return [][]any{{p.name(t.UnitID), p.ofKind(t.ScopePath, domain.KindTown), t.Name, label("RescueTeamKind", t.Kind),
				t.MemberCount, t.LeaderName, t.ContactPhone, t.Equipment, gid.Encode(t.ID)}}
		},
	}),
}

var reserveLedger = &Kind{
	Name: "material-reserves", Title: "应急物资储备台账", WhereType: "MaterialReserveWhereInput",
	Columns: []Column{{"单位", wName}, {"所属乡镇", wTown}, {"物资名称", wName}, {"类别", wEnum}, {"数量", wCount},
		{"计量单位", 8}, {"最低储备", wCount}, {"储备不足", 8}, {"存放地点", wName}, {"保管人", wShort},
		{"有效期至", wDate}, {"下次检查", wDate}, {"系统编号", wID}},
	rows: stream(source[*ent.MaterialReserve]{
		query: func(c *ent.Client, where any) (pager[*ent.MaterialReserve], error) {
			q, err := filter[*ent.MaterialReserveWhereInput](where, c.MaterialReserve.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.MaterialReserve, predicate.MaterialReserve, materialreserve.OrderOption](q), nil
		},
		units: func(m *ent.MaterialReserve) []int { return with(m.ScopePath, m.UnitID) },
		render: func(p *page, _ any, m *ent.MaterialReserve) [][]any {
			return [][]any{{p.name(m.UnitID), p.ofKind(m.ScopePath, domain.KindTown), m.Item, m.Category, m.Quantity,
				m.UnitOfMeasure, m.MinimumQuantity, yesNo(m.Quantity < m.MinimumQuantity), m.Location, m.Keeper,
				p.dayOf(m.ExpiresOn), p.dayOf(m.NextCheckOn), gid.Encode(m.ID)}}
		},
	}),
}

// kinds lists every ledger (Kinds).
var kinds = []*Kind{hazardLedger, inspectionLedger, letterLedger, enterpriseLedger, unitLedger, noticeLedger,
	trainingLedger, certificateLedger, planLedger, drillLedger, rosterLedger, rescueTeamLedger, reserveLedger,
	riskPointLedger}
