package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// MaterialReserve is one item a unit keeps in reserve for emergencies
// (应急物资储备): sandbags, pumps, extinguishers. An item expired at a date,
// or with less than its minimum quantity, is a gap. Written only by
// internal/readiness.
type MaterialReserve struct{ ent.Schema }

// Mixin of the MaterialReserve: scoped by its unit.
func (MaterialReserve) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "material_reserve", Subject: "unit_id"}}
}

// Fields of the MaterialReserve.
func (MaterialReserve) Fields() []ent.Field {
	return []ent.Field{
		field.Int("unit_id").Immutable().Comment("The unit keeping the reserve."),
		field.String("item").NotEmpty().MaxLen(100).Comment("The item, e.g. 编织袋.").Annotations(entgql.OrderField("ITEM")),
		field.String("category").Default("").MaxLen(100).Comment("The item's category, e.g. 防汛物资."),
		field.Int("quantity").NonNegative().Comment("How many are in stock."),
		field.Int("minimum_quantity").NonNegative().Comment("How many must be in stock at least."),
		field.String("unit_of_measure").NotEmpty().MaxLen(100).Comment("The unit of measure, e.g. 条, 台, 吨."),
		field.String("location").Default("").MaxLen(100).Comment("Where it is stored."),
		field.String("keeper").Default("").MaxLen(100).Comment("Who keeps it (保管人)."),
		field.Time("expires_on").Optional().Nillable().Comment("When it expires, if it does.").
			Annotations(entgql.OrderField("EXPIRES_ON")),
		field.Time("next_check_on").Optional().Nillable().Comment("When it is next to be checked, if scheduled."),
		field.Time("last_checked_on").Optional().Nillable().Comment("When it was last checked (盘点), if ever."),
	}
}

// Edges of the MaterialReserve.
func (MaterialReserve) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("unit", Unit.Type).Unique().Required().Immutable().Field("unit_id").
			Comment("The unit keeping the reserve.").Annotations(skipWhere),
	}
}

// Indexes of the MaterialReserve.
func (MaterialReserve) Indexes() []ent.Index { return []ent.Index{index.Fields("unit_id")} }

// Annotations of the MaterialReserve: a root connection with where and orderBy.
func (MaterialReserve) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("An item a unit keeps in reserve for emergencies (应急物资储备), with its quantity, minimum, keeper and expiry."),
		entgql.QueryField(), entgql.RelayConnection()}
}
