package schema

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"
)

// TimeMixin gives every entity createdAt and updatedAt.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Immutable().Default(time.Now).
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").Default(time.Now).UpdateDefault(time.Now).
			Annotations(entgql.OrderField("UPDATED_AT")),
	}
}

// Hooks of the TimeMixin: every time value is stored in UTC at microsecond
// precision. SQLite keeps times as text, and text compares correctly only
// within one offset; PostgreSQL keeps microseconds.
func (TimeMixin) Hooks() []ent.Hook {
	return []ent.Hook{utcTimes}
}

func utcTimes(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		for _, name := range m.Fields() {
			v, _ := m.Field(name)
			// Microseconds: PostgreSQL's precision, so the value a mutation
			// returns (and the audit log records) is the value stored.
			if t, ok := v.(time.Time); ok && (t.Location() != time.UTC || t.Nanosecond()%1000 != 0) {
				if err := m.SetField(name, t.UTC().Truncate(time.Microsecond)); err != nil {
					return nil, err
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}

// TenantMixin stamps a row with its tenant. The value is set from the viewer by
// the scope hooks, never from client input, so it is hidden from GraphQL.
type TenantMixin struct{ mixin.Schema }

// Fields of the TenantMixin.
func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Int("tenant_id").Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// ScopeMixin copies the subject unit's position into the row so that the
// jurisdiction filter is a single-table predicate: the unit's materialized path,
// its sector (enterprise side only) and the enterprise it belongs to.
type ScopeMixin struct{ mixin.Schema }

// Fields of the ScopeMixin.
func (ScopeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("scope_path").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("scope_sector").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("scope_enterprise_id").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the ScopeMixin: a path-prefix index (text_pattern_ops on
// PostgreSQL so LIKE 'prefix%' can use it) and the supervision join column.
func (ScopeMixin) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "scope_path").
			Annotations(entsql.OpClassColumn("scope_path", "text_pattern_ops")),
		index.Fields("scope_enterprise_id"),
	}
}

// IssuerScopeMixin adds the issuer side's position to a record that is also
// readable by whoever's territory holds its issuer (a responsibility letter
// and what belongs to it): the issuer unit's materialized path, copied like
// the ScopeMixin columns and rewritten on re-parenting.
type IssuerScopeMixin struct{ mixin.Schema }

// Fields of the IssuerScopeMixin.
func (IssuerScopeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("issuer_scope_path").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of the IssuerScopeMixin: the path-prefix index of the issuer term.
func (IssuerScopeMixin) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("tenant_id", "issuer_scope_path").
			Annotations(entsql.OpClassColumn("issuer_scope_path", "text_pattern_ops")),
	}
}
