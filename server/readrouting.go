package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/reqctx"
)

const (
	// ReadAfterHeader carries the WAL position of the caller's last write:
	// answered after every request that wrote, and sent back by clients that
	// keep no cookies so that their reads see their own writes on any replica.
	ReadAfterHeader = "Dutychain-Read-After"
	// ReadAfterCookie is ReadAfterHeader as a cookie, for browsers and other
	// clients that keep cookies.
	ReadAfterCookie = "dutychain_read_after"
	// ReadSourceHeader says where a routed read went: "replica", or
	// "primary; <reason>".
	ReadSourceHeader = "Dutychain-Read-Source"
)

// readAfterMaxAge is how long a client keeps the cookie: longer than any
// lag the replica may have before reads leave it anyway.
const readAfterMaxAge = 60

// readRouting tracks the request for read routing (see db.Reads): it reads
// the caller's last write position (header, else cookie) and, when the
// request wrote, answers the primary's WAL position before the first byte
// of the response: every server replica then knows what the caller's next
// reads must see. Without a replica it does nothing.
func readRouting(reads *db.Reads, next http.Handler) http.Handler {
	if !reads.Configured() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			// A subscription reads on the primary, and the upgrade needs
			// the server's own writer (http.Hijacker).
			next.ServeHTTP(w, r)
			return
		}
		ctx, q := db.Track(r.Context(), readAfter(r))
		lw := &lsnHeaders{ResponseWriter: w, ctx: ctx, secure: r.TLS != nil, reads: reads, request: q}
		bw := &beforeFirstByte{ResponseWriter: w, before: lw.headers}
		next.ServeHTTP(bw, r.WithContext(ctx))
		bw.once.Do(bw.before)
	})
}

// readAfter is the write position the request names, 0 when none or garbled.
func readAfter(r *http.Request) db.LSN {
	v := r.Header.Get(ReadAfterHeader)
	if v == "" {
		if c, err := r.Cookie(ReadAfterCookie); err == nil {
			v = c.Value
		}
	}
	lsn, _ := db.ParseLSN(v)
	return lsn
}

// lsnHeaders adds the read routing headers to its writer (run by
// beforeFirstByte).
type lsnHeaders struct {
	http.ResponseWriter
	ctx     context.Context
	secure  bool
	reads   *db.Reads
	request *db.Request
}

func (w *lsnHeaders) headers() {
	h := w.Header()
	if s := w.request.Source(); s != "" {
		h.Set(ReadSourceHeader, s)
	}
	if !w.request.Wrote() {
		return
	}
	lsn, err := w.reads.WriteLSN(w.ctx)
	if err != nil {
		// The write is done; without its position the caller's next reads
		// may go to a replica that has not replayed it yet.
		reqctx.Logger(w.ctx).WarnContext(w.ctx, "read-your-writes position unknown", "err", err)
		return
	}
	h.Set(ReadAfterHeader, lsn.String())
	http.SetCookie(w.ResponseWriter, &http.Cookie{
		Name: ReadAfterCookie, Value: lsn.String(), Path: "/", MaxAge: readAfterMaxAge,
		HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteLaxMode,
	})
}

// readOnly runs an HTTP export on the replica when the routing allows it.
func readOnly(reads *db.Reads, h http.HandlerFunc) http.HandlerFunc {
	if !reads.Configured() {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		h(w, r.WithContext(reads.ForRead(r.Context())))
	}
}

// routeQueries sends the reads of query operations to the replica when the
// routing allows it; mutations (and their reads) stay on the primary.
func routeQueries(reads *db.Reads) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Query {
			ctx = reads.ForRead(ctx)
		}
		return next(ctx)
	}
}

// ObserveReads adds the read replica's metrics: whether reads may use it,
// its lag, and where routed reads went.
func (m *Metrics) ObserveReads(reads *db.Reads) {
	if !reads.Configured() {
		return
	}
	m.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dutychain_db_replica_healthy",
			Help: "1 while read-only requests may use the read replica; 0 while they fall back to the primary.",
		}, func() float64 { return replicaGauge(reads) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dutychain_db_replica_lag_seconds",
			Help: "How long ago the primary reached a WAL position the read replica has not replayed yet.",
		}, func() float64 { return reads.Status().Lag.Seconds() }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_db_routed_reads_total", ConstLabels: prometheus.Labels{"target": "replica"},
			Help: "Read-only operations and exports by the database that served them.",
		}, func() float64 { return routedReads(reads, "replica") }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_db_routed_reads_total", ConstLabels: prometheus.Labels{"target": "primary"},
			Help: "Read-only operations and exports by the database that served them.",
		}, func() float64 { return routedReads(reads, "primary") }),
	)
}

// replicaGauge is 1 when reads may use the replica, else 0.
func replicaGauge(reads *db.Reads) float64 {
	return float64(map[bool]int{true: 1}[reads.Status().Healthy])
}

// routedReads is the count of routed reads that went to target.
func routedReads(reads *db.Reads, target string) float64 {
	replica, primary := reads.Routed()
	if target == "replica" {
		return float64(replica)
	}
	return float64(primary)
}
