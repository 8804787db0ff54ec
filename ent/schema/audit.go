package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/audit"
)

// AuditEvent is one entry of a tenant's append-only, hash-chained audit log
// (审计日志): who (user, post) did what (operation, entity, changed fields)
// when and from where. Rows are written only by internal/audit.Append with
// plain SQL; ent refuses every write of this type, and on PostgreSQL a
// trigger refuses UPDATE and DELETE. The scope columns hold the subject
// unit's position, so the jurisdiction filter reads it like every record.
// See docs/AUDIT.md.
type AuditEvent struct{ ent.Schema }

// Mixin of the AuditEvent: read as object type "audit", which only AUDITOR
// and ADMIN rows grant (a "*" rule does not); no subject field, as events
// are not written through ent.
func (AuditEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}, ScopeMixin{Type: audit.ObjectType}}
}

// Fields of the AuditEvent. Every field is immutable: the log is append-only.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("seq").Immutable().
			Comment("Position in the tenant's chain, from 1, without gaps."),
		field.Time("occurred_at").Comment("When it happened (UTC, microseconds).").Immutable().
			Annotations(entgql.OrderField("OCCURRED_AT")),
		field.Int("actor_user_id").Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("actor_name").Immutable().
			Comment("The actor's username (as typed, for a failed sign-in), or \"system\"."),
		field.Int("actor_post_id").Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("operation").Comment("What happened.").Values(audit.Operations()...).Immutable(),
		field.String("entity_type").Immutable().
			Comment("The ent type in snake case (unit, enterprise, user, post, supervision, tenant) or policy."),
		field.Int("entity_id").Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Text("changes").Immutable().
			Comment("Canonical JSON {field: {before, after[, redacted]}}, hashed verbatim.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("client_ip").Comment("The client's address.").Immutable(),
		field.String("request_id").Comment("The id of the request that caused it (X-Request-Id).").Immutable(),
		field.String("prev_hash").Comment("Hash of the tenant's previous event; empty for the first.").Immutable(),
		field.String("hash").Comment("Hash of this event and prev_hash: editing or removing an event breaks the chain.").Immutable(),
	}
}

// Indexes of the AuditEvent: the chain order (unique: a fork cannot be
// stored), an entity's history, an actor's trail and the time range.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "seq").Unique(),
		index.Fields("entity_id", "occurred_at"),
		index.Fields("actor_user_id", "occurred_at"),
		index.Fields("tenant_id", "occurred_at"),
	}
}

// Annotations of the AuditEvent: a Relay node and connection; the query field
// and its filter are hand-written (schema/dutychain.graphql).
func (AuditEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Audit event (审计日志): one append-only, hash-chained record of a change or a sign-in."),
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipWhereInput),
	}
}

// Hooks of the AuditEvent: no write through ent, for any viewer.
func (AuditEvent) Hooks() []ent.Hook {
	return []ent.Hook{authz.RefuseMutations("the audit log is append-only")}
}

// AuditHead is the head of one tenant's audit chain: the last sequence number
// and hash. Appending an event upserts it first, which locks the row until
// commit on PostgreSQL, so appends of one tenant are serialised and the chain
// cannot fork. A trigger keeps hash in step with the inserted event.
type AuditHead struct{ ent.Schema }

// Fields of the AuditHead.
func (AuditHead) Fields() []ent.Field {
	return []ent.Field{
		field.Int("tenant_id").Unique(),
		field.Int64("seq").Default(0),
		field.String("hash").Default(""),
	}
}

// Annotations of the AuditHead.
func (AuditHead) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Interceptors of the AuditHead: internal table, system only.
func (AuditHead) Interceptors() []ent.Interceptor { return []ent.Interceptor{authz.SystemOnly()} }

// Hooks of the AuditHead: written only by audit.Append's SQL.
func (AuditHead) Hooks() []ent.Hook {
	return []ent.Hook{authz.RefuseMutations("the audit head is written by the audit log only")}
}
