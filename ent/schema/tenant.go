package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"github.com/dutychain/dutychain/authz"
)

// Tenant is one deployment namespace rooted at one county (or city) unit.
type Tenant struct{ ent.Schema }

// Mixin of the Tenant.
func (Tenant) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the Tenant.
func (Tenant) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").Comment("Code used to sign in, e.g. demo.").NotEmpty().Unique().Immutable().
			Annotations(entgql.OrderField("CODE")),
		field.String("name").Comment("Name, e.g. 示范县.").NotEmpty(),
		field.Bool("synthetic").Default(false).
			Comment("Synthetic tenants are generated benchmark data.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Annotations of the Tenant.
func (Tenant) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("Tenant (租户): one deployment namespace, rooted at a county; nothing crosses tenants."), entgql.Skip(entgql.SkipWhereInput | entgql.SkipOrderField)}
}

// Interceptors of the Tenant: a viewer sees only their own tenant.
func (Tenant) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{authz.TenantFilter("id")}
}

// Hooks of the Tenant: tenants are created by the server only.
func (Tenant) Hooks() []ent.Hook { return []ent.Hook{authz.SystemOnlyMutations()} }
