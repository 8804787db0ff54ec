package ent

import (
	"sync"

	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqlgraph"
)

// nodeBlocks hands out the nodes one query scans, from blocks that double in
// size, instead of one allocation per row: ent/entc.go (rowsInBlocksAndHolders)
// rewrites every generated sqlAll to take its nodes here. A block lives as
// long as any of its nodes, so the first block of a query with a limit (a
// page, First, Only) is no larger than the limit, and small.
type nodeBlocks[T any] struct {
	block []T
	size  int // of the next block
}

// Sizes of the blocks: the first at most firstBlock (or the query's limit),
// each next one twice the last, up to maxBlock.
const (
	firstBlock = 8
	maxBlock   = 256
)

// newNodeBlocks returns the blocks of a query with the given limit (nil:
// none; its first block holds one node).
func newNodeBlocks[T any](limit *int) nodeBlocks[T] {
	size := 1
	if limit != nil && *limit > 0 {
		size = min(*limit, firstBlock)
	}
	return nodeBlocks[T]{size: size}
}

// take returns a zero node.
func (b *nodeBlocks[T]) take() *T {
	if len(b.block) == cap(b.block) {
		b.block = make([]T, 0, b.size)
		b.size = min(2*b.size, maxBlock)
	}
	b.block = b.block[:len(b.block)+1]
	return &b.block[len(b.block)-1]
}

// rowHolders lets the rows after a query's first scan into the holders
// scanValues made for the first, instead of a new holder per column per
// row: ent/entc.go (rowsInBlocksAndHolders) rewrites every generated sqlAll
// to scan through it. database/sql overwrites a NullString, NullInt64,
// NullTime, NullBool or NullFloat64 holder whole on every Scan, and
// assignValues copies what it reads out of them, so nothing of one row
// stays in them for the next. A []byte holder gets a new one for every row:
// assignValues keeps the holder itself for a nillable bytes field
// (SigningKey.SealedPrivateKey). A query with any other holder (a custom
// scanner, a column ent does not know, which sqlgraph swaps and
// assignValues keeps) gets new holders for every row, as before.
type rowHolders struct {
	values   []any
	bytes    []int // indexes of the []byte holders, new for every row
	reusable bool
}

// scan returns the holders of a row of columns.
func (h *rowHolders) scan(columns []string, scanValues func([]string) ([]any, error)) ([]any, error) {
	if h.reusable && len(h.values) == len(columns) {
		for _, i := range h.bytes {
			h.values[i] = new([]byte)
		}
		return h.values, nil
	}
	values, err := scanValues(columns)
	if err != nil {
		return nil, err
	}
	if h.values == nil {
		h.values, h.reusable = values, true
		for i, v := range values {
			switch v.(type) {
			case *sql.NullString, *sql.NullInt64, *sql.NullTime, *sql.NullBool, *sql.NullFloat64:
			case *[]byte:
				h.bytes = append(h.bytes, i)
			default:
				h.reusable = false
			}
		}
	}
	return values, nil
}

// qualifyColumns gives the columns a query selects their table's
// qualification and quoting ahead of ent's selector, from a cache:
// ent's Selector.C builds `"hazards"."state"` afresh for every column of
// every query (three or four allocations each) and leaves a name that is
// already qualified as it is. ent/entc.go (rowsInBlocksAndHolders) calls it
// in every generated sqlAll. A query reading from a selector of its own
// (From), with modifiers (which may wrap it and select unqualified names)
// or in a named schema keeps ent's own path; rows come back under their
// bare column names either way.
func qualifyColumns(spec *sqlgraph.QuerySpec, dialect string) {
	if spec.From != nil || len(spec.Modifiers) > 0 || spec.Node.Schema != "" || len(spec.Node.Columns) == 0 {
		return
	}
	qualified := make([]string, len(spec.Node.Columns)) // Columns may be the package's own slice
	for i, c := range spec.Node.Columns {
		qualified[i] = qualifiedColumn(dialect, spec.Node.Table, c)
	}
	spec.Node.Columns = qualified
}

type qualifiedKey struct{ dialect, table, column string }

// qualifiedColumns caches qualifiedColumn: as many entries as the schema
// has columns per dialect.
var qualifiedColumns struct {
	mu    sync.RWMutex
	names map[qualifiedKey]string
}

// qualifiedColumn is column of table as ent's selector writes it.
func qualifiedColumn(dialect, table, column string) string {
	k := qualifiedKey{dialect, table, column}
	qualifiedColumns.mu.RLock()
	name, ok := qualifiedColumns.names[k]
	qualifiedColumns.mu.RUnlock()
	if ok {
		return name
	}
	name = sql.Dialect(dialect).Select().From(sql.Dialect(dialect).Table(table)).C(column) // as sqlgraph builds it
	qualifiedColumns.mu.Lock()
	if qualifiedColumns.names == nil {
		qualifiedColumns.names = make(map[qualifiedKey]string)
	}
	qualifiedColumns.names[k] = name
	qualifiedColumns.mu.Unlock()
	return name
}
