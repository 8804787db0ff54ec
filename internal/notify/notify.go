// Package notify keeps the notifications (提醒、督办) of each user: it finds
// the records due or overdue (FindDue), decides who is reminded and to whom
// an overdue record escalates (Plan), stores each notification once per
// object, kind, recipient and day (Record), lets a user read and mark their
// own, and delivers them to a county's gateway (Deliverer, Webhook). The
// jobs that run it on a schedule are in internal/jobs.
package notify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/notification"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Service reads and marks the caller's notifications and stores new ones.
type Service struct {
	Client *ent.Client
	Now    func() time.Time
}

// Record stores r unless a notification of its object, kind, user and day
// exists: created is false then, and the stored one is returned. Safe to
// repeat and to run on several replicas at once (the unique index decides).
func (s *Service) Record(ctx context.Context, r Reminder) (n *ent.Notification, created bool, err error) {
	ctx = authz.SystemContext(ctx)
	existing := func() (*ent.Notification, error) {
		return s.Client.Notification.Query().Where(notification.UserID(r.UserID), notification.ObjectID(r.ObjectID),
			notification.KindEQ(r.Kind), notification.Day(r.Day)).Only(ctx)
	}
	if n, err := existing(); err == nil {
		return n, false, nil
	} else if !ent.IsNotFound(err) {
		return nil, false, fmt.Errorf("look up notification: %w", err)
	}
	err = kernel.InTx(ctx, s.Client, func(tx *ent.Tx) error {
		n, err = tx.Notification.Create().SetTenantID(r.Tenant).SetUserID(r.UserID).SetKind(r.Kind).SetObjectID(r.ObjectID).
			SetUnitID(r.UnitID).SetWhy(r.Why).SetDueAt(r.DueAt).SetEscalation(r.Escalation).SetDay(r.Day).Save(ctx)
		return err
	})
	if ent.IsConstraintError(err) {
		// Another replica stored it between the look-up and the insert.
		n, err = existing()
		return n, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("store notification: %w", err)
	}
	return n.Unwrap(), true, nil
}

// MarkRead marks the caller's notifications ids read at now and returns
// them in the order of ids. An id that is not the caller's (absent, or
// another user's: both read the same) is NOT_FOUND on input.ids, and
// nothing is marked.
func (s *Service) MarkRead(ctx context.Context, ids []int) ([]*ent.Notification, error) {
	if _, err := kernel.Viewer(ctx); err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > MaxMark {
		return nil, apperr.Invalid("input.ids", fmt.Sprintf("give between 1 and %d ids", MaxMark))
	}
	now := kernel.Now(s.Now)
	var out []*ent.Notification
	err := kernel.InTx(ctx, s.Client, func(tx *ent.Tx) error {
		found, err := tx.Notification.Query().Where(notification.IDIn(ids...)).All(ctx)
		if err != nil {
			return fmt.Errorf("load notifications: %w", err)
		}
		byID := map[int]*ent.Notification{}
		for _, n := range found {
			byID[n.ID] = n
		}
		for _, id := range ids {
			if byID[id] == nil {
				e := apperr.NotFoundf("notification not found")
				e.Field = "input.ids"
				return e
			}
		}
		for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
			if byID[id].ReadAt != nil {
				continue
			}
			if byID[id], err = tx.Notification.UpdateOneID(id).Where(notification.ReadAtIsNil()).SetReadAt(now).Save(ctx); err != nil {
				return fmt.Errorf("mark notification read: %w", err)
			}
		}
		for _, id := range ids {
			out = append(out, byID[id].Unwrap())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MaxMark is the most notifications one markNotificationsRead names.
const MaxMark = 500

// UnreadCount counts the caller's unread notifications.
func (s *Service) UnreadCount(ctx context.Context) (int, error) {
	if _, err := kernel.Viewer(ctx); err != nil {
		return 0, err
	}
	n, err := s.Client.Notification.Query().Where(notification.ReadAtIsNil()).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}
