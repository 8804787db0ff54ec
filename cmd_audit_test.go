package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/testdb/demodb"
)

// disableAppendOnly removes the database's refusal of UPDATE and DELETE on
// audit_events, as an attacker with direct database access could.
func disableAppendOnly(t *testing.T, d *db.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`}
	if d.Dialect == "postgres" {
		stmts = []string{`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`}
	}
	for _, s := range stmts {
		_, err := d.SQL.Exec(s)
		require.NoError(t, err, s)
	}
}

func TestAuditVerifyPinpointsTampering(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()

		var out bytes.Buffer
		require.NoError(t, auditVerify(ctx, d, "", "", &out), out.String())
		require.Contains(t, out.String(), "tenant demo: ok")
		require.Contains(t, out.String(), "tenant neighbor: ok")

		out.Reset()
		require.NoError(t, auditHead(ctx, d, "demo", &out))
		head := strings.TrimSpace(strings.TrimPrefix(out.String(), "demo "))
		require.Regexp(t, `^\d+:[0-9a-f]{64}$`, head)
		out.Reset()
		require.NoError(t, auditVerify(ctx, d, "demo", head, &out), out.String())

		// Alter one event of the demo tenant directly in the database.
		var tenantID, id int
		var seq int64
		var stored string
		require.NoError(t, d.SQL.QueryRow(`SELECT e.tenant_id, e.id, e.seq, e.hash FROM audit_events e JOIN tenants t ON t.id = e.tenant_id
			WHERE t.code = 'demo' AND e.entity_type = 'user' ORDER BY e.seq LIMIT 1`).Scan(&tenantID, &id, &seq, &stored))
		disableAppendOnly(t, d)
		_, err := d.SQL.Exec(`UPDATE audit_events SET actor_name = 'nobody' WHERE id = $1`, id)
		require.NoError(t, err)

		out.Reset()
		err = auditVerify(ctx, d, "", "", &out)
		require.ErrorIs(t, err, errChainBroken)
		report := out.String()
		require.Contains(t, report, fmt.Sprintf("tenant demo: BROKEN at seq %d (event id %d)", seq, id), report)
		require.Contains(t, report, "stored:   "+stored)
		require.Contains(t, report, "tenant neighbor: ok", "the other chain is intact")

		// Rewriting the hash too breaks the next link instead.
		var newHash string
		require.NoError(t, d.SQL.QueryRow(`SELECT hash FROM audit_events WHERE tenant_id = $1 AND seq = $2`, tenantID, seq+1).Scan(&newHash))
		_, err = d.SQL.Exec(`UPDATE audit_events SET hash = $1 WHERE id = $2`, strings.Repeat("a", 64), id)
		require.NoError(t, err)
		out.Reset()
		require.ErrorIs(t, auditVerify(ctx, d, "demo", "", &out), errChainBroken)
		require.Contains(t, out.String(), fmt.Sprintf("BROKEN at seq %d", seq))
		_ = newHash
	})
}

func TestAuditVerifyDetectsRemovedTail(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var out bytes.Buffer
		require.NoError(t, auditHead(ctx, d, "neighbor", &out))
		head := strings.TrimSpace(strings.TrimPrefix(out.String(), "neighbor "))

		disableAppendOnly(t, d)
		_, err := d.SQL.Exec(`DELETE FROM audit_events WHERE id = (SELECT MAX(e.id) FROM audit_events e JOIN tenants t ON t.id = e.tenant_id WHERE t.code = 'neighbor')`)
		require.NoError(t, err)
		out.Reset()
		require.ErrorIs(t, auditVerify(ctx, d, "neighbor", "", &out), errChainBroken)
		require.Contains(t, out.String(), "events removed from the end")

		// Even with the head row rewritten to match, the head kept elsewhere
		// is no longer in the chain.
		_, err = d.SQL.Exec(`UPDATE audit_heads SET seq = seq - 1, hash = (SELECT e.hash FROM audit_events e WHERE e.tenant_id = audit_heads.tenant_id ORDER BY e.seq DESC LIMIT 1)
			WHERE tenant_id = (SELECT id FROM tenants WHERE code = 'neighbor')`)
		require.NoError(t, err)
		out.Reset()
		require.NoError(t, auditVerify(ctx, d, "neighbor", "", &out), out.String())
		out.Reset()
		require.ErrorIs(t, auditVerify(ctx, d, "neighbor", head, &out), errChainBroken)
		require.Contains(t, out.String(), "not in the chain any more")
	})
}
