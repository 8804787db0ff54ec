package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/audit"
)

// Reasons of LOGIN_FAILED events (the event's "reason" change). The client
// is told none of them; the audit log keeps them for the auditor.
const (
	ReasonUnknownTenant = "UNKNOWN_TENANT"
	ReasonUnknownUser   = "UNKNOWN_USER"
	ReasonBadPassword   = "BAD_PASSWORD"
	ReasonUserDisabled  = "USER_DISABLED"
	// ReasonLoginThrottled: refused by the throttle before any check.
	ReasonLoginThrottled = "THROTTLED"
)

// inTx runs fn in a transaction of the service's client.
func (s *Service) inTx(ctx context.Context, fn func(c *ent.Client) error) error {
	tx, err := s.Client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("auth: begin: %w", err)
	}
	if err := fn(tx.Client()); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("auth: commit: %w", err)
	}
	return nil
}

// authEvent appends a session event through c (the transaction of the
// change it records). The user, when known, is the entity, the actor and
// the scope (their home unit: whoever may read the user reads their
// sign-ins); an unknown username in a known tenant is scoped to the tenant
// root, an unknown tenant goes to the chain of tenant 0, which only the
// `audit` command reads. Sign-in events name no post: no grant is involved.
func authEvent(ctx context.Context, c *ent.Client, op audit.Operation, tenantID int, u *ent.User, username, reason string) error {
	ev := &audit.Event{Operation: op, EntityType: "user", TenantID: tenantID, ActorName: username}
	if reason != "" {
		ev.Changes = audit.Changes{"reason": {Before: audit.Value(nil), After: audit.Value(reason)}}.Encode()
	}
	switch {
	case u != nil:
		id := u.ID
		ev.EntityID, ev.ActorUserID, ev.ActorName = &id, &id, u.Username
		ev.TenantID = u.TenantID
		ev.ScopePath, ev.ScopeSector, ev.ScopeEnterpriseID = u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID
	case tenantID != 0:
		root, err := c.Unit.Query().Where(unit.TenantID(tenantID), unit.ParentIDIsNil()).
			Select(unit.FieldScopePath).Order(ent.Asc(unit.FieldID)).First(authz.SystemContext(ctx))
		switch {
		case err == nil:
			ev.ScopePath = root.ScopePath
		case !ent.IsNotFound(err):
			return fmt.Errorf("auth: tenant root for the audit log: %w", err)
		}
	}
	return audit.Append(ctx, c, ev)
}
