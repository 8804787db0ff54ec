package graph

import (
	"context"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/controlmeasure"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/riskgrading"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/prevention"
)

// riskLoaders load the parts of a page of risk points, one statement per
// kind for the whole page.
type riskLoaders struct {
	measures childLoader[*ent.ControlMeasure]
	gradings childLoader[*ent.RiskGrading]
	// openHazards counts the hazards not closed per risk point.
	openHazards mappedLoader[int, int]
}

func newRiskLoaders(client *ent.Client) riskLoaders {
	return riskLoaders{
		measures: newChildLoader(func(ctx context.Context, ids []int) ([]*ent.ControlMeasure, error) {
			return client.ControlMeasure.Query().Where(controlmeasure.RiskPointIDIn(ids...)).
				Order(ent.Asc(controlmeasure.FieldID)).All(ctx)
		}, func(m *ent.ControlMeasure) int { return m.RiskPointID }),
		gradings: newChildLoader(func(ctx context.Context, ids []int) ([]*ent.RiskGrading, error) {
			return client.RiskGrading.Query().Where(riskgrading.RiskPointIDIn(ids...)).
				Order(ent.Asc(riskgrading.FieldID)).All(ctx)
		}, func(g *ent.RiskGrading) int { return g.RiskPointID }),
		openHazards: newMappedLoader(func(ctx context.Context, ids []int) (map[int]int, error) {
			var rows []struct {
				RiskPointID int `json:"risk_point_id"`
				Count       int `json:"count"`
			}
			err := client.Hazard.Query().Where(hazard.RiskPointIDIn(ids...), hazard.StateNEQ(domain.HazardClosed)).
				GroupBy(hazard.FieldRiskPointID).Aggregate(ent.Count()).Scan(ctx, &rows)
			out := make(map[int]int, len(ids))
			for _, id := range ids {
				out[id] = 0
			}
			for _, r := range rows {
				out[r.RiskPointID] = r.Count
			}
			return out, err
		}),
	}
}

// checklistOf turns the control measures of rp into the items of its check
// as of now.
func checklistOf(rp *ent.RiskPoint, measures []*ent.ControlMeasure, now time.Time) []*model.RiskChecklistItem {
	items := make([]*model.RiskChecklistItem, len(measures))
	for i, m := range measures {
		items[i] = &model.RiskChecklistItem{ControlMeasure: m, Item: rp.Name + "：" + m.Description,
			ResponsiblePost: m.ResponsiblePost, Frequency: m.Frequency, LastCheckedAt: m.LastCheckedAt,
			DueAt: m.NextDue, Overdue: prevention.Overdue(m.NextDue, now)}
	}
	return items
}

// measuresOf converts the control measures of a new risk point.
func measuresOf(in []*model.ControlMeasureInput) []prevention.MeasureInput {
	out := make([]prevention.MeasureInput, len(in))
	for i, m := range in {
		out[i] = prevention.MeasureInput{Description: m.Description, ResponsiblePost: m.ResponsiblePost, Frequency: m.Frequency}
	}
	return out
}

// riskPointAllowed lists what the caller may do with rp now.
func (r *Resolver) riskPointAllowed(ctx context.Context, rp *ent.RiskPoint) ([]model.RiskPointAction, error) {
	if signedIn(ctx) == nil {
		return []model.RiskPointAction{}, nil
	}
	o, err := loadersFrom(ctx, r.Client).object(ctx, "risk_point", rp.TenantID, rp.ScopePath, rp.ScopeSector, rp.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	_, grade := prevention.MayGrade(ctx, o)
	_, check := prevention.MayCheck(ctx, o)
	return when(decided(model.RiskPointActionRegrade, grade), decided(model.RiskPointActionRecordCheck, check)), nil
}
