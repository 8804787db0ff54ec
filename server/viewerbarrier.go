package server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/reqctx"
)

// ViewerBarrier is what a request that changed viewers waits for before it
// answers (authz.ViewerBarrier over the primary).
type ViewerBarrier func(ctx context.Context) error

// viewerBarrier notes whether the request wrote users, posts, sessions, units
// or tenants (authz.NoteStatement) and, if it did, runs the barrier before
// the first byte of the response: once a caller has the answer, every
// replica serves the change. Without a barrier (one process, the embedded
// database) it does nothing.
func viewerBarrier(barrier ViewerBarrier, waited prometheus.Observer, next http.Handler) http.Handler {
	if barrier == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			// A websocket upgrade needs http.Hijacker, and server-sent
			// events start the response before the operation runs:
			// mutations sent either way wait in barrierPerMutation.
			next.ServeHTTP(w, r)
			return
		}
		ctx, changes := authz.TrackViewerChanges(r.Context())
		r = r.WithContext(ctx)
		bw := &beforeFirstByte{ResponseWriter: w, before: func() {
			if changes.Wrote() {
				runBarrier(ctx, barrier, waited)
			}
		}}
		next.ServeHTTP(bw, r)
		bw.once.Do(bw.before)
	})
}

// beforeFirstByte runs before just before the response starts (or when the
// handler returns without writing): the read routing's headers, the viewer
// barrier.
type beforeFirstByte struct {
	http.ResponseWriter
	before func()
	once   sync.Once
}

// WriteHeader runs before, then writes the status.
func (w *beforeFirstByte) WriteHeader(status int) {
	w.once.Do(w.before)
	w.ResponseWriter.WriteHeader(status)
}

// Write runs before ahead of the first byte.
func (w *beforeFirstByte) Write(b []byte) (int, error) {
	w.once.Do(w.before)
	return w.ResponseWriter.Write(b)
}

// Flush runs before, then flushes a streamed response.
func (w *beforeFirstByte) Flush() {
	w.once.Do(w.before)
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *beforeFirstByte) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// runBarrier waits for barrier and records the wait.
func runBarrier(ctx context.Context, barrier ViewerBarrier, waited prometheus.Observer) {
	start := time.Now()
	if err := barrier(ctx); err != nil {
		// It waited a whole lease instead: every replica has the change.
		reqctx.Logger(ctx).WarnContext(ctx, "viewer barrier not confirmed; waited a whole lease", "err", err)
	}
	if waited != nil {
		waited.Observe(time.Since(start).Seconds())
	}
}

// barrierPerMutation runs the barrier after each mutation that changed
// viewers and arrived without the HTTP middleware's tracking: over a
// websocket, where one connection carries many operations, or as
// server-sent events, whose response starts before the operation runs.
func barrierPerMutation(barrier ViewerBarrier, waited prometheus.Observer) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if authz.TrackingViewerChanges(ctx) || oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
			return next(ctx)
		}
		ctx, changes := authz.TrackViewerChanges(ctx)
		responses := next(ctx)
		var once sync.Once
		return func(ctx context.Context) *graphql.Response {
			r := responses(ctx)
			// Streaming transports call again until nil: wait once, before
			// the first answer.
			if r != nil && changes.Wrote() {
				once.Do(func() { runBarrier(ctx, barrier, waited) })
			}
			return r
		}
	}
}

// ObserveViewerBarrier adds the histogram of barrier waits and returns it.
func (m *Metrics) ObserveViewerBarrier() prometheus.Observer {
	waits := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "dutychain_viewer_barrier_seconds",
		Help:    "How long requests that changed users, posts, sessions or units waited for every replica holding a viewer lease to apply the change before answering.",
		Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	})
	m.registry.MustRegister(waits)
	return waits
}

// ObserveViewerWatch adds the viewer watch's state (authz.ViewerWatch).
func (m *Metrics) ObserveViewerWatch(watch *authz.ViewerWatch) {
	counter := func(name, help string, f func(authz.WatchStats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(f(watch.Stats())) })
	}
	m.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dutychain_viewer_watch_fresh",
			Help: "1 while this replica holds its viewer lease and serves kept viewers without reading their generations; 0 while it reads them on each request.",
		}, func() float64 {
			if watch.Fresh() {
				return 1
			}
			return 0
		}),
		counter("dutychain_viewer_watch_renewals_total", "Viewer lease renewals completed (every quarter of the lease).", func(s authz.WatchStats) uint64 { return s.Renewals }),
		counter("dutychain_viewer_watch_lapses_total", "Times the viewer lease ended before it was renewed (a lost listener, a slow database).", func(s authz.WatchStats) uint64 { return s.Lapses }),
		counter("dutychain_viewer_watch_resets_total", "Times every kept viewer was made stale (the listener reconnected and may have missed changes).", func(s authz.WatchStats) uint64 { return s.Resets }),
	)
}
