package tasks

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func ids(ts []Task) []int {
	out := make([]int, len(ts))
	for i, t := range ts {
		out[i] = t.ObjectID
	}
	return out
}

func TestOrderFilterAndPaging(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	day := func(d int) *time.Time { x := now.AddDate(0, 0, d); return &x }
	all := []Task{
		New(PlanToApprove, "APPROVE", "", nil, nil, 1, now),
		New(HazardOverdue, "SUPERVISE", "", day(-3), nil, 2, now),
		New(LetterToSign, "SIGN", "", day(10), nil, 3, now),
		New(CertificateExpiring, "UPDATE", "", day(-3), nil, 4, now),
	}
	t.Run("by due date, earliest first and undated last, then kind", func(t *testing.T) {
		ts := append([]Task(nil), all...)
		Sort(ts, Order{})
		require.Equal(t, []int{2, 4, 3, 1}, ids(ts))
	})
	t.Run("by kind in the enum's order", func(t *testing.T) {
		ts := append([]Task(nil), all...)
		Sort(ts, Order{ByKind: true})
		require.Equal(t, []int{3, 2, 4, 1}, ids(ts))
	})
	t.Run("a task is overdue when its due date has passed", func(t *testing.T) {
		yes := true
		var kept []int
		for _, x := range all {
			if (Filter{Overdue: &yes}).Keep(x) {
				kept = append(kept, x.ObjectID)
			}
		}
		require.Equal(t, []int{2, 4}, kept)
	})
	t.Run("pages follow their cursors forwards and backwards", func(t *testing.T) {
		two := 2
		p, err := Paginate(all, PageArgs{First: &two})
		require.NoError(t, err)
		require.Equal(t, []int{1, 2}, ids(p.Tasks))
		require.True(t, p.HasNextPage)
		require.Equal(t, 4, p.Total)
		p, err = Paginate(all, PageArgs{First: &two, After: Cursor(1)})
		require.NoError(t, err)
		require.Equal(t, []int{3, 4}, ids(p.Tasks))
		require.False(t, p.HasNextPage)
		require.True(t, p.HasPreviousPage)
		p, err = Paginate(all, PageArgs{Last: &two, Before: Cursor(3)})
		require.NoError(t, err)
		require.Equal(t, []int{2, 3}, ids(p.Tasks))
		_, err = Paginate(all, PageArgs{After: "bogus"})
		require.Error(t, err)
	})
}
