package reqctx

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
)

func TestStartCarriesTheRequestAndItsLoggers(t *testing.T) {
	var buf bytes.Buffer
	base := slog.New(slog.NewJSONHandler(&buf, nil))
	line := func() map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", buf.String(), err)
		}
		buf.Reset()
		return m
	}
	ctx, req := Start(context.Background(), "rid-1", "10.0.0.1", base)
	if RequestID(ctx) != "rid-1" || ClientIP(ctx) != "10.0.0.1" {
		t.Fatalf("id %q, address %q", RequestID(ctx), ClientIP(ctx))
	}
	CountStatement(ctx)
	CountStatement(ctx)
	if req.Statements.Load() != 2 {
		t.Fatalf("statements %d, want 2", req.Statements.Load())
	}

	Logger(ctx).Info("a")
	if m := line(); m["request_id"] != "rid-1" || m["user_id"] != nil {
		t.Fatalf("request logger wrote %v", m)
	}
	user := WithLoggerAttrs(ctx, "user_id", 7, "tenant_id", 3)
	Logger(user).Info("b")
	if m := line(); m["request_id"] != "rid-1" || m["user_id"] != float64(7) || m["tenant_id"] != float64(3) {
		t.Fatalf("user logger wrote %v", m)
	}
	// The request's own logger stays without the user, as the request line wants.
	req.Logger().Info("c")
	if m := line(); m["request_id"] != "rid-1" || m["user_id"] != nil {
		t.Fatalf("request line logger wrote %v", m)
	}
	// Built once, the same logger for concurrent callers.
	var wg sync.WaitGroup
	got := make([]*slog.Logger, 8)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = Logger(user) }()
	}
	wg.Wait()
	for _, l := range got {
		if l != got[0] {
			t.Fatal("the lazy logger was built twice")
		}
	}

	// Values set later take precedence, as with context.WithValue.
	inner := WithLogger(WithClientIP(WithRequestID(user, "rid-2"), "10.0.0.2"), base)
	if RequestID(inner) != "rid-2" || ClientIP(inner) != "10.0.0.2" || Logger(inner) != base {
		t.Fatalf("inner values: %q %q", RequestID(inner), ClientIP(inner))
	}
	if RequestID(user) != "rid-1" {
		t.Fatal("a child's value leaked to its parent")
	}
	// More pairs than kept inline: built at once.
	many := WithLoggerAttrs(ctx, "a", 1, "b", 2, "c", 3)
	Logger(many).Info("d")
	if m := line(); m["c"] != float64(3) || m["request_id"] != "rid-1" {
		t.Fatalf("logger with many attributes wrote %v", m)
	}
	if Logger(context.Background()) != slog.Default() {
		t.Fatal("outside a request the default logger")
	}
}
