package tracing

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
)

// HTTP wraps next in a server span per request named "<method> <route>"
// (route gives the low-cardinality route of a path), continuing a trace the
// caller sent in traceparent. The probe paths are not traced. While tracing
// is off it returns next itself.
func HTTP(next http.Handler, route func(path string) string, untraced ...string) http.Handler {
	if !Enabled() {
		return next
	}
	skip := map[string]bool{}
	for _, p := range untraced {
		skip[p] = true
	}
	return otelhttp.NewHandler(next, "http",
		otelhttp.WithTracerProvider(Provider()),
		otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})),
		otelhttp.WithFilter(func(r *http.Request) bool { return !skip[r.URL.Path] }),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + route(r.URL.Path) }),
	)
}
