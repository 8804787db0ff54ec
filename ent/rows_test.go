package ent

import (
	"testing"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqlgraph"
	"entgo.io/ent/schema/field"
	"github.com/stretchr/testify/require"
)

func TestNodeBlocks(t *testing.T) {
	blockSizes := func(limit *int, n int) []int {
		b := newNodeBlocks[Hazard](limit)
		var sizes []int
		seen := map[*Hazard]bool{}
		for range n {
			h := b.take()
			require.False(t, seen[h], "every node is its own")
			require.Zero(t, h.ID, "a node starts zero")
			seen[h] = true
			h.ID = len(seen)
			if len(b.block) == 1 { // a new block
				sizes = append(sizes, cap(b.block))
			}
		}
		for h := range seen {
			require.NotZero(t, h.ID, "a later take leaves earlier nodes alone")
		}
		return sizes
	}
	limit := func(n int) *int { return &n }
	t.Run("a query without a limit grows from one node, doubling to a ceiling", func(t *testing.T) {
		sizes := blockSizes(nil, 1000)
		require.Equal(t, []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 256, 256}, sizes[:11])
	})
	t.Run("a First or Only query holds no more than its limit", func(t *testing.T) {
		require.Equal(t, []int{1}, blockSizes(limit(1), 1))
		require.Equal(t, []int{2}, blockSizes(limit(2), 2))
	})
	t.Run("a page starts with a small block", func(t *testing.T) {
		require.Equal(t, []int{8, 16}, blockSizes(limit(21), 21))
		require.Equal(t, []int{8}, blockSizes(limit(21), 4))
	})
}

func TestRowHolders(t *testing.T) {
	columns := []string{"id", "name", "at"}
	calls := 0
	standard := func([]string) ([]any, error) {
		calls++
		return []any{new(sql.NullInt64), new(sql.NullString), new(sql.NullTime)}, nil
	}
	t.Run("rows after the first scan into the first's holders when Scan overwrites them whole", func(t *testing.T) {
		var h rowHolders
		first, err := h.scan(columns, standard)
		require.NoError(t, err)
		second, err := h.scan(columns, standard)
		require.NoError(t, err)
		require.Same(t, first[1], second[1])
		require.Equal(t, 1, calls)
	})
	t.Run("a []byte holder is new for every row: a nillable bytes field keeps it", func(t *testing.T) {
		var h rowHolders
		withBytes := func([]string) ([]any, error) {
			return []any{new(sql.NullInt64), new([]byte), new(sql.NullTime)}, nil
		}
		first, err := h.scan(columns, withBytes)
		require.NoError(t, err)
		kept := first[1]
		second, err := h.scan(columns, withBytes)
		require.NoError(t, err)
		require.NotSame(t, kept, second[1])
		require.Same(t, first[0], second[0], "the others are reused")
	})
	t.Run("a holder of another type makes every row's holders new", func(t *testing.T) {
		var h rowHolders
		custom := func([]string) ([]any, error) {
			return []any{new(sql.NullInt64), new(sql.UnknownType), new(sql.NullTime)}, nil
		}
		first, err := h.scan(columns, custom)
		require.NoError(t, err)
		second, err := h.scan(columns, custom)
		require.NoError(t, err)
		require.NotSame(t, first[1], second[1])
		require.NotSame(t, first[0], second[0])
	})
}

func TestQualifiedColumnIsWhatEntsSelectorWrites(t *testing.T) {
	for _, d := range []string{dialect.Postgres, dialect.SQLite} {
		s := sql.Dialect(d).Select().From(sql.Dialect(d).Table("hazards"))
		want := s.C("state")
		require.Equal(t, want, qualifiedColumn(d, "hazards", "state"))
		require.Equal(t, want, s.C(qualifiedColumn(d, "hazards", "state")), "ent leaves a qualified name as it is")
	}
	t.Run("a query of its own selector or with modifiers keeps ent's path", func(t *testing.T) {
		columns := []string{"id", "state"}
		spec := sqlgraph.NewQuerySpec("hazards", columns, sqlgraph.NewFieldSpec("id", field.TypeInt))
		spec.Modifiers = []func(*sql.Selector){func(*sql.Selector) {}}
		qualifyColumns(spec, dialect.Postgres)
		require.Equal(t, []string{"id", "state"}, spec.Node.Columns)
		spec.Modifiers = nil
		qualifyColumns(spec, dialect.Postgres)
		require.Equal(t, []string{`"hazards"."id"`, `"hazards"."state"`}, spec.Node.Columns)
		require.Equal(t, []string{"id", "state"}, columns, "the package's own slice is left alone")
	})
}
