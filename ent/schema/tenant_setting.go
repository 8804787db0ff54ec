package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/dutychain/dutychain/authz"
)

// TenantSetting holds a tenant's settings, one row per tenant at most: the
// time zone its times are shown in. A tenant without a row uses the
// defaults. It is a table of its own so that the tenants table (which every
// older migration and seed writes) keeps its columns.
type TenantSetting struct{ ent.Schema }

// Mixin of the TenantSetting.
func (TenantSetting) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, TenantMixin{}} }

// Fields of the TenantSetting.
func (TenantSetting) Fields() []ent.Field {
	return []ent.Field{
		field.String("time_zone").NotEmpty().MaxLen(100).Default("Asia/Shanghai").
			Comment("The IANA time zone the tenant's times are shown in, e.g. Asia/Shanghai."),
	}
}

// Indexes of the TenantSetting: one row per tenant.
func (TenantSetting) Indexes() []ent.Index {
	return []ent.Index{index.Fields("tenant_id").Unique()}
}

// Annotations of the TenantSetting: not served as a type (Tenant.timeZone
// shows it).
func (TenantSetting) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A tenant's settings: the time zone its times are shown in."), entgql.Skip(entgql.SkipAll)}
}

// Interceptors of the TenantSetting: tenant-wide.
func (TenantSetting) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{authz.TenantFilter("tenant_id")}
}

// Hooks of the TenantSetting: written by the readiness service after its
// authority check.
func (TenantSetting) Hooks() []ent.Hook { return []ent.Hook{authz.SystemOnlyMutations()} }
