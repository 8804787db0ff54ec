package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/dutychain/dutychain/internal/db"
)

// IdempotencyStore keeps the Idempotency-Key of every covered request with
// the response it got, in the database (table idempotency_keys) so that
// every replica answers a retry the same way.
type IdempotencyStore struct {
	db      *sql.DB
	dialect string
	ttl     time.Duration
	// lease is how long a key stays claimed by a request that has not
	// finished; after it the request counts as abandoned (its replica died)
	// and a retry runs again.
	lease time.Duration
	now   func() time.Time
	// lastPurge (Unix ms) paces the removal of expired keys.
	lastPurge atomic.Int64
}

// idempotencyLease is the claim of an unfinished request: far longer than
// any request runs (the shutdown grace is seconds).
const idempotencyLease = 5 * time.Minute

// purgeEvery is how often a replica removes expired keys.
const purgeEvery = time.Minute

// NewIdempotencyStore returns the store on db (of dialectName) keeping keys
// for ttl; now is the clock (nil: time.Now).
func NewIdempotencyStore(db *sql.DB, dialectName string, ttl time.Duration, now func() time.Time) *IdempotencyStore {
	if now == nil {
		now = time.Now
	}
	return &IdempotencyStore{db: db, dialect: dialectName, ttl: ttl, lease: idempotencyLease, now: now}
}

// storedResponse is a key's row: the hash of the body that claimed it and,
// once that request finished, its response.
type storedResponse struct {
	bodyHash    string
	finished    bool
	status      int
	contentType string
	body        []byte
}

// claim claims key for user and the body hashed bodyHash. It returns
// claimed when the caller now runs the request, or else the stored row of
// the request that claimed it first (finished or not).
func (s *IdempotencyStore) claim(ctx context.Context, user int, key, bodyHash string) (claimed bool, prior *storedResponse, err error) {
	s.purge(ctx)
	// Twice at most: a stale row found on the first pass is removed and the
	// key claimed on the second.
	for range 2 {
		now := s.now()
		res, err := s.db.ExecContext(ctx, s.bind(`INSERT INTO idempotency_keys (user_id, "key", body_hash, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, "key") DO NOTHING`),
			user, key, bodyHash, now.UnixMilli(), now.Add(s.ttl).UnixMilli())
		if err != nil {
			return false, nil, fmt.Errorf("claim idempotency key: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return false, nil, fmt.Errorf("claim idempotency key: %w", err)
		} else if n == 1 {
			return true, nil, nil
		}
		var (
			row                  storedResponse
			status               sql.NullInt64
			contentType          sql.NullString
			createdAt, expiresAt int64
		)
		err = s.db.QueryRowContext(ctx, s.bind(`SELECT body_hash, status, content_type, response, created_at, expires_at
			FROM idempotency_keys WHERE user_id = ? AND "key" = ?`), user, key).
			Scan(&row.bodyHash, &status, &contentType, &row.body, &createdAt, &expiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			continue // released or purged meanwhile
		}
		if err != nil {
			return false, nil, fmt.Errorf("read idempotency key: %w", err)
		}
		row.finished, row.status, row.contentType = status.Valid, int(status.Int64), contentType.String
		abandoned := !row.finished && now.UnixMilli() >= createdAt+s.lease.Milliseconds()
		if now.UnixMilli() < expiresAt && !abandoned {
			return false, &row, nil
		}
		if _, err := s.db.ExecContext(ctx, s.bind(`DELETE FROM idempotency_keys WHERE user_id = ? AND "key" = ? AND created_at = ?`),
			user, key, createdAt); err != nil {
			return false, nil, fmt.Errorf("drop stale idempotency key: %w", err)
		}
	}
	return false, nil, errors.New("claim idempotency key: claimed and dropped concurrently twice")
}

// finish stores the response of the request that claimed key.
func (s *IdempotencyStore) finish(ctx context.Context, user int, key string, status int, contentType string, body []byte) error {
	if body == nil {
		body = []byte{}
	}
	_, err := s.db.ExecContext(ctx, s.bind(`UPDATE idempotency_keys SET status = ?, content_type = ?, response = ?
		WHERE user_id = ? AND "key" = ?`), status, contentType, body, user, key)
	if err != nil {
		return fmt.Errorf("store idempotent response: %w", err)
	}
	return nil
}

// release drops the claim of a request whose response is not kept (a
// server failure), so that its retry runs again.
func (s *IdempotencyStore) release(ctx context.Context, user int, key string) error {
	_, err := s.db.ExecContext(ctx, s.bind(`DELETE FROM idempotency_keys WHERE user_id = ? AND "key" = ?`), user, key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// purge removes expired keys, at most once a minute per replica; a failure
// only postpones it.
func (s *IdempotencyStore) purge(ctx context.Context) {
	now := s.now().UnixMilli()
	last := s.lastPurge.Load()
	if now-last < purgeEvery.Milliseconds() || !s.lastPurge.CompareAndSwap(last, now) {
		return
	}
	_, _ = s.db.ExecContext(ctx, s.bind(`DELETE FROM idempotency_keys WHERE expires_at <= ?`), now)
}

// bind numbers the ? placeholders of query for PostgreSQL.
func (s *IdempotencyStore) bind(query string) string { return db.Rebind(s.dialect, query) }
