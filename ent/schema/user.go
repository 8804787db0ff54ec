package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// User is a person who logs in. Their home unit (所属单位) is the subject unit
// that scopes who may read the user.
type User struct{ ent.Schema }

// Mixin of the User: scoped by its subject unit, with the write check.
func (User) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "user", Subject: "unit_id"}}
}

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("username").Comment("Sign-in name, unique in the tenant.").NotEmpty().MaxLen(64).
			Annotations(entgql.OrderField("USERNAME")),
		field.String("display_name").Comment("Name shown to others.").NotEmpty().MaxLen(100).
			Annotations(entgql.OrderField("DISPLAY_NAME")),
		field.String("phone").Comment("Phone number.").Optional().MaxLen(32),
		field.String("password_hash").Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("status").Comment("Whether the user may sign in.").Values("ACTIVE", "DISABLED").Default("ACTIVE"),
		field.Int("unit_id").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("unit", Unit.Type).Comment("The unit the user belongs to.").Ref("members").Unique().Required().Field("unit_id").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("posts", Post.Type).Comment("The user's posts.").
			Annotations(entgql.RelayConnection()),
	}
}

// Indexes of the User.
func (User) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id", "username").Unique()}
}

// Annotations of the User.
func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("User: a person who signs in; what they may do comes from their posts."), entgql.QueryField(), entgql.RelayConnection()}
}
