package audit

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Break is the first broken link found in a chain.
type Break struct {
	Seq int64
	// ID is the row id of the offending event (0 when the event is missing).
	ID int
	// Reason says what does not hold.
	Reason string
	// Expected and Stored are the hashes (or sequence numbers) compared.
	Expected, Stored string
}

// Report is the result of verifying one tenant's chain.
type Report struct {
	TenantID int
	// Events is the number of events checked.
	Events int64
	// HeadSeq and HeadHash are the last event's, as stored in the events.
	HeadSeq  int64
	HeadHash string
	// Break is the first broken link; nil when the chain is intact.
	Break *Break
}

// OK reports whether the chain is intact.
func (r Report) OK() bool { return r.Break == nil }

const selectColumns = `id, tenant_id, seq, occurred_at, actor_user_id, actor_name, actor_post_id, operation, ` +
	`entity_type, entity_id, changes, scope_path, scope_sector, scope_enterprise_id, client_ip, request_id, prev_hash, hash`

// verifyPage is how many events are read per statement.
const verifyPage = 2000

// Tenants lists the tenant ids that have a chain (a head row or events).
func Tenants(ctx context.Context, q Querier) ([]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT tenant_id FROM audit_heads UNION SELECT tenant_id FROM audit_events ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("audit: list chains: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Verify walks tenant's chain in sequence order and reports the first
// broken link: a missing or repeated sequence number, a prev_hash that is
// not the previous event's hash, a hash that does not match the event's
// content, or a head row that disagrees with the last event (rows removed
// from the end). It reads with plain SQL, outside any privacy filter: it is
// for the operator's `dutychain audit verify`.
func Verify(ctx context.Context, q Querier, tenant int) (Report, error) {
	rep := Report{TenantID: tenant}
	prevHash := GenesisHash
	var last int64
	for {
		rows, err := q.QueryContext(ctx, `SELECT `+selectColumns+` FROM audit_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT `+fmt.Sprint(verifyPage), tenant, last)
		if err != nil {
			return rep, fmt.Errorf("audit: read chain of tenant %d: %w", tenant, err)
		}
		n := 0
		for rows.Next() {
			n++
			ev, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return rep, err
			}
			rep.Events++
			switch {
			case ev.Seq != last+1:
				rep.Break = &Break{Seq: last + 1, ID: ev.ID, Reason: fmt.Sprintf("event %d is missing (next stored event is %d)", last+1, ev.Seq),
					Expected: fmt.Sprint(last + 1), Stored: fmt.Sprint(ev.Seq)}
			case ev.PrevHash != prevHash:
				rep.Break = &Break{Seq: ev.Seq, ID: ev.ID, Reason: "prev_hash is not the hash of the previous event",
					Expected: prevHash, Stored: ev.PrevHash}
			default:
				if h := ev.ComputeHash(); h != ev.Hash {
					rep.Break = &Break{Seq: ev.Seq, ID: ev.ID, Reason: "hash does not match the event's content (the row was altered)",
						Expected: h, Stored: ev.Hash}
				}
			}
			if rep.Break != nil {
				rows.Close()
				return rep, nil
			}
			last, prevHash = ev.Seq, ev.Hash
			rep.HeadSeq, rep.HeadHash = ev.Seq, ev.Hash
		}
		if err := rows.Close(); err != nil {
			return rep, err
		}
		if err := rows.Err(); err != nil {
			return rep, err
		}
		if n < verifyPage {
			break
		}
	}
	headSeq, headHash, found, err := head(ctx, q, tenant)
	if err != nil {
		return rep, err
	}
	if found && (headSeq != rep.HeadSeq || headHash != rep.HeadHash) {
		rep.Break = &Break{Seq: headSeq, Reason: fmt.Sprintf("the chain head row says seq %d but the last stored event is %d (events removed from the end?)", headSeq, rep.HeadSeq),
			Expected: headHash, Stored: rep.HeadHash}
	}
	return rep, nil
}

// Head returns the last event's sequence number and hash of tenant's chain
// (0 and "" for an empty chain), for storing outside the database.
func Head(ctx context.Context, q Querier, tenant int) (int64, string, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, hash FROM audit_events WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1`, tenant)
	if err != nil {
		return 0, "", fmt.Errorf("audit: read head of tenant %d: %w", tenant, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return 0, "", rows.Err()
	}
	var seq int64
	var hash string
	if err := rows.Scan(&seq, &hash); err != nil {
		return 0, "", err
	}
	return seq, hash, rows.Err()
}

// HashAt returns the stored hash of event seq of tenant's chain ("" when
// there is none), to compare with a head recorded earlier.
func HashAt(ctx context.Context, q Querier, tenant int, seq int64) (string, error) {
	rows, err := q.QueryContext(ctx, `SELECT hash FROM audit_events WHERE tenant_id = $1 AND seq = $2`, tenant, seq)
	if err != nil {
		return "", fmt.Errorf("audit: read event %d of tenant %d: %w", seq, tenant, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return "", rows.Err()
	}
	var h string
	err = rows.Scan(&h)
	return h, err
}

func head(ctx context.Context, q Querier, tenant int) (int64, string, bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, hash FROM audit_heads WHERE tenant_id = $1`, tenant)
	if err != nil {
		return 0, "", false, fmt.Errorf("audit: read head row of tenant %d: %w", tenant, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return 0, "", false, rows.Err()
	}
	var seq int64
	var hash string
	if err := rows.Scan(&seq, &hash); err != nil {
		return 0, "", false, err
	}
	return seq, hash, true, rows.Err()
}

func scanEvent(rows *sql.Rows) (*Event, error) {
	var (
		ev                         Event
		op                         string
		actor, post, entity, entID sql.NullInt64
		sector                     sql.NullString
		at                         time.Time
	)
	if err := rows.Scan(&ev.ID, &ev.TenantID, &ev.Seq, &at, &actor, &ev.ActorName, &post, &op,
		&ev.EntityType, &entity, &ev.Changes, &ev.ScopePath, &sector, &entID, &ev.ClientIP, &ev.RequestID,
		&ev.PrevHash, &ev.Hash); err != nil {
		return nil, fmt.Errorf("audit: read event: %w", err)
	}
	ev.OccurredAt = at.UTC()
	ev.Operation = Operation(op)
	ev.ActorUserID, ev.ActorPostID, ev.EntityID, ev.ScopeEnterpriseID = optInt(actor), optInt(post), optInt(entity), optInt(entID)
	if sector.Valid {
		s := sector.String
		ev.ScopeSector = &s
	}
	return &ev, nil
}

func optInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}
