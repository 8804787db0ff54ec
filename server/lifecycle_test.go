package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestShutdownDrainsThenFinishesInFlightWorkAndCutsWhatOverruns runs a real
// server and stops it while a short request and an endless stream run.
func TestShutdownDrainsThenFinishesInFlightWorkAndCutsWhatOverruns(t *testing.T) {
	// Long enough that a loaded machine's scheduling delays (the readiness
	// request must be answered within the drain, the slow request must
	// still run when it ends) fit in them many times over.
	const drain, grace = time.Second, 2 * time.Second
	health := &Health{}
	streaming, slowStarted := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("GET /readyz", health)
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(slowStarted)
		time.Sleep(2 * drain) // still running when keep-alives are turned off
		_, _ = io.WriteString(w, "done")
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		close(streaming)
		for {
			if _, err := io.WriteString(w, "row\n"); err != nil {
				abortStream(r.Context(), "test stream", err)
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				abortStream(r.Context(), "test stream", r.Context().Err())
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() {
		served <- Serve(ctx, srv, ln, Shutdown{Health: health, Drain: drain, Grace: grace, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	}()

	res, err := http.Get(base + "/readyz")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)

	type result struct {
		res  *http.Response
		body string
		err  error
	}
	get := func(path string, out chan<- result) {
		res, err := http.Get(base + path)
		if err != nil {
			out <- result{err: err}
			return
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		out <- result{res: res, body: string(b), err: err}
	}
	slow, stream := make(chan result, 1), make(chan result, 1)
	go get("/stream", stream)
	<-streaming
	go get("/slow", slow)
	<-slowStarted // the slow request is in flight
	stop()        // SIGTERM

	t.Run("readiness fails first, while requests are still served", func(t *testing.T) {
		time.Sleep(drain / 3)
		res, err := http.Get(base + "/readyz")
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
		var body readyBody
		require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
		require.Equal(t, "draining", body.Status)
	})
	t.Run("an in-flight request finishes, told to close its connection", func(t *testing.T) {
		r := <-slow
		require.NoError(t, r.err)
		require.Equal(t, http.StatusOK, r.res.StatusCode)
		require.Equal(t, "done", r.body)
		require.True(t, r.res.Close, "keep-alive is off during shutdown")
	})
	t.Run("a stream that outlives the grace fails visibly instead of ending as a success", func(t *testing.T) {
		r := <-stream
		require.Error(t, r.err, "the body must not end cleanly")
		require.ErrorIs(t, r.err, io.ErrUnexpectedEOF)
	})
	t.Run("serve reports the cut requests and the listener is closed", func(t *testing.T) {
		select {
		case err := <-served:
			require.ErrorContains(t, err, "cut")
		case <-time.After(5 * time.Second):
			t.Fatal("Serve did not return")
		}
		_, err := http.Get(base + "/readyz")
		require.Error(t, err)
	})
}
