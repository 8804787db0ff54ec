package authz_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/testdb"
)

func countEvents(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	require.NoError(t, d.SQL.QueryRow(`SELECT COUNT(*) FROM audit_events`).Scan(&n))
	return n
}

func TestAuditHookTransactions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := authz.SystemContext(context.Background())
		// A mutation outside any transaction gets one, with its event.
		tn, err := d.Client.Tenant.Create().SetCode("aud").SetName("审计县").Save(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, countEvents(t, d))
		rep, err := audit.Verify(ctx, d.SQL, tn.ID)
		require.NoError(t, err)
		require.Nil(t, rep.Break)
		require.EqualValues(t, 1, rep.HeadSeq)

		// If the event cannot be written, the change fails and nothing of
		// it remains: a head row whose hash went missing refuses appends.
		_, err = d.SQL.Exec(`UPDATE audit_heads SET hash = '' WHERE tenant_id = $1`, tn.ID)
		require.NoError(t, err)
		_, err = d.Client.Tenant.UpdateOneID(tn.ID).SetName("改名").Save(ctx)
		require.Error(t, err)
		got, err := d.Client.Tenant.Query().Where(tenant.ID(tn.ID)).Only(ctx)
		require.NoError(t, err)
		require.Equal(t, "审计县", got.Name, "the change rolled back with its event")
		require.Equal(t, 1, countEvents(t, d))

		// Inside an explicit transaction that rolls back, neither remains.
		_, err = d.SQL.Exec(`UPDATE audit_heads SET hash = (SELECT hash FROM audit_events WHERE tenant_id = $1 AND seq = 1) WHERE tenant_id = $1`, tn.ID)
		require.NoError(t, err)
		tx, err := d.Client.Tx(ctx)
		require.NoError(t, err)
		_, err = tx.Tenant.UpdateOneID(tn.ID).SetName("改名").Save(ctx)
		require.NoError(t, err)
		require.NoError(t, tx.Rollback())
		require.Equal(t, 1, countEvents(t, d))

		// A no-op update is no event; a real one is.
		_, err = d.Client.Tenant.UpdateOneID(tn.ID).SetName("审计县").Save(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, countEvents(t, d))
		_, err = d.Client.Tenant.UpdateOneID(tn.ID).SetName("改名").Save(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, countEvents(t, d))
		rep, err = audit.Verify(ctx, d.SQL, tn.ID)
		require.NoError(t, err)
		require.Nil(t, rep.Break)
	})
}

// The audit log cannot be written through ent by anyone, the system
// included; the database refuses UPDATE and DELETE of its rows.
func TestAuditLogIsAppendOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := authz.SystemContext(context.Background())
		_, err := d.Client.Tenant.Create().SetCode("aud").SetName("审计县").Save(ctx)
		require.NoError(t, err)
		ev, err := d.Client.AuditEvent.Query().First(ctx)
		require.NoError(t, err)
		_, err = d.Client.AuditEvent.UpdateOneID(ev.ID).SetScopePath("/forged/").Save(ctx)
		require.ErrorContains(t, err, "append-only")
		_, err = d.Client.AuditEvent.Delete().Exec(ctx)
		require.ErrorContains(t, err, "append-only")
		err = d.Client.AuditEvent.Create().SetTenantID(1).SetScopePath("/").SetSeq(99).SetOccurredAt(ev.OccurredAt).
			SetActorName("x").SetOperation(ev.Operation).SetEntityType("x").SetChanges("{}").SetClientIP("").
			SetRequestID("").SetPrevHash("").SetHash("").Exec(ctx)
		require.ErrorContains(t, err, "append-only")
		_, err = d.Client.AuditHead.Delete().Exec(ctx)
		require.Error(t, err)

		_, err = d.SQL.Exec(`UPDATE audit_events SET actor_name = 'someone' WHERE id = $1`, ev.ID)
		require.ErrorContains(t, err, "append-only")
		_, err = d.SQL.Exec(`DELETE FROM audit_events WHERE id = $1`, ev.ID)
		require.ErrorContains(t, err, "append-only")
		if d.Dialect == "postgres" {
			_, err = d.SQL.Exec(`TRUNCATE audit_events`)
			require.ErrorContains(t, err, "append-only")
		}
		require.Equal(t, 1, countEvents(t, d))
	})
}

// Concurrent appends of one tenant line up: no fork, no gap.
func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := authz.SystemContext(context.Background())
		tn, err := d.Client.Tenant.Create().SetCode("aud").SetName("审计县").Save(ctx)
		require.NoError(t, err)
		const workers, each = 6, 5
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					tx, err := d.Client.Tx(ctx)
					if err != nil {
						errs <- err
						return
					}
					if _, err := tx.Tenant.UpdateOneID(tn.ID).SetName(fmt.Sprintf("县%d-%d", w, i)).Save(ctx); err != nil {
						_ = tx.Rollback()
						errs <- err
						continue
					}
					errs <- tx.Commit()
				}
			}()
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			if err == nil {
				ok++
			}
		}
		require.Positive(t, ok)
		rep, err := audit.Verify(ctx, d.SQL, tn.ID)
		require.NoError(t, err)
		require.Nil(t, rep.Break)
		require.Equal(t, countEvents(t, d), int(rep.Events), "every committed change has its event in the one chain")
		require.Equal(t, 1+ok, int(rep.Events), "one event per committed update, plus the tenant's creation")
	})
}
