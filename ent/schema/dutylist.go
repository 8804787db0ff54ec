package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// DutyList is the list of safety responsibilities of one post (全员安全生产
// 责任制): ordered items, versioned — each rewrite is a new version — and
// acknowledged (签字确认) by the post's holder, version by version. Written
// only by internal/staffing.
type DutyList struct{ ent.Schema }

// Mixin of the DutyList: scoped by the unit of its post.
func (DutyList) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "duty_list", Subject: "unit_id"}}
}

// Fields of the DutyList.
func (DutyList) Fields() []ent.Field {
	return []ent.Field{
		field.Int("post_id").Unique().Immutable().Annotations(entgql.Type("ID")).Comment("The post whose duties these are."),
		field.Int("unit_id").Immutable().Comment("The unit of the post.").Annotations(skipWhere),
		field.Int("version").Positive().Comment("The current version: 1 when first written, one more at each rewrite.").
			Annotations(entgql.OrderField("VERSION")),
		field.JSON("items", []string{}).Comment("The responsibility items, in order.").
			Annotations(entgql.Skip(entgql.SkipWhereInput | entgql.SkipOrderField)),
		field.String("written_by_name").Default("").MaxLen(100).Comment("Who wrote the current version.").
			Annotations(skipWhere),
		field.Time("written_at").Comment("When the current version was written.").
			Annotations(entgql.OrderField("WRITTEN_AT")),
		field.Int("acknowledged_version").Optional().Nillable().
			Comment("The version the holder last acknowledged; null when never."),
		field.Time("acknowledged_at").Optional().Nillable().Comment("When the holder last acknowledged."),
		field.String("acknowledged_by_name").Optional().Nillable().MaxLen(100).
			Comment("Who acknowledged (the post's holder then).").Annotations(skipWhere),
	}
}

// Edges of the DutyList.
func (DutyList) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("unit", Unit.Type).Unique().Required().Immutable().Field("unit_id").
			Comment("The unit of the post.").Annotations(skipWhere),
	}
}

// Indexes of the DutyList.
func (DutyList) Indexes() []ent.Index {
	return []ent.Index{index.Fields("unit_id")}
}

// Annotations of the DutyList: a root connection with where and orderBy.
func (DutyList) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("The safety responsibilities of a post (全员安全生产责任制): ordered items, versioned, acknowledged by the post's holder."), entgql.QueryField(), entgql.RelayConnection()}
}
