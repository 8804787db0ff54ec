package synth

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"
)

// sqliteMaxParams is SQLite's bound-parameter limit (SQLITE_MAX_VARIABLE_NUMBER).
const sqliteMaxParams = 32766

// maxBatchRows caps the rows of one multi-row INSERT on SQLite.
const maxBatchRows = 500

// loader writes rows into one transaction: COPY on PostgreSQL, batched
// multi-row INSERTs on SQLite. It counts rows per table.
type loader struct {
	ctx     context.Context
	dialect string
	tx      *sql.Tx
	counts  *tally
	prog    *progress
}

// tableWriter streams the rows of one table.
type tableWriter struct {
	l     *loader
	table string
	cols  []string
	// PostgreSQL: the COPY statement.
	copy *sql.Stmt
	// SQLite: the pending rows' values and the full-batch statement.
	buf     []any
	batch   *sql.Stmt
	perStmt int
	n       int
}

// open starts writing rows of table with the given columns.
func (l *loader) open(table string, cols ...string) (*tableWriter, error) {
	w := &tableWriter{l: l, table: table, cols: cols}
	if l.dialect == dialect.Postgres {
		st, err := l.tx.PrepareContext(l.ctx, pq.CopyIn(table, cols...))
		if err != nil {
			return nil, fmt.Errorf("copy into %s: %w", table, err)
		}
		w.copy = st
		return w, nil
	}
	w.perStmt = min(sqliteMaxParams/len(cols), maxBatchRows)
	w.buf = make([]any, 0, w.perStmt*len(cols))
	return w, nil
}

func insertSQL(table string, cols []string, rows int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO ")
	sb.WriteString(table)
	sb.WriteString(" (")
	sb.WriteString(strings.Join(cols, ", "))
	sb.WriteString(") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for i := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(one)
	}
	return sb.String()
}

// writeTable opens table, lets fill write its rows and closes it.
func (l *loader) writeTable(table string, cols []string, fill func(w *tableWriter) error) error {
	w, err := l.open(table, cols...)
	if err != nil {
		return err
	}
	if err := fill(w); err != nil {
		return err
	}
	return w.close()
}

// row writes one row; vals are in the order of the columns.
func (w *tableWriter) row(vals ...any) error {
	if len(vals) != len(w.cols) {
		return fmt.Errorf("%s: %d values for %d columns", w.table, len(vals), len(w.cols))
	}
	w.n++
	if w.copy != nil {
		if _, err := w.copy.ExecContext(w.l.ctx, vals...); err != nil {
			return fmt.Errorf("copy into %s: %w", w.table, err)
		}
		return nil
	}
	w.buf = append(w.buf, vals...)
	if len(w.buf) == cap(w.buf) {
		return w.flush()
	}
	return nil
}

func (w *tableWriter) flush() error {
	rows := len(w.buf) / len(w.cols)
	if rows == 0 {
		return nil
	}
	var err error
	if rows == w.perStmt {
		if w.batch == nil {
			if w.batch, err = w.l.tx.PrepareContext(w.l.ctx, insertSQL(w.table, w.cols, rows)); err != nil {
				return fmt.Errorf("insert into %s: %w", w.table, err)
			}
		}
		_, err = w.batch.ExecContext(w.l.ctx, w.buf...)
	} else {
		_, err = w.l.tx.ExecContext(w.l.ctx, insertSQL(w.table, w.cols, rows), w.buf...)
	}
	if err != nil {
		return fmt.Errorf("insert into %s: %w", w.table, err)
	}
	w.buf = w.buf[:0]
	return nil
}

// close writes what is pending and adds the rows to the counts.
func (w *tableWriter) close() error {
	var err error
	if w.copy != nil {
		if _, err = w.copy.ExecContext(w.l.ctx); err == nil {
			err = w.copy.Close()
		}
	} else {
		err = w.flush()
		if w.batch != nil {
			if cerr := w.batch.Close(); err == nil {
				err = cerr
			}
		}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", w.table, err)
	}
	w.l.counts.add(w.table, w.n)
	return nil
}

// nullable turns zero values into NULL.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(i int) any {
	if i == 0 {
		return nil
	}
	return i
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// jsonStrings encodes a JSON array of strings (a JSON column's text).
func jsonStrings(xs []string) string {
	b, _ := json.Marshal(xs)
	return string(b)
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own plain values are encoded
	}
	return string(b)
}

// reservePostgres takes n ids of table's identity sequence for explicit
// use and returns the first. It runs in a transaction of its own that locks
// the table against inserts (SHARE ROW EXCLUSIVE: reads go on) for the few
// statements it takes, so no other session draws an id inside the range;
// the sequence then continues after it. Sequences are not transactional: a
// failed load leaves the range unused, which is harmless.
func reservePostgres(ctx context.Context, db *sql.DB, table string, n int) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.ExecContext(ctx, "LOCK TABLE "+pq.QuoteIdentifier(table)+" IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		return 0, fmt.Errorf("reserve ids of %s: %w", table, err)
	}
	var seq string
	var maxID, next int
	if err := tx.QueryRowContext(ctx, "SELECT pg_get_serial_sequence($1, 'id')", table).Scan(&seq); err != nil {
		return 0, fmt.Errorf("reserve ids of %s: %w", table, err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+pq.QuoteIdentifier(table)).Scan(&maxID); err != nil {
		return 0, fmt.Errorf("reserve ids of %s: %w", table, err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT nextval($1)", seq).Scan(&next); err != nil {
		return 0, fmt.Errorf("reserve ids of %s: %w", table, err)
	}
	start := max(next, maxID+1)
	if n > 0 {
		if _, err := tx.ExecContext(ctx, "SELECT setval($1, $2)", seq, start+n-1); err != nil {
			return 0, fmt.Errorf("reserve ids of %s: %w", table, err)
		}
	}
	return start, tx.Commit()
}

// nextSQLite returns the first free id of an AUTOINCREMENT table: after
// both the sequence (which starts at the table's global-id range) and any
// row. Inserting explicit ids advances sqlite_sequence, so the ids stay
// taken; the caller's write transaction keeps other writers out meanwhile.
func nextSQLite(ctx context.Context, tx *sql.Tx, table string) (int, error) {
	var seq, maxID int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0)", table).Scan(&seq); err != nil {
		return 0, fmt.Errorf("next id of %s: %w", table, err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+table).Scan(&maxID); err != nil {
		return 0, fmt.Errorf("next id of %s: %w", table, err)
	}
	return max(seq, maxID) + 1, nil
}
