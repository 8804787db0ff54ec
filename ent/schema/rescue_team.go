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

// RescueTeam is a unit's emergency rescue team (救援队伍): full-time or
// part-time, its members, leader, contact phone and equipment. A team
// without a leader or a contact phone is a gap. Written only by
// internal/readiness.
type RescueTeam struct{ ent.Schema }

// Mixin of the RescueTeam: scoped by its unit.
func (RescueTeam) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "rescue_team", Subject: "unit_id"}}
}

// Fields of the RescueTeam.
func (RescueTeam) Fields() []ent.Field {
	return []ent.Field{
		field.Int("unit_id").Immutable().Comment("The unit whose team it is."),
		field.String("name").NotEmpty().MaxLen(100).Comment("The team's name, e.g. 示范县应急救援队.").
			Annotations(entgql.OrderField("NAME")),
		field.Enum("kind").GoType(domain.RescueTeamKind("")).Comment("Full-time (专职) or part-time (兼职).").
			Annotations(entgql.Type("RescueTeamKind")),
		field.Int("member_count").NonNegative().Comment("How many members the team has."),
		field.String("leader_name").Default("").MaxLen(100).Comment("The team leader's name; empty when none (a gap)."),
		field.String("contact_phone").Default("").MaxLen(100).Comment("The team's contact phone; empty when none (a gap)."),
		field.Text("equipment").Default("").MaxLen(2000).Comment("The team's equipment.").Annotations(skipWhere),
	}
}

// Edges of the RescueTeam.
func (RescueTeam) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("unit", Unit.Type).Unique().Required().Immutable().Field("unit_id").
			Comment("The unit whose team it is.").Annotations(skipWhere),
	}
}

// Indexes of the RescueTeam.
func (RescueTeam) Indexes() []ent.Index { return []ent.Index{index.Fields("unit_id")} }

// Annotations of the RescueTeam: a root connection with where and orderBy.
func (RescueTeam) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A unit's emergency rescue team (救援队伍): its kind, members, leader, contact and equipment."),
		entgql.QueryField(), entgql.RelayConnection()}
}
