// Package hazards records hidden hazards (隐患) and runs their state
// machines: the table of legal steps is machine.go; which posts may take a
// step is decided here, per step and per side, with casbin. Each operation
// validates its input and runs in one transaction; creates go through the
// ent scope hooks (tenant stamping, jurisdiction check). Inspections,
// campaigns and random draws are package inspections.
package hazards

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
)

// Service performs the hazard mutations.
type Service struct {
	Client *ent.Client
	Now    func() time.Time
	// Files stores the photos attached to transitions.
	Files *files.Service
}

func objectOf(ctx context.Context, c *ent.Client, h *ent.Hazard) (authz.Object, error) {
	return authz.ObjectAt(ctx, c, "hazard", h.TenantID, h.ScopePath, h.ScopeSector, h.ScopeEnterpriseID)
}

// addEvent records one step of h (now in its new state) and returns the
// event, to which the step's photos are attached. The event carries the
// hazard's scope columns, so that events are visible exactly when their
// hazard is.
func addEvent(ctx context.Context, c *ent.Client, h *ent.Hazard, action domain.HazardAction, from domain.HazardState, actor int, post *int, note string, at time.Time) (*ent.HazardEvent, error) {
	ev, err := c.HazardEvent.Create().
		SetTenantID(h.TenantID).SetScopePath(h.ScopePath).SetNillableScopeSector(h.ScopeSector).
		SetNillableScopeEnterpriseID(h.ScopeEnterpriseID).
		SetHazardID(h.ID).SetAction(action).SetFromState(string(from)).SetToState(string(h.State)).
		SetActorID(actor).SetNillablePostID(post).SetNote(note).SetAt(at).
		Save(authz.SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("record hazard event: %w", err)
	}
	return ev, nil
}
