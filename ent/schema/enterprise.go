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

// Enterprise is the profile of an ENTERPRISE unit.
type Enterprise struct{ ent.Schema }

// Mixin of the Enterprise: scoped by its subject unit, with the write check.
func (Enterprise) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "enterprise", Subject: "unit_id"}}
}

// Fields of the Enterprise.
func (Enterprise) Fields() []ent.Field {
	return []ent.Field{
		field.Int("unit_id").Unique().Immutable().
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("name").NotEmpty().MaxLen(200).
			Comment("Kept equal to the unit's name.").
			Annotations(entgql.OrderField("NAME")),
		field.String("credit_code").MaxLen(18).
			Comment("Unified social credit code (统一社会信用代码), check digit validated.").
			Annotations(entgql.OrderField("CREDIT_CODE")),
		field.Enum("sector").GoType(domain.Sector("")).
			Annotations(entgql.OrderField("SECTOR"), entgql.Type("Sector")),
		field.Enum("scale").Values("ABOVE_SCALE_INDUSTRY", "ABOVE_QUOTA_COMMERCE", "BELOW_SCALE", "SMALL_MICRO").
			Default("BELOW_SCALE").
			Annotations(entgql.OrderField("SCALE")),
		field.String("industry_category").Optional().MaxLen(100),
		field.String("address").Optional().MaxLen(300),
		field.String("legal_representative").Optional().MaxLen(100),
		field.String("safety_manager").Optional().MaxLen(100),
		field.String("contact_phone").Optional().MaxLen(32),
		field.Int("employee_count").Default(0).NonNegative().
			Annotations(entgql.OrderField("EMPLOYEE_COUNT")),
		field.Strings("key_sites").Optional().
			Comment("Key sites / parts / links (重点部位、环节)."),
		field.Int("town_id").Optional().Nillable().
			Comment("The TOWN above the enterprise (属地), kept in step on re-parenting.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Edges of the Enterprise.
func (Enterprise) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("unit", Unit.Type).Ref("enterprise").Unique().Required().Immutable().Field("unit_id").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("town", Unit.Type).Unique().Field("town_id").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of the Enterprise.
func (Enterprise) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "credit_code").Unique(),
		index.Fields("town_id"),
	}
}

// Annotations of the Enterprise.
func (Enterprise) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}
