package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"
)

// ReadReplica routes read-only requests to a PostgreSQL streaming replica.
type ReadReplica struct {
	// URL is the replica's postgres:// URL; empty: every request uses the
	// primary (DatabaseURL).
	URL string
	// MaxLag is how far (in time) the replica may trail the primary before
	// reads fall back to the primary.
	MaxLag time.Duration
	// Wait bounds how long a read waits for the replica to replay the
	// caller's own last write before it goes to the primary instead.
	Wait time.Duration
}

// DefaultReadReplica are the bounds of a replica configured without them.
var DefaultReadReplica = ReadReplica{MaxLag: 5 * time.Second, Wait: 500 * time.Millisecond}

// bindReplica registers the read replica settings.
func (c *Config) bindReplica(b *binder) {
	r := &c.ReadReplica
	if v, ok := os.LookupEnv("DATABASE_READ_URL"); ok {
		r.URL = v
	}
	b.str(&r.URL, "database-read-url", "DUTYCHAIN_DATABASE_READ_URL",
		"PostgreSQL streaming replica for read-only requests (also DATABASE_READ_URL); empty: everything on the primary")
	b.duration(&r.MaxLag, "replica-max-lag", "DUTYCHAIN_REPLICA_MAX_LAG", "replica lag beyond which reads go to the primary")
	b.duration(&r.Wait, "replica-wait", "DUTYCHAIN_REPLICA_WAIT",
		"how long a read waits for the replica to replay the caller's own last write before it goes to the primary")
}

// verifyReplica checks the read replica settings.
func (c *Config) verifyReplica() []error {
	r := c.ReadReplica
	if r.URL == "" {
		return nil
	}
	var errs []error
	if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		errs = append(errs, fmt.Errorf("database-read-url: want postgres://user:pass@host:port/db (got a %s URL)", schemeOf(r.URL)))
	}
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("database-read-url needs database-url: a read replica serves a PostgreSQL primary, not the embedded database"))
	}
	if r.MaxLag < 100*time.Millisecond || r.MaxLag > time.Hour {
		errs = append(errs, fmt.Errorf("replica-max-lag %s: want between 100ms and 1h", r.MaxLag))
	}
	if r.Wait < 0 || r.Wait > 10*time.Second {
		errs = append(errs, fmt.Errorf("replica-wait %s: want between 0s and 10s", r.Wait))
	}
	return errs
}
