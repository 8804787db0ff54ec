package authz_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"entgo.io/ent/entc/gen"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/migrate"
)

// TestRegistryCoversTheSchema is the one check a new record type must
// pass: every table of the generated schema is in the registry
// (authz/registry.go) with the columns its placement needs, every object
// type has default policy rows that name only its actions, and every
// entity type's writes reach the audit log or say why not. Each failure
// names the table or type to fix.
func TestRegistryCoversTheSchema(t *testing.T) {
	columns := map[string]map[string]bool{}
	for _, tbl := range migrate.Tables {
		columns[tbl.Name] = map[string]bool{}
		for _, c := range tbl.Columns {
			columns[tbl.Name][c.Name] = true
		}
	}
	registered := map[string]int{}
	for _, r := range authz.Records {
		for _, tbl := range r.Tables {
			registered[tbl.Name]++
		}
	}

	t.Run("every table of the schema is registered once, under the entity that ent names it after", func(t *testing.T) {
		for _, tbl := range migrate.Tables {
			if n := registered[tbl.Name]; n != 1 {
				t.Errorf("table %s is registered %d times in authz.Records, want once", tbl.Name, n)
			}
		}
		for _, r := range authz.Records {
			for _, tbl := range r.Tables {
				if columns[tbl.Name] == nil {
					t.Errorf("record %q: table %s is not in the schema", r.Type, tbl.Name)
				}
				if want := (gen.Type{Name: tbl.Entity}).Table(); tbl.Name != want {
					t.Errorf("record %q: ent names the table of %s %s, not %s", r.Type, tbl.Entity, want, tbl.Name)
				}
			}
		}
	})

	t.Run("scoped records carry the scope columns and the others none", func(t *testing.T) {
		scopeCols := []string{authz.ColTenant, authz.ColPath, authz.ColSector, authz.ColEnterpriseID}
		for _, r := range authz.Records {
			for _, tbl := range r.Tables {
				cols := columns[tbl.Name]
				switch {
				case r.Placement == authz.Scoped:
					for _, c := range scopeCols {
						if !cols[c] {
							t.Errorf("table %s (record %q) is registered as Scoped but has no %s column: list ScopeMixin{Type: %q, …} in its schema's Mixin", tbl.Name, r.Type, c, r.Type)
						}
					}
				case cols[authz.ColPath]:
					t.Errorf("table %s (record %q) has scope columns but its record is not Scoped", tbl.Name, r.Type)
				}
				if cols[authz.ColIssuerPath] != r.IssuerSide {
					t.Errorf("table %s (record %q): %s column %t, record IssuerSide %t", tbl.Name, r.Type, authz.ColIssuerPath, cols[authz.ColIssuerPath], r.IssuerSide)
				}
			}
		}
	})

	rules, _, err := authz.DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("every object type is granted by the default policy since a released version", func(t *testing.T) {
		for _, r := range authz.Records {
			if r.Type == "" {
				continue
			}
			if r.Since < 1 || r.Since > authz.DefaultsVersion {
				t.Errorf("object type %q: Since %d, want 1..%d (bump authz.DefaultsVersion with new default rules)", r.Type, r.Since, authz.DefaultsVersion)
			}
			if !slices.Contains(r.Actions, "read") {
				t.Errorf("object type %q: its actions %v lack read", r.Type, r.Actions)
			}
			if !slices.ContainsFunc(rules, func(rule authz.Rule) bool { return authz.TypeMatch(r.Type, rule.Type) }) {
				t.Errorf("object type %q: no row of authz/dutychain_policy.csv grants anything on it", r.Type)
			}
		}
	})

	t.Run("every default rule names a registered type and one of its actions", func(t *testing.T) {
		for _, rule := range rules {
			if rule.Type == authz.AnyType {
				if !slices.Contains(authz.Actions, rule.Action) {
					t.Errorf("default rule %+v: action %q is no registered type's", rule, rule.Action)
				}
				continue
			}
			r, ok := authz.Lookup(rule.Type)
			if !ok {
				t.Errorf("default rule %+v: object type %q is not in authz.Records", rule, rule.Type)
				continue
			}
			if !slices.Contains(r.Actions, rule.Action) {
				t.Errorf("default rule %+v: action %q is not among the actions of %q: %v", rule, rule.Action, r.Type, r.Actions)
			}
		}
	})

	t.Run("every entity type's writes reach the audit log or say why not", func(t *testing.T) {
		cov, err := authz.AuditCoverage(ent.NewClient())
		if err != nil {
			t.Fatal(err)
		}
		if len(cov) != len(migrate.Tables) {
			t.Errorf("%d entity types covered, %d tables: %v", len(cov), len(migrate.Tables), cov)
		}
		for _, typ := range []string{"Unit", "Enterprise", "User", "Post", "Supervision", "Tenant", "ChecklistTemplate", "HazardEvent"} {
			if strings.HasPrefix(cov[typ], "internal") {
				t.Errorf("%s is not audited: %s", typ, cov[typ])
			}
		}
		for _, typ := range slices.Sorted(maps.Keys(cov)) {
			t.Logf("%-20s %s", typ, cov[typ])
		}
	})
}
