package db_test

import (
	"context"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
)

func TestOutageTellsStorageFailuresFromRequestErrors(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	tests := []struct {
		name   string
		err    error
		reason string // "": not an outage
	}{
		{"a refused connection is DATABASE_UNAVAILABLE", fmt.Errorf("load user 1: %w", refused), apperr.ReasonDatabaseUnavailable},
		{"a bad pooled connection is DATABASE_UNAVAILABLE", driver.ErrBadConn, apperr.ReasonDatabaseUnavailable},
		{"PostgreSQL shutting down (57P01) is DATABASE_UNAVAILABLE", &pq.Error{Code: "57P01"}, apperr.ReasonDatabaseUnavailable},
		{"PostgreSQL starting up (57P03) is DATABASE_UNAVAILABLE", &pq.Error{Code: "57P03"}, apperr.ReasonDatabaseUnavailable},
		{"too many clients (53300) is DATABASE_UNAVAILABLE", &pq.Error{Code: "53300"}, apperr.ReasonDatabaseUnavailable},
		{"a connection exception (08006) is DATABASE_UNAVAILABLE", &pq.Error{Code: "08006"}, apperr.ReasonDatabaseUnavailable},
		{"PostgreSQL's disk full (53100) is STORAGE_FULL", &pq.Error{Code: "53100"}, apperr.ReasonStorageFull},
		{"a read-only transaction (25006) is STORAGE_FULL", &pq.Error{Code: "25006"}, apperr.ReasonStorageFull},
		{"ENOSPC from the file store is STORAGE_FULL", fmt.Errorf("files: sync: %w", &os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}), apperr.ReasonStorageFull},
		{"a read-only file system is STORAGE_FULL", &os.PathError{Op: "open", Path: "x", Err: syscall.EROFS}, apperr.ReasonStorageFull},
		{"a unique violation is not an outage", &pq.Error{Code: "23505"}, ""},
		{"not found is not an outage", &ent.NotFoundError{}, ""},
		{"a plain error is not an outage", errors.New("boom"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae, ok := db.Outage(tt.err)
			if tt.reason == "" {
				require.False(t, ok, "%v", ae)
				return
			}
			require.True(t, ok)
			require.Equal(t, apperr.Unavailable, ae.Code)
			require.Equal(t, tt.reason, ae.Reason)
			require.ErrorIs(t, ae, tt.err, "the cause is kept for the log")
		})
	}
}

// closingServer listens like PostgreSQL, reads each client's startup packet
// and closes the connection without an answer, as a server that is shutting
// down or restarting can; it returns a URL that points at it.
func closingServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			var size [4]byte
			if _, err := io.ReadFull(c, size[:]); err == nil {
				_, _ = io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint32(size[:]))-4)
			}
			c.Close()
		}
	}()
	return "postgres://dutychain@" + ln.Addr().String() + "/closing?sslmode=disable&connect_timeout=5"
}

func TestAServerClosingTheConnectionDuringStartupIsAnOutage(t *testing.T) {
	for _, size := range []int{0, db.DefaultStatementCache} {
		t.Run(fmt.Sprintf("with a statement cache of %d, opening the database fails as DATABASE_UNAVAILABLE", size), func(t *testing.T) {
			_, err := db.Open(context.Background(), closingServer(t), "", db.WithStatementCache(size))
			require.Error(t, err)
			require.NotErrorIs(t, err, io.EOF, "lib/pq's bare EOF is not what reaches the error mapping")
			ae, down := db.Outage(err)
			require.True(t, down, "%v", err)
			require.Equal(t, apperr.ReasonDatabaseUnavailable, ae.Reason)
			require.ErrorIs(t, err, driver.ErrBadConn)
		})
	}
}
