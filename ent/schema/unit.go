package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/dutychain/dutychain/authz"

	"github.com/dutychain/dutychain/internal/domain"
)

// Unit is a node of a tenant's unit tree: COUNTY → TOWN / DEPARTMENT →
// ENTERPRISE → WORKSHOP → TEAM. Its own materialized path is scope_path.
type Unit struct{ ent.Schema }

// Mixin of the Unit: a unit's subject is its parent (a new unit sits under
// it); the write check applies to the parent's position.
func (Unit) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "unit", Subject: "parent_id"}}
}

// Fields of the Unit.
func (Unit) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("kind").Comment("Kind of unit.").GoType(domain.UnitKind("")).Immutable().
			Annotations(entgql.OrderField("KIND"), entgql.Type("UnitKind")),
		field.String("name").Comment("Name of the unit.").NotEmpty().MaxLen(200).
			Annotations(entgql.OrderField("NAME")),
		field.String("code").Comment("Code, unique in the tenant.").NotEmpty().MaxLen(64).
			Annotations(entgql.OrderField("CODE")),
		field.Int("parent_id").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Int("depth").Default(0).
			Comment("Distance from the tenant root (root = 0).").
			Annotations(entgql.OrderField("DEPTH")),
		field.Enum("sector").GoType(domain.Sector("")).Optional().Nillable().
			Comment("Sector of enterprise-side units, inherited from the enterprise.").
			Annotations(entgql.Type("Sector")),
		field.JSON("supervised_sectors", []domain.Sector{}).Optional().
			Comment("Sectors a DEPARTMENT supervises (管行业必须管安全).").
			Annotations(entgql.Type("[Sector!]"), entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Edges of the Unit.
func (Unit) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("children", Unit.Type).Comment("The units directly below.").
			Annotations(entgql.RelayConnection()).
			From("parent").Comment("The unit above; null for the root.").Unique().Field("parent_id").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("enterprise", Enterprise.Type).Comment("The enterprise profile of an ENTERPRISE unit.").Unique().
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		edge.To("posts", Post.Type).Comment("The posts at this unit.").
			Annotations(entgql.RelayConnection()),
		edge.To("members", User.Type).Comment("The users who belong to this unit.").
			Annotations(entgql.RelayConnection()),
		// Hazards of an ENTERPRISE unit and its workshops and teams (by the
		// hazards' scope_enterprise_id); empty for other kinds.
		edge.To("enterprise_hazards", Hazard.Type).Comment("Hazards of an ENTERPRISE unit and its workshops and teams; empty for other kinds.").
			Annotations(entgql.RelayConnection()),
		edge.From("inspections", Inspection.Type).Ref("target").Comment("The inspections of this unit, as their target.").
			Annotations(entgql.RelayConnection()),
	}
}

// Indexes of the Unit.
func (Unit) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "code").Unique(),
		index.Fields("parent_id"),
	}
}

// Annotations of the Unit.
func (Unit) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Unit (单位): a node of the unit tree, from the county down to an enterprise's teams."),
		entgql.QueryField(),
		entgql.RelayConnection(),
	}
}

// Hooks of the Unit: its own id completes its path once it is known.
func (Unit) Hooks() []ent.Hook {
	return []ent.Hook{authz.UnitPathHook()}
}
