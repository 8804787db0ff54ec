package bench

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/auth"
)

// Two bench runs on one PostgreSQL database must give their servers the same
// signing key: the first records it, and a server with another key refuses
// to start.
func TestEveryBenchRunSignsWithTheSameKey(t *testing.T) {
	first, err := writeBenchKey(t.TempDir())
	require.NoError(t, err)
	second, err := writeBenchKey(t.TempDir())
	require.NoError(t, err)
	a, err := os.ReadFile(first)
	require.NoError(t, err)
	b, err := os.ReadFile(second)
	require.NoError(t, err)
	require.True(t, bytes.Equal(a, b), "two runs wrote different keys")

	key, err := auth.ParsePrivateKeyPEM(a)
	require.NoError(t, err, "the server could not read the key")
	require.Len(t, key, ed25519.PrivateKeySize)
	info, err := os.Stat(first)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "a private key readable by others")
}

// A server that exits at start (a wrong key, a database it refuses) fails
// the run at once with the end of its log, not after two minutes with a
// pointer to a directory the run removes.
func TestAChildThatExitsAtStartFailsWithItsLog(t *testing.T) {
	h := &harness{client: &http.Client{Timeout: time.Second}}
	defer func() {
		for _, f := range h.cleanup {
			f()
		}
	}()
	c, err := h.spawn(context.Background(), "/bin/sh", filepath.Join(t.TempDir(), "server.log"),
		"-c", "echo starting; echo 'dutychain serve: load signing keys: signing key mismatch' >&2; exit 1")
	require.NoError(t, err)
	addr, err := freeAddr()
	require.NoError(t, err)
	err = h.waitReady(context.Background(), "http://"+addr, c)
	require.ErrorContains(t, err, "exited before it was ready")
	require.ErrorContains(t, err, "signing key mismatch", "the log's end is in the error")
	require.Equal(t, "b\nc", logTail(writeLines(t, "a", "b", "c"), 2))
}

func writeLines(t *testing.T, lines ...string) string {
	path := filepath.Join(t.TempDir(), "log")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	return path
}
