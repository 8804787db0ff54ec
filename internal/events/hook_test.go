package events_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/events"
	"github.com/dutychain/dutychain/internal/kernel"
)

func TestHookPublishesAfterCommit(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		bus := events.NewBus(nil)
		d.Client.Use(events.Hook(bus, nil))
		ctx := authz.SystemContext(context.Background())
		h := d.Client.Hazard.Query().FirstX(ctx)
		sub := bus.Subscribe(h.TenantID, 8, events.Hazard, events.Letter)
		defer sub.Close()

		t.Run("a write that rolls back publishes nothing", func(t *testing.T) {
			rollback := errors.New("rollback")
			err := kernel.InTx(ctx, d.Client, func(tx *ent.Tx) error {
				require.NoError(t, tx.Hazard.UpdateOneID(h.ID).SetLocation("回滚").Exec(ctx))
				return rollback
			})
			require.ErrorIs(t, err, rollback)
			require.Empty(t, sub.Events())
		})

		t.Run("a committed transaction publishes once, after the commit", func(t *testing.T) {
			err := kernel.InTx(ctx, d.Client, func(tx *ent.Tx) error {
				require.NoError(t, tx.Hazard.UpdateOneID(h.ID).SetLocation("提交").Exec(ctx))
				require.Empty(t, sub.Events(), "nothing before the commit")
				return nil
			})
			require.NoError(t, err)
			require.Len(t, sub.Events(), 1)
			ev := <-sub.Events()
			require.Equal(t, events.Event{Tenant: h.TenantID, Topic: events.Hazard, Kind: events.Updated, IDs: []int{h.ID}, At: ev.At, Origin: ev.Origin}, ev)
		})

		t.Run("a write outside a transaction publishes after the audit's own transaction commits", func(t *testing.T) {
			require.NoError(t, d.Client.Hazard.UpdateOneID(h.ID).SetLocation("单独").Exec(ctx))
			require.Len(t, sub.Events(), 1)
			require.Equal(t, []int{h.ID}, (<-sub.Events()).IDs)
		})

		t.Run("a bulk update publishes every changed row, by tenant", func(t *testing.T) {
			l := d.Client.ResponsibilityLetter.Query().FirstX(ctx)
			n, err := d.Client.ResponsibilityLetter.Update().Where(responsibilityletter.IDIn(l.ID)).SetTitle(l.Title + "（修订）").Save(ctx)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			ev := <-sub.Events()
			require.Equal(t, []any{events.Letter, events.Updated, []int{l.ID}}, []any{ev.Topic, ev.Kind, ev.IDs})
		})
	})
}
