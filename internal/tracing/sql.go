package tracing

import (
	"database/sql"
	"fmt"

	"github.com/XSAM/otelsql"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// OpenDB is sql.Open for driverName ("sqlite" or "postgres"), with a span
// per statement, transaction and new connection while tracing is on. The
// statement's text is recorded (arguments are not).
func OpenDB(driverName, dsn string) (*sql.DB, error) {
	if !Enabled() {
		return sql.Open(driverName, dsn)
	}
	system := semconv.DBSystemNamePostgreSQL
	if driverName == "sqlite" {
		system = semconv.DBSystemNameSQLite
	}
	sdb, err := otelsql.Open(driverName, dsn,
		otelsql.WithTracerProvider(Provider()),
		otelsql.WithAttributes(system),
		otelsql.WithSpanOptions(otelsql.SpanOptions{OmitConnResetSession: true, OmitRows: true, DisableErrSkip: true}),
	)
	if err != nil {
		return nil, fmt.Errorf("open traced %s database: %w", driverName, err)
	}
	return sdb, nil
}
