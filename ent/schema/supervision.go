package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/dutychain/dutychain/authz"
)

// Supervision is the explicit edge "DEPARTMENT supervises ENTERPRISE" (行业监管),
// defaulted from the department's supervised sectors when an enterprise is
// created. The scope filter joins it for department posts.
type Supervision struct{ ent.Schema }

// Mixin of the Supervision.
func (Supervision) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, TenantMixin{}} }

// Fields of the Supervision.
func (Supervision) Fields() []ent.Field {
	return []ent.Field{
		field.Int("department_id").Immutable(),
		field.Int("enterprise_id").Immutable(),
		field.Enum("source").Values("DEFAULT", "MANUAL").Default("DEFAULT"),
	}
}

// Edges of the Supervision.
func (Supervision) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("department", Unit.Type).Unique().Required().Immutable().Field("department_id"),
		edge.To("enterprise", Unit.Type).Unique().Required().Immutable().Field("enterprise_id"),
	}
}

// Indexes of the Supervision.
func (Supervision) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("department_id", "enterprise_id").Unique(),
		index.Fields("enterprise_id"),
	}
}

// Annotations of the Supervision.
func (Supervision) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Interceptors of the Supervision: tenant-wide, like the department directory.
func (Supervision) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{authz.TenantFilter("tenant_id")}
}

// Hooks of the Supervision: written by the enterprise service after its checks.
func (Supervision) Hooks() []ent.Hook { return []ent.Hook{authz.SystemOnlyMutations()} }
