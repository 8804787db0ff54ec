package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/server/graphiql"
)

// Metrics are the server's Prometheus metrics, in a registry of their own so
// that two servers in one process (tests) do not collide. The public handler
// records them; the admin handler serves them.
type Metrics struct {
	registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	statements *prometheus.HistogramVec
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dutychain_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dutychain_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		statements: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dutychain_sql_statements_per_request",
			Help:    "SQL statements one HTTP request ran, by route.",
			Buckets: []float64{1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, 100},
		}, []string{"route"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.statements,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_sql_statements_total",
			Help: "SQL statements sent by this process.",
		}, func() float64 { return float64(db.Statements()) }),
		preparedStatements("reused", func(s db.StatementCacheStats) uint64 { return s.Hits }),
		preparedStatements("prepared", func(s db.StatementCacheStats) uint64 { return s.Prepares }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_sql_prepared_statement_evictions_total",
			Help: "Prepared statements closed to keep each PostgreSQL connection within statement-cache.",
		}, func() float64 { return float64(db.StatementCache().Evictions) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_authz_decisions_total",
			Help: "Per-object authorization decisions (casbin) made by this process; reads make none per row.",
		}, func() float64 { return float64(authz.Decisions()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// preparedStatements counts the PostgreSQL statements with arguments sent
// with the given use of the connection's statement cache.
func preparedStatements(use string, f func(db.StatementCacheStats) uint64) prometheus.Collector {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "dutychain_sql_prepared_statements_total", ConstLabels: prometheus.Labels{"use": use},
		Help: "PostgreSQL statements with arguments sent through the statement cache, by whether the connection had them prepared (reused) or prepared them (prepared); a text's first use on a connection is in neither.",
	}, func() float64 { return float64(f(db.StatementCache())) })
}

// ObserveViewers adds the viewer cache's counters: requests served from a
// kept viewer, viewers read again (first request, a change, a post starting
// or ending), viewers dropped over the bound, and the viewers kept.
func (m *Metrics) ObserveViewers(c *authz.ViewerCache) {
	counter := func(answer string, f func(authz.ViewerCacheStats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_viewer_cache_total", ConstLabels: prometheus.Labels{"answer": answer},
			Help: "Authenticated requests by how the viewer cache answered: hit (the kept viewer) or reload (read again).",
		}, func() float64 { return float64(f(c.Stats())) })
	}
	m.registry.MustRegister(
		counter("hit", func(s authz.ViewerCacheStats) uint64 { return s.Hits }),
		counter("reload", func(s authz.ViewerCacheStats) uint64 { return s.Reloads }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_viewer_cache_unread_hits_total",
			Help: "Viewer cache hits served without reading the viewer's generations, under the replica's viewer lease (part of the hits).",
		}, func() float64 { return float64(c.Stats().Unread) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_viewer_cache_evictions_total",
			Help: "Viewers dropped from the viewer cache over its bound (read again on their next request).",
		}, func() float64 { return float64(c.Stats().Evictions) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dutychain_viewer_cache_size",
			Help: "Viewers (user sessions) the viewer cache keeps.",
		}, func() float64 { return float64(c.Stats().Size) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_viewer_generation_reads_total",
			Help: "Statements reading viewer generations; concurrent requests share one (compare with dutychain_viewer_generation_requests_total).",
		}, func() float64 { return float64(c.Stats().GenerationReads) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_viewer_generation_requests_total",
			Help: "Requests whose viewer generations were read (each authenticated request with a kept viewer).",
		}, func() float64 { return float64(c.Stats().GenerationRequests) }),
	)
}

// ObserveTokens adds how access tokens were checked: accepted from memory
// (remembered: time claims and key rechecked) or fully verified, the tokens
// dropped over the bound, and the tokens remembered.
func (m *Metrics) ObserveTokens(t *auth.Tokens) {
	counter := func(check string, f func(auth.TokenStats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_access_tokens_total", ConstLabels: prometheus.Labels{"check": check},
			Help: "Access tokens checked, by how: remembered (verified before in this process) or verified (signature and claims).",
		}, func() float64 { return float64(f(t.Stats())) })
	}
	m.registry.MustRegister(
		counter("remembered", func(s auth.TokenStats) uint64 { return s.Remembered }),
		counter("verified", func(s auth.TokenStats) uint64 { return s.Verified }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dutychain_access_tokens_evictions_total",
			Help: "Remembered access tokens dropped over the bound (verified again on their next use).",
		}, func() float64 { return float64(t.Stats().Evictions) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dutychain_access_tokens_remembered",
			Help: "Access tokens remembered as verified in this process.",
		}, func() float64 { return float64(t.Stats().Size) }),
	)
}

// handler serves the registry in the Prometheus text format.
func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// observe records one finished request.
func (m *Metrics) observe(route string, status int, elapsed time.Duration, statements int64) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(elapsed.Seconds())
	m.statements.WithLabelValues(route).Observe(float64(statements))
}

// routeOf keeps the label set small: known routes by name, the rest "other".
func routeOf(path string) string {
	switch {
	case path == "/graphql":
		return "graphql"
	case strings.HasPrefix(path, "/files/"):
		return "files"
	case strings.HasPrefix(path, "/export/"):
		return "export"
	case strings.HasPrefix(path, "/reports/"):
		return "reports"
	case path == "/" || strings.HasPrefix(path, graphiql.AssetsPath):
		return "playground"
	default:
		return "other"
	}
}
