package seed

import (
	"context"
	"fmt"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/notification"
)

// notificationHeads are the county heads of the demo tenants: each gets a
// notification, so a newcomer signed in as one sees the inbox filled.
var notificationHeads = []string{"county.head", "neighbor.head"}

// notificationsStep seeds, for the tenant's county head, the escalation of
// the tenant's first hazard, sent three days after its deadline (as the
// reminder job would send it).
func notificationsStep(tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		var userID int
		for _, name := range notificationHeads {
			if id, ok := b.Users[name]; ok {
				userID = id
			}
		}
		if userID == 0 {
			return nil
		}
		h, err := c.Hazard.Query().Where(hazard.TenantID(b.TenantID)).Order(ent.Asc(hazard.FieldID)).First(ctx)
		if ent.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("seed notifications: first hazard: %w", err)
		}
		sent := h.Deadline.AddDate(0, 0, 3)
		err = c.Notification.Create().SetTenantID(b.TenantID).SetUserID(userID).SetKind(notification.KindHAZARD_OVERDUE).
			SetObjectID(h.ID).SetUnitID(h.SubjectID).SetDueAt(h.Deadline).SetEscalation(true).SetDay(sent.UTC().Format("2006-01-02")).
			SetWhy(fmt.Sprintf("The hazard %q is past its rectification deadline of %s.", h.Category, h.Deadline.UTC().Format("2006-01-02"))).
			SetCreatedAt(sent).SetUpdatedAt(sent).Exec(ctx)
		if err != nil {
			return fmt.Errorf("seed notifications: %w", err)
		}
		return nil
	}
}
