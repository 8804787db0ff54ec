package db_test

import (
	"database/sql"
	"testing"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// beforeLinkScope is the last migration before 0036_enforcement_hazards_scope,
// which gives every hazard link of an enforcement action its hazard's scope.
const beforeLinkScope = 35

// linkScope is the scope columns of one enforcement_hazards row.
type linkScope struct {
	tenant     int
	path       string
	sector     sql.NullString
	enterprise sql.NullInt64
	issuerPath sql.NullString
	issuerOnly bool
}

// linkScopes are the scope columns of every hazard link, by id.
func linkScopes(t *testing.T, d *db.DB) map[int]linkScope {
	t.Helper()
	rows, err := d.SQL.QueryContext(ctx(t), `SELECT id, tenant_id, scope_path, scope_sector, scope_enterprise_id,
		issuer_scope_path, issuer_only FROM enforcement_hazards`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]linkScope{}
	for rows.Next() {
		var id int
		var s linkScope
		if err := rows.Scan(&id, &s.tenant, &s.path, &s.sector, &s.enterprise, &s.issuerPath, &s.issuerOnly); err != nil {
			t.Fatal(err)
		}
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Links written before 0036 carry their action's scope (its target's, with
// the issuing department's path on the issuer side); the migration gives
// them their hazard's, with no issuer side, as enforcement.NewHazardLink now
// writes them: the demo's links (each tenant's rectification order names the
// hazard its inspection found) come back identical after the down file gave
// them the action's scope, on both databases.
func TestEnforcementHazardsTakeTheirHazardsScope(t *testing.T) {
	for _, dl := range testdb.Dialects(t) {
		t.Run("on "+testdb.Name(dl), func(t *testing.T) {
			d := testdb.Open(t, dl)
			if _, err := seed.Demo(ctx(t), d.Client); err != nil {
				t.Fatal(err)
			}
			one := func(q string) int {
				t.Helper()
				var n int
				if err := d.SQL.QueryRowContext(ctx(t), q).Scan(&n); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return n
			}
			const unlikeHazard = `SELECT COUNT(*) FROM enforcement_hazards l JOIN hazards h ON h.id = l.hazard_id
				WHERE l.tenant_id <> h.tenant_id OR l.scope_path <> h.scope_path
				OR COALESCE(l.scope_sector, '') <> COALESCE(h.scope_sector, '')
				OR COALESCE(l.scope_enterprise_id, 0) <> COALESCE(h.scope_enterprise_id, 0)
				OR l.issuer_scope_path IS NOT NULL OR l.issuer_only`
			if n := one(unlikeHazard); n != 0 {
				t.Fatalf("the seed wrote %d links not scoped by their hazard", n)
			}
			want := linkScopes(t, d)
			if len(want) == 0 {
				t.Fatal("the demo has no hazard links")
			}

			if err := d.MigrateTo(ctx(t), beforeLinkScope); err != nil {
				t.Fatal(err)
			}
			if n := one(`SELECT COUNT(*) FROM enforcement_hazards l JOIN enforcement_actions a ON a.id = l.enforcement_action_id
				WHERE l.scope_path <> a.scope_path OR COALESCE(l.scope_sector, '') <> COALESCE(a.scope_sector, '')
				OR COALESCE(l.scope_enterprise_id, 0) <> COALESCE(a.scope_enterprise_id, 0)
				OR COALESCE(l.issuer_scope_path, '') <> COALESCE(a.issuer_scope_path, '')`); n != 0 {
				t.Fatalf("the down file left %d links without their action's scope", n)
			}
			if n := one(unlikeHazard); n == 0 {
				t.Fatal("every demo link is scoped as its hazard before 0036: the test proves nothing")
			}
			if err := d.Migrate(ctx(t)); err != nil {
				t.Fatal(err)
			}
			got := linkScopes(t, d)
			for id, w := range want {
				if got[id] != w {
					t.Errorf("link %d: scope %+v after the migration, %+v as written", id, got[id], w)
				}
			}
		})
	}
}
