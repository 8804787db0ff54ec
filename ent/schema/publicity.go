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

// Publicity is one publicity activity (宣传) a unit held: visits to
// enterprises (入企宣传), the work-safety month (安全生产月), a consultation day
// (咨询日), with the enterprises visited and the materials distributed.
// Written only by internal/education; see docs/DOMAIN.md.
type Publicity struct{ ent.Schema }

// Mixin of the Publicity: scoped by the organiser.
func (Publicity) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "publicity", Subject: "organiser_unit_id"}}
}

// Fields of the Publicity.
func (Publicity) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organiser_unit_id").Immutable().Comment("The unit that held the activity."),
		field.Enum("kind").GoType(domain.PublicityKind("")).Comment("What kind of activity.").
			Annotations(entgql.Type("PublicityKind")),
		field.String("title").NotEmpty().MaxLen(100).Comment("The activity's title.").
			Annotations(entgql.OrderField("TITLE")),
		field.Time("held_on").Comment("When it was held.").
			Annotations(entgql.OrderField("HELD_ON")),
		field.Int("year").Range(2000, 2100).Comment("The year of heldOn.").
			Annotations(entgql.OrderField("YEAR")),
		field.Text("description").Default("").MaxLen(2000).Comment("What was done.").Annotations(skipWhere),
		field.Int("materials").NonNegative().Comment("Publicity materials distributed (份).").
			Annotations(entgql.OrderField("MATERIALS")),
		field.Int("participants").NonNegative().Comment("How many people took part.").
			Annotations(entgql.OrderField("PARTICIPANTS")),
		// Stored for all visits. A caller is told the enterprises it reads
		// (enterpriseCount, schema/education.graphql), so no filter, order
		// or cursor carries the stored count.
		field.Int("enterprise_count").NonNegative().Comment("How many enterprises were visited (all of them).").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Publicity.
func (Publicity) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("organiser", Unit.Type).Unique().Required().Immutable().Field("organiser_unit_id").
			Comment("The unit that held the activity.").Annotations(skipWhere),
		edge.To("visits", PublicityVisit.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Publicity.
func (Publicity) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organiser_unit_id", "held_on")}
}

// Annotations of the Publicity: a root connection with where and orderBy.
func (Publicity) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A publicity activity (宣传) a unit held: the enterprises visited, the materials distributed (份) and the people reached."), entgql.QueryField(), entgql.RelayConnection()}
}

// PublicityVisit is one enterprise visited by a publicity activity. It is
// part of its activity: same scope columns, read as a "publicity".
type PublicityVisit struct{ ent.Schema }

// Mixin of the PublicityVisit: part of its activity, written only by its
// service.
func (PublicityVisit) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "publicity"}}
}

// Fields of the PublicityVisit.
func (PublicityVisit) Fields() []ent.Field {
	return []ent.Field{
		field.Int("publicity_id").Immutable().Comment("The activity."),
		field.Int("enterprise_unit_id").Immutable().Annotations(entgql.Type("ID")).Comment("The enterprise visited."),
	}
}

// Edges of the PublicityVisit.
func (PublicityVisit) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("publicity", Publicity.Type).Ref("visits").Unique().Required().Immutable().Field("publicity_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the PublicityVisit: an enterprise is visited once per activity.
func (PublicityVisit) Indexes() []ent.Index {
	return []ent.Index{index.Fields("publicity_id", "enterprise_unit_id").Unique()}
}

// Annotations of the PublicityVisit: not exposed by itself.
func (PublicityVisit) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("One enterprise a publicity activity visited."), entgql.Skip(entgql.SkipAll)}
}
