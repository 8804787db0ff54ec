package auth

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/config"
)

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

func TestKeyID(t *testing.T) {
	priv := newKey(t)
	pub := priv.Public().(ed25519.PublicKey)
	t.Run("the kid is stable and url-safe", func(t *testing.T) {
		require.Equal(t, KeyID(pub), KeyID(append(ed25519.PublicKey(nil), pub...)))
		require.Len(t, KeyID(pub), 16)
		require.NotContains(t, KeyID(pub), "=")
		require.NotContains(t, KeyID(pub), "+")
		require.NotContains(t, KeyID(pub), "/")
	})
	t.Run("different keys have different kids", func(t *testing.T) {
		require.NotEqual(t, KeyID(pub), KeyID(newKey(t).Public().(ed25519.PublicKey)))
	})
	t.Run("a key set always verifies with its own signing key", func(t *testing.T) {
		ks := newKeySet(t, priv)
		require.Equal(t, KeyID(pub), ks.SigningKID())
		require.Equal(t, []string{ks.SigningKID()}, ks.VerifyKIDs())
	})
}

func TestLoadKeySet(t *testing.T) {
	keyPEM, err := GenerateKeyPEM()
	require.NoError(t, err)
	want, err := ParsePrivateKeyPEM(keyPEM)
	require.NoError(t, err)
	wantKID := KeyID(want.Public().(ed25519.PublicKey))

	t.Run("the signing key is read from a PKCS#8 PEM file", func(t *testing.T) {
		t.Setenv(EnvSigningKey, "")
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		cfg.JWTSigningKeyFile = writeFile(t, t.TempDir(), "signing.pem", keyPEM)
		ks, err := LoadKeySet(cfg)
		require.NoError(t, err)
		require.Equal(t, wantKID, ks.SigningKID())
		require.NoDirExists(t, filepath.Join(cfg.DataDir, "keys"), "no key is generated when one is configured")
	})
	t.Run("the signing key is read from the environment", func(t *testing.T) {
		t.Setenv(EnvSigningKey, string(keyPEM))
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		ks, err := LoadKeySet(cfg)
		require.NoError(t, err)
		require.Equal(t, wantKID, ks.SigningKID())
	})
	t.Run("a key file and an environment key together are refused", func(t *testing.T) {
		t.Setenv(EnvSigningKey, string(keyPEM))
		cfg := config.Default()
		cfg.JWTSigningKeyFile = writeFile(t, t.TempDir(), "signing.pem", keyPEM)
		_, err := LoadKeySet(cfg)
		require.ErrorContains(t, err, "keep one")
	})
	t.Run("without a configured key one is generated under the data directory and reused", func(t *testing.T) {
		t.Setenv(EnvSigningKey, "")
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		first, err := LoadKeySet(cfg)
		require.NoError(t, err)
		path := filepath.Join(cfg.DataDir, "keys", "signing.pem")
		fi, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		di, err := os.Stat(filepath.Dir(path))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o700), di.Mode().Perm())
		entries, err := os.ReadDir(filepath.Dir(path))
		require.NoError(t, err)
		require.Len(t, entries, 1, "no temporary file is left behind")

		second, err := LoadKeySet(cfg)
		require.NoError(t, err)
		require.Equal(t, first.SigningKID(), second.SigningKID())
	})
	t.Run("replicas starting together on one data directory share one generated key", func(t *testing.T) {
		t.Setenv(EnvSigningKey, "")
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		kids := make([]string, 8)
		var wg sync.WaitGroup
		for i := range kids {
			wg.Go(func() {
				ks, err := LoadKeySet(cfg)
				if err == nil {
					kids[i] = ks.SigningKID()
				}
			})
		}
		wg.Wait()
		for _, kid := range kids {
			require.Equal(t, kids[0], kid)
			require.NotEmpty(t, kid)
		}
	})
	t.Run("verification keys are read from public and private PEM files", func(t *testing.T) {
		t.Setenv(EnvSigningKey, "")
		dir := t.TempDir()
		oldPriv := newKey(t)
		oldPrivPEM, err := PrivateKeyPEM(oldPriv)
		require.NoError(t, err)
		pubA, pubB := newKey(t).Public().(ed25519.PublicKey), newKey(t).Public().(ed25519.PublicKey)
		pemA, err := PublicKeyPEM(pubA)
		require.NoError(t, err)
		pemB, err := PublicKeyPEM(pubB)
		require.NoError(t, err)

		cfg := config.Default()
		cfg.JWTSigningKeyFile = writeFile(t, dir, "signing.pem", keyPEM)
		cfg.JWTVerifyKeyFiles = []string{
			writeFile(t, dir, "old.pem", oldPrivPEM),
			writeFile(t, dir, "both.pem", append(append([]byte{}, pemA...), pemB...)),
		}
		ks, err := LoadKeySet(cfg)
		require.NoError(t, err)
		require.ElementsMatch(t, []string{
			wantKID, KeyID(oldPriv.Public().(ed25519.PublicKey)), KeyID(pubA), KeyID(pubB),
		}, ks.VerifyKIDs())
	})

	bad := []struct {
		name    string
		content string
		want    string
	}{
		{"a signing key file without PEM is refused", "not a key", "no PEM block"},
		{"a signing key file holding a public key is refused", "PUBLIC", `want "PRIVATE KEY"`},
		{"a signing key file holding garbage DER is refused", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "parse PKCS#8"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvSigningKey, "")
			content := []byte(tt.content)
			if tt.content == "PUBLIC" {
				content, err = PublicKeyPEM(want.Public().(ed25519.PublicKey))
				require.NoError(t, err)
			}
			cfg := config.Default()
			cfg.JWTSigningKeyFile = writeFile(t, t.TempDir(), "k.pem", content)
			_, err := LoadKeySet(cfg)
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.want)
			require.Contains(t, err.Error(), cfg.JWTSigningKeyFile, "the error names the file")
		})
	}
	t.Run("a missing verification key file is refused", func(t *testing.T) {
		t.Setenv(EnvSigningKey, "")
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		cfg.JWTVerifyKeyFiles = []string{filepath.Join(t.TempDir(), "missing.pem")}
		_, err := LoadKeySet(cfg)
		require.Error(t, err)
		require.True(t, strings.Contains(err.Error(), "missing.pem"))
	})
}
