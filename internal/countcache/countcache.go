// Package countcache keeps expensive aggregates — a hazard connection's
// totalCount, the dashboard's state × level counts — for a few seconds.
//
// An entry is keyed by the viewer's compiled scope predicate and the filter,
// so two viewers share an entry only when they would see the same rows. It
// is valid while no transaction has committed in this process since it was
// computed (the database driver calls Invalidate after every commit) and for
// at most TTL: writes through another replica show within TTL.
package countcache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// TTL bounds how stale an entry can be when another process wrote.
const TTL = 5 * time.Second

// maxEntries bounds memory: a full cache starts over.
const maxEntries = 10000

var (
	generation atomic.Uint64
	disabled   atomic.Bool
)

// SetEnabled turns the cache on (the default) or off for the process (the
// benchmark measures both).
func SetEnabled(on bool) { disabled.Store(!on) }

// Invalidate makes every entry computed before now stale. The driver calls it
// after each commit, so a count read before a commit is never served after it.
func Invalidate() { generation.Add(1) }

// Generation is the current generation; read it before computing a value.
func Generation() uint64 { return generation.Load() }

type entry[V any] struct {
	value V
	gen   uint64
	at    time.Time
}

// Cache maps keys to values of one kind.
type Cache[V any] struct {
	mu sync.Mutex
	m  map[string]entry[V]
}

// Get returns the value for key if it was computed in the current
// generation and within TTL.
func (c *Cache[V]) Get(key string) (V, bool) {
	if disabled.Load() {
		var zero V
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || e.gen != Generation() || time.Since(e.at) > TTL {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Put stores a value computed after Generation returned gen.
func (c *Cache[V]) Put(key string, gen uint64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxEntries {
		c.m = map[string]entry[V]{}
	}
	c.m[key] = entry[V]{value: v, gen: gen, at: time.Now()}
}

// Do returns the cached value for key or computes, stores and returns it.
func (c *Cache[V]) Do(key string, compute func() (V, error)) (V, error) {
	if v, ok := c.Get(key); ok {
		return v, nil
	}
	gen := Generation()
	v, err := compute()
	if err == nil {
		c.Put(key, gen, v)
	}
	return v, err
}

type keyCtx struct{}

// WithKey marks ctx so that the next count query run with it may be served
// from (and stored in) the cache under key.
func WithKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyCtx{}, key)
}

// KeyFrom returns the key WithKey set, if any.
func KeyFrom(ctx context.Context) (string, bool) {
	k, ok := ctx.Value(keyCtx{}).(string)
	return k, ok
}
