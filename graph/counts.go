package graph

import (
	"context"
	"errors"
	"fmt"
	"sort"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/countcache"
	"github.com/dutychain/dutychain/internal/domain"
)

// hazardCountKey names what a count of hazards counts: the database
// (client) and the SQL of the viewer's scope predicate and the filter, with
// their arguments — filters set by input resolvers (townID, overdue…) are
// predicates, so the SQL is their only faithful description. Viewers with the
// same predicate see the same rows, so they may share an entry; nobody else.
func hazardCountKey(client *ent.Client, v *authz.Viewer, where *ent.HazardWhereInput) (string, error) {
	s := entsql.Select("*").From(entsql.Table(hazard.Table))
	v.Predicate("hazard", "read")(s)
	if where != nil {
		p, err := where.P()
		switch {
		case errors.Is(err, ent.ErrEmptyHazardWhereInput):
		case err != nil:
			return "", err
		default:
			p(s)
		}
	}
	q, args := s.Query()
	return fmt.Sprintf("%p|%d|%s|%#v", client, v.Tenant, q, args), nil
}

// withHazardTotalKey lets the hazards connection's totalCount come from the
// count cache (see internal/db, which serves marked count queries from it).
func withHazardTotalKey(ctx context.Context, client *ent.Client, v *authz.Viewer, where *ent.HazardWhereInput) (context.Context, error) {
	if !requested(ctx, "totalCount") {
		return ctx, nil
	}
	key, err := hazardCountKey(client, v, where)
	if err != nil {
		return ctx, err
	}
	return countcache.WithKey(ctx, key), nil
}

var hazardCountCache countcache.Cache[[]*model.HazardCount]

// hazardCounts counts the viewer's hazards by state × level in one statement,
// or none when the same count was made since the last commit (countcache).
func hazardCounts(ctx context.Context, client *ent.Client, v *authz.Viewer, where *ent.HazardWhereInput) ([]*model.HazardCount, error) {
	key, err := hazardCountKey(client, v, where)
	if err != nil {
		return nil, err
	}
	return hazardCountCache.Do(key, func() ([]*model.HazardCount, error) {
		q, err := where.Filter(client.Hazard.Query())
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
		out := make([]*model.HazardCount, 0, len(rows))
		for _, row := range rows {
			out = append(out, &model.HazardCount{State: row.State, Level: row.Level, Count: row.Count})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Level != out[j].Level {
				return out[i].Level < out[j].Level
			}
			return out[i].State < out[j].State
		})
		return out, nil
	})
}
