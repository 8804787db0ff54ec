package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/reqctx"
)

// Check is one thing serving needs, probed by /readyz.
type Check struct {
	// Name appears in the /readyz body: "database", "migrations", "files".
	Name string
	Run  func(ctx context.Context) error
	// Advisory checks report their failure in the body without making the
	// server unready (the read replica: reads fall back to the primary).
	Advisory bool
}

// Health is the readiness of the server: its checks, and whether it is
// draining for shutdown (then /readyz fails before anything else stops).
type Health struct {
	Checks   []Check
	draining atomic.Bool
	// fullAt is when a request last met a full or read-only storage (unix
	// nanoseconds): writes fail although the database still answers.
	fullAt atomic.Int64
}

// storageFullFor is how long /readyz fails after a request met a full or
// read-only storage.
const storageFullFor = 30 * time.Second

// StorageFull records that a request met a full or read-only storage at t.
func (h *Health) StorageFull(t time.Time) {
	if h != nil {
		h.fullAt.Store(t.UnixNano())
	}
}

// Drain makes /readyz answer 503 from now on: load balancers stop sending
// new requests while the in-flight ones finish.
func (h *Health) Drain() { h.draining.Store(true) }

// Draining reports whether Drain was called.
func (h *Health) Draining() bool { return h != nil && h.draining.Load() }

// readyBody is the JSON answer of /readyz.
type readyBody struct {
	Status string            `json:"status"` // "ready", "unavailable" or "draining"
	Checks map[string]string `json:"checks"` // name → "ok" or what failed
}

// ServeHTTP answers /readyz: 200 when every check passes, else 503 naming
// each failed check (draining counts as one).
func (h *Health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	body := readyBody{Status: "ready", Checks: map[string]string{}}
	if h.Draining() {
		body.Status = "draining"
		body.Checks["shutdown"] = "the server is shutting down"
	}
	if h != nil {
		if at := h.fullAt.Load(); at != 0 && time.Since(time.Unix(0, at)) < storageFullFor {
			body.Status = "unavailable"
			body.Checks["storage"] = "a write failed at " + time.Unix(0, at).UTC().Format(time.RFC3339) + ": storage full or read-only"
		}
		for _, c := range h.Checks {
			if err := c.Run(ctx); err != nil {
				if c.Advisory {
					body.Checks[c.Name] = err.Error()
					continue
				}
				if body.Status == "ready" {
					body.Status = "unavailable"
				}
				body.Checks[c.Name] = checkMessage(err)
				reqctx.Logger(ctx).WarnContext(ctx, "not ready", "check", c.Name, "err", err)
				continue
			}
			body.Checks[c.Name] = "ok"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if body.Status != "ready" {
		w.Header().Set("Retry-After", retryAfterSeconds)
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(body)
}

// checkMessage is what /readyz shows of a failed check: the outage class
// when there is one, the migration state in plain words, else the error.
func checkMessage(err error) string {
	if ae, ok := db.Outage(err); ok {
		return ae.Reason + ": " + err.Error()
	}
	return err.Error()
}

// DatabaseChecks are the database's readiness checks: it answers, and its
// migrations are exactly those of this binary (clean, not behind, not newer).
func DatabaseChecks(d *db.DB) []Check {
	return []Check{
		{Name: "database", Run: d.Ping},
		{Name: "migrations", Run: d.CheckCurrent},
	}
}
