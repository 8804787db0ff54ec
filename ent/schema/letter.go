package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/dutychain/dutychain/internal/domain"
)

// ResponsibilityLetter is a yearly work-safety responsibility letter (安全生产
// 责任书/责任状) from an issuer unit to a signee unit below it. Its subject
// unit is the signee; the issuer side reads it too (the issuer path).
// Written only by internal/letters, which enforces the chain rule and the
// lifecycle; see docs/LETTERS.md.
type ResponsibilityLetter struct{ ent.Schema }

// Mixin of the ResponsibilityLetter: scoped by the signee, readable from
// the issuer side too; every write is checked as the act the letters
// service names.
func (ResponsibilityLetter) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{},
		ScopeMixin{Type: "letter", Subject: "signee_unit_id", Issuer: "issuer_unit_id"}}
}

// Fields of the ResponsibilityLetter.
func (ResponsibilityLetter) Fields() []ent.Field {
	return []ent.Field{
		field.Int("year").Comment("The year it covers.").Immutable().Range(2000, 2100).
			Annotations(entgql.OrderField("YEAR")),
		field.Int("issuer_unit_id").Comment("ID of the issuing unit.").Immutable(),
		field.Int("signee_unit_id").Comment("ID of the unit that signs.").Immutable(),
		field.String("issuer_name").MaxLen(1000).
			Comment("The issuer's name when the letter was written: part of the document."),
		field.String("signee_name").MaxLen(1000).
			Comment("The signee's name when the letter was written: part of the document."),
		field.Enum("signee_kind").GoType(domain.UnitKind("")).Immutable().
			Comment("Decides the signatures needed: both heads of a TOWN or DEPARTMENT (党政同责), one PRINCIPAL otherwise.").
			Annotations(entgql.Type("UnitKind")),
		field.String("title").NotEmpty().MaxLen(1000).
			Comment("At most 200 characters.").
			Annotations(entgql.OrderField("TITLE")),
		field.Text("body").Comment("Text of the letter.").Default("").MaxLen(100000).
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.JSON("targets", []domain.LetterTarget{}).
			Comment("Responsibility targets, in order.").
			Annotations(entgql.Type("[LetterTarget!]"), entgql.Skip(entgql.SkipWhereInput)),
		field.Enum("state").Comment("Where the letter stands.").GoType(domain.LetterState("")).Default(string(domain.LetterDraft)).
			Annotations(entgql.OrderField("STATE"), entgql.Type("LetterState")),
		field.String("revoke_reason").Comment("Why the issuer revoked it.").Optional().Nillable().MaxLen(2000),
		field.Time("issued_at").Comment("When it was issued.").Optional().Nillable().
			Annotations(entgql.OrderField("ISSUED_AT")),
		field.Time("signed_at").Comment("When the last required signature was added.").Optional().Nillable().
			Annotations(entgql.OrderField("SIGNED_AT")),
		field.Time("archived_at").Comment("When it was archived.").Optional().Nillable(),
		field.Time("revoked_at").Comment("When it was revoked.").Optional().Nillable(),
		// live is true while the letter is not REVOKED and NULL after: NULLs
		// are distinct in unique indexes on both databases, so the index
		// below admits any number of revoked letters but one live letter
		// per (year, issuer, signee), even under concurrent writers.
		field.Bool("live").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		// version guards the lifecycle against concurrent steps: every step
		// updates "WHERE version = <read>" and bumps it.
		field.Int("version").Default(1).
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the ResponsibilityLetter. The issuer and signee are exposed by
// hand-written nullable fields (graph/schema/dutychain.graphql): a letter
// readable from one side may name a unit outside the caller's jurisdiction.
func (ResponsibilityLetter) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("issuer", Unit.Type).Unique().Required().Immutable().Field("issuer_unit_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("signee", Unit.Type).Unique().Required().Immutable().Field("signee_unit_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("signatures", LetterSignature.Type).
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("events", LetterEvent.Type).
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the ResponsibilityLetter.
func (ResponsibilityLetter) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("year", "issuer_unit_id", "signee_unit_id", "live").Unique(),
		index.Fields("signee_unit_id", "year"),
		index.Fields("issuer_unit_id", "year"),
	}
}

// Annotations of the ResponsibilityLetter.
func (ResponsibilityLetter) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("Responsibility letter (责任书/责任状) for a year, from an issuer unit to a signee unit below it."), entgql.QueryField(), entgql.RelayConnection()}
}

