package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dutychain/dutychain/internal/apperr"
)

// Outage returns the UNAVAILABLE error a client should see when err is a
// failure of the storage rather than of the request — the database cannot be
// reached, restarts or refuses connections (reason DATABASE_UNAVAILABLE), or
// the database or file store is full or read-only (reason STORAGE_FULL) —
// and false for any other error. Retrying later may succeed; the client's
// token and input are not at fault.
func Outage(err error) (*apperr.Error, bool) {
	if err == nil {
		return nil, false
	}
	switch {
	case storageFull(err):
		return &apperr.Error{Code: apperr.Unavailable, Reason: apperr.ReasonStorageFull,
			Message: "the server's storage is full or read-only; try again later", Err: err}, true
	case databaseDown(err):
		return &apperr.Error{Code: apperr.Unavailable, Reason: apperr.ReasonDatabaseUnavailable,
			Message: "the database is unavailable; try again shortly", Err: err}, true
	}
	return nil, false
}

// storageFull reports a full or read-only disk, from PostgreSQL (class 53100
// disk_full, 25006 read-only transaction), SQLite (SQLITE_FULL,
// SQLITE_READONLY) or the operating system (ENOSPC, EROFS, EDQUOT).
func storageFull(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return pqErr.Code == "53100" || pqErr.Code == "25006"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() & 0xff { // primary result code
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY:
			return true
		}
		return false
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EDQUOT)
}

// databaseDown reports a database that cannot serve now: no connection
// (refused, reset, dropped mid-statement), PostgreSQL shutting down or
// starting up (class 57P), out of connections or memory (class 53), a
// connection exception (class 08), or SQLite locked or unable to open its
// file past the busy timeout.
func databaseDown(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		class := string(pqErr.Code.Class())
		return class == "08" || class == "53" || strings.HasPrefix(string(pqErr.Code), "57P")
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return true
		}
		return false
	}
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &opErr):
		return true
	case errors.As(err, &netErr) && netErr.Timeout() && !errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return false
}
