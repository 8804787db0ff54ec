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

// Hazard is a hidden hazard (隐患) of a subject unit and its rectification.
// State changes go through internal/hazards only, which records a
// HazardEvent for each.
type Hazard struct{ ent.Schema }

// Mixin of the Hazard: scoped by its subject unit. Transitions are decided
// by internal/hazards (who may do which step is finer than one update
// right) and written as the system after that check.
func (Hazard) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "hazard", Subject: "subject_id"}}
}

// Fields of the Hazard.
func (Hazard) Fields() []ent.Field {
	return []ent.Field{
		field.Int("subject_id").Immutable().Annotations(skipWhere),
		field.Int("inspection_id").Optional().Nillable().Immutable().Annotations(skipWhere),
		field.Int("campaign_id").Optional().Nillable().Immutable().
			Comment("The inspection's campaign, copied so hazards filter by campaign without a join.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("source").Comment("How it was found.").GoType(domain.HazardSource("")).Immutable().
			Annotations(entgql.Type("HazardSource")),
		field.Enum("level").Comment("Grade: GENERAL (一般) or MAJOR (重大).").GoType(domain.HazardLevel("")).Immutable().
			Annotations(entgql.OrderField("LEVEL"), entgql.Type("HazardLevel")),
		field.Enum("state").Comment("Where its rectification stands.").GoType(domain.HazardState("")).Default(string(domain.HazardReported)).
			Annotations(entgql.OrderField("STATE"), entgql.Type("HazardState")),
		field.String("category").Comment("Hazard category, e.g. fire safety or electrical.").NotEmpty().MaxLen(100),
		field.String("location").Optional().MaxLen(200).Comment("Key site, part or link (重点部位、环节)."),
		field.Text("description").Comment("What is wrong.").NotEmpty(),
		field.Text("requirement").Optional().Comment("Rectification requirement (整改要求)."),
		field.Time("found_at").Comment("When it was found.").Immutable().Annotations(entgql.OrderField("FOUND_AT")),
		field.Time("deadline").Comment("Rectification deadline (整改期限).").Annotations(entgql.OrderField("DEADLINE")),
		field.String("responsible_person").Comment("Person responsible for the rectification (整改责任人).").Optional().MaxLen(100),
		field.Int("recurrence_of_id").Optional().Nillable().Immutable().Annotations(skipWhere),
		field.Int("risk_point_id").Optional().Nillable().Comment("The risk point it came from, if any."),
		field.Int("reported_by_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("supervised").Default(false).Comment("Under supervision (督办)."),
		field.JSON("plan", &domain.HazardPlan{}).Comment("A major hazard's rectification plan (五到位).").Optional().
			Annotations(entgql.Type("HazardPlan"), skipWhere),
		field.Time("requested_deadline").Optional().Nillable().
			Comment("A pending extension request; cleared when decided."),
		field.Time("closed_at").Comment("When it was closed (销号).").Optional().Nillable(),
		field.Int("assignee_id").Optional().Nillable().
			Comment("The unit it is assigned to (交办), from its latest assignment.").Annotations(skipWhere),
		field.Time("follow_up_on").Optional().Nillable().
			Comment("The follow-up date of its latest assignment.").Annotations(entgql.OrderField("FOLLOW_UP_ON")),
		// Who decided what binds the others (§4a): an order of a unit is
		// changed only from that unit or above it, and nobody decides their
		// own submission. Written by internal/hazards with the step or the
		// assignment; its updates are conditional on them.
		field.Int("assigner_id").Optional().Nillable().
			Comment("The government unit that made its latest assignment (交办).").Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("supervisor_id").Optional().Nillable().
			Comment("The government unit that put it under supervision (督办); null when it is not.").Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("submitted_by_id").Optional().Nillable().
			Comment("The user who submitted what awaits a decision: the plan (PLAN_SUBMITTED) or the rectification (SUBMITTED).").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("extension_requested_by_id").Optional().Nillable().
			Comment("The user who requested the pending extension; cleared with it.").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the Hazard.
func (Hazard) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("subject", Unit.Type).Comment("The unit the hazard is at.").Unique().Required().Immutable().Field("subject_id").Annotations(skipWhere),
		edge.To("inspection", Inspection.Type).Comment("The inspection that found it.").Unique().Immutable().Field("inspection_id").Annotations(skipWhere),
		edge.To("recurrences", Hazard.Type).Comment("Later hazards recorded as recurrences of this one.").Annotations(skipWhere).
			From("recurrence_of").Comment("The earlier hazard this one recurs.").Unique().Immutable().Field("recurrence_of_id").Annotations(skipWhere),
		edge.To("risk_point", RiskPoint.Type).Comment("The risk point it came from; null when none or outside your jurisdiction.").
			Unique().Field("risk_point_id").Annotations(skipWhere),
		edge.To("assignee", Unit.Type).Comment("The unit it is assigned to (交办); null when unassigned.").
			Unique().Field("assignee_id").Annotations(skipWhere),
		edge.To("assignments", HazardAssignment.Type).Comment("Its assignments, oldest first.").Annotations(skipWhere),
		edge.To("follow_ups", FollowUpCheck.Type).Comment("What follow-up inspections found of it.").Annotations(skipWhere),
		edge.From("events", HazardEvent.Type).Comment("Its history, oldest first: one event per step.").Ref("hazard").Annotations(skipWhere),
		// The ENTERPRISE unit a hazard belongs to (its own, or the one above its
		// workshop or team): an edge so that nested enterprise → hazards pages
		// load in one statement for the whole parent page.
		edge.From("enterprise_unit", Unit.Type).Ref("enterprise_hazards").Unique().
			Field("scope_enterprise_id").Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the Hazard.
func (Hazard) Indexes() []ent.Index {
	return []ent.Index{
		// A state filter under a path prefix: state first, so the prefix range
		// holds only matching entries (a town's REPORTED page reads ~600
		// entries, not the town's 36,000; EXPLAIN in docs/PERFORMANCE.md).
		index.Fields("tenant_id", "state", "scope_path").
			Annotations(entsql.OpClassColumn("scope_path", "text_pattern_ops"), entsql.IncludeColumns("id")),
		// Scoped lists filter by state under a path prefix; the dashboard counts
		// state × level under one; totals count ids (ent writes COUNT(id)).
		// All three are index-only on this index (PostgreSQL).
		index.Fields("tenant_id", "scope_path", "state", "level").
			Annotations(entsql.OpClassColumn("scope_path", "text_pattern_ops"), entsql.IncludeColumns("id")),
		index.Fields("scope_enterprise_id", "state"),
		index.Fields("deadline"),
		index.Fields("campaign_id"),
		index.Fields("inspection_id"),
		index.Fields("risk_point_id", "state"),
		// The overdue follow-ups view: open, assigned, past the date, in date
		// order (a few percent of the hazards are open). The path is in the
		// index so that the caller's scope filters the entries before their
		// rows are read: with the date alone, an enterprise principal's empty
		// page read every assigned hazard of the tenant (0.7–0.9 s on SQLite
		// at county scale). The state too, so that totals are index-only:
		// SQLite does not take the index's predicate for the query's
		// state <> 'CLOSED' and would read every row (PostgreSQL: id included).
		index.Fields("tenant_id", "follow_up_on", "scope_path", "state").StorageKey("hazard_open_tenant_id_follow_up_on").
			Annotations(entsql.IncludeColumns("id"), entsql.IndexWhere("state <> 'CLOSED'")),
		// The dashboard counts the days of a month its period cuts (the
		// current month) from the records, the rest from the monthly tallies.
		index.Fields("tenant_id", "found_at"),
		// The dashboard's open and overdue hazards: the hazards not CLOSED
		// (a few percent of them) under a path prefix, index-only with the
		// deadline and the other scope columns a viewer's filter reads.
		index.Fields("tenant_id", "scope_path").StorageKey("hazard_open_tenant_id_scope_path").
			Annotations(entsql.OpClassColumn("scope_path", "text_pattern_ops"),
				entsql.IncludeColumns("deadline", "scope_sector", "scope_enterprise_id"),
				entsql.IndexWhere("state <> 'CLOSED'")),
	}
}

// Annotations of the Hazard.
func (Hazard) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("Hidden hazard (隐患) found by an inspection, a self-check or a report, and its rectification (整改)."), entgql.QueryField(), entgql.RelayConnection()}
}

// HazardEvent is one step of a hazard's history: who (user and post) did
// what, when, with which note. Append-only.
type HazardEvent struct{ ent.Schema }

// Mixin of the HazardEvent: part of its hazard, visible exactly when the
// hazard is (the hazard service copies the hazard's scope columns and
// writes events as the system).
func (HazardEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "hazard"}}
}

