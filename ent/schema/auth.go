package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/dutychain/dutychain/authz"
)

// CasbinRule stores the casbin policy (role → object type, action), one row
// per rule; v0 is the tenant. Admins edit it through GraphQL.
type CasbinRule struct{ ent.Schema }

// Mixin of the CasbinRule.
func (CasbinRule) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of the CasbinRule.
func (CasbinRule) Fields() []ent.Field {
	return []ent.Field{
		field.String("ptype").Default("p"),
		field.String("v0").Default(""),
		field.String("v1").Default(""),
		field.String("v2").Default(""),
		field.String("v3").Default(""),
		field.String("v4").Default(""),
		field.String("v5").Default(""),
	}
}

// Indexes of the CasbinRule.
func (CasbinRule) Indexes() []ent.Index {
	return []ent.Index{index.Fields("ptype", "v0", "v1", "v2", "v3", "v4", "v5").Unique()}
}

// Annotations of the CasbinRule.
func (CasbinRule) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// PolicyRevision is a single-row counter bumped on every policy change so
// that every replica notices and reloads its enforcer.
type PolicyRevision struct{ ent.Schema }

// Fields of the PolicyRevision.
func (PolicyRevision) Fields() []ent.Field {
	return []ent.Field{field.Int64("revision").Default(0), field.Time("changed_at")}
}

// Annotations of the PolicyRevision.
func (PolicyRevision) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// RefreshToken is an opaque refresh token, stored as a SHA-256 hash. Tokens of
// one login form a family; reusing a rotated token revokes the family.
type RefreshToken struct{ ent.Schema }

// Mixin of the RefreshToken.
func (RefreshToken) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, TenantMixin{}} }

// Fields of the RefreshToken.
func (RefreshToken) Fields() []ent.Field {
	return []ent.Field{
		field.Int("user_id"),
		field.String("family").NotEmpty(),
		field.String("token_hash").NotEmpty().Unique().Sensitive(),
		field.Time("expires_at"),
		field.Time("used_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

// Indexes of the RefreshToken.
func (RefreshToken) Indexes() []ent.Index {
	return []ent.Index{index.Fields("family"), index.Fields("user_id")}
}

// Annotations of the RefreshToken.
func (RefreshToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// LoginAttempt records failed logins so throttling holds across replicas.
type LoginAttempt struct{ ent.Schema }

// Fields of the LoginAttempt.
func (LoginAttempt) Fields() []ent.Field {
	return []ent.Field{
		field.String("tenant_code"),
		field.String("username"),
		field.String("client_ip"),
		field.Bool("success"),
		field.Time("created_at"),
	}
}

// Indexes of the LoginAttempt.
func (LoginAttempt) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_code", "username", "created_at"),
		index.Fields("client_ip", "created_at"),
	}
}

// Annotations of the LoginAttempt.
func (LoginAttempt) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Interceptors of the CasbinRule: internal table, system only.
func (CasbinRule) Interceptors() []ent.Interceptor { return []ent.Interceptor{authz.SystemOnly()} }

// Hooks of the CasbinRule: internal table, system only.
func (CasbinRule) Hooks() []ent.Hook { return []ent.Hook{authz.SystemOnlyMutations()} }

// Interceptors of the PolicyRevision: internal table, system only.
func (PolicyRevision) Interceptors() []ent.Interceptor { return []ent.Interceptor{authz.SystemOnly()} }

// Hooks of the PolicyRevision: internal table, system only.
func (PolicyRevision) Hooks() []ent.Hook { return []ent.Hook{authz.SystemOnlyMutations()} }

// Interceptors of the RefreshToken: internal table, system only.
func (RefreshToken) Interceptors() []ent.Interceptor { return []ent.Interceptor{authz.SystemOnly()} }

// Hooks of the RefreshToken: internal table, system only.
func (RefreshToken) Hooks() []ent.Hook { return []ent.Hook{authz.SystemOnlyMutations()} }

// Interceptors of the LoginAttempt: internal table, system only.
func (LoginAttempt) Interceptors() []ent.Interceptor { return []ent.Interceptor{authz.SystemOnly()} }

// Hooks of the LoginAttempt: internal table, system only.
func (LoginAttempt) Hooks() []ent.Hook { return []ent.Hook{authz.SystemOnlyMutations()} }
