package graph

import (
	"context"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/dashboard"
)

// groupTown is the town of a dashboard count, batched with the other
// units of the request; nil for a government unit's records.
func (r *Resolver) groupTown(ctx context.Context, g dashboard.Group) (*ent.Unit, error) {
	if g.TownID == nil {
		return nil, nil
	}
	return loadersFrom(ctx, r.Client).loadUnit(ctx, *g.TownID)
}
