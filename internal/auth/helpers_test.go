package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/testdb"
)

// eachDB runs fn once per database testdb offers (SQLite; PostgreSQL when
// DUTYCHAIN_TEST_POSTGRES_URL is set), as subtests "on SQLite" and "on
// PostgreSQL". newClient returns an ent client on a fresh, fully migrated
// database of that dialect each time it is called.
func eachDB(t *testing.T, fn func(t *testing.T, newClient func(t testing.TB) *ent.Client)) {
	t.Helper()
	for _, dl := range testdb.Dialects(t) {
		t.Run("on "+testdb.Name(dl), func(t *testing.T) {
			fn(t, func(t testing.TB) *ent.Client {
				t.Helper()
				return testdb.Open(t, dl).Client
			})
		})
	}
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
