package events

import (
	"context"
	"fmt"
	"time"

	entgo "entgo.io/ent"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/internal/audit"
)

// Hook is the one place events are published: registered on the ent client
// (internal/app), it sees every write of hazards and responsibility letters,
// whichever service made it, and publishes their ids on bus once the
// transaction has committed (never for a write that rolls back).
func Hook(bus *Bus, now func() time.Time) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			topic, ok := topicOf(m.Type())
			if !ok || m.Op().Is(entgo.OpDelete|entgo.OpDeleteOne) {
				return next.Mutate(ctx, m)
			}
			tm, ok := m.(txMutation)
			if !ok {
				return nil, fmt.Errorf("events: mutation %T lacks the generated methods", m)
			}
			kind := kindOf(topic, m)
			var bulk []int
			if m.Op().Is(entgo.OpUpdate) {
				ids, err := tm.IDs(ctx)
				if err != nil {
					return nil, fmt.Errorf("events: list the rows of %s update: %w", m.Type(), err)
				}
				bulk = ids
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return nil, err
			}
			evs, err := eventsOf(ctx, tm, topic, kind, v, bulk)
			if err != nil {
				return nil, err
			}
			afterCommit(ctx, tm, func() {
				at := time.Now().UTC()
				if now != nil {
					at = now().UTC()
				}
				for _, ev := range evs {
					ev.At = at
					bus.Publish(ctx, ev)
				}
			})
			return v, nil
		})
	}
}

// txMutation is what the generated mutations of both topics offer.
type txMutation interface {
	ent.Mutation
	Client() *ent.Client
	Tx() (*ent.Tx, error)
	IDs(ctx context.Context) ([]int, error)
}

func topicOf(typ string) (Topic, bool) {
	switch typ {
	case ent.TypeHazard:
		return Hazard, true
	case ent.TypeResponsibilityLetter:
		return Letter, true
	}
	return "", false
}

// kindOf names the change: a letter's new state (ISSUED, SIGNED, …), a
// hazard's state change or assignment.
func kindOf(topic Topic, m ent.Mutation) Kind {
	if m.Op().Is(entgo.OpCreate) {
		return Created
	}
	state, changed := m.Field("state")
	switch {
	case topic == Letter && changed:
		if s := Kind(fmt.Sprint(state)); s != "DRAFT" {
			return s
		}
	case topic == Hazard && changed:
		return Transitioned
	case topic == Hazard:
		if _, assigned := m.Field(hazard.FieldAssigneeID); assigned {
			return Assigned
		}
	}
	return Updated
}

// eventsOf returns the events of a committed write: the one row of a
// create or update-one (v), or the rows listed before a bulk update, by
// tenant.
func eventsOf(ctx context.Context, m txMutation, topic Topic, kind Kind, v ent.Value, bulk []int) ([]Event, error) {
	switch r := v.(type) {
	case *ent.Hazard:
		return []Event{{Tenant: r.TenantID, Topic: topic, Kind: kind, IDs: []int{r.ID}}}, nil
	case *ent.ResponsibilityLetter:
		return []Event{{Tenant: r.TenantID, Topic: topic, Kind: kind, IDs: []int{r.ID}}}, nil
	}
	if len(bulk) == 0 {
		return nil, nil
	}
	// A write done for a signed-in user (directly, or by a service under
	// the system viewer after deciding) touches that user's tenant: no
	// statement is needed to name it. Subscribers re-read every id through
	// their own scope, so the tag routes events and never grants a read.
	if v := authz.Actor(ctx); v != nil && v.Tenant != 0 {
		return []Event{{Tenant: v.Tenant, Topic: topic, Kind: kind, IDs: bulk}}, nil
	}
	type row struct {
		ID     int `json:"id"`
		Tenant int `json:"tenant_id"`
	}
	var rows []row
	sys := authz.SystemContext(ctx)
	var err error
	if topic == Hazard {
		err = m.Client().Hazard.Query().Where(hazard.IDIn(bulk...)).Select(hazard.FieldID, hazard.FieldTenantID).Scan(sys, &rows)
	} else {
		err = m.Client().ResponsibilityLetter.Query().Where(responsibilityletter.IDIn(bulk...)).
			Select(responsibilityletter.FieldID, responsibilityletter.FieldTenantID).Scan(sys, &rows)
	}
	if err != nil {
		return nil, fmt.Errorf("events: tenants of the updated rows: %w", err)
	}
	index := map[int]int{} // tenant → position in out
	var out []Event
	for _, r := range rows {
		i, ok := index[r.Tenant]
		if !ok {
			i = len(out)
			index[r.Tenant] = i
			out = append(out, Event{Tenant: r.Tenant, Topic: topic, Kind: kind})
		}
		out[i].IDs = append(out[i].IDs, r.ID)
	}
	return out, nil
}

// afterCommit runs fn when the write's transaction commits: an ent
// transaction's commit hook, the audit driver's implicit transaction, or at
// once when the write ran in neither (it has committed already).
func afterCommit(ctx context.Context, m txMutation, fn func()) {
	if tx, err := m.Tx(); err == nil {
		tx.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				if err := next.Commit(ctx, tx); err != nil {
					return err
				}
				fn()
				return nil
			})
		})
		return
	}
	if audit.AfterCommit(ctx, fn) {
		return
	}
	fn()
}
