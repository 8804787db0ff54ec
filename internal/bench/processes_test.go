package bench

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"testing"

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
