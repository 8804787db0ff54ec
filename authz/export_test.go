package authz

import (
	"context"
	"time"

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

// Apply hands the watch one notification, as its listener would (tests).
func (w *ViewerWatch) Apply(payload string) { w.apply(payload) }

// Mark is the watch's current mark (tests).
func (w *ViewerWatch) Mark() uint64 { return w.mark() }

// Current reports whether a state validated at mark is current (tests).
func (w *ViewerWatch) Current(mark uint64, tenant, user int) bool {
	return w.current(mark, tenant, user)
}

// HoldLeaseFor makes the watch fresh for d without a database (tests).
func (w *ViewerWatch) HoldLeaseFor(d time.Duration) {
	now := time.Now()
	w.wallUntil.Store(now.Add(d).UnixNano())
	w.freshUntil.Store(int64(now.Sub(w.base) + d))
}

// Reset makes every kept state stale, as a reconnected listener does (tests).
func (w *ViewerWatch) Reset() { w.reset() }
