package ledger

import (
	"context"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/ent/riskpoint"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/gid"
)

// Widths of the columns that recur across ledgers.
const (
	wName  = 28 // a unit or record name
	wTown  = 14 // a town
	wDate  = 12 // yyyy-mm-dd
	wTime  = 17 // yyyy-mm-dd hh:mm
	wEnum  = 12 // a label
	wText  = 40 // free text
	wCount = 10 // a number
	wID    = 18 // an opaque id
	wPhone = 14
	wShort = 10 // a person's name
)

var hazardLedger = &Kind{
	Name: "hazards", Title: "隐患排查治理台账", WhereType: "HazardWhereInput",
	Columns: []Column{{"所属乡镇", wTown}, {"企业", wName}, {"隐患部位", wName}, {"发现日期", wDate}, {"来源", wEnum},
		{"隐患等级", wEnum}, {"隐患类别", wEnum}, {"具体位置", wName}, {"隐患描述", wText}, {"整改要求", wText},
		{"整改期限", wDate}, {"整改责任人", wShort}, {"状态", wEnum}, {"是否逾期", 8}, {"挂牌督办", 8},
		{"销号日期", wDate}, {"系统编号", wID}},
	rows: stream(source[*ent.Hazard]{
		query: func(c *ent.Client, where any) (pager[*ent.Hazard], error) {
			q, err := filter[*ent.HazardWhereInput](where, c.Hazard.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.Hazard, predicate.Hazard, hazard.OrderOption](q), nil
		},
		units: func(h *ent.Hazard) []int { return with(h.ScopePath, h.SubjectID) },
		render: func(p *page, _ any, h *ent.Hazard) [][]any {
			overdue := h.State != domain.HazardClosed && h.Deadline.Before(p.now)
			return [][]any{{p.ofKind(h.ScopePath, domain.KindTown), p.ofKind(h.ScopePath, domain.KindEnterprise), p.name(h.SubjectID),
				p.day(h.FoundAt), label("HazardSource", h.Source), label("HazardLevel", h.Level), h.Category, h.Location,
				h.Description, h.Requirement, p.day(h.Deadline), h.ResponsiblePerson, label("HazardState", h.State),
				yesNo(overdue), yesNo(h.Supervised), p.dayOf(h.ClosedAt), gid.Encode(h.ID)}}
		},
	}),
}

var inspectionLedger = &Kind{
	Name: "inspections", Title: "安全检查台账", WhereType: "InspectionWhereInput",
	Columns: []Column{{"检查日期", wDate}, {"检查类型", wEnum}, {"重点时段", wEnum}, {"检查单位", wName},
		{"被检查单位", wName}, {"所属乡镇", wTown}, {"状态", wEnum}, {"检查人数", wCount}, {"发现隐患数", wCount},
		{"检查结论", wText}, {"系统编号", wID}},
	rows: stream(source[*ent.Inspection]{
		query: func(c *ent.Client, where any) (pager[*ent.Inspection], error) {
			q, err := filter[*ent.InspectionWhereInput](where, c.Inspection.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.Inspection, predicate.Inspection, inspection.OrderOption](q), nil
		},
		units: func(i *ent.Inspection) []int { return with(i.ScopePath, i.InspectingUnitID, i.TargetID) },
		extra: hazardsFound,
		render: func(p *page, extra any, i *ent.Inspection) [][]any {
			return [][]any{{p.day(i.InspectedOn), label("InspectionType", i.Type), labelOf("InspectionKeyPeriod", i.KeyPeriod),
				p.name(i.InspectingUnitID), p.name(i.TargetID), p.ofKind(i.ScopePath, domain.KindTown),
				label("InspectionStatus", i.Status), len(i.InspectorIds), extra.(map[int]int)[i.ID], i.Conclusion, gid.Encode(i.ID)}}
		},
	}),
}

// hazardsFound counts the hazards (the viewer can read) found in each
// inspection of a page: one statement.
func hazardsFound(ctx context.Context, c *ent.Client, is []*ent.Inspection) (any, error) {
	ids := make([]int, len(is))
	for i, in := range is {
		ids[i] = in.ID
	}
	var counts []struct {
		InspectionID int `json:"inspection_id"`
		Count        int `json:"count"`
	}
	err := c.Hazard.Query().Where(hazard.InspectionIDIn(ids...)).
		GroupBy(hazard.FieldInspectionID).Aggregate(ent.Count()).Scan(ctx, &counts)
	out := make(map[int]int, len(counts))
	for _, n := range counts {
		out[n.InspectionID] = n.Count
	}
	return out, err
}

var riskPointLedger = &Kind{
	Name: "risk-points", Title: "安全风险分级管控台账", WhereType: "RiskPointWhereInput",
	Columns: []Column{{"所属乡镇", wTown}, {"单位", wName}, {"风险点名称", wName}, {"类型", wEnum}, {"危险源", wText},
		{"可能性(L)", wCount}, {"严重性(S)", wCount}, {"风险值", wCount}, {"风险等级", wEnum}, {"评定日期", wDate},
		{"下次检查", wDate}, {"系统编号", wID}},
	rows: stream(source[*ent.RiskPoint]{
		query: func(c *ent.Client, where any) (pager[*ent.RiskPoint], error) {
			q, err := filter[*ent.RiskPointWhereInput](where, c.RiskPoint.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.RiskPoint, predicate.RiskPoint, riskpoint.OrderOption](q), nil
		},
		units: func(r *ent.RiskPoint) []int { return with(r.ScopePath, r.UnitID) },
		render: func(p *page, _ any, r *ent.RiskPoint) [][]any {
			return [][]any{{p.ofKind(r.ScopePath, domain.KindTown), p.name(r.UnitID), r.Name, label("RiskPointKind", r.Kind),
				r.HazardSources, r.Likelihood, r.Severity, r.Score, label("RiskLevel", r.Level), p.day(r.GradedAt),
				p.dayOf(r.NextCheckDue), gid.Encode(r.ID)}}
		},
	}),
}
