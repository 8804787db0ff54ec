package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/testdb"
)

// openPostgresWithCache opens a fresh, empty PostgreSQL database whose
// connections keep up to size statements prepared.
func openPostgresWithCache(t *testing.T, size int) *db.DB {
	t.Helper()
	ctx := context.Background()
	u, drop, err := db.ScratchPostgresCopy(ctx, os.Getenv(testdb.EnvPostgresURL), "dc_stmt_", "")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, drop(context.Background())) })
	d, err := db.Open(ctx, u, "", db.WithStatementCache(size))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, d.Close()) })
	return d
}

// preparedOn lists the statements the session of conn has prepared.
func preparedOn(t *testing.T, conn *sql.Conn) []string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), "SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

func scalar(t *testing.T, conn *sql.Conn, query string, args ...any) (int, error) {
	t.Helper()
	var n int
	err := conn.QueryRowContext(context.Background(), query, args...).Scan(&n)
	return n, err
}

// survivesInvalidation runs query, lets a change invalidate its prepared
// statement on the server, and checks that outside a transaction the next
// use answers want at once, that inside one the use fails (the error has
// aborted the transaction) and the use after it answers, and that the
// session ends with the statement prepared once.
func survivesInvalidation(t *testing.T, conn *sql.Conn, query string, arg, want int, changes [2]string) {
	t.Helper()
	ctx := context.Background()
	for round, inTx := range []bool{false, true} {
		for range 2 { // the second time prepares it
			_, err := scalar(t, conn, query, arg)
			require.NoError(t, err)
		}
		_, err := conn.ExecContext(ctx, changes[round])
		require.NoError(t, err)
		if inTx {
			tx, err := conn.BeginTx(ctx, nil)
			require.NoError(t, err)
			var n int
			require.Error(t, tx.QueryRowContext(ctx, query, arg).Scan(&n), "inside a transaction the stale statement fails")
			require.NoError(t, tx.Rollback())
		}
		n, err := scalar(t, conn, query, arg)
		require.NoError(t, err, "in a transaction: %v", inTx)
		require.Equal(t, want, n)
	}
	require.Equal(t, []string{query}, preparedOn(t, conn), "the stale statement is not left behind")
}

