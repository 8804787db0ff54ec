package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// startServe runs `dutychain serve args…` in-process and waits until /readyz
// answers; the returned function stops it like SIGTERM and returns its error.
func startServe(t *testing.T, args ...string) (base string, stop func() error) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- serveCommand(ctx, append([]string{"--addr", addr, "--log-level", "error"}, args...)) }()
	base = "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-errc:
			cancel()
			t.Fatalf("serve exited before it was ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("serve did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return base, func() error {
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(30 * time.Second):
			return fmt.Errorf("serve did not stop")
		}
	}
}

func graphql(t *testing.T, base, token, query string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	require.Nil(t, out["errors"], string(b))
	return out["data"].(map[string]any)
}

func loginAndCount(t *testing.T, base string) float64 {
	t.Helper()
	data := graphql(t, base, "", fmt.Sprintf(`mutation { login(input: {tenant: "demo", username: "chengguan.head", password: %q}) { accessToken } }`, seed.DemoPassword))
	token := data["login"].(map[string]any)["accessToken"].(string)
	data = graphql(t, base, token, `{ enterprises { totalCount } }`)
	return data["enterprises"].(map[string]any)["totalCount"].(float64)
}

func TestServeOnTheEmbeddedDefaultLoadsTheDemoTenantAndStopsGracefully(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	base, stop := startServe(t, "--data-dir", dir)
	require.Equal(t, float64(12), loginAndCount(t, base), "城关镇 has 12 enterprises in the demo county")
	res, err := http.Get(base + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Contains(t, string(page), "GraphiQL")
	require.NoError(t, stop(), "SIGTERM-like cancellation shuts the server down cleanly")

	// A second start on the same data directory keeps the data and does not seed twice.
	base, stop = startServe(t, "--data-dir", dir)
	require.Equal(t, float64(12), loginAndCount(t, base))
	require.NoError(t, stop())
}

func TestServeRefusesBadConfigurationBeforeTouchingAnything(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	err := serveCommand(context.Background(), []string{"--data-dir", dir, "--max-depth", "0", "--log-level", "loud", "--addr", "nowhere"})
	require.Error(t, err)
	for _, want := range []string{"max-depth", "log-level", "addr"} {
		require.Contains(t, err.Error(), want)
	}
	_, statErr := os.Stat(dir)
	require.True(t, os.IsNotExist(statErr), "no data directory was created")
}

func TestServeOnPostgreSQLMigratesAnEmptyDatabaseAndServesTheSameAPI(t *testing.T) {
	admin := os.Getenv(testdb.EnvPostgresURL)
	if admin == "" {
		if os.Getenv(testdb.EnvRequirePostgres) == "1" {
			t.Fatalf("%s is required", testdb.EnvPostgresURL)
		}
		t.Logf("WARNING: PostgreSQL not tested (%s unset); use ./scripts/test.sh", testdb.EnvPostgresURL)
		return
	}
	ctx := context.Background()
	url, drop, err := db.ScratchPostgres(ctx, admin, "dc_main")
	require.NoError(t, err)
	t.Cleanup(func() { _ = drop(context.Background()) })

	require.NoError(t, migrateCommand(ctx, []string{"up", "--database-url", url}))
	require.NoError(t, migrateCommand(ctx, []string{"status", "--database-url", url}))
	require.NoError(t, seedCommand(ctx, []string{"demo", "--database-url", url}))
	t.Setenv("DATABASE_URL", url)
	base, stop := startServe(t, "--data-dir", t.TempDir())
	require.Equal(t, float64(12), loginAndCount(t, base))
	require.NoError(t, stop())
}

func TestUnknownCommandsAndSubcommandsAreRefused(t *testing.T) {
	require.Error(t, migrateCommand(context.Background(), []string{"sideways"}))
	require.Error(t, seedCommand(context.Background(), []string{"everything"}))
	require.True(t, strings.HasPrefix(version, "dev") || version != "")
}

func TestSeedSyntheticCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run := func(args ...string) error {
		return seedCommand(ctx, append([]string{"synthetic", "--data-dir", dir, "--no-progress", "--now", "2026-06-01"}, args...))
	}
	t.Run("the province preset with explicit totals loads a city of ten counties", func(t *testing.T) {
		require.NoError(t, run("--scale", "province", "--towns", "10", "--enterprises", "20", "--hazards", "100", "--workshops", "1", "--teams", "1"))
		d, err := db.Open(ctx, "", dir)
		require.NoError(t, err)
		defer d.Close()
		var counties, hazards int
		require.NoError(t, d.SQL.QueryRow("SELECT COUNT(*) FROM units WHERE kind = 'COUNTY'").Scan(&counties))
		require.NoError(t, d.SQL.QueryRow("SELECT COUNT(*) FROM hazards").Scan(&hazards))
		require.Equal(t, 10, counties)
		require.Equal(t, 100, hazards)
	})
	t.Run("a second run with the same tenant code is refused", func(t *testing.T) {
		err := run("--towns", "1", "--enterprises", "1", "--hazards", "1")
		require.ErrorContains(t, err, "tenant exists")
	})
	t.Run("a database with the demo tenants is refused unless allowed", func(t *testing.T) {
		require.NoError(t, seedCommand(ctx, []string{"demo", "--data-dir", dir}))
		require.ErrorContains(t, run("--tenant", "other", "--hazards", "10", "--enterprises", "5"), "not synthetic")
		require.NoError(t, run("--tenant", "other", "--hazards", "10", "--enterprises", "5", "--letters=false", "--allow-real-tenants"))
	})
}
