package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Shutdown says how Serve stops once its context ends.
type Shutdown struct {
	// Health turns /readyz to 503 first (may be nil).
	Health *Health
	// Drain is how long the server keeps serving after readiness failed,
	// so that load balancers see it and send nothing new.
	Drain time.Duration
	// Grace is how long in-flight requests then get to finish.
	Grace time.Duration
	Log   *slog.Logger
}

// Serve runs srv on ln until ctx ends, then stops gracefully: /readyz fails,
// after Drain keep-alives are disabled and srv.Shutdown closes the listener
// and idle connections and waits up to Grace for in-flight requests. What is
// still running then has its context cancelled and its connection closed: a
// streamed response fails visibly rather than ending early as a success.
// The returned error is nil after a clean stop.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, s Shutdown) error {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	// Requests run under their own context, cancelled only when the grace
	// is over, not when the shutdown begins.
	reqCtx, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRequests()
	srv.BaseContext = func(net.Listener) context.Context { return reqCtx }

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	if s.Health != nil {
		s.Health.Drain()
	}
	s.Log.Info("shutting down: readiness failing", "drain", s.Drain.String(), "grace", s.Grace.String())
	time.Sleep(s.Drain)
	srv.SetKeepAlivesEnabled(false)
	sctx, cancel := context.WithTimeout(context.Background(), s.Grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		s.Log.Warn("shutdown grace over: cancelling the requests still running", "grace", s.Grace.String())
		cancelRequests()
		cerr := srv.Close()
		return errors.Join(fmt.Errorf("shutdown: requests still running after %s were cut", s.Grace), cerr)
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	s.Log.Info("stopped")
	return nil
}
