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

// Drill is one emergency drill (应急演练) of a unit on one of its plans,
// with the problems it found (each possibly recorded as a hazard in the
// same transaction). Written only by internal/emergency.
type Drill struct{ ent.Schema }

// Mixin of the Drill: time stamps, the tenant, and the jurisdiction of its unit.
func (Drill) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "drill", Subject: "unit_id"}}
}

// Fields of the Drill.
func (Drill) Fields() []ent.Field {
	return []ent.Field{
		field.Int("plan_id").Immutable().Comment("The plan drilled."),
		field.Int("unit_id").Immutable().Comment("The unit that held the drill: the plan's unit or one below it."),
		field.Enum("plan_kind").GoType(domain.EmergencyPlanKind("")).Immutable().
			Comment("The kind of the plan drilled, which decides the rule the drill counts for.").
			Annotations(entgql.Type("EmergencyPlanKind")),
		field.Time("held_on").Immutable().Comment("When the drill was held.").
			Annotations(entgql.OrderField("HELD_ON")),
		field.Enum("form").GoType(domain.DrillForm("")).Immutable().Comment("How the drill was held.").
			Annotations(entgql.Type("DrillForm")),
		field.Int("participants").NonNegative().Immutable().Comment("How many people took part.").
			Annotations(entgql.OrderField("PARTICIPANTS")),
		field.Text("scenario").NotEmpty().MaxLen(2000).Immutable().Comment("The scenario drilled.").
			Annotations(skipWhere),
		field.Text("evaluation").Default("").MaxLen(2000).Immutable().Comment("The evaluation (演练评估) of the drill.").
			Annotations(skipWhere),
		field.JSON("problems", []domain.DrillProblem{}).Optional().Immutable().
			Comment("The problems the drill found.").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Drill.
func (Drill) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("plan", EmergencyPlan.Type).Ref("drills").Unique().Required().Immutable().Field("plan_id").
			Comment("The plan drilled.").Annotations(skipWhere),
		edge.To("unit", Unit.Type).Unique().Required().Immutable().Field("unit_id").
			Comment("The unit that held the drill.").Annotations(skipWhere),
	}
}

// Indexes of the Drill: a unit's drills by date, an enterprise's for the
// compliance view.
func (Drill) Indexes() []ent.Index {
	return []ent.Index{index.Fields("unit_id", "held_on"), index.Fields("plan_id"),
		index.Fields("scope_enterprise_id", "held_on")}
}

// Annotations of the Drill: a root connection with where and orderBy.
func (Drill) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("An emergency drill (应急演练) a unit held on one of its plans, with its evaluation and the problems found."), entgql.QueryField(), entgql.RelayConnection()}
}
