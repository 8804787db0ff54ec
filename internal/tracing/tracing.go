// Package tracing gives the server OpenTelemetry traces: a span for each
// HTTP request, GraphQL operation, resolver and SQL statement, exported by
// OTLP/HTTP when an endpoint is configured. Off (the default), nothing is
// wrapped and no span is created. Every span of a request carries its
// request id, and every log line of a request its trace and span ids.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/reqctx"
)

// RequestIDKey is the span attribute holding the request id (the
// X-Request-ID answered to the client and the request_id of the logs).
const RequestIDKey = attribute.Key("request.id")

// instrumentation names the tracer of this module's own spans.
const instrumentation = "github.com/dutychain/dutychain"

// current is the installed provider; nil while tracing is off.
var current atomic.Pointer[sdktrace.TracerProvider]

// Enabled reports whether tracing is on. The server, the database and the
// GraphQL handler ask it once, when they are built: a database opened or a
// handler built while tracing is off stays untraced.
func Enabled() bool { return current.Load() != nil }

// Provider is the installed tracer provider, or a no-op one while off.
func Provider() trace.TracerProvider {
	if tp := current.Load(); tp != nil {
		return tp
	}
	return noop.NewTracerProvider()
}

// tracer is this module's tracer.
func tracer() trace.Tracer { return Provider().Tracer(instrumentation) }

// Option adjusts Setup (tests give their own exporter).
type Option func(*setup)

type setup struct {
	exporter sdktrace.SpanExporter
	syncer   bool
}

// WithExporter sends spans to e instead of the OTLP endpoint, synchronously
// (each span is exported when it ends): for tests with an in-memory exporter.
func WithExporter(e sdktrace.SpanExporter) Option {
	return func(s *setup) { s.exporter, s.syncer = e, true }
}

// Setup installs tracing as cfg says and returns the function that flushes
// and uninstalls it. With no endpoint it installs nothing and returns a
// no-op. The provider also becomes OpenTelemetry's global one, so libraries
// instrumented with it (the file store's bucket client) join the traces.
func Setup(ctx context.Context, cfg config.Tracing, opts ...Option) (shutdown func(context.Context) error, err error) {
	if cfg.OTLPEndpoint == "" {
		return func(context.Context) error { return nil }, nil
	}
	var s setup
	for _, o := range opts {
		o(&s)
	}
	exp := s.exporter
	if exp == nil {
		endpoint, err := tracesURL(cfg.OTLPEndpoint)
		if err != nil {
			return nil, err
		}
		if exp, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint)); err != nil {
			return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
		}
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(cfg.ServiceName)),
		resource.WithFromEnv(), // OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	export := sdktrace.WithBatcher(exp)
	if s.syncer {
		export = sdktrace.WithSyncer(exp)
	}
	tp := sdktrace.NewTracerProvider(
		export,
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SampleRatio))),
		sdktrace.WithSpanProcessor(requestIDStamper{}),
	)
	current.Store(tp)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return func(ctx context.Context) error {
		current.CompareAndSwap(tp, nil)
		otel.SetTracerProvider(noop.NewTracerProvider())
		if err := tp.Shutdown(ctx); err != nil {
			return fmt.Errorf("tracing: flush spans: %w", err)
		}
		return nil
	}, nil
}

// tracesURL is the OTLP/HTTP traces URL under the collector's base URL,
// as OTEL_EXPORTER_OTLP_ENDPOINT is defined (base URL + /v1/traces).
func tracesURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("tracing: OTLP endpoint %q: want http(s)://host:port", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/traces"
	return u.String(), nil
}

// requestIDStamper puts the request id of the parent context on every span
// started under a request (resolvers, SQL statements, the file store).
type requestIDStamper struct{}

func (requestIDStamper) OnStart(parent context.Context, s sdktrace.ReadWriteSpan) {
	if id := reqctx.RequestID(parent); id != "" {
		s.SetAttributes(RequestIDKey.String(id))
	}
}

func (requestIDStamper) OnEnd(sdktrace.ReadOnlySpan)      {}
func (requestIDStamper) Shutdown(context.Context) error   { return nil }
func (requestIDStamper) ForceFlush(context.Context) error { return nil }

// TagRequest puts the request id on the request's span, which starts before
// the id is known.
func TagRequest(ctx context.Context, id string) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(RequestIDKey.String(id))
	}
}
