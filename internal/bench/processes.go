package bench

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
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
	server, err := h.spawn(ctx, bin, filepath.Join(dataDir, "server.log"), serveArgs...)
	if err != nil {
		return err
	}
	h.apiPID = server.pid
	h.api = "http://" + apiAddr
	if err := h.waitReady(ctx, h.api, server); err != nil {
		return fmt.Errorf("server: %w", err)
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
	floor, err := h.spawn(ctx, bin, filepath.Join(dataDir, "floor.log"), args...)
	if err != nil {
		return err
	}
	h.floor = "http://" + floorAddr
	if err := h.waitReady(ctx, h.floor, floor); err != nil {
		return fmt.Errorf("handler floor: %w", err)
	}
	return nil
}

// child is a process the harness started: its pid, its log, and a channel
// closed when it exits.
type child struct {
	pid    int
	log    string
	exited <-chan struct{}
}

func (h *harness) spawn(ctx context.Context, bin, logFile string, args ...string) (child, error) {
	lf, err := os.Create(logFile)
	if err != nil {
		return child{}, fmt.Errorf("log file: %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	if err := cmd.Start(); err != nil {
		lf.Close()
		return child{}, fmt.Errorf("start %s %s: %w", bin, args[0], err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	h.cleanup = append(h.cleanup, func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		lf.Close()
	})
	return child{pid: cmd.Process.Pid, log: logFile, exited: exited}, nil
}

// waitReady waits for c to answer /readyz at base. A child that exits
// first, or is not ready in 2 minutes, is an error carrying the end of its
// log: the log's directory is removed when the run ends.
func (h *harness) waitReady(ctx context.Context, base string, c child) error {
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
		case <-c.exited:
			return fmt.Errorf("exited before it was ready; its log ends:\n%s", logTail(c.log, 20))
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("not ready after 2 minutes; its log ends:\n%s", logTail(c.log, 20))
}

// logTail returns the last n lines of the file at path.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(log unreadable: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
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