// LetterSignature is one signature on a letter: who signed, in which post
// and role, and when. A TOWN's or DEPARTMENT's letter carries two (its
// PARTY_SECRETARY's and its GOVERNMENT_HEAD's), others one PRINCIPAL's.
// It is part of its letter: same scope columns, read as a "letter".
type LetterSignature struct{ ent.Schema }

// Mixin of the LetterSignature: part of its letter, written only by the
// letters service after its decision on the letter.
func (LetterSignature) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "letter"}}
}

// Fields of the LetterSignature.
func (LetterSignature) Fields() []ent.Field {
	return []ent.Field{
		field.Int("letter_id").Comment("ID of the letter.").Immutable(),
		field.Enum("role").Comment("The role of the post signed in.").GoType(domain.Role("")).Immutable().
			Annotations(entgql.Type("Role")),
		field.String("signer_name").MaxLen(400).Immutable().
			Comment("The signer's name at signing time."),
		field.String("signer_title").Optional().MaxLen(400).Immutable().
			Comment("The title of the post signed in."),
		// Plain ids rather than edges: a signature is a historical record
		// and must not change when users or posts do. Null for signatures
		// transcribed from paper (letters signed before the system).
		field.Int("user_id").Comment("ID of the signer; null for a signature transcribed from paper.").Optional().Nillable().Immutable().
			Annotations(entgql.Type("ID")),
		field.Int("post_id").Comment("ID of the post signed in; null for a signature transcribed from paper.").Optional().Nillable().Immutable().
			Annotations(entgql.Type("ID")),
		field.Time("signed_at").Comment("When it was signed.").Immutable(),
	}
}

// Edges of the LetterSignature.
func (LetterSignature) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("letter", ResponsibilityLetter.Type).Ref("signatures").Unique().Required().Immutable().Field("letter_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the LetterSignature: one signature per role and letter.
func (LetterSignature) Indexes() []ent.Index {
	return []ent.Index{index.Fields("letter_id", "role").Unique()}
}

// Annotations of the LetterSignature.
func (LetterSignature) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("One signature (签字) of a responsibility letter, in one post."), entgql.Skip(entgql.SkipWhereInput | entgql.SkipOrderField)}
}

// LetterEvent records one step of a letter's life: who did what, in which
// post, when, from which state to which (an append-only history).
type LetterEvent struct{ ent.Schema }

// Mixin of the LetterEvent: part of its letter, written only by the
// letters service.
func (LetterEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "letter"}}
}

// Fields of the LetterEvent.
func (LetterEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("letter_id").Comment("ID of the letter.").Immutable(),
		field.Enum("action").Comment("The step taken.").Values("CREATED", "UPDATED", "ISSUED", "SIGNED", "REVOKED", "ARCHIVED", "ATTACHED").Immutable(),
		field.Enum("from_state").Comment("State before the step.").GoType(domain.LetterState("")).Optional().Nillable().Immutable().
			Annotations(entgql.Type("LetterState")),
		field.Enum("to_state").Comment("State after the step.").GoType(domain.LetterState("")).Immutable().
			Annotations(entgql.Type("LetterState")),
		field.String("actor_name").Comment("The actor's name at the time.").MaxLen(400).Immutable(),
		field.String("actor_title").Comment("The title of the actor's post.").Optional().MaxLen(400).Immutable(),
		field.Enum("actor_role").Comment("The role of the actor's post.").GoType(domain.Role("")).Optional().Nillable().Immutable().
			Annotations(entgql.Type("Role")),
		field.Int("actor_user_id").Comment("ID of the actor.").Optional().Nillable().Immutable().
			Annotations(entgql.Type("ID")),
		field.Int("actor_post_id").Comment("ID of the actor's post.").Optional().Nillable().Immutable().
			Annotations(entgql.Type("ID")),
		field.String("note").Comment("Note, e.g. the reason of a revocation.").Optional().MaxLen(2000).Immutable(),
		field.Time("at").Comment("When the step was taken.").Immutable(),
	}
}

// Edges of the LetterEvent.
func (LetterEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("letter", ResponsibilityLetter.Type).Ref("events").Unique().Required().Immutable().Field("letter_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the LetterEvent.
func (LetterEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("letter_id")}
}

// Annotations of the LetterEvent.
func (LetterEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("One step of a letter's history (流转记录)."), entgql.Skip(entgql.SkipWhereInput | entgql.SkipOrderField)}
}
