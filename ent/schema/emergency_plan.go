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

// EmergencyPlan is one version of a unit's emergency plan (应急预案): its
// comprehensive plan, a special plan for one topic (防汛, 火灾, …) or an
// on-site disposal plan. A unit's plans of one kind and topic form a
// series whose one EFFECTIVE version supersedes the previous one.
// Written only by internal/emergency.
type EmergencyPlan struct{ ent.Schema }

// Mixin of the EmergencyPlan: scoped by its unit.
func (EmergencyPlan) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "emergency_plan", Subject: "unit_id"}}
}

// Fields of the EmergencyPlan.
func (EmergencyPlan) Fields() []ent.Field {
	return []ent.Field{
		field.Int("unit_id").Immutable().Comment("The unit whose plan it is."),
		field.Enum("kind").GoType(domain.EmergencyPlanKind("")).Immutable().Comment("The kind of plan.").
			Annotations(entgql.Type("EmergencyPlanKind")),
		field.Enum("topic").GoType(domain.EmergencyPlanTopic("")).Optional().Nillable().Immutable().
			Comment("The emergency a SPECIAL plan is for; null for the other kinds.").
			Annotations(entgql.Type("EmergencyPlanTopic")),
		field.String("series").Immutable().MaxLen(100).
			Comment("The unit's plans of one kind and topic: KIND or SPECIAL:TOPIC.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("title").NotEmpty().MaxLen(100).Immutable().Comment("The plan's title.").
			Annotations(entgql.OrderField("TITLE")),
		field.String("version").NotEmpty().MaxLen(100).Immutable().Comment("The version, e.g. 2022版 or V3.").
			Annotations(skipWhere),
		field.Time("approved_on").Optional().Nillable().
			Comment("When the unit's principal approved and published the plan; null for a DRAFT.").
			Annotations(entgql.OrderField("APPROVED_ON")),
		field.Int("filed_with_id").Optional().Nillable().Annotations(entgql.Type("ID")).
			Comment("The government department the plan was filed with (备案)."),
		field.Time("filed_on").Optional().Nillable().Comment("When the plan was filed (备案)."),
		field.Time("review_due").Optional().Nillable().
			Comment("When the plan is next due for review: at most three years after approval.").
			Annotations(entgql.OrderField("REVIEW_DUE")),
		field.Enum("state").GoType(domain.EmergencyPlanState("")).Default(string(domain.PlanDraft)).
			Comment("Where the plan stands.").Annotations(entgql.Type("EmergencyPlanState")),
		field.Int("supersedes_id").Optional().Nillable().Annotations(entgql.Type("ID")).
			Comment("The version this one superseded, if any."),
	}
}

// Edges of the EmergencyPlan.
func (EmergencyPlan) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("unit", Unit.Type).Unique().Required().Immutable().Field("unit_id").
			Comment("The unit whose plan it is.").Annotations(skipWhere),
		edge.To("drills", Drill.Type).Comment("The drills held on this plan.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the EmergencyPlan: one EFFECTIVE version per series, so that
// two versions approved at once cannot both take effect.
func (EmergencyPlan) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("unit_id", "series"),
		index.Fields("unit_id", "series").Unique().StorageKey("emergencyplan_one_effective").
			Annotations(entsql.IndexWhere("state = 'EFFECTIVE'")),
	}
}

// Annotations of the EmergencyPlan: a root connection with where and orderBy.
func (EmergencyPlan) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("An emergency plan (应急预案) of a unit, one version of its series: approved, filed (备案) and reviewed at least every three years."), entgql.QueryField(), entgql.RelayConnection()}
}
