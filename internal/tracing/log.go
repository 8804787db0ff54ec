package tracing

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"

	"github.com/dutychain/dutychain/internal/reqctx"
)

// Logger returns l with every line logged with a context stamped with that
// context's trace_id and span_id (when it carries a span) and request_id
// (when l does not already carry one). Wrapping twice is harmless.
func Logger(l *slog.Logger) *slog.Logger {
	if _, ok := l.Handler().(logHandler); ok {
		return l
	}
	return slog.New(logHandler{inner: l.Handler()})
}

// logHandler adds the request's ids to each record.
type logHandler struct {
	inner slog.Handler
	// hasRequestID: request_id is already among the handler's attributes.
	hasRequestID bool
}

func (h logHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx == nil {
		return h.inner.Handle(ctx, r)
	}
	var add []slog.Attr
	if !h.hasRequestID {
		if id := reqctx.RequestID(ctx); id != "" {
			add = append(add, slog.String("request_id", id))
		}
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		add = append(add, slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	if len(add) > 0 {
		r = r.Clone()
		r.AddAttrs(add...)
	}
	return h.inner.Handle(ctx, r)
}

func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	has := h.hasRequestID
	for _, a := range attrs {
		has = has || a.Key == "request_id"
	}
	return logHandler{inner: h.inner.WithAttrs(attrs), hasRequestID: has}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{inner: h.inner.WithGroup(name), hasRequestID: h.hasRequestID}
}
