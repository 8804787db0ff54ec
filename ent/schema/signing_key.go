package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"github.com/dutychain/dutychain/authz"
)

// SigningKey is one Ed25519 key of the deployment's access tokens, shared by
// every replica. The newest row that is not retired signs; retired rows
// still verify until verify_until. The private key is sealed with a key
// derived from the configured key secret; a key configured on the replicas
// themselves is recorded by its public half only, so that a replica with
// another key notices at start.
type SigningKey struct{ ent.Schema }

// Fields of the SigningKey.
func (SigningKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("kid").NotEmpty().Unique(),
		field.Bytes("public_key"),
		field.Bytes("sealed_private_key").Optional().Nillable().Sensitive(),
		field.Time("created_at"),
		field.Time("retired_at").Optional().Nillable(),
		field.Time("verify_until").Optional().Nillable(),
	}
}

// Annotations of the SigningKey.
func (SigningKey) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Interceptors of the SigningKey: internal table, system only.
func (SigningKey) Interceptors() []ent.Interceptor { return []ent.Interceptor{authz.SystemOnly()} }

// Hooks of the SigningKey: internal table, system only.
func (SigningKey) Hooks() []ent.Hook { return []ent.Hook{authz.SystemOnlyMutations()} }
