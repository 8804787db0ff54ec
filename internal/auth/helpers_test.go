package auth

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // "sqlite" database/sql driver

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	_ "github.com/dutychain/dutychain/ent/runtime" // hooks and defaults of the schema
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/domain"
)

// newClient returns an ent client on a fresh, migrated SQLite file database
// with the platform's connection settings (WAL, busy timeout, BEGIN
// IMMEDIATE, SQLite time format).
//
// TODO(lead): switch to internal/testdb once it exists, to run these tests
// on PostgreSQL as well.
func newClient(t *testing.T) *ent.Client {
	t.Helper()
	params := url.Values{
		"_pragma":      {"busy_timeout(10000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(NORMAL)"},
		"_txlock":      {"immediate"},
		"_time_format": {"sqlite"},
	}
	dsn := "file:" + filepath.Join(t.TempDir(), "auth.db") + "?" + params.Encode()
	sdb, err := sql.Open("sqlite", dsn)
	require.NoError(t, err)
	client := ent.NewClient(ent.Driver(entsql.OpenDB(dialect.SQLite, sdb)))
	t.Cleanup(func() { _ = client.Close() })
	require.NoError(t, client.Schema.Create(authz.SystemContext(context.Background())))
	return client
}

// fixture is one tenant with a root unit and users in it.
type fixture struct {
	client *ent.Client
	tenant *ent.Tenant
	unit   *ent.Unit
}

func newFixture(t *testing.T, client *ent.Client, code string) *fixture {
	t.Helper()
	ctx := authz.SystemContext(context.Background())
	tn, err := client.Tenant.Create().SetCode(code).SetName(code + " county").Save(ctx)
	require.NoError(t, err)
	u, err := client.Unit.Create().SetTenantID(tn.ID).SetKind(domain.KindCounty).
		SetName(code + " county").SetCode(code + "-root").Save(ctx)
	require.NoError(t, err)
	return &fixture{client: client, tenant: tn, unit: u}
}

// hashes caches password hashes: argon2id costs tens of milliseconds.
var hashes sync.Map

func hashOf(t *testing.T, password string) string {
	t.Helper()
	if h, ok := hashes.Load(password); ok {
		return h.(string)
	}
	h, err := HashPassword(password)
	require.NoError(t, err)
	hashes.Store(password, h)
	return h
}

func (f *fixture) addUser(t *testing.T, username, password string, status user.Status) *ent.User {
	t.Helper()
	u, err := f.client.User.Create().
		SetTenantID(f.tenant.ID).
		SetUnitID(f.unit.ID).
		SetUsername(username).
		SetDisplayName(username).
		SetPasswordHash(hashOf(t, password)).
		SetStatus(status).
		Save(authz.SystemContext(context.Background()))
	require.NoError(t, err)
	return u
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
