package tracing_test

import (
	"context"
	"testing"

	"entgo.io/ent/dialect"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/tracing"
)

// BenchmarkGraphQLRequest times one authenticated GraphQL request (a page
// of hazards with a resolver field per node) on SQLite with tracing off and
// on (every span kept by an in-memory exporter, so "on" is the upper bound
// of the SDK's cost; OTLP export happens in a background batch).
func BenchmarkGraphQLRequest(b *testing.B) {
	for _, mode := range []struct {
		name     string
		endpoint string
	}{{"tracing off", ""}, {"tracing on", "http://127.0.0.1:4318"}} {
		b.Run(mode.name, func(b *testing.B) {
			rec := tracetest.NewInMemoryExporter()
			cfg := config.DefaultTracing
			cfg.OTLPEndpoint = mode.endpoint
			stop, err := tracing.Setup(context.Background(), cfg, tracing.WithExporter(rec))
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = stop(context.Background()) }()
			ts, _ := tracedServer(b, dialect.SQLite)
			token := login(b, ts)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				post(b, ts, token, "bench", hazardsQuery, nil)
				if i%100 == 99 {
					rec.Reset()
				}
			}
		})
	}
}
