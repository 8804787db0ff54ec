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

// Certificate is a qualification certificate (持证) of a person working at
// an enterprise-side unit: a principal's or safety manager's 合格证, a
// special-operation or special-equipment certificate, a fire-facility
// operator's. Its number is unique per kind and issuer within the tenant.
// Written only by internal/staffing.
type Certificate struct{ ent.Schema }

// Mixin of the Certificate: scoped by the unit the holder works at.
func (Certificate) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "certificate", Subject: "unit_id"}}
}

// Fields of the Certificate.
func (Certificate) Fields() []ent.Field {
	return []ent.Field{
		field.Int("unit_id").Immutable().Comment("The enterprise-side unit the holder works at.").Annotations(skipWhere),
		field.Int("user_id").Optional().Nillable().Annotations(entgql.Type("ID")).
			Comment("The holder's user account, when they have one."),
		field.String("holder_name").NotEmpty().MaxLen(100).Comment("The holder's name.").
			Annotations(entgql.OrderField("HOLDER_NAME")),
		field.Enum("kind").GoType(domain.CertificateKind("")).Comment("What the certificate qualifies for.").
			Annotations(entgql.Type("CertificateKind"), entgql.OrderField("KIND")),
		field.String("number").NotEmpty().MaxLen(100).Comment("The certificate's number."),
		field.String("issuer").NotEmpty().MaxLen(100).Comment("Who issued it, e.g. 市应急管理局."),
		field.Time("issued_on").Comment("When it was issued.").
			Annotations(entgql.OrderField("ISSUED_ON")),
		field.Time("valid_until").Comment("The last day it is valid.").
			Annotations(entgql.OrderField("VALID_UNTIL")),
	}
}

// Edges of the Certificate.
func (Certificate) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("unit", Unit.Type).Unique().Required().Immutable().Field("unit_id").
			Comment("The enterprise-side unit the holder works at.").Annotations(skipWhere),
	}
}

// Indexes of the Certificate: a number once per kind and issuer in a
// tenant; the certificates of a unit by expiry.
func (Certificate) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "kind", "issuer", "number").Unique(),
		index.Fields("unit_id", "valid_until"),
		index.Fields("user_id"),
	}
}

// Annotations of the Certificate: a root connection with where and orderBy.
func (Certificate) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A qualification certificate (持证) of a person working at an enterprise-side unit, with its validity; seen with that unit."), entgql.QueryField(), entgql.RelayConnection()}
}
