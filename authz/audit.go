package authz

import (
	"context"
	"errors"
	"fmt"
	"sort"

	entgo "entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/audit"
)

// noiseFields are not part of an event's changes: identity, bookkeeping
// times and the scope columns (derived copies of the subject unit's
// position, recorded as the event's own scope).
var noiseFields = map[string]bool{
	"id": true, "created_at": true, "updated_at": true, ColTenant: true,
	ColPath: true, ColSector: true, ColEnterpriseID: true,
}

// deniedFields are never recorded, whatever the schema says (defence in
// depth next to ent's Sensitive(), which AuditHook honours as well).
var deniedFields = []string{"password", "token", "secret", "private_key"}

// AuditHook is the single audit mechanism for entity changes: registered
// on the ent client at open time (internal/db), it sees every create,
// update and delete of every type and, for each successful one of an
// audited type (a table of the registry without a NotAudited reason),
// appends one event per changed row in the same transaction
// (audit.Append: two statements). A mutation outside a transaction is
// given one through drv, so the change and its event commit together; if
// the event cannot be written the mutation fails. An update that changes
// no recorded field (only the scope columns, say) is not an event.
func AuditHook(drv *audit.Driver) entgo.Hook {
	return func(next entgo.Mutator) entgo.Mutator {
		return entgo.MutateFunc(func(ctx context.Context, m entgo.Mutation) (entgo.Value, error) {
			if _, internal := InternalTypes[m.Type()]; internal {
				return next.Mutate(ctx, m)
			}
			am, ok := m.(auditMutation)
			if !ok {
				return nil, fmt.Errorf("audit: mutation %T lacks the generated methods", m)
			}
			if _, err := am.Tx(); err == nil || audit.InImplicitTx(ctx) {
				return record(ctx, next, am)
			}
			if drv == nil {
				return nil, fmt.Errorf("audit: %s %s outside a transaction and no implicit-transaction driver", m.Op(), m.Type())
			}
			tctx, tx, err := drv.Begin(ctx)
			if err != nil {
				return nil, err
			}
			v, err := record(tctx, next, am)
			if err != nil {
				if rerr := tx.Rollback(); rerr != nil {
					err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
				}
				return nil, err
			}
			if err := tx.Commit(); err != nil {
				return nil, fmt.Errorf("audit: commit %s %s: %w", m.Op(), m.Type(), err)
			}
			return v, nil
		})
	}
}

// auditMutation is what every generated mutation offers.
type auditMutation interface {
	entgo.Mutation
	Client() *ent.Client
	Tx() (*ent.Tx, error)
	ID() (int, bool)
	IDs(ctx context.Context) ([]int, error)
	WhereP(ps ...func(*sql.Selector))
}

// rowChange is one changed row before it becomes an event.
type rowChange struct {
	id      int
	changes audit.Changes
	// state holds the row's values that locate it (scope columns, subject
	// field, id), before the change for updates and deletes, after it for
	// creates.
	state map[string]any
}

