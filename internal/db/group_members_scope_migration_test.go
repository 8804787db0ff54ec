package db_test

import (
	"database/sql"
	"testing"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// beforeMemberScope is the last migration before 0035_group_members_scope,
// which gives every seat of a leadership group the scope of its post.
const beforeMemberScope = 34

// memberScopes are the scope columns of every group member, by id.
func memberScopes(t *testing.T, d *db.DB) map[int][3]any {
	t.Helper()
	rows, err := d.SQL.QueryContext(ctx(t), `SELECT id, scope_path, scope_sector, scope_enterprise_id FROM group_members`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int][3]any{}
	for rows.Next() {
		var id int
		var path string
		var sector sql.NullString
		var ent sql.NullInt64
		if err := rows.Scan(&id, &path, &sector, &ent); err != nil {
			t.Fatal(err)
		}
		out[id] = [3]any{path, sector, ent}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Seats written before 0035 carry their group's scope; the migration gives
// them their post's, as organisation.Seat now writes them: the demo's seats
// (the county's group seats the bureau's and the emergency bureau's chiefs)
// come back identical after the down file gave them the group's scope, on
// both databases.
func TestGroupMembersTakeTheirPostsScope(t *testing.T) {
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
			const unlikePost = `SELECT COUNT(*) FROM group_members m JOIN posts p ON p.id = m.post_id
				WHERE m.scope_path <> p.scope_path OR COALESCE(m.scope_sector, '') <> COALESCE(p.scope_sector, '')
				OR COALESCE(m.scope_enterprise_id, 0) <> COALESCE(p.scope_enterprise_id, 0)`
			if n := one(unlikePost); n != 0 {
				t.Fatalf("the seed wrote %d seats not scoped by their post", n)
			}
			want := memberScopes(t, d)
			if len(want) == 0 {
				t.Fatal("the demo has no seats")
			}

			if err := d.MigrateTo(ctx(t), beforeMemberScope); err != nil {
				t.Fatal(err)
			}
			if n := one(`SELECT COUNT(*) FROM group_members m JOIN leadership_groups g ON g.id = m.group_id
				WHERE m.scope_path <> g.scope_path`); n != 0 {
				t.Fatalf("the down file left %d seats without their group's path", n)
			}
			if n := one(unlikePost); n == 0 {
				t.Fatal("every demo seat is at its group's unit: the test proves nothing")
			}
			if err := d.Migrate(ctx(t)); err != nil {
				t.Fatal(err)
			}
			got := memberScopes(t, d)
			for id, w := range want {
				if got[id] != w {
					t.Errorf("seat %d: scope %v after the migration, %v as written", id, got[id], w)
				}
			}
		})
	}
}
