package schema

import (
	"context"
	"fmt"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"

	"github.com/dutychain/dutychain/authz"
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

// ScopeMixin places a record in the unit tree and carries its
// authorization, like ent's privacy mixins: the scope columns (a copy of
// the subject unit's materialized path, its sector on the enterprise side
// and the enterprise it belongs to, so the jurisdiction filter is a
// single-table predicate) with their indexes, the read filter of Type on
// every read path, and the write hook. Type must be a Scoped record of the
// registry (authz/registry.go); its IssuerSide adds the issuer's path.
type ScopeMixin struct {
	mixin.Schema
	// Type is the object type the rows are read (and written) as.
	Type string
	// Subject names the field holding the subject unit: the scope hook
	// stamps tenant and scope columns from it and checks every write.
	// Empty for the parts of another record (its events, signatures,
	// files): their service copies the owner's scope columns after its
	// own decision and writes them as the system, the only writer allowed.
	Subject string
	// Issuer names the field holding the issuer unit of a record with an
	// issuer side: the scope hook stamps the issuer path from it.
	Issuer string
}

// record is the registry entry of the mixin's Type; an unregistered or
// inconsistent Type stops code generation with its name.
func (m ScopeMixin) record() authz.Record {
	r := authz.MustLookup(m.Type)
	switch {
	case m.Issuer != "" && !r.IssuerSide:
		panic(fmt.Sprintf("ScopeMixin: %q has an Issuer field but no issuer side in authz/registry.go", m.Type))
	case r.IssuerSide && m.Subject != "" && m.Issuer == "":
		panic(fmt.Sprintf("ScopeMixin: %q has an issuer side: name its Issuer field", m.Type))
	}
	return r
}

// Fields of the ScopeMixin: the scope columns, then the issuer's path and
// the issuer-only mark when the type has an issuer side. The service or the
// hook sets them, never client input.
func (m ScopeMixin) Fields() []ent.Field {
	fields := []ent.Field{
		field.String(authz.ColPath).
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String(authz.ColSector).Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int(authz.ColEnterpriseID).Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
	if m.record().IssuerSide {
		fields = append(fields, field.String(authz.ColIssuerPath).Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
			// Set by the record's service: true while only the issuer side
			// reads the row (a DRAFT letter and its parts).
			field.Bool(authz.ColIssuerOnly).Default(false).
				Annotations(entgql.Skip(entgql.SkipAll)))
	}
	return fields
}

// Indexes of the ScopeMixin: a path-prefix index (text_pattern_ops on
// PostgreSQL so LIKE 'prefix%' can use it), the supervision join column,
// and the path-prefix index of the issuer term.
func (m ScopeMixin) Indexes() []ent.Index {
	indexes := []ent.Index{
		index.Fields(authz.ColTenant, authz.ColPath).
			Annotations(entsql.OpClassColumn(authz.ColPath, "text_pattern_ops")),
		index.Fields(authz.ColEnterpriseID),
	}
	if m.record().IssuerSide {
		indexes = append(indexes, index.Fields(authz.ColTenant, authz.ColIssuerPath).
			Annotations(entsql.OpClassColumn(authz.ColIssuerPath, "text_pattern_ops")))
	}
	return indexes
}

// Interceptors of the ScopeMixin: the jurisdiction filter of Type on every
// read path (queries, edges, eager loads, counts).
func (m ScopeMixin) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{authz.ReadFilter(m.Type)}
}

// Hooks of the ScopeMixin: with a Subject, tenant and scope stamping and the
// write check (as "create" and "update", or the act a service names with
// authz.WithAction); without one, writes by the system only.
func (m ScopeMixin) Hooks() []ent.Hook {
	if m.Subject == "" {
		return []ent.Hook{authz.SystemOnlyMutations()}
	}
	var opts []authz.ScopeOption
	if m.record().IssuerSide {
		opts = append(opts, authz.IssuerField(m.Issuer))
	}
	return []ent.Hook{authz.ScopeHook(m.Type, m.Subject, opts...)}
}
