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

// EnforcementAction is one enforcement act (执法) of an enforcement
// department against an enterprise-side unit, from an inspection of it: a
// rectification order (责令限期整改), an administrative penalty (行政处罚)
// or a seizure (查封扣押). Its subject is the target; the issuing
// department is its issuer side. Written only by internal/enforcement.
type EnforcementAction struct{ ent.Schema }

// Mixin of the EnforcementAction: scoped by its target, readable from the
// issuing department's side.
func (EnforcementAction) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{},
		ScopeMixin{Type: "enforcement", Subject: "target_unit_id", Issuer: "issuer_unit_id"}}
}

// Fields of the EnforcementAction.
func (EnforcementAction) Fields() []ent.Field {
	return []ent.Field{
		field.Int("issuer_unit_id").Immutable().Comment("The enforcement department that issued the action.").Annotations(skipWhere),
		field.Int("target_unit_id").Immutable().Comment("The enterprise-side unit the action is against.").Annotations(skipWhere),
		field.Int("inspection_id").Immutable().Comment("The inspection the action came from.").Annotations(skipWhere),
		field.Enum("kind").GoType(domain.EnforcementKind("")).Immutable().
			Comment("What the action is: a rectification order, an administrative penalty or a seizure.").
			Annotations(entgql.Type("EnforcementKind")),
		field.String("document_number").NotEmpty().MaxLen(100).Immutable().
			Comment("The document number (文书编号), e.g. 工信执改〔2022〕3号; unique per issuing department and year.").
			Annotations(entgql.OrderField("DOCUMENT_NUMBER")),
		field.Int("year").Range(2000, 2100).Immutable().Comment("The year of issuedOn; document numbers are unique within it.").
			Annotations(entgql.OrderField("YEAR")),
		field.Time("issued_on").Immutable().Comment("When the action was issued.").
			Annotations(entgql.OrderField("ISSUED_ON")),
		field.Time("deadline").Optional().Nillable().Immutable().
			Comment("By when the target must comply: required for a rectification order, optional otherwise; null without one.").
			Annotations(entgql.OrderField("DEADLINE")),
		field.String("findings").NotEmpty().MaxLen(2000).Immutable().
			Comment("What was found and what is ordered (违法事实与要求).").Annotations(skipWhere),
		field.Int("amount").Optional().Nillable().Immutable().
			Comment("The penalty in yuan (罚款金额); set for an administrative penalty only.").
			Annotations(entgql.OrderField("AMOUNT")),
		field.String("legal_basis").Default("").MaxLen(2000).Immutable().
			Comment("The legal basis (法律依据); required for an administrative penalty.").Annotations(skipWhere),
		field.String("issued_by").MaxLen(400).Immutable().Comment("Who issued it, at issuing time.").Annotations(skipWhere),
		field.Enum("state").GoType(domain.EnforcementState("")).Default(string(domain.EnforcementIssued)).
			Comment("Where the action stands: ISSUED, then COMPLIED or OVERDUE, then CLOSED.").
			Annotations(entgql.Type("EnforcementState")),
		field.Time("state_changed_at").Optional().Nillable().
			Comment("When the state last changed; null while ISSUED.").Annotations(entgql.OrderField("STATE_CHANGED_AT")),
		field.String("state_note").Default("").MaxLen(2000).
			Comment("The note of the last state change, e.g. how compliance was verified.").Annotations(skipWhere),
	}
}

// Edges of the EnforcementAction.
func (EnforcementAction) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("issuer", Unit.Type).Unique().Required().Immutable().Field("issuer_unit_id").
			Comment("The enforcement department that issued the action.").Annotations(skipWhere),
		edge.To("target", Unit.Type).Unique().Required().Immutable().Field("target_unit_id").
			Comment("The enterprise-side unit the action is against.").Annotations(skipWhere),
		edge.To("inspection", Inspection.Type).Unique().Required().Immutable().Field("inspection_id").
			Comment("The inspection the action came from.").Annotations(skipWhere),
		edge.To("hazard_links", EnforcementHazard.Type).Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the EnforcementAction: the document number unique per
// department and year, an inspection's actions, the overdue view, the
// dashboard's days of a month.
func (EnforcementAction) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("issuer_unit_id", "year", "document_number").Unique(),
		index.Fields("inspection_id"),
		index.Fields("tenant_id", "state", "deadline"),
		// The dashboard's days of a month its period cuts (see Hazard).
		index.Fields("tenant_id", "issued_on"),
	}
}

// Annotations of the EnforcementAction: a root connection with where and orderBy.
func (EnforcementAction) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("An enforcement action (执法) of an enforcement department against an enterprise-side unit, from an inspection: a rectification order, an administrative penalty or a seizure, with its document number and state."), entgql.QueryField(), entgql.RelayConnection()}
}

// EnforcementHazard links an enforcement action to one hazard it concerns.
// It names the hazard, so it carries the hazard's scope columns and no issuer
// side (enforcement.NewHazardLink): read exactly where the hazard is, not
// where the action is. Written only by its service.
type EnforcementHazard struct{ ent.Schema }

// Mixin of the EnforcementHazard: read as an enforcement record, with its
// hazard's scope columns (issuer path left null).
func (EnforcementHazard) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}, TenantMixin{}, ScopeMixin{Type: "enforcement"}}
}

// Fields of the EnforcementHazard.
func (EnforcementHazard) Fields() []ent.Field {
	return []ent.Field{
		field.Int("enforcement_action_id").Immutable().Comment("The enforcement action."),
		field.Int("hazard_id").Immutable().Comment("The hazard it concerns."),
	}
}

// Edges of the EnforcementHazard.
func (EnforcementHazard) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("enforcement_action", EnforcementAction.Type).Ref("hazard_links").Unique().Required().Immutable().
			Field("enforcement_action_id").Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("hazard", Hazard.Type).Unique().Required().Immutable().Field("hazard_id").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the EnforcementHazard.
func (EnforcementHazard) Indexes() []ent.Index {
	return []ent.Index{index.Fields("enforcement_action_id", "hazard_id").Unique(), index.Fields("hazard_id")}
}

// Annotations of the EnforcementHazard.
func (EnforcementHazard) Annotations() []schema.Annotation {
	return []schema.Annotation{schema.Comment("A hazard an enforcement action concerns.")}
}
