package readiness

import (
	"context"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
)

// MayUpdate decides whether the caller may update a roster, a team or a
// reserve item (o its decision object, u its unit): typ:update in a post at
// u itself, as the update mutations decide it. Their allowedActions ask it.
func MayUpdate(ctx context.Context, o authz.Object, u *ent.Unit) error {
	_, err := authz.ActFor(ctx, o, "update", authz.PlaceOf(u), u.Name, false, "id")
	return err
}
