package authz_test

import (
	"fmt"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/testdb"
)

// TestScopePredicateRendersAsEntWould checks the read filter's reused
// renderings against the filter built and rendered by ent at each place:
// the same text and arguments whatever the dialect, the table's alias, the
// arguments before it in the statement, and however often it is reused.
func TestScopePredicateRendersAsEntWould(t *testing.T) {
	p := policyFor(t, tenantA)
	// statement builds a SELECT over a scoped table with before arguments
	// ahead of the filter, the filter, a scoped subquery under another alias
	// after it, and one more argument.
	statement := func(dl string, filter func(string) authz.Predicate, typ string, before int) (string, []any) {
		s := entsql.Dialect(dl).Select("*").From(entsql.Table("hazards").As("t1"))
		for i := range before {
			s.Where(entsql.EQ(s.C("id"), 1000+i))
		}
		filter(typ)(s)
		sub := entsql.Dialect(dl).Select("id").From(entsql.Table("hazards"))
		filter(typ)(sub)
		s.Where(entsql.In(s.C("id"), sub))
		s.Where(entsql.EQ(s.C("state"), "OPEN"))
		// A subquery aliased after its filter applies, as the coverage
		// reports build theirs: the filter keeps the table's name.
		agg := entsql.Dialect(dl).Select("scope_path").From(entsql.Table("hazards"))
		filter(typ)(agg)
		agg.As("a")
		s.Where(entsql.Exists(agg))
		return s.Query()
	}
	for _, n := range []int{0, 1, 3, 10} {
		for _, typ := range []string{"hazard", "enterprise", "letter"} {
			for _, dl := range []string{dialect.SQLite, dialect.Postgres} {
				t.Run(fmt.Sprintf("a viewer with %d posts reading %ss renders on %s as ent does", n, typ, testdb.Name(dl)), func(t *testing.T) {
					v := &authz.Viewer{UserID: 1, Tenant: tenantA, Grants: benchGrants(n), Policy: p}
					ref := &authz.Viewer{UserID: 1, Tenant: tenantA, Grants: benchGrants(n), Policy: p}
					for round := range 2 { // the second round reuses every rendering
						for _, before := range []int{0, 1, 3} {
							got, gotArgs := statement(dl, func(typ string) authz.Predicate { return v.Predicate(typ, "read") }, typ, before)
							want, wantArgs := statement(dl, func(typ string) authz.Predicate { return authz.ReferencePredicate(ref, typ, "read") }, typ, before)
							if got != want {
								t.Fatalf("round %d, %d arguments before:\n got %s\nwant %s", round, before, got, want)
							}
							if fmt.Sprint(gotArgs) != fmt.Sprint(wantArgs) {
								t.Fatalf("round %d, %d arguments before: args %v, want %v", round, before, gotArgs, wantArgs)
							}
						}
					}
				})
			}
		}
	}
}
