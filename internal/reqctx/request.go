package reqctx

import (
	"context"
	"log/slog"
	"sync/atomic"
)

// Request is what a request carries for logging and auditing: its id, its
// client's address, its statement counter and its logger, all in one context
// value (one allocation instead of one per fact) by Start.
type Request struct {
	// ID is the request id.
	ID string
	// ClientIP is the client's address.
	ClientIP string
	// Statements counts the SQL statements run on the request's behalf.
	Statements atomic.Int64
	log        lazyLogger
}

// Start returns ctx carrying a new request with id and client address ip,
// whose logger is base with request_id=id, built only when first asked for
// (a request that logs nothing pays nothing for it). Values set on the
// returned context or its children with WithRequestID, WithClientIP,
// WithLogger or WithStatementCounter take precedence, as usual.
func Start(ctx context.Context, id, ip string, base *slog.Logger) (context.Context, *Request) {
	c := &requestCtx{Context: ctx}
	r := &c.r
	r.ID, r.ClientIP = id, ip
	r.log.base = base
	r.log.args = [4]any{"request_id", id}
	r.log.n = 2
	return c, r
}

// Logger is the request's logger: its base with request_id.
func (r *Request) Logger() *slog.Logger { return r.log.logger() }

// requestCtx answers a Request's keys (the package's own, so nobody else
// asks for them).
type requestCtx struct {
	context.Context
	r Request
}

func (c *requestCtx) Value(key any) any {
	switch key {
	case requestIDKey, clientIPKey:
		return &c.r
	case statementsKey{}:
		return &c.r.Statements
	case loggerKey{}:
		return &c.r.log
	}
	return c.Context.Value(key)
}

// WithLoggerAttrs returns ctx whose logger is ctx's with args (key-value
// pairs as slog.Logger.With takes them, at most two pairs), built only
// when first asked for.
func WithLoggerAttrs(ctx context.Context, args ...any) context.Context {
	c := &loggerCtx{Context: ctx}
	switch p := ctx.Value(loggerKey{}).(type) {
	case *slog.Logger:
		c.l.base = p
	case *lazyLogger:
		c.l.parent = p
	default:
		c.l.base = slog.Default()
	}
	if len(args) > len(c.l.args) {
		c.l.built.Store(c.l.parentLogger().With(args...))
		return c
	}
	c.l.n = copy(c.l.args[:], args)
	return c
}

type loggerCtx struct {
	context.Context
	l lazyLogger
}

func (c *loggerCtx) Value(key any) any {
	if key == (loggerKey{}) {
		return &c.l
	}
	return c.Context.Value(key)
}

// lazyLogger is a logger With args, made on first use.
type lazyLogger struct {
	base   *slog.Logger
	parent *lazyLogger
	args   [4]any
	n      int
	built  atomic.Pointer[slog.Logger]
}

func (l *lazyLogger) parentLogger() *slog.Logger {
	if l.parent != nil {
		return l.parent.logger()
	}
	return l.base
}

func (l *lazyLogger) logger() *slog.Logger {
	if b := l.built.Load(); b != nil {
		return b
	}
	b := l.parentLogger().With(l.args[:l.n]...)
	if l.built.CompareAndSwap(nil, b) {
		return b
	}
	return l.built.Load()
}
