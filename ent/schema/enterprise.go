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
		field.Enum("sector").Comment("Business sector (行业); decides which departments supervise it.").GoType(domain.Sector("")).
			Annotations(entgql.OrderField("SECTOR"), entgql.Type("Sector")),
		field.Enum("scale").Comment("Size class (规上, 限上, 规下, 小微).").Values("ABOVE_SCALE_INDUSTRY", "ABOVE_QUOTA_COMMERCE", "BELOW_SCALE", "SMALL_MICRO").
			Default("BELOW_SCALE").
			Annotations(entgql.OrderField("SCALE")),
		field.String("industry_category").Comment("Industry category (行业类别) as registered.").Optional().MaxLen(100),
		field.String("address").Comment("Business address.").Optional().MaxLen(300),
		field.String("legal_representative").Comment("Legal representative (法定代表人).").Optional().MaxLen(100),
		field.String("safety_manager").Comment("Person in charge of work safety (安全管理负责人).").Optional().MaxLen(100),
		field.String("contact_phone").Comment("Contact phone number.").Optional().MaxLen(32),
		field.Int("employee_count").Comment("Number of employees.").Default(0).NonNegative().
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
		edge.From("unit", Unit.Type).Comment("The ENTERPRISE unit this profile belongs to.").Ref("enterprise").Unique().Required().Immutable().Field("unit_id").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("town", Unit.Type).Comment("The town the enterprise belongs to (属地).").Unique().Field("town_id").
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
	return []schema.Annotation{schema.Comment("Enterprise profile (企业档案) of an ENTERPRISE unit."), entgql.QueryField(), entgql.RelayConnection()}
}
