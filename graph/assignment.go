package graph

// The hazards page shared by the hazards list and the overdue follow-ups
// view, and the request's clock the time filters read.

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/internal/domain"
)

// hazardPage is one page of the caller's hazards matching where: the page,
// its total (from the hazard tallies when they answer) and the loaders its fields
// ask for, primed for the whole page.
func (r *Resolver) hazardPage(ctx context.Context, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy *ent.HazardOrder, where *ent.HazardWhereInput) (*ent.HazardConnection, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	ctx = r.withHazardTotal(ctx, v, where)
	conn, err := r.Client.Hazard.Query().Paginate(ctx, after, first, before, last,
		ent.WithHazardOrder(orderBy), ent.WithHazardFilter(where.Filter))
	if err != nil {
		return nil, err
	}
	want := wantsOfHazardPage(ctx)
	if want == (hazardWants{}) {
		return conn, nil
	}
	nodes := make([]*ent.Hazard, len(conn.Edges))
	for i, e := range conn.Edges {
		nodes[i] = e.Node
	}
	return conn, loadersFrom(ctx, r.Client).primeHazards(ctx, nodes, want)
}

// requestTime is the request's clock: the viewer's, else the server's.
func requestTime(ctx context.Context) time.Time {
	if v := authz.FromContext(ctx); v != nil && !v.Now.IsZero() {
		return v.Now
	}
	return time.Now()
}

// followUpOverdue holds for a hazard assigned, not CLOSED and past its
// follow-up date.
func followUpOverdue(ctx context.Context) predicate.Hazard {
	return hazard.And(hazard.FollowUpOnLT(requestTime(ctx)), hazard.StateNEQ(domain.HazardClosed))
}
