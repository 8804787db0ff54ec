package bench

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/internal/db"
)

// start launches the API server and the handler floor as child processes
// (so that their memory and allocations are their own) and opens the
// database for the raw-SQL floor and the fixtures.
func (h *harness) start(ctx context.Context) error {
	if h.o.DB != nil {
		h.d = h.o.DB
	} else {
		d, err := db.Open(ctx, h.o.DatabaseURL, "")
		if err != nil {
			return fmt.Errorf("open database: %w", err)
		}
		h.d = d
		h.cleanup = append(h.cleanup, func() { _ = d.Close() })
	}
	if h.d.Dialect != dialect.Postgres {
		h.o.SkipFloors = true // the floors speak lib/pq
	}
	if h.o.ServerURL != "" {
		h.api = strings.TrimRight(h.o.ServerURL, "/")
		h.admin = strings.TrimRight(h.o.AdminURL, "/")
		if !h.o.SkipFloors {
			h.floor = strings.TrimRight(h.o.FloorURL, "/")
		}
		return nil
	}
	var err error
	bin := h.o.Binary
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return fmt.Errorf("find own executable: %w", err)
		}
	}
	dataDir, err := os.MkdirTemp("", "dutychain-bench-")
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	h.cleanup = append(h.cleanup, func() { _ = os.RemoveAll(dataDir) })
	apiAddr, err := freeAddr()
	if err != nil {
		return err
	}
	adminAddr, err := freeAddr()
	if err != nil {
		return err
	}
	h.admin = "http://" + adminAddr
	keyFile, err := writeBenchKey(dataDir)
	if err != nil {
		return err
	}
	serveArgs := []string{"serve", "--addr", apiAddr, "--admin-addr", adminAddr, "--data-dir", dataDir,
		"--jwt-signing-key", keyFile, "--database-url", h.o.DatabaseURL, "--seed-demo=false", "--statement-header", "--log-level", "warn", "--rate-limits=false",
		"--access-ttl", "6h"}
	if h.o.DatabaseURL != "" {
		// An API-only replica: the reminder workers would add their
		// allocations and CPU to the requests measured (at county scale the
		// scan queues ≈ 85,000 reminders at start).
		serveArgs = append(serveArgs, "--jobs=false")
	}
	if h.o.ProfileDir != "" {
		h.pprof = h.admin
		serveArgs = append(serveArgs, "--pprof")
	}
	pid, err := h.spawn(ctx, bin, filepath.Join(dataDir, "server.log"), serveArgs...)
	if err != nil {
		return err
	}
	h.apiPID = pid
	h.api = "http://" + apiAddr
	if err := h.waitReady(ctx, h.api); err != nil {
		return fmt.Errorf("server: %w (log in %s)", err, dataDir)
	}
	if h.o.SkipFloors {
		return nil
	}
	floorAddr, err := freeAddr()
	if err != nil {
		return err
	}
	args := []string{"bench", "floor", "--addr", floorAddr, "--database-url", h.o.DatabaseURL, "--tenant", h.o.Tenant}
	for _, u := range h.o.Users {
		args = append(args, "--user", u.Level+"="+u.Username)
	}
	if _, err := h.spawn(ctx, bin, filepath.Join(dataDir, "floor.log"), args...); err != nil {
		return err
	}
	h.floor = "http://" + floorAddr
	if err := h.waitReady(ctx, h.floor); err != nil {
		return fmt.Errorf("handler floor: %w (log in %s)", err, dataDir)
	}
	return nil
}

func (h *harness) spawn(ctx context.Context, bin, logFile string, args ...string) (int, error) {
	lf, err := os.Create(logFile)
	if err != nil {
		return 0, fmt.Errorf("log file: %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	if err := cmd.Start(); err != nil {
		lf.Close()
		return 0, fmt.Errorf("start %s %s: %w", bin, args[0], err)
	}
	h.cleanup = append(h.cleanup, func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		lf.Close()
	})
	return cmd.Process.Pid, nil
}

func (h *harness) waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := h.client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("not ready after 2 minutes")
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// fetchProfile saves one pprof profile of the server into ProfileDir.
func (h *harness) fetchProfile(ctx context.Context, what, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.pprof+"/debug/pprof/"+what, nil)
	if err != nil {
		return fmt.Errorf("profile request: %w", err)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("fetch %s profile: %w", file, err)
	}
	defer resp.Body.Close()
	if err := os.MkdirAll(h.o.ProfileDir, 0o755); err != nil {
		return fmt.Errorf("profile dir: %w", err)
	}
	f, err := os.Create(filepath.Join(h.o.ProfileDir, file))
	if err != nil {
		return fmt.Errorf("profile file: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		return fmt.Errorf("save %s: %w", file, err)
	}
	return nil
}

// peakRSSMB reads a process's peak resident set (VmHWM) in MB.
func peakRSSMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// machine describes where the run happened.
func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d CPUs, %s/%s, %s", model, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// writeBenchKey writes the bench server's token signing key into dir and
// returns its file. The key is the same for every run: on PostgreSQL the
// first server records its key in the database and a server with another
// key refuses to start (auth.OpenKeySet), so a fresh key per run would make
// every run after the first on one database fail.
func writeBenchKey(dir string) (string, error) {
	seed := sha256.Sum256([]byte("dutychain bench signing key"))
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		return "", fmt.Errorf("bench signing key: %w", err)
	}
	path := filepath.Join(dir, "bench-signing.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return "", fmt.Errorf("bench signing key: %w", err)
	}
	return path, nil
}