// TestPostgresConnectionsKeepStatementsPrepared checks the statement cache
// under lib/pq: a statement with arguments is prepared once per connection
// and then sent in one round trip, within a bound, planned per execution,
// and a statement the server lost or changed is prepared again.
func TestPostgresConnectionsKeepStatementsPrepared(t *testing.T) {
	for _, dl := range testdb.Dialects(t) {
		if dl == dialect.SQLite {
			t.Run("on SQLite no statement goes through the cache", func(t *testing.T) {
				d := testdb.OpenEmpty(t, dl)
				before := db.StatementCache()
				var n int
				require.NoError(t, d.SQL.QueryRowContext(context.Background(), "SELECT ? + 1", 1).Scan(&n))
				require.Equal(t, 2, n)
				require.Equal(t, before, db.StatementCache())
			})
			continue
		}
		ctx := context.Background()
		pin := func(t *testing.T, d *db.DB) *sql.Conn {
			conn, err := d.SQL.Conn(ctx)
			require.NoError(t, err)
			t.Cleanup(func() { conn.Close() })
			return conn
		}
		const q = "SELECT $1::int + 1"
		tests := []struct {
			name string
			run  func(t *testing.T)
		}{
			{"a statement with arguments is sent unnamed once, then prepared and reused", func(t *testing.T) {
				conn := pin(t, openPostgresWithCache(t, 8))
				before := db.StatementCache()
				for i := range 4 {
					n, err := scalar(t, conn, q, i)
					require.NoError(t, err)
					require.Equal(t, i+1, n)
					if i == 0 {
						require.Empty(t, preparedOn(t, conn), "a text sent once is not kept")
					}
				}
				require.Equal(t, []string{q}, preparedOn(t, conn))
				after := db.StatementCache()
				require.GreaterOrEqual(t, after.Prepares-before.Prepares, uint64(1))
				require.GreaterOrEqual(t, after.Hits-before.Hits, uint64(2))
			}},
			{"a statement without arguments is not prepared", func(t *testing.T) {
				conn := pin(t, openPostgresWithCache(t, 8))
				n, err := scalar(t, conn, "SELECT 41 + 1")
				require.NoError(t, err)
				require.Equal(t, 42, n)
				require.Empty(t, preparedOn(t, conn))
			}},
			{"a batch with many arguments is sent unnamed, as lib/pq does", func(t *testing.T) {
				conn := pin(t, openPostgresWithCache(t, 8))
				args := make([]any, 300)
				in := ""
				for i := range args {
					args[i] = i
					if i > 0 {
						in += ","
					}
					in += fmt.Sprintf("$%d::int", i+1)
				}
				n, err := scalar(t, conn, "SELECT count(*) FROM (VALUES ("+strings.ReplaceAll(in, ",", "),(")+")) v", args...)
				require.NoError(t, err)
				require.Equal(t, 300, n)
				require.Empty(t, preparedOn(t, conn))
			}},
			{"every execution is planned for its own arguments", func(t *testing.T) {
				conn := pin(t, openPostgresWithCache(t, 8))
				var mode string
				require.NoError(t, conn.QueryRowContext(ctx, "SHOW plan_cache_mode").Scan(&mode))
				require.Equal(t, "force_custom_plan", mode)
			}},
			{"the least recently used statement is closed beyond the bound", func(t *testing.T) {
				conn := pin(t, openPostgresWithCache(t, 2))
				a, b, c := "SELECT $1::int", "SELECT $1::int + 1", "SELECT $1::int + 2"
				for _, s := range []string{a, a, b, b, a, c, c} {
					_, err := scalar(t, conn, s, 1)
					require.NoError(t, err)
				}
				require.ElementsMatch(t, []string{a, c}, preparedOn(t, conn), "b, the least recently used, made room for c")
			}},
			{"a cache of zero prepares nothing", func(t *testing.T) {
				d := openPostgresWithCache(t, 0)
				conn := pin(t, d)
				n, err := scalar(t, conn, q, 1)
				require.NoError(t, err)
				require.Equal(t, 2, n)
				require.Empty(t, preparedOn(t, conn))
				var mode string
				require.NoError(t, conn.QueryRowContext(ctx, "SHOW plan_cache_mode").Scan(&mode))
				require.Equal(t, "auto", mode, "without the cache the server's default stays")
			}},
			{"a prepared statement serves inside transactions and after a failed one", func(t *testing.T) {
				d := openPostgresWithCache(t, 8)
				_, err := d.SQL.ExecContext(ctx, "CREATE TABLE t (id int PRIMARY KEY)")
				require.NoError(t, err)
				conn := pin(t, d)
				insert := "INSERT INTO t (id) VALUES ($1)"
				_, err = conn.ExecContext(ctx, insert, 1)
				require.NoError(t, err)

				tx, err := conn.BeginTx(ctx, nil)
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, insert, 1)
				var pqErr *pq.Error
				require.True(t, errors.As(err, &pqErr), "%v", err)
				require.Equal(t, pq.ErrorCode("23505"), pqErr.Code, "a duplicate key")
				_, err = tx.ExecContext(ctx, insert, 2)
				require.Error(t, err, "the failed transaction refuses further statements")
				require.NoError(t, tx.Rollback())

				tx, err = conn.BeginTx(ctx, nil)
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, insert, 2)
				require.NoError(t, err)
				require.NoError(t, tx.Commit())
				for range 2 {
					n, err := scalar(t, conn, "SELECT count(*) FROM t WHERE id >= $1", 0)
					require.NoError(t, err)
					require.Equal(t, 2, n)
				}
				require.ElementsMatch(t, []string{insert, "SELECT count(*) FROM t WHERE id >= $1"}, preparedOn(t, conn))
			}},
			{"a statement the server dropped is prepared again on its next use", func(t *testing.T) {
				conn := pin(t, openPostgresWithCache(t, 8))
				survivesInvalidation(t, conn, q, 2, 3, [2]string{"DEALLOCATE ALL", "DEALLOCATE ALL"})
			}},
			{"a statement whose result a schema change altered is prepared again on its next use", func(t *testing.T) {
				conn := pin(t, openPostgresWithCache(t, 8))
				_, err := conn.ExecContext(ctx, "CREATE TABLE s (a int); INSERT INTO s (a) VALUES (7)")
				require.NoError(t, err)
				// "cached plan must not change result type"; the second
				// round changes the type back.
				survivesInvalidation(t, conn, "SELECT * FROM s WHERE a = $1", 7, 7,
					[2]string{"ALTER TABLE s ALTER COLUMN a TYPE bigint", "ALTER TABLE s ALTER COLUMN a TYPE int"})
			}},
			{"a statement cancelled by its context leaves the connection usable", func(t *testing.T) {
				conn := pin(t, openPostgresWithCache(t, 8))
				for range 2 {
					_, err := conn.ExecContext(ctx, "SELECT pg_sleep($1)", 0)
					require.NoError(t, err, "prepared first, so that the cancel meets the kept statement")
				}
				short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
				defer cancel()
				_, err := conn.ExecContext(short, "SELECT pg_sleep($1)", 5)
				require.Error(t, err)
				for i := range 3 {
					n, err := scalar(t, conn, q, i)
					if errors.Is(err, sql.ErrConnDone) || errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("the connection did not survive the cancel: %v", err)
					}
					require.NoError(t, err)
					require.Equal(t, i+1, n)
				}
			}},
			{"a statement sent while another's rows are open is refused and the rows still read", func(t *testing.T) {
				conn := pin(t, openPostgresWithCache(t, 8))
				prepared := "SELECT g FROM generate_series(1, $1::int) g"
				for range 2 {
					rows, err := conn.QueryContext(ctx, prepared, 3)
					require.NoError(t, err)
					require.NoError(t, rows.Close())
				}
				require.Equal(t, []string{prepared}, preparedOn(t, conn))
				for _, first := range []struct {
					query string
					args  []any
				}{
					{prepared, []any{3}}, // kept prepared
					{"SELECT g FROM generate_series(1, $1::int + 0) g", []any{3}}, // sent once: unnamed
					{"SELECT g FROM generate_series(1, 3) g", nil},                // simple protocol
				} {
					tx, err := conn.BeginTx(ctx, nil)
					require.NoError(t, err)
					rows, err := tx.QueryContext(ctx, first.query, first.args...)
					require.NoError(t, err)
					require.True(t, rows.Next())
					_, err = tx.ExecContext(ctx, "SELECT $1::int", 1)
					require.ErrorContains(t, err, "already a query being processed")
					var got []int
					for ok := true; ok; ok = rows.Next() {
						var g int
						require.NoError(t, rows.Scan(&g))
						got = append(got, g)
					}
					require.NoError(t, rows.Err())
					require.Equal(t, []int{1, 2, 3}, got)
					require.NoError(t, tx.Commit())
				}
			}},
			{"a statement with a syntax error is not kept", func(t *testing.T) {
				conn := pin(t, openPostgresWithCache(t, 8))
				for range 2 {
					_, err := scalar(t, conn, "SELEKT $1::int", 1)
					require.Error(t, err)
					_, err = scalar(t, conn, q, 1)
					require.NoError(t, err)
				}
				require.Equal(t, []string{q}, preparedOn(t, conn))
			}},
		}
		for _, tc := range tests {
			t.Run("on PostgreSQL "+tc.name, tc.run)
		}
	}
}

