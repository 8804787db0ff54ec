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

// DutyRoster is a unit's duty roster (值班值守表) for a period: the National
// Day holiday, the flood season. When it requires 24-hour cover, every
// instant of the period needs a leader on duty (带班领导) and a staff member
// on duty; the instants without both are its gaps. Written only by
// internal/readiness.
type DutyRoster struct{ ent.Schema }

// Mixin of the DutyRoster: scoped by its unit.
func (DutyRoster) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "duty_roster", Subject: "unit_id"}}
}

// Fields of the DutyRoster.
func (DutyRoster) Fields() []ent.Field {
	return []ent.Field{
		field.Int("unit_id").Immutable().Comment("The unit on duty."),
		field.String("title").NotEmpty().MaxLen(100).Comment("The roster's title, e.g. 2022年国庆节值班表.").
			Annotations(entgql.OrderField("TITLE")),
		field.Enum("key_period").GoType(domain.DutyKeyPeriod("")).Optional().Nillable().
			Comment("The key period the roster covers, if any.").Annotations(entgql.Type("DutyKeyPeriod")),
		field.Time("period_start").Comment("When the period starts (an instant, stored in UTC).").
			Annotations(entgql.OrderField("PERIOD_START")),
		field.Time("period_end").Comment("When the period ends (an instant after its start, stored in UTC)."),
		field.Bool("requires_full_cover").Comment("Whether every instant of the period needs a leader and a staff member on duty (24小时值班)."),
		field.Int("version").Default(1).Positive().
			Comment("The roster's version: 1 when recorded, one more with each update; an update names the version it edits."),
	}
}

// Edges of the DutyRoster.
func (DutyRoster) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("unit", Unit.Type).Unique().Required().Immutable().Field("unit_id").
			Comment("The unit on duty.").Annotations(skipWhere),
		edge.To("shifts", DutyShift.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the DutyRoster.
func (DutyRoster) Indexes() []ent.Index {
	return []ent.Index{index.Fields("unit_id", "period_start")}
}

// Annotations of the DutyRoster: a root connection with where and orderBy.
func (DutyRoster) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A unit's duty roster (值班值守) for a period, with its shifts and, when 24-hour cover is required, its gaps."),
		entgql.QueryField(), entgql.RelayConnection()}
}

// DutyShift is one shift of a duty roster: from its start to its end, a
// leader on duty (a post of the unit's leadership) and/or a staff member on
// duty, with their phones. It is part of its roster: same scope columns,
// read as a "duty_roster".
type DutyShift struct{ ent.Schema }

// Mixin of the DutyShift: part of its roster, written only by its service.
func (DutyShift) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "duty_roster"}}
}

// Fields of the DutyShift.
func (DutyShift) Fields() []ent.Field {
	return []ent.Field{
		field.Int("roster_id").Immutable().Comment("The roster."),
		field.Time("starts_at").Immutable().Comment("When the shift starts (stored in UTC)."),
		field.Time("ends_at").Immutable().Comment("When the shift ends, after its start (stored in UTC)."),
		field.Int("leader_post_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")).
			Comment("The post of the leader on duty (带班领导), if any."),
		field.String("leader_name").Default("").MaxLen(100).Immutable().Comment("The leader on duty's name when rostered."),
		field.String("leader_phone").Default("").MaxLen(100).Immutable().Comment("The leader on duty's phone."),
		field.String("staff_name").Default("").MaxLen(100).Immutable().Comment("The staff member on duty (值班人员), if any."),
		field.String("staff_phone").Default("").MaxLen(100).Immutable().Comment("The staff member on duty's phone."),
	}
}

// Edges of the DutyShift.
func (DutyShift) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("roster", DutyRoster.Type).Ref("shifts").Unique().Required().Immutable().Field("roster_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the DutyShift.
func (DutyShift) Indexes() []ent.Index {
	return []ent.Index{index.Fields("roster_id", "starts_at"),
		// Rosters with gaps (readiness.WithGaps) ask, at each shift's end,
		// whether a shift with a leader and one with a staff member cover
		// that instant: the first entry ending after it answers, index-only.
		index.Fields("roster_id", "ends_at").StorageKey("dutyshift_leader_roster_id_ends_at").
			Annotations(entsql.IncludeColumns("starts_at"), entsql.IndexWhere("leader_post_id IS NOT NULL")),
		index.Fields("roster_id", "ends_at").StorageKey("dutyshift_staff_roster_id_ends_at").
			Annotations(entsql.IncludeColumns("starts_at"), entsql.IndexWhere("staff_name <> ''")),
		// The shifts ending in a roster's period.
		index.Fields("roster_id", "ends_at")}
}

// Annotations of the DutyShift.
func (DutyShift) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("One shift of a duty roster: its times, the leader on duty (带班领导) and the staff member on duty, with their phones."),
		entgql.Skip(entgql.SkipWhereInput | entgql.SkipOrderField)}
}
