package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// verifyHTTP checks the settings of the HTTP surface: the admin listener,
// CORS and persisted queries.
func (c *Config) verifyHTTP() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.AdminAddr != "" {
		if _, _, err := net.SplitHostPort(c.AdminAddr); err != nil {
			bad("admin-addr %q: want host:port", c.AdminAddr)
		} else if c.AdminAddr == c.Addr {
			bad("admin-addr %q: must differ from addr (metrics and pprof stay off the public listener)", c.AdminAddr)
		}
	}
	if c.Pprof && c.AdminAddr == "" {
		bad("pprof: needs admin-addr (pprof is never served on the public listener)")
	}
	for _, o := range c.CORSOrigins {
		if err := checkOrigin(o); err != nil {
			bad("cors-origins %q: %v", o, err)
		}
	}
	if c.CORSMaxAge < 0 || c.CORSMaxAge > 24*time.Hour {
		bad("cors-max-age %s: want between 0 and 24h", c.CORSMaxAge)
	}
	if c.APQCacheSize < 0 {
		bad("apq-cache-size %d: must not be negative", c.APQCacheSize)
	}
	if c.PersistedDocumentsFile != "" {
		if _, err := os.Stat(c.PersistedDocumentsFile); err != nil {
			bad("persisted-documents %q: %v", c.PersistedDocumentsFile, err)
		}
	}
	return errs
}

// checkOrigin accepts an exact origin as browsers send it: http or https,
// a host, an optional port, nothing else. "*" is refused: the allow-list
// names each client.
func checkOrigin(o string) error {
	if o == "*" {
		return fmt.Errorf("a wildcard is not allowed; list each origin")
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want scheme://host[:port], e.g. https://app.example.org")
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("an origin has no path, query, fragment or user (drop the trailing slash)")
	}
	if o != strings.ToLower(o) {
		return fmt.Errorf("write the origin in lower case, as browsers send it")
	}
	return nil
}
