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

// Post is a user's appointment (岗位/任职): unit × role × optional sectors,
// valid from validFrom until validTo (exclusive; open-ended when unset).
type Post struct{ ent.Schema }

// Mixin of the Post: scoped by its subject unit, with the write check.
func (Post) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "post", Subject: "unit_id"}}
}

// Fields of the Post.
func (Post) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id").Comment("ID of the user appointed.").Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Int("unit_id").Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Enum("role").Comment("The role.").GoType(domain.Role("")).
			Annotations(entgql.OrderField("ROLE"), entgql.Type("Role")),
		field.JSON("sectors", []domain.Sector{}).Comment("The sectors the post is limited to; empty for all.").Optional().
			Annotations(entgql.Type("[Sector!]"), entgql.Skip(entgql.SkipWhereInput)),
		field.String("title").Comment("Title, e.g. 副县长.").Optional().MaxLen(100),
		field.Time("valid_from").Comment("Start of validity.").
			Annotations(entgql.OrderField("VALID_FROM")),
		field.Time("valid_to").Comment("End of validity; null while open.").Optional().Nillable().
			Annotations(entgql.OrderField("VALID_TO")),
	}
}

// Edges of the Post.
func (Post) Edges() []ent.Edge {
	return []ent.Edge{
		// The holder is exposed by a hand-written nullable field: a post in
		// the caller's jurisdiction may belong to a user whose home unit is not.
		edge.From("user", User.Type).Ref("posts").Unique().Required().Field("user_id").
			Annotations(entgql.Skip(entgql.SkipType | entgql.SkipWhereInput)),
		edge.From("unit", Unit.Type).Comment("The unit of the post.").Ref("posts").Unique().Required().Field("unit_id").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the Post.
func (Post) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id"), index.Fields("unit_id")}
}

// Annotations of the Post.
func (Post) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("Post (岗位/任职): a user's appointment at a unit in a role, optionally for some sectors, valid from / to."), entgql.QueryField(), entgql.RelayConnection()}
}
