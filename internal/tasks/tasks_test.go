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
		ts := append([]Task(nil), all...) // in the order of ids: 1 (undated) … as given
		o := Order{ByKind: true}
		Sort(ts, o) // 3, 2, 4, 1
		p, err := Paginate(ts, PageArgs{First: &two}, o)
		require.NoError(t, err)
		require.Equal(t, []int{3, 2}, ids(p.Tasks))
		require.True(t, p.HasNextPage)
		require.Equal(t, 4, p.Total)
		p, err = Paginate(ts, PageArgs{First: &two, After: CursorOf(ts[1])}, o)
		require.NoError(t, err)
		require.Equal(t, []int{4, 1}, ids(p.Tasks))
		require.False(t, p.HasNextPage)
		require.True(t, p.HasPreviousPage)
		p, err = Paginate(ts, PageArgs{Last: &two, Before: CursorOf(ts[3])}, o)
		require.NoError(t, err)
		require.Equal(t, []int{2, 4}, ids(p.Tasks))
		for _, bad := range []string{"bogus", CursorOf(Task{Kind: "NOT_A_KIND"})} {
			_, err = Paginate(ts, PageArgs{After: bad}, o)
			require.Error(t, err, bad)
		}
	})
	t.Run("a page after a cursor does not shift when tasks appear or go before it", func(t *testing.T) {
		two := 2
		o := Order{}
		ts := append([]Task(nil), all...)
		Sort(ts, o) // 2, 4, 3, 1
		p, err := Paginate(ts, PageArgs{First: &two}, o)
		require.NoError(t, err)
		require.Equal(t, []int{2, 4}, ids(p.Tasks))
		after := CursorOf(p.Tasks[1])
		// Between the two requests task 2 is done and task 4 too (the
		// cursor's own task), and an earlier task appears.
		changed := []Task{ts[2], ts[3], New(HazardOverdue, "SUPERVISE", "", day(-9), nil, 5, now)}
		Sort(changed, o)
		p, err = Paginate(changed, PageArgs{First: &two, After: after}, o)
		require.NoError(t, err)
		require.Equal(t, []int{3, 1}, ids(p.Tasks), "the next page is still the tasks after 4")
		require.True(t, p.HasPreviousPage)
	})
	t.Run("descending order pages backwards through the same keys", func(t *testing.T) {
		two := 2
		o := Order{Desc: true}
		ts := append([]Task(nil), all...)
		Sort(ts, o) // 1, 3, 4, 2
		require.Equal(t, []int{1, 3, 4, 2}, ids(ts))
		p, err := Paginate(ts, PageArgs{First: &two, After: CursorOf(ts[1])}, o)
		require.NoError(t, err)
		require.Equal(t, []int{4, 2}, ids(p.Tasks))
	})
}
