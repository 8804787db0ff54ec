package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/emergency"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// approvalOf converts a plan's approval.
func approvalOf(in *model.EmergencyPlanApprovalInput) *emergency.Approval {
	if in == nil {
		return nil
	}
	return &emergency.Approval{ApprovedOn: in.ApprovedOn, ReviewDue: in.ReviewDue, FiledWithID: in.FiledWithID, FiledOn: in.FiledOn}
}

// problemsOf converts a drill's problems.
func problemsOf(in []*model.DrillProblemInput) []emergency.ProblemInput {
	out := make([]emergency.ProblemInput, len(in))
	for i, p := range in {
		out[i].Description = p.Description
		if h := p.Hazard; h != nil {
			out[i].Hazard = &emergency.HazardOf{Level: h.Level, Category: h.Category, Location: deref(h.Location),
				Requirement: deref(h.Requirement), Deadline: h.Deadline, ResponsiblePerson: deref(h.ResponsiblePerson)}
		}
	}
	return out
}

// uploadOf converts an uploaded file.
func uploadOf(f graphql.Upload) files.Upload {
	return files.Upload{Filename: f.Filename, Size: f.Size, Content: f.File}
}

// complianceInput converts drillCompliance's arguments.
func complianceInput(year int, unitID *int, where *model.DrillComplianceWhereInput, orderBy *model.DrillComplianceOrder, first *int, after *ent.Cursor, last *int, before *ent.Cursor) emergency.ComplianceInput {
	in := emergency.ComplianceInput{Year: year, UnitID: unitID, First: derefOr(first, 50), After: coverageCursorValue(after),
		Last: last, Before: coverageCursorValue(before), Order: emergency.ByName}
	if orderBy != nil {
		if orderBy.Field == model.DrillComplianceOrderFieldStatus {
			in.Order = emergency.ByStatus
		}
		in.Desc = orderBy.Direction == "DESC"
	}
	if where != nil {
		in.Statuses, in.TownID, in.Sectors, in.PlanGap = where.Statuses, where.TownID, where.Sectors, where.PlanGap
	}
	return in
}

// complianceConnection converts a compliance page.
func complianceConnection(c *emergency.Compliance) *model.DrillComplianceConnection {
	out := &model.DrillComplianceConnection{TotalCount: c.TotalCount, Edges: []*model.DrillComplianceEdge{},
		PageInfo: &ent.PageInfo{HasNextPage: c.HasNextPage, HasPreviousPage: c.HasPreviousPage}}
	for i := range c.Rows {
		out.Edges = append(out.Edges, &model.DrillComplianceEdge{Cursor: *coverageCursor(c.Rows[i].Cursor), Node: &c.Rows[i]})
	}
	if n := len(c.Rows); n > 0 {
		out.PageInfo.StartCursor, out.PageInfo.EndCursor = coverageCursor(c.Rows[0].Cursor), coverageCursor(c.Rows[n-1].Cursor)
	}
	return out
}

func (r *Resolver) planAllowed(ctx context.Context, p *ent.EmergencyPlan) ([]model.EmergencyPlanAction, error) {
	if signedIn(ctx) == nil {
		return []model.EmergencyPlanAction{}, nil
	}
	ld := loadersFrom(ctx, r.Client)
	o, err := ld.object(ctx, "emergency_plan", p.TenantID, p.ScopePath, p.ScopeSector, p.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	u, err := ld.loadUnit(ctx, p.UnitID)
	if err != nil {
		return nil, err
	}
	drill, err := ld.object(ctx, "drill", p.TenantID, p.ScopePath, p.ScopeSector, p.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	approve, attach, revise, drillOn := errUnreadable, errUnreadable, errUnreadable, errUnreadable
	if u != nil {
		approve, attach = emergency.MayApprove(ctx, p, o, u), emergency.MayAttach(ctx, o, u)
		revise, drillOn = emergency.MayRevise(ctx, p, o, u), emergency.MayRecordDrill(ctx, p, drill, u)
	}
	return when(decided(model.EmergencyPlanActionApprove, approve), decided(model.EmergencyPlanActionAttach, attach),
		decided(model.EmergencyPlanActionRevise, revise), decided(model.EmergencyPlanActionRecordDrill, drillOn)), nil
}

func (r *Resolver) drillAllowed(ctx context.Context, d *ent.Drill) ([]model.DrillAction, error) {
	if signedIn(ctx) == nil {
		return []model.DrillAction{}, nil
	}
	ld := loadersFrom(ctx, r.Client)
	o, err := ld.object(ctx, "drill", d.TenantID, d.ScopePath, d.ScopeSector, d.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	u, err := ld.loadUnit(ctx, d.UnitID)
	if err != nil {
		return nil, err
	}
	attach := errUnreadable
	if u != nil {
		attach = emergency.MayAttach(ctx, o, u)
	}
	return when(decided(model.DrillActionAttach, attach)), nil
}

// planStatusOn is plan p's status on day on (today when nil).
func (r *Resolver) planStatusOn(p *ent.EmergencyPlan, on *time.Time) domain.EmergencyPlanStatus {
	if on != nil {
		return emergency.Status(p, *on)
	}
	return emergency.Status(p, kernel.Now(r.Emergency.Now))
}