func record(ctx context.Context, next entgo.Mutator, m auditMutation) (entgo.Value, error) {
	info, err := typeInfoOf(m.Client(), m.Type())
	if err != nil {
		return nil, err
	}
	op := audit.OpUpdate
	var rows []rowChange
	var v entgo.Value
	switch {
	case m.Op().Is(entgo.OpCreate):
		op = audit.OpCreate
		if v, err = next.Mutate(ctx, m); err != nil {
			return nil, err
		}
		id, ok := m.ID()
		if !ok {
			return nil, fmt.Errorf("audit: created %s has no id", m.Type())
		}
		state := info.values(v)
		ch := audit.Changes{}
		for _, f := range m.Fields() {
			if info.recorded(f) {
				ch[f] = info.change(f, nil, state[f], false)
			}
		}
		rows = append(rows, rowChange{id: id, changes: ch, state: state})
	case m.Op().Is(entgo.OpUpdateOne):
		fields := changedFields(m, info)
		if len(fields) == 0 {
			return next.Mutate(ctx, m) // nothing recorded changes
		}
		id, _ := m.ID()
		before := map[string]any{}
		var oldErr error
		for _, f := range append(fields, info.locators()...) {
			if !info.has(f) {
				continue
			}
			// Same context as the scope hook's own OldField call: the row
			// is loaded (once) through the caller's read filter.
			val, err := m.OldField(ctx, f)
			if err != nil {
				oldErr = err
				break
			}
			before[f] = val
		}
		if v, err = next.Mutate(ctx, m); err != nil {
			return nil, err
		}
		if oldErr != nil {
			return nil, fmt.Errorf("audit: load %s %d before update: %w", m.Type(), id, oldErr)
		}
		after := info.values(v)
		ch := audit.Changes{}
		for _, f := range fields {
			c := info.change(f, before[f], after[f], true)
			if c.Redacted || string(c.Before) != string(c.After) {
				ch[f] = c
			}
		}
		addEdges(m, ch)
		if len(ch) > 0 {
			before["id"] = id
			rows = append(rows, rowChange{id: id, changes: ch, state: before})
		}
	default: // DeleteOne, Delete, Update: row by row
		if m.Op().Is(entgo.OpDelete | entgo.OpDeleteOne) {
			op = audit.OpDelete
		}
		// The rows are listed and locked until the transaction ends, so
		// the statement changes exactly the listed rows as they were read:
		// a row a concurrent transaction changes so that the conditions no
		// longer hold is neither listed nor changed. SQLite serialises
		// writers and has no row locks.
		m.WhereP(func(s *sql.Selector) {
			if s.Dialect() == dialect.Postgres {
				s.ForUpdate()
			}
		})
		ids, err := m.IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("audit: list the rows of %s %s: %w", m.Op(), m.Type(), err)
		}
		fields := changedFields(m, info)
		if op == audit.OpUpdate && len(fields) == 0 {
			return next.Mutate(ctx, m)
		}
		olds := make([]map[string]any, len(ids))
		for i, id := range ids {
			e, err := info.load(SystemContext(ctx), m.Client(), id)
			if err != nil {
				return nil, fmt.Errorf("audit: load %s %d: %w", m.Type(), id, err)
			}
			olds[i] = info.values(e)
		}
		if v, err = next.Mutate(ctx, m); err != nil {
			return nil, err
		}
		for i, id := range ids {
			ch := audit.Changes{}
			if op == audit.OpDelete {
				for _, f := range info.names {
					if info.recorded(f) {
						ch[f] = info.change(f, olds[i][f], nil, false)
					}
				}
			} else {
				for _, f := range fields {
					val, set := m.Field(f)
					if !set {
						val = nil // cleared (an Add on a bulk update is recorded as null)
					}
					c := info.change(f, olds[i][f], val, true)
					if c.Redacted || string(c.Before) != string(c.After) {
						ch[f] = c
					}
				}
				if len(ch) == 0 {
					continue
				}
			}
			rows = append(rows, rowChange{id: id, changes: ch, state: olds[i]})
		}
	}
	if o := audit.OperationFrom(ctx); o != "" {
		op = o
	}
	for _, r := range rows {
		ev, err := newEntityEvent(ctx, m.Client(), info, op, r)
		if err != nil {
			return nil, err
		}
		if err := audit.Append(ctx, m.Client(), ev); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// changedFields lists the recorded fields a mutation sets, clears or adds to.
func changedFields(m entgo.Mutation, info *typeInfo) []string {
	seen := map[string]bool{}
	var out []string
	for _, group := range [][]string{m.Fields(), m.ClearedFields(), m.AddedFields()} {
		for _, f := range group {
			if !seen[f] && info.recorded(f) {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sort.Strings(out)
	return out
}

// addEdges records edge changes that no foreign-key field already shows
// (every edge of the current schema has one: <edge>_id).
func addEdges(m entgo.Mutation, ch audit.Changes) {
	names := map[string]bool{}
	for _, group := range [][]string{m.AddedEdges(), m.RemovedEdges(), m.ClearedEdges()} {
		for _, e := range group {
			names[e] = true
		}
	}
	for e := range names {
		if _, ok := ch[e+"_id"]; ok {
			continue
		}
		if _, set := m.Field(e + "_id"); set {
			continue
		}
		before := m.RemovedIDs(e)
		var after any = m.AddedIDs(e)
		if m.EdgeCleared(e) {
			after = "cleared"
		}
		ch["edge:"+e] = audit.Change{Before: audit.Value(before), After: audit.Value(after)}
	}
}
