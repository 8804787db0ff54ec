package authz

import "context"

// OnGenerationQueued calls f (holding the batcher's lock: f must not call
// back) whenever a request joins the queue behind a generation read in
// flight.
func OnGenerationQueued(c *ViewerCache, f func()) { c.batch.queued = f }

// Generations is the viewer cache's generation read of one request.
func Generations(ctx context.Context, c *ViewerCache, userID, tenantID int) (userGen, tenantGen int64, err error) {
	return c.generations(ctx, userID, tenantID)
}
