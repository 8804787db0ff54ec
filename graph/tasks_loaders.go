package graph

import (
	"context"
	"slices"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
)

// primeUnits loads the units ids through the caller's scope in one
// statement (none without ids); loadUnit then answers from the cache, nil
// for a unit out of scope.
func (l *Loaders) primeUnits(ctx context.Context, ids []int) error {
	ids = distinct(ids)
	if len(ids) == 0 {
		return nil
	}
	us, err := l.fetchUnits(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		l.units.Prime(ctx, id, us[id])
	}
	return nil
}

// primePosts loads the posts ids through the caller's scope in one
// statement (none without ids); loadPost then answers from the cache, nil
// for a post out of scope.
func (l *Loaders) primePosts(ctx context.Context, client *ent.Client, ids []int) error {
	ids = distinct(ids)
	if len(ids) == 0 {
		return nil
	}
	ps, err := client.Post.Query().Where(post.IDIn(ids...)).All(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		l.posts.Prime(ctx, p.ID, p)
	}
	for _, id := range ids {
		l.posts.Prime(ctx, id, nil) // kept when primed above
	}
	return nil
}

// distinct returns ids sorted without repeats.
func distinct(ids []int) []int {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}
