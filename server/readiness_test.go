package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/seed"
)

type readiness struct {
	Status string
	Checks map[string]string
}

func readyz(t *testing.T, s *apitest.Server) (int, readiness) {
	t.Helper()
	res, err := http.Get(s.HTTP.URL + "/readyz")
	require.NoError(t, err)
	defer res.Body.Close()
	var body readiness
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	return res.StatusCode, body
}

func TestReadinessNamesTheCheckThatFails(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		ctx := context.Background()
		t.Run("a serving server is ready and says which checks passed", func(t *testing.T) {
			status, body := readyz(t, s)
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, readiness{Status: "ready", Checks: map[string]string{"database": "ok", "migrations": "ok", "files": "ok"}}, body)
		})
		t.Run("a file store that cannot be written fails the files check", func(t *testing.T) {
			tmp := filepath.Join(s.Config.FilesDir(), "tmp")
			require.NoError(t, os.Rename(tmp, tmp+".away"))
			require.NoError(t, os.WriteFile(tmp, nil, 0o600)) // a file where the directory was
			defer func() {
				require.NoError(t, os.Remove(tmp))
				require.NoError(t, os.Rename(tmp+".away", tmp))
			}()
			status, body := readyz(t, s)
			require.Equal(t, http.StatusServiceUnavailable, status)
			require.Equal(t, "unavailable", body.Status)
			require.Contains(t, body.Checks["files"], "not writable")
			require.Equal(t, "ok", body.Checks["database"])
		})
		t.Run("a database behind the binary fails the migrations check", func(t *testing.T) {
			_, err := s.DB.SQL.ExecContext(ctx, "UPDATE schema_migrations SET version = version - 1")
			require.NoError(t, err)
			defer func() {
				_, err := s.DB.SQL.ExecContext(ctx, "UPDATE schema_migrations SET version = version + 1")
				require.NoError(t, err)
			}()
			status, body := readyz(t, s)
			require.Equal(t, http.StatusServiceUnavailable, status)
			require.Contains(t, body.Checks["migrations"], "migrate up")
		})
		t.Run("a write that met a full storage fails readiness for a while", func(t *testing.T) {
			s.App.Health.StorageFull(time.Now())
			defer s.App.Health.StorageFull(time.Now().Add(-time.Hour))
			status, body := readyz(t, s)
			require.Equal(t, http.StatusServiceUnavailable, status)
			require.Contains(t, body.Checks["storage"], "full or read-only")
		})
		t.Run("a draining server is not ready", func(t *testing.T) {
			s.App.Health.Drain()
			status, body := readyz(t, s)
			require.Equal(t, http.StatusServiceUnavailable, status)
			require.Equal(t, "draining", body.Status)
		})
	})
}

// TestAFullDatabaseIsStorageFullNotInternal fills the embedded database up
// limit on its pages (PRAGMA max_page_count: SQLite's real "database or disk
// is full") and signs in until a write needs a page more.
func TestAFullDatabaseIsStorageFullNotInternal(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		if s.DB.Dialect != dialect.SQLite {
			return // a full PostgreSQL disk is classified from its code 53100 in internal/db
		}
		ctx := context.Background()
		s.DB.SQL.SetMaxOpenConns(1) // the page limit is per connection: keep one
		s.DB.SQL.SetMaxIdleConns(1)
		// Answers the current size: the file cannot grow by a page.
		_, err := s.DB.SQL.ExecContext(ctx, "PRAGMA max_page_count = 1")
		require.NoError(t, err)
		const login = `mutation { login(input: {tenant: "demo", username: "county.head", password: %q}) { accessToken } }`
		var full *apitest.Response
		for i := 0; i < 40 && full == nil; i++ {
			r := s.Do("", fmt.Sprintf(login, seed.DemoPassword), nil)
			require.NotEqual(t, "INTERNAL", r.Code(), "errors: %+v", r.Errors)
			if r.Code() != "" {
				full = r
			}
		}
		require.NotNil(t, full, "a write should have met the page limit")
		require.Equal(t, "UNAVAILABLE", full.Code())
		require.Equal(t, "STORAGE_FULL", reasonOf(full))
		require.Equal(t, http.StatusServiceUnavailable, full.Status)
		status, body := readyz(t, s)
		require.Equal(t, http.StatusServiceUnavailable, status)
		require.True(t, strings.Contains(body.Checks["storage"], "full"), "%+v", body)
	})
}
