package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// File is an uploaded attachment (a scanned signed letter, the before/after
// photos of a hazard step). The bytes live in the content-addressed store of internal/files
// under their SHA-256; the row carries the owner's scope columns, so a file
// is readable exactly where its owner is. The owner is any record, named by
// its global id (ent's globalid gives every table its own id range, so the
// id alone says which table): a record gets attachments without a column or
// an edge here.
type File struct{ ent.Schema }

// Mixin of the File: scoped where its owner is, written only by the
// owner's service (internal/files on its behalf) after the owner's decision.
func (File) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "file"}}
}

// Fields of the File.
func (File) Fields() []ent.Field {
	return []ent.Field{
		field.Int("owner_id").Immutable().
			Comment("Global id of the record the file is attached to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("sha256").MinLen(64).MaxLen(64).Immutable().
			Comment("Hex SHA-256 of the content: its key in the file store."),
		field.Int64("size").Comment("Size in bytes.").NonNegative().Immutable(),
		field.String("content_type").MaxLen(100).Immutable().
			Comment("Sniffed from the content, not taken from the client."),
		field.String("filename").Comment("File name as uploaded.").MaxLen(255).Immutable(),
		field.String("description").Comment("The uploader's description.").Optional().MaxLen(2000).Immutable(),
		field.String("uploader_name").Comment("The uploader's name at upload time.").MaxLen(400).Immutable(),
		field.Int("uploaded_by_user_id").Comment("ID of the user who uploaded it; null for the system.").Optional().Nillable().Immutable().
			Annotations(entgql.Type("ID")),
		field.Int("uploaded_by_post_id").Comment("ID of the post the uploader acted in.").Optional().Nillable().Immutable().
			Annotations(entgql.Type("ID")),
	}
}

// Indexes of the File.
func (File) Indexes() []ent.Index {
	// An owner's files, with the tenant the read filter always adds.
	return []ent.Index{index.Fields("tenant_id", "owner_id"), index.Fields("sha256")}
}

// Annotations of the File.
func (File) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("Attachment (附件): an uploaded scan, photo or document, readable where its owner is."), entgql.Skip(entgql.SkipWhereInput | entgql.SkipOrderField)}
}
