// Package auditlog reads the audit log for clients: the filter shared by
// the auditEvents connection and the export endpoint, the entity history
// query, and the CSV and XLSX writers. Every read goes through the ent
// client with the caller's viewer, so the jurisdiction filter of
// AuditEvent (authz.ReadFilter("audit")) scopes it like every record.
package auditlog

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/auditevent"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/internal/apperr"
)

// Filter is the GraphQL AuditEventWhereInput and the export's query string:
// every condition given must hold.
type Filter struct {
	ActorID    *int                  `json:"actorID,omitempty"`
	EntityType *string               `json:"entityType,omitempty"`
	EntityID   *int                  `json:"entityID,omitempty"`
	Operation  *auditevent.Operation `json:"operation,omitempty"`
	From       *time.Time            `json:"from,omitempty"`
	To         *time.Time            `json:"to,omitempty"`
	UnitID     *int                  `json:"unitID,omitempty"`
}

// Predicates compiles f. A unitID the caller cannot read is NOT_FOUND.
func (f *Filter) Predicates(ctx context.Context, c *ent.Client) ([]predicate.AuditEvent, error) {
	if f == nil {
		return nil, nil
	}
	var ps []predicate.AuditEvent
	if f.ActorID != nil {
		ps = append(ps, auditevent.ActorUserID(*f.ActorID))
	}
	if f.EntityType != nil {
		ps = append(ps, auditevent.EntityType(*f.EntityType))
	}
	if f.EntityID != nil {
		ps = append(ps, auditevent.EntityID(*f.EntityID))
	}
	if f.Operation != nil {
		if err := auditevent.OperationValidator(*f.Operation); err != nil {
			return nil, apperr.Invalid("operation", "unknown operation")
		}
		ps = append(ps, auditevent.OperationEQ(*f.Operation))
	}
	if f.From != nil {
		ps = append(ps, auditevent.OccurredAtGTE(f.From.UTC()))
	}
	if f.To != nil {
		ps = append(ps, auditevent.OccurredAtLT(f.To.UTC()))
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		return nil, apperr.Invalid("to", "to must be after from")
	}
	if f.UnitID != nil {
		u, err := c.Unit.Get(ctx, *f.UnitID)
		if ent.IsNotFound(err) {
			e := apperr.NotFoundf("unit not found")
			e.Field = "unitID"
			return nil, e
		}
		if err != nil {
			return nil, err
		}
		ps = append(ps, auditevent.ScopePathHasPrefix(u.ScopePath))
	}
	return ps, nil
}

// DefaultOrder is newest first: an audit log is read from the end.
var DefaultOrder = &ent.AuditEventOrder{Direction: entgql.OrderDirectionDesc, Field: ent.AuditEventOrderFieldOccurredAt}

// Connection runs the auditEvents connection: FORBIDDEN for a caller with no
// AUDITOR or ADMIN post, otherwise the filtered, scoped page.
func Connection(ctx context.Context, c *ent.Client, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, order *ent.AuditEventOrder, f *Filter) (*ent.AuditEventConnection, error) {
	if err := authz.CanReadAudit(ctx); err != nil {
		return nil, err
	}
	ps, err := f.Predicates(ctx, c)
	if err != nil {
		return nil, err
	}
	if order == nil {
		order = DefaultOrder
	}
	return c.AuditEvent.Query().Where(ps...).Paginate(ctx, after, first, before, last, ent.WithAuditEventOrder(order))
}

// History is the history field of a node: the events about entityID,
// newest first. Callers without audit rights get an empty connection (the
// row filter admits nothing), not an error, so that a query asking for a
// unit and its history still returns the unit. f narrows the history.
func History(ctx context.Context, c *ent.Client, entityID int, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, order *ent.AuditEventOrder, f *Filter) (*ent.AuditEventConnection, error) {
	ps, err := f.Predicates(ctx, c)
	if err != nil {
		return nil, err
	}
	if order == nil {
		order = DefaultOrder
	}
	return c.AuditEvent.Query().Where(append(ps, auditevent.EntityID(entityID))...).
		Paginate(ctx, after, first, before, last, ent.WithAuditEventOrder(order))
}
