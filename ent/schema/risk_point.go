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

// RiskPoint is a key location or process (风险点: 重点部位、重点环节) of an
// enterprise-side unit, graded by likelihood × severity (风险分级管控).
// The enterprise identifies, grades and checks its own risk points;
// governments read them. Written only by internal/prevention.
type RiskPoint struct{ ent.Schema }

// Mixin of the RiskPoint: scoped by its unit.
func (RiskPoint) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "risk_point", Subject: "unit_id"}}
}

// Fields of the RiskPoint.
func (RiskPoint) Fields() []ent.Field {
	return []ent.Field{
		field.Int("unit_id").Immutable().Comment("The enterprise-side unit whose risk point it is."),
		field.String("name").NotEmpty().MaxLen(100).Immutable().Comment("The location or process, e.g. 油罐区 or 卸油作业.").
			Annotations(entgql.OrderField("NAME")),
		field.Enum("kind").GoType(domain.RiskPointKind("")).Immutable().
			Comment("LOCATION (重点部位) or PROCESS (重点环节).").Annotations(entgql.Type("RiskPointKind")),
		field.String("hazard_sources").Default("").MaxLen(2000).Immutable().
			Comment("The hazard sources (危险源) of the point, e.g. 油气泄漏、静电、明火.").Annotations(skipWhere),
		field.Int("likelihood").Range(1, 5).Comment("Likelihood L of an accident, 1 (hardly possible) to 5 (to be expected)."),
		field.Int("severity").Range(1, 5).Comment("Severity S of its consequences, 1 (slight) to 5 (catastrophic)."),
		field.Int("score").Range(1, 25).Comment("The risk score L × S.").Annotations(entgql.OrderField("SCORE")),
		field.Enum("level").GoType(domain.RiskLevel("")).
			Comment("The grade from the score: MAJOR ≥ 20, LARGE ≥ 15, GENERAL ≥ 9, LOW below.").Annotations(entgql.Type("RiskLevel")),
		field.Time("graded_at").Comment("When the point was last graded.").Annotations(entgql.OrderField("GRADED_AT")),
		field.Time("next_check_due").Optional().Nillable().
			Comment("The earliest due date of its control measures' checks; null without measures. Past: a check is overdue.").
			Annotations(entgql.OrderField("NEXT_CHECK_DUE")),
	}
}

// Edges of the RiskPoint.
func (RiskPoint) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("unit", Unit.Type).Unique().Required().Immutable().Field("unit_id").
			Comment("The unit whose risk point it is.").Annotations(skipWhere),
		edge.To("control_measures", ControlMeasure.Type).Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("gradings", RiskGrading.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the RiskPoint: a unit's points, the risk map's counts under a
// path, the overdue view.
func (RiskPoint) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("unit_id", "name").Unique(),
		index.Fields("tenant_id", "scope_path", "level"),
		index.Fields("scope_enterprise_id", "next_check_due"),
	}
}

// Annotations of the RiskPoint: a root connection with where and orderBy.
func (RiskPoint) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A risk point (风险点) of an enterprise-side unit: a key location or process, graded by likelihood × severity into four colours, with its control measures."), entgql.QueryField(), entgql.RelayConnection()}
}

// ControlMeasure is one control measure (管控措施) of a risk point: what is
// done, which post answers for it and how often it is checked. Part of its
// risk point: same scope columns, written only by its service.
type ControlMeasure struct{ ent.Schema }

// Mixin of the ControlMeasure: part of its risk point.
func (ControlMeasure) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "risk_point"}}
}

// Fields of the ControlMeasure.
func (ControlMeasure) Fields() []ent.Field {
	return []ent.Field{
		field.Int("risk_point_id").Immutable().Comment("The risk point."),
		field.String("description").NotEmpty().MaxLen(2000).Immutable().Comment("The measure, e.g. 卸油时专人监护、静电接地."),
		field.String("responsible_post").NotEmpty().MaxLen(100).Immutable().Comment("The post that answers for it, e.g. 站长 or 安全员."),
		field.Enum("frequency").GoType(domain.CheckFrequency("")).Immutable().
			Comment("How often it is checked.").Annotations(entgql.Type("CheckFrequency")),
		field.Time("last_checked_at").Optional().Nillable().Comment("When it was last checked; null while never."),
		field.String("last_checked_by").Optional().Nillable().MaxLen(400).Comment("Who checked it last, at checking time."),
		field.Time("next_due").Comment("When its next check is due: a period after the last check (or after it was set up)."),
	}
}

// Edges of the ControlMeasure.
func (ControlMeasure) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("risk_point", RiskPoint.Type).Ref("control_measures").Unique().Required().Immutable().
			Field("risk_point_id").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the ControlMeasure.
func (ControlMeasure) Indexes() []ent.Index {
	return []ent.Index{index.Fields("risk_point_id")}
}

// Annotations of the ControlMeasure.
func (ControlMeasure) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A control measure (管控措施) of a risk point: what is done, the responsible post and how often it is checked.")}
}

// RiskGrading is one grading of a risk point (its grading history): the
// first on identification, one more for every regrade. Append-only, part
// of its risk point.
type RiskGrading struct{ ent.Schema }

// Mixin of the RiskGrading: part of its risk point.
func (RiskGrading) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "risk_point"}}
}

// Fields of the RiskGrading.
func (RiskGrading) Fields() []ent.Field {
	return []ent.Field{
		field.Int("risk_point_id").Immutable().Comment("The risk point."),
		field.Enum("from_level").GoType(domain.RiskLevel("")).Optional().Nillable().Immutable().
			Comment("The level before; null for the first grading.").Annotations(entgql.Type("RiskLevel")),
		field.Enum("to_level").GoType(domain.RiskLevel("")).Immutable().
			Comment("The level graded.").Annotations(entgql.Type("RiskLevel")),
		field.Int("likelihood").Immutable().Comment("Likelihood L graded."),
		field.Int("severity").Immutable().Comment("Severity S graded."),
		field.Int("score").Immutable().Comment("The score L × S."),
		field.String("graded_by").MaxLen(400).Immutable().Comment("Who graded, at grading time."),
		field.Int("graded_by_user_id").Optional().Nillable().Immutable().Comment("The user who graded; null for the system.").
			Annotations(entgql.Type("ID"), skipWhere),
		field.Int("graded_by_post_id").Optional().Nillable().Immutable().Comment("The post graded in; null for the system.").
			Annotations(entgql.Type("ID"), skipWhere),
		field.String("reason").Default("").MaxLen(2000).Immutable().Comment("Why it was graded so."),
		field.Time("graded_at").Immutable().Comment("When."),
	}
}

// Edges of the RiskGrading.
func (RiskGrading) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("risk_point", RiskPoint.Type).Ref("gradings").Unique().Required().Immutable().
			Field("risk_point_id").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the RiskGrading.
func (RiskGrading) Indexes() []ent.Index {
	return []ent.Index{index.Fields("risk_point_id")}
}

// Annotations of the RiskGrading.
func (RiskGrading) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("One grading of a risk point: from and to level, the scores, who graded and why (its grading history).")}
}
