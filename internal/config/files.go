package config

import (
	"fmt"
	"os"
	"time"
)

// DefaultFileURLTTL is how long a signed file URL works by default.
const DefaultFileURLTTL = 5 * time.Minute

// bindFiles registers the settings of signed file URLs.
func (c *Config) bindFiles(b *binder) {
	b.duration(&c.FileURLTTL, "file-url-ttl", "DUTYCHAIN_FILE_URL_TTL", "how long a signed file URL (File.url) works")
	b.str(&c.FileURLSecretFile, "file-url-secret-file", "DUTYCHAIN_FILE_URL_SECRET_FILE",
		"file holding the secret (at least 32 bytes) that signs file URLs (empty: derived from the JWT signing key)")
}

// verifyFiles checks the settings of signed file URLs.
func (c *Config) verifyFiles() []error {
	var errs []error
	if c.FileURLTTL < 10*time.Second || c.FileURLTTL > time.Hour {
		errs = append(errs, fmt.Errorf("file-url-ttl %s: want between 10s and 1h", c.FileURLTTL))
	}
	if c.FileURLSecretFile != "" {
		if fi, err := os.Stat(c.FileURLSecretFile); err != nil {
			errs = append(errs, fmt.Errorf("file-url-secret-file %q: %v", c.FileURLSecretFile, err))
		} else if fi.Size() < 32 {
			errs = append(errs, fmt.Errorf("file-url-secret-file %q: holds %d bytes, want at least 32", c.FileURLSecretFile, fi.Size()))
		}
	}
	return errs
}
