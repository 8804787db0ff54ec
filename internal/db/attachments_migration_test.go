package db_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// beforeAttachments is the last migration with one owner column per owner
// type on files (letter_id, hazard_event_id); the next one moves them into
// owner_id.
const beforeAttachments = 7

// oldFile inserts, the way files were stored before owner_id, a file of the
// owner row id of table: the owner's scope columns copied, its id in column.
func oldFile(t *testing.T, d *db.DB, table, issuerPath, column string, id int, name string) {
	t.Helper()
	q := fmt.Sprintf(`INSERT INTO files (created_at, updated_at, tenant_id, scope_path, scope_sector,
		scope_enterprise_id, issuer_scope_path, sha256, size, content_type, filename, uploader_name, %s)
		SELECT created_at, updated_at, tenant_id, scope_path, scope_sector, scope_enterprise_id, %s,
		'%s', 1, 'application/pdf', '%s', 'Old upload', id FROM %s WHERE id = %d`,
		column, issuerPath, strings.Repeat("0", 64), name, table, id)
	res, err := d.SQL.ExecContext(ctx(t), q)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%d rows inserted for %s %d, want 1", n, table, id)
	}
}

func TestAttachmentMigrationKeepsEveryFilesOwner(t *testing.T) {
	for _, dl := range testdb.Dialects(t) {
		t.Run("on "+testdb.Name(dl), func(t *testing.T) {
			d := testdb.OpenEmpty(t, dl)
			if err := d.MigrateTo(ctx(t), beforeAttachments); err != nil {
				t.Fatal(err)
			}
			dropLaterColumns := seedAtOldVersion(t, d)
			letter := d.Client.ResponsibilityLetter.Query().FirstX(ctx(t))
			event := d.Client.HazardEvent.Query().FirstX(ctx(t))
			oldFile(t, d, "responsibility_letters", "issuer_scope_path", "letter_id", letter.ID, "signed.pdf")
			oldFile(t, d, "hazard_events", "NULL", "hazard_event_id", event.ID, "before.pdf")
			dropLaterColumns()

			if err := d.Migrate(ctx(t)); err != nil {
				t.Fatal(err)
			}
			owned := func(t *testing.T, owner int) []*ent.File {
				fs, err := files.Of(d.Client, owner).All(ctx(t))
				if err != nil {
					t.Fatal(err)
				}
				return fs
			}
			for _, tc := range []struct {
				owner          string
				id             int
				name, issuedBy string
				scope          string
			}{
				{"letter", letter.ID, "signed.pdf", deref(letter.IssuerScopePath), letter.ScopePath},
				{"hazard event", event.ID, "before.pdf", "", event.ScopePath},
			} {
				t.Run("the "+tc.owner+"'s file is attached to it, scoped like it", func(t *testing.T) {
					fs := owned(t, tc.id)
					if len(fs) != 1 || fs[0].Filename != tc.name || fs[0].OwnerID != tc.id {
						t.Fatalf("files of the %s: %+v, want %s", tc.owner, fs, tc.name)
					}
					if fs[0].ScopePath != tc.scope || deref(fs[0].IssuerScopePath) != tc.issuedBy {
						t.Errorf("scope %q, issuer %q; want %q, %q", fs[0].ScopePath, deref(fs[0].IssuerScopePath), tc.scope, tc.issuedBy)
					}
				})
			}

			t.Run("migrating down restores the owner columns", func(t *testing.T) {
				if err := d.MigrateTo(ctx(t), beforeAttachments); err != nil {
					t.Fatal(err)
				}
				for _, q := range []string{
					fmt.Sprintf(`SELECT COUNT(*) FROM files WHERE letter_id = %d AND hazard_event_id IS NULL AND filename = 'signed.pdf'`, letter.ID),
					fmt.Sprintf(`SELECT COUNT(*) FROM files WHERE hazard_event_id = %d AND letter_id IS NULL AND filename = 'before.pdf'`, event.ID),
				} {
					var n int
					if err := d.SQL.QueryRowContext(ctx(t), q).Scan(&n); err != nil || n != 1 {
						t.Errorf("%s: %d, %v; want 1", q, n, err)
					}
				}
				if err := d.Migrate(ctx(t)); err != nil {
					t.Fatalf("migrate up again: %v", err)
				}
				if fs := owned(t, letter.ID); len(fs) != 1 {
					t.Errorf("after down and up, the letter has %d files, want 1", len(fs))
				}
			})
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// laterColumns are columns added by migrations after beforeAttachments that
// the current code writes when it seeds: they exist while the seed runs and
// are dropped before migrating on.
var laterColumns = []struct{ table, column, ddl string }{
	{"responsibility_letters", "issuer_only", "boolean NOT NULL DEFAULT false"},
	{"letter_events", "issuer_only", "boolean NOT NULL DEFAULT false"},
	{"letter_signatures", "issuer_only", "boolean NOT NULL DEFAULT false"},
	{"files", "issuer_only", "boolean NOT NULL DEFAULT false"},
	// The seed records a hazard's deciders by an update, whose audit event
	// reads the whole row back.
	{"hazards", "risk_point_id", "bigint NULL"},
	{"hazards", "follow_up_on", "timestamp NULL"},
	{"hazards", "assignee_id", "bigint NULL"},
	{"hazards", "assigner_id", "bigint NULL"},
	{"hazards", "supervisor_id", "bigint NULL"},
	{"hazards", "submitted_by_id", "bigint NULL"},
	{"hazards", "extension_requested_by_id", "bigint NULL"},
}

// seedAtOldVersion seeds the demo tenant into a database at an old version;
// the returned function drops the later columns again.
func seedAtOldVersion(t *testing.T, d *db.DB) func() {
	t.Helper()
	exec := func(q string) {
		if _, err := d.SQL.ExecContext(ctx(t), q); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range laterColumns {
		exec(fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", c.table, c.column, c.ddl))
	}
	if _, err := seed.DemoCore(ctx(t), d.Client); err != nil {
		t.Fatal(err)
	}
	return func() {
		for _, c := range laterColumns {
			exec(fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", c.table, c.column))
		}
	}
}
