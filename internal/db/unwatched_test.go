package db_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/reqctx"
	"github.com/dutychain/dutychain/internal/testdb"
)

// TestQueryUnwatched checks the read the viewer cache runs on every request.
func TestQueryUnwatched(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		one := func(rows *sql.Rows) error {
			for rows.Next() {
				var n int
				if err := rows.Scan(&n); err != nil {
					return err
				}
			}
			return rows.Err()
		}
		tests := []struct {
			name string
			run  func(t *testing.T)
		}{
			{"a read is counted in the request's statements", func(t *testing.T) {
				ctx, n := reqctx.WithStatementCounter(context.Background())
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				require.NoError(t, d.QueryUnwatched(ctx, "SELECT 1", one))
				require.Equal(t, int64(1), n.Load())
			}},
			{"a request that already ended gets no connection", func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				err := d.QueryUnwatched(ctx, "SELECT 1", one)
				require.ErrorIs(t, err, context.Canceled)
			}},
			{"a request waiting for a connection of a full pool leaves when its context ends", func(t *testing.T) {
				held := make([]*sql.Conn, 0, 32)
				defer func() {
					for _, c := range held {
						require.NoError(t, c.Close())
					}
				}()
				before := d.SQL.Stats().MaxOpenConnections
				d.SQL.SetMaxOpenConns(2)
				defer d.SQL.SetMaxOpenConns(before)
				for range 2 {
					c, err := d.SQL.Conn(context.Background())
					require.NoError(t, err)
					held = append(held, c)
				}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- d.QueryUnwatched(ctx, "SELECT 1", one) }()
				cancel()
				require.ErrorIs(t, <-done, context.Canceled)
			}},
			{"an error of scan is returned as is", func(t *testing.T) {
				err := d.QueryUnwatched(context.Background(), "SELECT 1", func(*sql.Rows) error { return sql.ErrNoRows })
				require.ErrorIs(t, err, sql.ErrNoRows)
			}},
			{"a failing statement is an error naming the database", func(t *testing.T) {
				err := d.QueryUnwatched(context.Background(), "SELECT no_such_column FROM no_such_table", one)
				require.ErrorContains(t, err, d.String())
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, tt.run)
		}
	})
}
