// Package demodb is the template database of the demo tenants for tests:
// seeded once per test process and dialect, copied for each test. It sits
// apart from internal/apitest so that a package's tests get the demo data
// without linking the whole server.
package demodb

import (
	"context"
	"testing"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// Template holds the demo tenants (seed.Demo).
var Template = &testdb.Template{Name: "demo", Build: func(ctx context.Context, d *db.DB) error {
	_, err := seed.Demo(ctx, d.Client)
	return err
}}

// Each runs fn once per available database on a fresh copy of Template.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	Template.Each(t, fn)
}
