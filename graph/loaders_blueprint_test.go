package graph

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/ent"
)

func TestRequestLoadersAreCopiesThatShareNothing(t *testing.T) {
	ctx := context.Background()
	bp := newLoaderBlueprint(nil) // no fetch runs: only primed keys are read
	first, second := bp.fresh(), bp.fresh()

	t.Run("a key primed in one request's loader is not in another's", func(t *testing.T) {
		require.True(t, first.users.Prime(ctx, 1, &ent.User{ID: 1}))
		require.False(t, first.users.Prime(ctx, 1, &ent.User{ID: 1}), "primed once")
		require.True(t, second.users.Prime(ctx, 1, &ent.User{ID: 1}), "the other request starts empty")
		require.True(t, first.hz.posts.Prime(ctx, 7, &ent.Post{ID: 7}))
		require.True(t, second.hz.posts.Prime(ctx, 7, &ent.Post{ID: 7}))
	})
	t.Run("the blueprint itself is never used", func(t *testing.T) {
		require.Nil(t, bp.users.l)
		require.Nil(t, bp.hz.posts.l)
		require.Nil(t, bp.allowed.supervisedOnce)
	})
	t.Run("concurrent first uses of a loader get the same one", func(t *testing.T) {
		l := bp.fresh()
		got := make([]any, 32)
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i] = l.signatures.loader.loader(ctx) })
		}
		wg.Wait()
		for _, g := range got {
			require.Same(t, got[0], g)
		}
	})
	t.Run("the supervised departments are read once per request", func(t *testing.T) {
		l := bp.fresh()
		calls := 0
		var mu sync.Mutex
		l.allowed.loadSupervised = func(context.Context) (map[int][]int, error) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			return map[int][]int{3: {4}}, nil
		}
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				m, err := l.allowed.supervised(ctx)
				assert.NoError(t, err)
				assert.Equal(t, []int{4}, m[3])
			})
		}
		wg.Wait()
		require.Equal(t, 1, calls)
		other := bp.fresh()
		other.allowed.loadSupervised = l.allowed.loadSupervised
		_, _ = other.allowed.supervised(ctx)
		require.Equal(t, 2, calls, "another request reads its own")
	})
}