// Fields of the HazardEvent. Its photos and documents are Files attached
// to it (internal/files).
func (HazardEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("hazard_id").Immutable().Annotations(skipWhere),
		field.Enum("action").Comment("The step taken.").GoType(domain.HazardAction("")).Immutable().
			Annotations(entgql.Type("HazardEventAction")),
		field.String("from_state").Comment("State before the step; empty for REPORT.").Optional().Immutable(),
		field.String("to_state").Comment("State after the step.").Immutable(),
		field.Int("actor_id").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("post_id").Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Text("note").Comment("The actor's note (evidence, reason).").Optional().Immutable(),
		field.Time("at").Comment("When the step was taken.").Immutable().Annotations(entgql.OrderField("AT")),
	}
}

// Edges of the HazardEvent.
func (HazardEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("hazard", Hazard.Type).Comment("The hazard.").Unique().Required().Immutable().Field("hazard_id").Annotations(skipWhere),
	}
}

// Indexes of the HazardEvent.
func (HazardEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("hazard_id", "at")}
}

// Annotations of the HazardEvent: reached through its hazard only.
func (HazardEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("One step of a hazard's history (处理记录): action, states, actor and note.")}
}

// Hooks of the HazardEvent: append-only.
func (HazardEvent) Hooks() []ent.Hook {
	return []ent.Hook{immutable("hazard event")}
}
