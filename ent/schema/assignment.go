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

// HazardAssignment is one assignment (交办) of a hazard by a government unit
// to the unit responsible for its follow-up: the supervising department of
// the hazard's enterprise or its town. Append-only: a reassignment is a new
// row, and the hazard keeps the latest in its assignee and follow-up date.
type HazardAssignment struct{ ent.Schema }

// Mixin of the HazardAssignment: scoped by the hazard's subject unit, so it
// is visible exactly where its hazard is; the scope hook checks the
// hazard_assignment create right there.
func (HazardAssignment) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "hazard_assignment", Subject: "subject_id"}}
}

// Fields of the HazardAssignment.
func (HazardAssignment) Fields() []ent.Field {
	return []ent.Field{
		field.Int("hazard_id").Immutable().Comment("The hazard assigned.").Annotations(skipWhere),
		field.Int("subject_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("assigner_id").Immutable().Comment("The government unit that assigned it.").Annotations(skipWhere),
		field.Int("assignee_id").Immutable().Comment("The unit responsible for the follow-up.").Annotations(skipWhere),
		field.Time("follow_up_on").Immutable().Comment("The date by which the assignee follows the hazard up (督查).").
			Annotations(entgql.OrderField("FOLLOW_UP_ON")),
		field.Text("note").Optional().Immutable().Comment("The assigner's instructions."),
		field.Int("assigned_by_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("post_id").Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("assigned_at").Immutable().Comment("When it was assigned.").Annotations(entgql.OrderField("ASSIGNED_AT")),
	}
}

// Edges of the HazardAssignment.
func (HazardAssignment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("hazard", Hazard.Type).Ref("assignments").Comment("The hazard assigned.").
			Unique().Required().Immutable().Field("hazard_id").Annotations(skipWhere),
		edge.To("assigner", Unit.Type).Comment("The government unit that assigned it.").
			Unique().Required().Immutable().Field("assigner_id").Annotations(skipWhere),
		edge.To("assignee", Unit.Type).Comment("The unit responsible for the follow-up.").
			Unique().Required().Immutable().Field("assignee_id").Annotations(skipWhere),
	}
}

// Indexes of the HazardAssignment.
func (HazardAssignment) Indexes() []ent.Index {
	return []ent.Index{index.Fields("hazard_id", "assigned_at")}
}

// Annotations of the HazardAssignment: reached through its hazard.
func (HazardAssignment) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("An assignment (交办) of a hazard to the unit responsible for its follow-up, with a follow-up date; a reassignment adds another.")}
}

// Hooks of the HazardAssignment: append-only.
func (HazardAssignment) Hooks() []ent.Hook { return []ent.Hook{immutable("hazard assignment")} }

// FollowUpCheck is the outcome a FOLLOW_UP inspection (事后督查) records for
// one hazard it re-checks.
type FollowUpCheck struct{ ent.Schema }

// Mixin of the FollowUpCheck: a part of the hazard it re-checks, not of the
// inspection (a FOLLOW_UP inspection of a town re-checks hazards of several
// enterprises, of several sectors): the inspection service copies the
// hazard's scope columns onto it and writes it as the system, so it is read
// exactly where its hazard is.
func (FollowUpCheck) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "hazard"}}
}

// Fields of the FollowUpCheck.
func (FollowUpCheck) Fields() []ent.Field {
	return []ent.Field{
		field.Int("inspection_id").Immutable().Comment("The follow-up inspection.").Annotations(skipWhere),
		field.Int("hazard_id").Immutable().Comment("The hazard re-checked.").Annotations(skipWhere),
		field.Enum("outcome").GoType(domain.FollowUpOutcome("")).Immutable().Comment("What the re-check found.").
			Annotations(entgql.Type("FollowUpOutcome")),
		field.String("state_before").Immutable().Comment("The hazard's state when it was re-checked."),
		field.String("state_after").Immutable().Comment("The hazard's state after the re-check (a RECTIFIED outcome may close it)."),
		field.Text("note").Optional().Immutable().Comment("What the inspectors saw."),
	}
}

// Edges of the FollowUpCheck. The inspection is exposed by a hand-written
// nullable field (schema/inspections.graphql): whoever reads the hazard reads
// its re-checks, and may not read the inspection of the town it was made in.
func (FollowUpCheck) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("inspection", Inspection.Type).Ref("follow_ups").Comment("The follow-up inspection.").
			Unique().Required().Immutable().Field("inspection_id").Annotations(entgql.Skip(entgql.SkipType | entgql.SkipWhereInput)),
		edge.From("hazard", Hazard.Type).Ref("follow_ups").Comment("The hazard re-checked (read wherever the re-check is).").
			Unique().Required().Immutable().Field("hazard_id").Annotations(skipWhere),
	}
}

// Indexes of the FollowUpCheck: one outcome per hazard and inspection.
func (FollowUpCheck) Indexes() []ent.Index {
	return []ent.Index{index.Fields("inspection_id", "hazard_id").Unique(), index.Fields("hazard_id")}
}

// Annotations of the FollowUpCheck: reached through its inspection or hazard.
func (FollowUpCheck) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("The outcome a follow-up inspection (事后督查) recorded for one hazard it re-checked.")}
}

// Hooks of the FollowUpCheck: append-only.
func (FollowUpCheck) Hooks() []ent.Hook { return []ent.Hook{immutable("follow-up check")} }
