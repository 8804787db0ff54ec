package tracing

import (
	"database/sql"
	"database/sql/driver"
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
	sdb, err := otelsql.Open(driverName, dsn, sqlOptions(driverName)...)
	if err != nil {
		return nil, fmt.Errorf("open traced %s database: %w", driverName, err)
	}
	return sdb, nil
}

// OpenConnector is sql.OpenDB for a connector of driverName, traced as
// OpenDB is.
func OpenConnector(driverName string, c driver.Connector) *sql.DB {
	if !Enabled() {
		return sql.OpenDB(c)
	}
	return otelsql.OpenDB(c, sqlOptions(driverName)...)
}

func sqlOptions(driverName string) []otelsql.Option {
	system := semconv.DBSystemNamePostgreSQL
	if driverName == "sqlite" {
		system = semconv.DBSystemNameSQLite
	}
	return []otelsql.Option{
		otelsql.WithTracerProvider(Provider()),
		otelsql.WithAttributes(system),
		otelsql.WithSpanOptions(otelsql.SpanOptions{OmitConnResetSession: true, OmitRows: true, DisableErrSkip: true}),
	}
}
