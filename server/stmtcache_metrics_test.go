package server_test

import (
	"strconv"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/db"
)

// TestPreparedStatementsAreExported checks that /metrics reports the
// PostgreSQL statement cache: the same page asked twice reuses its
// statements on PostgreSQL; SQLite prepares none through it.
func TestPreparedStatementsAreExported(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		token := loginFresh(t, s, "county.head")
		before := db.StatementCache()
		for range 3 {
			s.MustDo(token, `{ hazards(first: 5) { totalCount edges { node { id state } } } }`, nil)
		}
		after := db.StatementCache()
		if s.DB.Dialect == dialect.Postgres {
			require.Greater(t, after.Hits, before.Hits, "a page asked again reuses its prepared statements")
		}
		_, body := getAdmin(t, s, "/metrics")
		now := db.StatementCache()
		for _, m := range []struct {
			name     string
			from, to uint64
		}{
			{`dutychain_sql_prepared_statements_total{use="reused"}`, after.Hits, now.Hits},
			{`dutychain_sql_prepared_statements_total{use="prepared"}`, after.Prepares, now.Prepares},
			{"dutychain_sql_prepared_statement_evictions_total", after.Evictions, now.Evictions},
		} {
			got, err := strconv.ParseUint(metric(string(body), m.name), 10, 64)
			require.NoError(t, err, "%s is exported", m.name)
			require.True(t, m.from <= got && got <= m.to, "%s = %d, between %d and %d", m.name, got, m.from, m.to)
		}
	})
}
