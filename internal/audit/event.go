package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// GenesisHash is the prev_hash of a chain's first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// hashVersion opens the hashed bytes; a future change of the canonical form
// gets a new version and verifiers can tell which rule to apply.
const hashVersion = "dutychain-audit-v1\n"

// timeLayout is the canonical time form: UTC, exactly six fractional digits
// (PostgreSQL keeps microseconds; times are truncated to them before use).
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Event is one audit record. Append fills Seq, PrevHash, Hash and, when
// unset, OccurredAt, ClientIP and RequestID.
type Event struct {
	ID       int
	TenantID int
	Seq      int64
	// OccurredAt is stored truncated to microseconds, in UTC.
	OccurredAt  time.Time
	ActorUserID *int
	// ActorName is the actor's username, or SystemActor.
	ActorName   string
	ActorPostID *int
	Operation   Operation
	EntityType  string
	EntityID    *int
	// Changes is the canonical JSON text of the changed fields (see
	// EncodeChanges); it is hashed and stored verbatim.
	Changes string
	// Scope: the subject unit's position (NoScope for none).
	ScopePath         string
	ScopeSector       *string
	ScopeEnterpriseID *int
	ClientIP          string
	RequestID         string
	PrevHash          string
	Hash              string
}

// Canonical returns the bytes whose SHA-256 is the event's hash: the
// version line, then each field below in this order as a netstring
// ("<byte length>:<bytes>,"), a NULL as "~":
//
//	tenant_id, seq, occurred_at (UTC, 6 fractional digits), actor_user_id,
//	actor_name, actor_post_id, operation, entity_type, entity_id, changes,
//	scope_path, scope_sector, scope_enterprise_id, client_ip, request_id,
//	prev_hash
//
// Integers are in decimal. The row id is not included: it is assigned by
// the database and (tenant_id, seq) identifies the event in the chain.
func (e *Event) Canonical() []byte {
	var b strings.Builder
	b.WriteString(hashVersion)
	str := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
		b.WriteByte(',')
	}
	optInt := func(p *int) {
		if p == nil {
			b.WriteByte('~')
			return
		}
		str(strconv.Itoa(*p))
	}
	optStr := func(p *string) {
		if p == nil {
			b.WriteByte('~')
			return
		}
		str(*p)
	}
	str(strconv.Itoa(e.TenantID))
	str(strconv.FormatInt(e.Seq, 10))
	str(e.OccurredAt.UTC().Format(timeLayout))
	optInt(e.ActorUserID)
	str(e.ActorName)
	optInt(e.ActorPostID)
	str(string(e.Operation))
	str(e.EntityType)
	optInt(e.EntityID)
	str(e.Changes)
	str(e.ScopePath)
	optStr(e.ScopeSector)
	optInt(e.ScopeEnterpriseID)
	str(e.ClientIP)
	str(e.RequestID)
	str(e.PrevHash)
	return []byte(b.String())
}

// ComputeHash returns the hex SHA-256 of the canonical form.
func (e *Event) ComputeHash() string {
	sum := sha256.Sum256(e.Canonical())
	return hex.EncodeToString(sum[:])
}

// Change is the before and after value of one field, as JSON. A redacted
// field (a secret such as a password hash) records only that it changed.
type Change struct {
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
	Redacted bool            `json:"redacted,omitempty"`
}

// Changes maps field names to their change.
type Changes map[string]Change

// Value encodes one field value for a Change: times in UTC, nil as null.
func Value(v any) json.RawMessage {
	switch x := v.(type) {
	case nil:
		return json.RawMessage("null")
	case time.Time:
		v = x.UTC()
	case *time.Time:
		if x == nil {
			return json.RawMessage("null")
		}
		v = x.UTC()
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "" {
		return json.RawMessage(strconv.Quote("<unencodable>"))
	}
	return b
}

// Redacted is the change of a secret field: no value, only the fact.
func Redacted() Change {
	return Change{Before: json.RawMessage("null"), After: json.RawMessage("null"), Redacted: true}
}

// Encode returns the canonical text of c: a JSON object with sorted keys
// (encoding/json sorts map keys), no insignificant whitespace.
func (c Changes) Encode() string {
	if len(c) == 0 {
		return "{}"
	}
	b, err := json.Marshal(map[string]Change(c))
	if err != nil {
		return "{}"
	}
	return string(b)
}

// DecodeChanges parses a stored changes text.
func DecodeChanges(s string) (Changes, error) {
	var c Changes
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return nil, err
	}
	return c, nil
}
