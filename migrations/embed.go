// Package migrations embeds the versioned database migrations, one directory
// per dialect, in golang-migrate format (NNNN_name.up.sql / .down.sql).
//
// The files are generated from the ent schema by migrations/gen (run
// `make migrations name=what_changed`); never edit them by hand. What the ent
// schema cannot express (triggers, policy data) goes into a hand-written pair
// of files with the next number, marked "Hand-written" in their first line
// and recorded with `make migrations-hash` (0003_audit_append_only). atlas.sum
// records their checksums: the generator needs it to plan the next
// migration, and the drift test in internal/db checks it. internal/db applies
// the files with golang-migrate.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

// FS holds postgres/ and sqlite/.
//
//go:embed postgres/*.sql postgres/atlas.sum sqlite/*.sql sqlite/atlas.sum
var FS embed.FS

// Dir returns the migration directory of an ent dialect name: "sqlite3" (or
// "sqlite") and "postgres" (or "postgresql").
func Dir(dialect string) (fs.FS, error) {
	var sub string
	switch dialect {
	case "sqlite3", "sqlite":
		sub = "sqlite"
	case "postgres", "postgresql":
		sub = "postgres"
	default:
		return nil, fmt.Errorf("no migrations for dialect %q", dialect)
	}
	return fs.Sub(FS, sub)
}
