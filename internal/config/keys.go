package config

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"
)

// EnvJWTKeySecret holds the key secret as base64 text; it has no flag, so
// that the secret never shows in a process list.
const EnvJWTKeySecret = "DUTYCHAIN_JWT_KEY_SECRET"

// minKeySecretBytes is the shortest key secret accepted.
const minKeySecretBytes = 32

// bindKeys registers the key secret settings: the secret that seals the
// signing keys kept in the database.
func (c *Config) bindKeys(b *binder) {
	if v, ok := os.LookupEnv(EnvJWTKeySecret); ok {
		c.JWTKeySecret = v
	}
	b.str(&c.JWTKeySecretFile, "jwt-key-secret-file", "DUTYCHAIN_JWT_KEY_SECRET_FILE",
		"file holding the secret (at least 32 bytes) that seals the signing keys kept in the database and shared by every replica (also $"+EnvJWTKeySecret+" as base64)")
}

// KeySecret returns the configured key secret, or nil when none is.
func (c *Config) KeySecret() ([]byte, error) {
	switch {
	case c.JWTKeySecret != "" && c.JWTKeySecretFile != "":
		return nil, fmt.Errorf("both $%s and jwt-key-secret-file are set; keep one", EnvJWTKeySecret)
	case c.JWTKeySecret != "":
		secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(c.JWTKeySecret))
		if err != nil {
			return nil, fmt.Errorf("$%s: not base64 (make one with `openssl rand -base64 32`)", EnvJWTKeySecret)
		}
		return checkSecret("$"+EnvJWTKeySecret, secret)
	case c.JWTKeySecretFile != "":
		data, err := os.ReadFile(c.JWTKeySecretFile)
		if err != nil {
			return nil, fmt.Errorf("jwt-key-secret-file: %w", err)
		}
		return checkSecret("jwt-key-secret-file "+c.JWTKeySecretFile, []byte(strings.TrimSpace(string(data))))
	}
	return nil, nil
}

func checkSecret(what string, secret []byte) ([]byte, error) {
	if len(secret) < minKeySecretBytes {
		return nil, fmt.Errorf("%s: holds %d bytes, want at least %d", what, len(secret), minKeySecretBytes)
	}
	return secret, nil
}

// verifyKeys checks the key secret settings.
func (c *Config) verifyKeys() []error {
	if _, err := c.KeySecret(); err != nil {
		return []error{err}
	}
	return nil
}
