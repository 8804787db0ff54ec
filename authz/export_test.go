package authz

import (
	"context"

	"entgo.io/ent/dialect/sql"
)

// OnGenerationQueued calls f (holding the batcher's lock: f must not call
// back) whenever a request joins the queue behind a generation read in
// flight.
func OnGenerationQueued(c *ViewerCache, f func()) { c.batch.queued = f }

// Generations is the viewer cache's generation read of one request.
func Generations(ctx context.Context, c *ViewerCache, userID, tenantID int) (userGen, tenantGen int64, err error) {
	return c.generations(ctx, userID, tenantID)
}

// ReferencePredicate is v's read filter for typ built and rendered by ent
// wherever it is applied, without the renderings a scopePredicate keeps.
func ReferencePredicate(v *Viewer, typ, action string) Predicate {
	sp := v.scopePredicate(typ, action)
	return func(s *sql.Selector) {
		if sp == nil {
			s.Where(sql.False())
			return
		}
		s.Where(sp.build(s))
	}
}
