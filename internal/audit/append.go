package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dutychain/dutychain/internal/reqctx"
)

// Statements of an append. The same text runs on PostgreSQL and SQLite
// (SQLite ≥ 3.35 takes $n parameters, upserts and RETURNING).
const (
	// headSQL takes the next sequence number of the tenant's chain and the
	// hash of its current last event. On PostgreSQL the upsert locks the
	// head row until commit, which serialises appends of one tenant (other
	// tenants are not blocked); SQLite serialises every write transaction.
	headSQL = `INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 1, '') ` +
		`ON CONFLICT (tenant_id) DO UPDATE SET seq = audit_heads.seq + 1 RETURNING seq, hash`
	// insertSQL stores the event; the audit_events_head trigger (migration
	// 0003) copies its hash into the head row.
	insertSQL = `INSERT INTO audit_events (tenant_id, seq, occurred_at, actor_user_id, actor_name, ` +
		`actor_post_id, operation, entity_type, entity_id, changes, scope_path, scope_sector, ` +
		`scope_enterprise_id, client_ip, request_id, prev_hash, hash) ` +
		`VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`
)

// Now is the clock of events (tests may replace it).
var Now = time.Now

// maxText bounds the free-text fields a client can influence (the username
// typed into a failed sign-in, a request id), so the log cannot be bloated
// through them.
const maxText = 128

// Append writes ev as the next event of its tenant's chain, through q, which
// must be the transaction of the change it records (so that both commit or
// neither): two statements, the head upsert and the insert. It fills Seq,
// OccurredAt (when zero), ClientIP and RequestID (from ctx, when empty),
// PrevHash and Hash. An error means nothing may commit.
func Append(ctx context.Context, q Querier, ev *Event) error {
	if q == nil {
		return errors.New("audit: no database handle")
	}
	if ev.Operation == "" || ev.EntityType == "" {
		return errors.New("audit: event without operation or entity type")
	}
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = Now()
	}
	ev.OccurredAt = ev.OccurredAt.UTC().Truncate(time.Microsecond)
	if ev.ClientIP == "" {
		ev.ClientIP = reqctx.ClientIP(ctx)
	}
	if ev.RequestID == "" {
		ev.RequestID = reqctx.RequestID(ctx)
	}
	if ev.ActorName == "" {
		ev.ActorName = SystemActor
	}
	ev.ActorName, ev.ClientIP, ev.RequestID = clip(ev.ActorName), clip(ev.ClientIP), clip(ev.RequestID)
	if ev.Changes == "" {
		ev.Changes = "{}"
	}
	if ev.ScopePath == "" {
		ev.ScopePath = NoScope
	}
	rows, err := q.QueryContext(ctx, headSQL, ev.TenantID)
	if err != nil {
		return fmt.Errorf("audit: advance chain head of tenant %d: %w", ev.TenantID, err)
	}
	var prev string
	ok := rows.Next()
	if ok {
		err = rows.Scan(&ev.Seq, &prev)
	}
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = rows.Err()
	}
	if err != nil || !ok {
		return fmt.Errorf("audit: advance chain head of tenant %d: %v", ev.TenantID, errors.Join(err, errIf(!ok, "no row returned")))
	}
	switch {
	case ev.Seq == 1:
		ev.PrevHash = GenesisHash
	case prev == "":
		// The head moved without a hash: the head trigger is missing.
		return fmt.Errorf("audit: chain head of tenant %d has no hash at seq %d (migration 0003 not applied?)", ev.TenantID, ev.Seq-1)
	default:
		ev.PrevHash = prev
	}
	ev.Hash = ev.ComputeHash()
	_, err = q.ExecContext(ctx, insertSQL, ev.TenantID, ev.Seq, ev.OccurredAt, ev.ActorUserID, ev.ActorName,
		ev.ActorPostID, string(ev.Operation), ev.EntityType, ev.EntityID, ev.Changes, ev.ScopePath, ev.ScopeSector,
		ev.ScopeEnterpriseID, ev.ClientIP, ev.RequestID, ev.PrevHash, ev.Hash)
	if err != nil {
		return fmt.Errorf("audit: insert event %d of tenant %d: %w", ev.Seq, ev.TenantID, err)
	}
	return nil
}

func errIf(cond bool, msg string) error {
	if cond {
		return errors.New(msg)
	}
	return nil
}

func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD") // PostgreSQL rejects invalid UTF-8
	if len(s) <= maxText {
		return s
	}
	cut := maxText
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut]
}
