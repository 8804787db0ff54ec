package tracing_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/app"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
	"github.com/dutychain/dutychain/internal/tracing"
)

// syncBuffer collects log output written from the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines are the JSON log lines written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// tracedServer serves the demo tenants with logs into a buffer; the
// database is opened now, so it is traced only if tracing is on.
func tracedServer(t testing.TB, dialect string) (*httptest.Server, *syncBuffer) {
	t.Helper()
	d := apitest.Demo.Open(t, dialect)
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.JWTKeySecret = apitest.TestKeySecret
	cfg.RateLimits.Enabled = false
	logs := &syncBuffer{}
	a, err := app.New(context.Background(), cfg, d, slog.New(slog.NewJSONHandler(logs, nil)), nil)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	ts := httptest.NewServer(a.Handler)
	t.Cleanup(ts.Close)
	return ts, logs
}

// post sends one GraphQL request with the given request id and returns the
// decoded data.
func post(t testing.TB, ts *httptest.Server, token, requestID, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-ID", requestID)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("response %s: %v", b, err)
	}
	return out.Data
}

func login(t testing.TB, ts *httptest.Server) string {
	t.Helper()
	data := post(t, ts, "", "login-1", `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{"tenant": "demo", "username": "admin", "password": seed.DemoPassword}})
	return data["login"].(map[string]any)["accessToken"].(string)
}

const hazardsQuery = `query FirstHazards { hazards(first: 2) { totalCount edges { node { id allowedActions } } } }`

// requestLine is the request's access log line.
func requestLine(t *testing.T, logs *syncBuffer, requestID string) map[string]any {
	t.Helper()
	for _, l := range logs.lines(t) {
		if l["msg"] == "request" && l["request_id"] == requestID {
			return l
		}
	}
	t.Fatalf("no request log line with request_id %s", requestID)
	return nil
}

// The test of tracing off comes first: it also builds the demo template
// untraced.
func TestTracingOffRecordsNoSpan(t *testing.T) {
	rec := tracetest.NewInMemoryExporter()
	stop, err := tracing.Setup(context.Background(), config.DefaultTracing, tracing.WithExporter(rec))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stop(context.Background()) }()
	if tracing.Enabled() {
		t.Fatal("tracing is on without an endpoint")
	}
	for _, dl := range testdb.Dialects(t) {
		t.Run("a GraphQL request on "+testdb.Name(dl)+" makes no span and logs no trace id", func(t *testing.T) {
			ts, logs := tracedServer(t, dl)
			post(t, ts, login(t, ts), "untraced-1", hazardsQuery, nil)
			if spans := rec.GetSpans(); len(spans) != 0 {
				t.Fatalf("%d spans recorded with tracing off, first %q", len(spans), spans[0].Name)
			}
			if line := requestLine(t, logs, "untraced-1"); line["trace_id"] != nil {
				t.Fatalf("log line has a trace id with tracing off: %v", line)
			}
		})
	}
}

func TestTracingOneRequestIsOneTraceWithItsRequestID(t *testing.T) {
	rec := tracetest.NewInMemoryExporter()
	cfg := config.DefaultTracing
	cfg.OTLPEndpoint = "http://127.0.0.1:4318"
	stop, err := tracing.Setup(context.Background(), cfg, tracing.WithExporter(rec))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stop(context.Background()) }()
	for _, dl := range testdb.Dialects(t) {
		t.Run("a GraphQL request on "+testdb.Name(dl)+" traces HTTP, operation, resolvers and SQL under its id", func(t *testing.T) {
			ts, logs := tracedServer(t, dl)
			token := login(t, ts)
			rec.Reset()
			const id = "trace-test-1"
			post(t, ts, token, id, hazardsQuery, nil)
			spans := rec.GetSpans()
			if len(spans) == 0 {
				t.Fatal("no span recorded")
			}
			traceID := spans[0].SpanContext.TraceID()
			var httpSpan trace.SpanID
			kinds := map[string]int{}
			for _, s := range spans {
				if s.SpanContext.TraceID() != traceID {
					t.Errorf("span %q is in trace %s, want the request's %s", s.Name, s.SpanContext.TraceID(), traceID)
				}
				got := ""
				for _, a := range s.Attributes {
					if a.Key == tracing.RequestIDKey {
						got = a.Value.AsString()
					}
				}
				if got != id {
					t.Errorf("span %q has request id %q, want %q", s.Name, got, id)
				}
				switch {
				case s.Name == "POST graphql" && s.SpanKind == trace.SpanKindServer:
					kinds["http"]++
					httpSpan = s.SpanContext.SpanID()
				case s.Name == "query FirstHazards":
					kinds["operation"]++
				case s.Name == "Query.hazards" || s.Name == "Hazard.allowedActions":
					kinds["resolver"]++
				case strings.HasPrefix(s.Name, "sql."):
					kinds["sql"]++
				}
			}
			for _, k := range []string{"http", "operation", "resolver", "sql"} {
				if kinds[k] == 0 {
					t.Errorf("no %s span among %d spans: %v", k, len(spans), spanNames(spans))
				}
			}
			if kinds["http"] != 1 || kinds["operation"] != 1 {
				t.Errorf("want one HTTP and one operation span, got %v", kinds)
			}
			line := requestLine(t, logs, id)
			if line["trace_id"] != traceID.String() || line["span_id"] != httpSpan.String() {
				t.Errorf("request log line has trace %v span %v, want %s %s", line["trace_id"], line["span_id"], traceID, httpSpan)
			}
		})
	}
}

func spanNames(spans tracetest.SpanStubs) []string {
	var names []string
	for _, s := range spans {
		names = append(names, s.Name)
	}
	return names
}
