package db_test

import (
	"database/sql/driver"
	"errors"
	"fmt"
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
