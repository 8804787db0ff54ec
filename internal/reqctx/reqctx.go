// Package reqctx carries per-request facts (request id, client address)
// through the context, for logging and auditing.
package reqctx

import (
	"context"
	"log/slog"
)

type key int

const (
	requestIDKey key = iota
	clientIPKey
)

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	switch v := ctx.Value(requestIDKey).(type) {
	case string:
		return v
	case *Request:
		return v.ID
	}
	return ""
}

// WithClientIP returns ctx carrying the client's address.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey, ip)
}

// ClientIP returns the client's address in ctx, or "".
func ClientIP(ctx context.Context) string {
	switch v := ctx.Value(clientIPKey).(type) {
	case string:
		return v
	case *Request:
		return v.ClientIP
	}
	return ""
}

type loggerKey struct{}

// WithLogger returns ctx carrying the request's logger.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// Logger returns the request's logger, or the default logger.
func Logger(ctx context.Context) *slog.Logger {
	return LoggerOr(ctx, slog.Default())
}

// LoggerOr returns the request's logger, or fallback outside a request.
func LoggerOr(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	switch l := ctx.Value(loggerKey{}).(type) {
	case *slog.Logger:
		return l
	case *lazyLogger:
		return l.logger()
	}
	return fallback
}
