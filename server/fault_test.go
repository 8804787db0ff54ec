package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/testdb"
)

// ownCluster starts a PostgreSQL cluster of the test's own with
// scripts/with-postgres.sh (restarting the suite's shared one would disturb
// the packages testing beside it) and returns its superuser URL and a
// function restarting it with `pg_ctl restart -m fast`. The cluster is
// removed when the test ends.
func ownCluster(t *testing.T) (url string, restart func() error) {
	t.Helper()
	cmd := exec.Command("../scripts/with-postgres.sh", "bash", "-c",
		`printf '%s %s %s\n' "$DUTYCHAIN_TEST_POSTGRES_URL" "$PGDATA" "$PG_BINDIR"; read -r _`)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = stdin.Close() // the script stops and removes the cluster
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "with-postgres.sh did not start a cluster")
	f := strings.Fields(line)
	require.Len(t, f, 3, "with-postgres.sh output: %q", line)
	url, data, bindir := f[0], f[1], f[2]
	return url, func() error {
		// -l: the new postmaster must not hold this process's output pipe.
		args := []string{bindir + "/pg_ctl", "-D", data, "-l", filepath.Join(filepath.Dir(data), "server.log"),
			"restart", "-m", "fast", "-w", "-t", "60"}
		if os.Geteuid() == 0 { // the cluster belongs to the postgres user
			args = append([]string{"runuser", "-u", "postgres", "--"}, args...)
		}
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("pg_ctl restart: %w: %s", err, out)
		}
		return nil
	}
}

// TestADatabaseRestartIsUnavailableNeverUnauthenticated restarts PostgreSQL
// under a bounded load of signed-in requests: clients see UNAVAILABLE (503,
// Retry-After) while it is down, never UNAUTHENTICATED or INTERNAL, and the
// server serves again afterwards without being restarted.
func TestADatabaseRestartIsUnavailableNeverUnauthenticated(t *testing.T) {
	if !slices.Contains(testdb.Dialects(t), dialect.Postgres) {
		return // testdb warned (or failed when PostgreSQL is required)
	}
	ctx := context.Background()
	admin, restart := ownCluster(t)
	url, drop, err := db.ScratchPostgres(ctx, admin, "dc_fault")
	require.NoError(t, err)
	t.Cleanup(func() { _ = drop(context.Background()) })
	d, err := db.Open(ctx, url, "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	require.NoError(t, d.Migrate(ctx))
	s := apitest.Start(t, d)
	tokens := []string{s.As("county.head"), s.As("chengguan.head"), s.As("emergency.chief"), s.As("cement.principal")}
	queries := []string{`{ me { user { username } } }`, `{ enterprises { totalCount } }`}

	const workers, maxRequests = 6, 3000
	var (
		mu       sync.Mutex
		codes    = map[string]int{}
		bad      []string
		sent     int
		restarts = make(chan error, 1)
		stop     = make(chan struct{})
	)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				if sent >= maxRequests {
					mu.Unlock()
					return
				}
				sent++
				mu.Unlock()
				res, body := s.DoRaw(tokens[(w+i)%len(tokens)], "application/json", []byte(fmt.Sprintf(`{"query":%q}`, queries[i%len(queries)])))
				var r apitest.Response
				jerr := json.Unmarshal(body, &r)
				code := r.Code()
				mu.Lock()
				codes[code]++
				switch {
				case jerr != nil:
					bad = append(bad, fmt.Sprintf("status %d, body %q", res.StatusCode, body))
				case code == "UNAVAILABLE" && (res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == ""):
					bad = append(bad, fmt.Sprintf("UNAVAILABLE with status %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After")))
				case code != "" && code != "UNAVAILABLE":
					bad = append(bad, fmt.Sprintf("%s: %+v", code, r.Errors))
				}
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	go func() { restarts <- restart() }()
	select {
	case err := <-restarts:
		require.NoError(t, err)
	case <-time.After(90 * time.Second):
		t.Fatal("the restart did not finish")
	}
	time.Sleep(500 * time.Millisecond) // load after the restart
	close(stop)
	wg.Wait()

	t.Logf("responses by code during the restart: %v", codes)
	require.Empty(t, bad, "only UNAVAILABLE (with 503) may fail")
	require.Positive(t, codes["UNAVAILABLE"], "the restart was seen by clients")

	t.Run("the server recovers without a restart", func(t *testing.T) {
		deadline := time.Now().Add(15 * time.Second)
		for {
			r := s.Do(tokens[0], queries[1], nil)
			if len(r.Errors) == 0 {
				return
			}
			require.Equal(t, "UNAVAILABLE", r.Code(), "%+v", r.Errors)
			require.True(t, time.Now().Before(deadline), "still unavailable 15 s after the restart")
			time.Sleep(200 * time.Millisecond)
		}
	})
}
