package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/dutychain/dutychain/internal/reqctx"
)

func TestLoggerStampsTheRequestIDOnce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logger func(*slog.Logger) *slog.Logger
	}{
		{"a plain logger gets the id from the context", func(l *slog.Logger) *slog.Logger { return l }},
		{"a logger already carrying the id does not repeat it", func(l *slog.Logger) *slog.Logger { return l.With("request_id", "r-1") }},
		{"wrapping twice changes nothing", func(l *slog.Logger) *slog.Logger { return Logger(l) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := tc.logger(Logger(slog.New(slog.NewJSONHandler(&buf, nil))))
			l.InfoContext(reqctx.WithRequestID(context.Background(), "r-1"), "hello")
			if n := strings.Count(buf.String(), `"request_id"`); n != 1 {
				t.Fatalf("request_id %d times in %s", n, buf.String())
			}
			var m map[string]any
			if err := json.Unmarshal(buf.Bytes(), &m); err != nil || m["request_id"] != "r-1" || m["trace_id"] != nil {
				t.Fatalf("line %s: %v", buf.String(), err)
			}
		})
	}
}

func TestTracesURLAppendsTheTracesPath(t *testing.T) {
	for base, want := range map[string]string{
		"http://collector:4318":       "http://collector:4318/v1/traces",
		"https://otel.example.org/x/": "https://otel.example.org/x/v1/traces",
	} {
		if got, err := tracesURL(base); err != nil || got != want {
			t.Errorf("tracesURL(%q) = %q, %v; want %q", base, got, err, want)
		}
	}
}
