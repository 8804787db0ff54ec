package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFileURLSettingsAreVerified(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("too short"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		set  func(*Config)
		want string
	}{
		{"a lifetime under 10s is refused", func(c *Config) { c.FileURLTTL = time.Second }, "file-url-ttl"},
		{"a lifetime over an hour is refused", func(c *Config) { c.FileURLTTL = 2 * time.Hour }, "file-url-ttl"},
		{"a missing secret file is refused", func(c *Config) { c.FileURLSecretFile = filepath.Join(dir, "none") }, "file-url-secret-file"},
		{"a secret under 32 bytes is refused", func(c *Config) { c.FileURLSecretFile = short }, "at least 32"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := Default()
			c.set(&cfg)
			if err := cfg.Verify(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error naming %q", err, c.want)
			}
		})
	}
	if err := func() error { cfg := Default(); return cfg.Verify() }(); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
}
