package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/dutychain/dutychain/internal/domain"
)

// Training is one training session (培训) a unit organised: the county
// bureau's or a town's monthly and quarterly training of enterprise staff,
// or an enterprise's own. Its subject is the organiser, which is its issuer
// side too: each trainee's enterprise reads it through its trainees
// (Trainee). Written only by internal/education; see docs/DOMAIN.md.
type Training struct{ ent.Schema }

// Mixin of the Training: scoped by the organiser, which is its issuer side
// (the trainees carry the same issuer path).
func (Training) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{},
		ScopeMixin{Type: "training", Subject: "organiser_unit_id", Issuer: "organiser_unit_id"}}
}

// Fields of the Training.
func (Training) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organiser_unit_id").Immutable().Comment("The unit that organised the training."),
		field.Time("held_on").Comment("When the training was held.").
			Annotations(entgql.OrderField("HELD_ON")),
		field.Int("year").Range(2000, 2100).Comment("The year of heldOn.").
			Annotations(entgql.OrderField("YEAR")),
		field.String("topic").NotEmpty().MaxLen(200).Comment("What the training was about.").
			Annotations(entgql.OrderField("TOPIC")),
		field.Int("hours").Range(1, 200).Comment("Its length in class hours (学时).").
			Annotations(entgql.OrderField("HOURS")),
		field.Text("content").Default("").MaxLen(2000).Comment("What was taught, by whom.").
			Annotations(skipWhere),
		field.Bool("assessed").Comment("Whether the training closed with an assessment (考核): then every trainee PASSED or FAILED."),
		// Stored for all trainees. A caller is told the trainees it reads
		// (traineeCount, schema/education.graphql), so no filter, order or
		// cursor carries the stored count, and a page asking for the count
		// loads the row's scope (the collection selects every column for a
		// field it does not know).
		field.Int("trainee_count").NonNegative().Comment("How many people were trained (all of them).").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Training.
func (Training) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("organiser", Unit.Type).Unique().Required().Immutable().Field("organiser_unit_id").
			Comment("The unit that organised the training.").Annotations(skipWhere),
		edge.To("trainees", Trainee.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Training.
func (Training) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organiser_unit_id", "held_on"), index.Fields("tenant_id", "held_on")}
}

// Annotations of the Training: a root connection with where and orderBy.
func (Training) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A training session (培训) a unit organised for enterprise staff, with its trainees, their assessment and the sign-in sheets attached."), entgql.QueryField(), entgql.RelayConnection()}
}

// Trainee is one person trained at a training: their name, the enterprise
// they work for, the kind of post they hold there and their assessment.
// Its subject is the enterprise, its issuer side the training's organiser:
// both read it. The enterprise reads the training through its trainees.
type Trainee struct{ ent.Schema }

// Mixin of the Trainee: scoped by the enterprise, readable from the
// organiser's side.
func (Trainee) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{},
		ScopeMixin{Type: "training", Subject: "enterprise_unit_id", Issuer: "organiser_unit_id"}}
}

// Fields of the Trainee.
func (Trainee) Fields() []ent.Field {
	return []ent.Field{
		field.Int("training_id").Immutable().Comment("The training."),
		field.Int("organiser_unit_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("enterprise_unit_id").Immutable().Comment("The enterprise the trainee works for."),
		field.String("person_name").NotEmpty().MaxLen(100).Immutable().Comment("The trainee's name.").
			Annotations(entgql.OrderField("PERSON_NAME")),
		field.Enum("post_kind").GoType(domain.TraineePostKind("")).Immutable().Comment("The kind of post the trainee holds.").
			Annotations(entgql.Type("TraineePostKind")),
		// A plain id: a trainee is a historical record, most have no account.
		field.Int("user_id").Optional().Nillable().Immutable().Comment("The trainee's user, when they have one.").
			Annotations(entgql.Type("ID"), skipWhere),
		field.Enum("assessment").GoType(domain.Assessment("")).Immutable().Comment("The trainee's assessment result.").
			Annotations(entgql.Type("Assessment")),
		// Facts of the training, copied so that the coverage reads one table.
		field.Int("year").Immutable().Comment("The year of the training."),
		field.Int("month").Range(1, 12).Immutable().Comment("The month of the training, 1 to 12."),
		field.Int("hours").Immutable().Comment("The training's class hours."),
	}
}

// Edges of the Trainee. The training and the enterprise are exposed by
// hand-written fields (schema/education.graphql).
func (Trainee) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("training", Training.Type).Ref("trainees").Unique().Required().Immutable().Field("training_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("enterprise", Unit.Type).Unique().Required().Immutable().Field("enterprise_unit_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Trainee: the coverage reads an enterprise's year.
func (Trainee) Indexes() []ent.Index {
	return []ent.Index{index.Fields("training_id"), index.Fields("enterprise_unit_id", "year", "month"),
		// Training coverage groups a year's trainees by enterprise:
		// index-only, in enterprise order, with the columns it aggregates
		// and those a viewer's filter reads.
		index.Fields("tenant_id", "year", "enterprise_unit_id").
			Annotations(entsql.IncludeColumns("month", "training_id", "hours", "issuer_only", "scope_path",
				"issuer_scope_path", "scope_sector", "scope_enterprise_id"))}
}

// Annotations of the Trainee: a root connection (an enterprise's trained
// staff, the organiser's lists) with where and orderBy.
func (Trainee) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("One person trained at a training: the enterprise they work for, their kind of post and their assessment."), entgql.QueryField(), entgql.RelayConnection()}
}
