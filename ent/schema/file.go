package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// File is an uploaded attachment (a scanned signed letter, the before/after
// photos of a hazard step). The bytes live in the content-addressed store of internal/files
// under their SHA-256; the row carries the owner's scope columns, so a file
// is readable exactly where its owner is. Each owner kind has its own
// optional edge; exactly one is set.
type File struct{ ent.Schema }

// Mixin of the File: scoped where its owner is, written only by the
// owner's service (internal/files on its behalf) after the owner's decision.
func (File) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "file"}}
}

// Fields of the File.
func (File) Fields() []ent.Field {
	return []ent.Field{
		field.Int("letter_id").Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("hazard_event_id").Optional().Nillable().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("sha256").MinLen(64).MaxLen(64).Immutable().
			Comment("Hex SHA-256 of the content: its key in the file store."),
		field.Int64("size").NonNegative().Immutable(),
		field.String("content_type").MaxLen(100).Immutable().
			Comment("Sniffed from the content, not taken from the client."),
		field.String("filename").MaxLen(255).Immutable(),
		field.String("description").Optional().MaxLen(2000).Immutable(),
		field.String("uploader_name").MaxLen(400).Immutable(),
		field.Int("uploaded_by_user_id").Optional().Nillable().Immutable().
			Annotations(entgql.Type("ID")),
		field.Int("uploaded_by_post_id").Optional().Nillable().Immutable().
			Annotations(entgql.Type("ID")),
	}
}

// Edges of the File.
func (File) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("letter", ResponsibilityLetter.Type).Ref("files").Unique().Immutable().Field("letter_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("hazard_event", HazardEvent.Type).Ref("files").Unique().Immutable().Field("hazard_event_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the File.
func (File) Indexes() []ent.Index {
	return []ent.Index{index.Fields("letter_id"), index.Fields("hazard_event_id"), index.Fields("sha256")}
}

// Annotations of the File.
func (File) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipWhereInput | entgql.SkipOrderField)}
}
