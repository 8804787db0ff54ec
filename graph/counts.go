package graph

import (
	"context"
	"sort"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/tally"
)

// withHazardTotal lets the hazards connection's totalCount come from the
// hazard tallies when they answer the viewer and filter (tally.Answers):
// internal/db answers the marked count query with one statement over the
// tallies instead of counting the hazards.
func (r *Resolver) withHazardTotal(ctx context.Context, v *authz.Viewer, where *ent.HazardWhereInput) context.Context {
	if r.Tally == nil || !requested(ctx, "totalCount") || !tally.Answers(v, where) {
		return ctx
	}
	return tally.WithTotal(ctx, func(ctx context.Context) (int, error) { return r.Tally.Total(ctx, v, where) })
}

// hazardCounts counts the viewer's hazards by state × level in one
// statement: over the hazard tallies when they answer, else over the hazards.
// Both are exact; neither is cached.
func (r *Resolver) hazardCounts(ctx context.Context, v *authz.Viewer, where *ent.HazardWhereInput) ([]*model.HazardCount, error) {
	var counts []tally.Count
	if r.Tally != nil && tally.Answers(v, where) {
		var err error
		if counts, err = r.Tally.Counts(ctx, v, where); err != nil {
			return nil, err
		}
	} else {
		q, err := where.Filter(r.Client.Hazard.Query())
		if err != nil {
			return nil, err
		}
		var rows []struct {
			State domain.HazardState `json:"state"`
			Level domain.HazardLevel `json:"level"`
			Count int                `json:"count"`
		}
		if err := q.GroupBy(hazard.FieldState, hazard.FieldLevel).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, row := range rows {
			counts = append(counts, tally.Count{State: row.State, Level: row.Level, Count: row.Count})
		}
	}
	out := make([]*model.HazardCount, 0, len(counts))
	for _, c := range counts {
		out = append(out, &model.HazardCount{State: c.State, Level: c.Level, Count: c.Count})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Level != out[j].Level {
			return out[i].Level < out[j].Level
		}
		return out[i].State < out[j].State
	})
	return out, nil
}