// BenchmarkPostgresStatement is one statement with arguments, a primary-key
// read, sent sequentially over a pool with the statement cache and without
// it: the difference is lib/pq's Parse/Describe round trip.
//
//	./scripts/test.sh ./internal/db -run '^$' -bench PostgresStatement -benchmem
func BenchmarkPostgresStatement(b *testing.B) {
	if os.Getenv(testdb.EnvPostgresURL) == "" {
		b.Skipf("needs PostgreSQL: run with ./scripts/test.sh (%s unset)", testdb.EnvPostgresURL)
	}
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		size int
	}{{"prepared per connection", db.DefaultStatementCache}, {"unnamed, as lib/pq sends it", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			u, drop, err := db.ScratchPostgresCopy(ctx, os.Getenv(testdb.EnvPostgresURL), "dc_stmtb_", "")
			require.NoError(b, err)
			defer func() { require.NoError(b, drop(context.Background())) }()
			d, err := db.Open(ctx, u, "", db.WithStatementCache(bc.size))
			require.NoError(b, err)
			defer d.Close()
			_, err = d.SQL.ExecContext(ctx, `CREATE TABLE t (tenant_id bigint, id bigint, name text, PRIMARY KEY (tenant_id, id));
				INSERT INTO t SELECT 1, g, 'unit ' || g FROM generate_series(1, 1000) g`)
			require.NoError(b, err)
			const q = `SELECT "t"."id", "t"."name" FROM "t" WHERE "t"."tenant_id" = $1 AND "t"."id" = $2`
			var (
				id   int
				name string
			)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := d.SQL.QueryRowContext(ctx, q, 1, i%1000+1).Scan(&id, &name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
