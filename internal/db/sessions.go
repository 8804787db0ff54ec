package db

import (
	"context"
	"fmt"
	"time"

	entgo "entgo.io/ent"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hook"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/refreshtoken"
)

// endSessionsWithLastPost revokes every session (refresh token, and with it
// the access tokens issued in it) of a user whose last valid post a
// mutation ends or deletes, in the mutation's transaction: whoever no
// longer holds any post must sign in again. Password changes and resets
// and disabling a user revoke sessions where they happen (auth, org).
func endSessionsWithLastPost(next ent.Mutator) ent.Mutator {
	return hook.PostFunc(func(ctx context.Context, m *ent.PostMutation) (ent.Value, error) {
		_, endSet := m.ValidTo()
		_, startSet := m.ValidFrom()
		ending := m.Op().Is(entgo.OpDelete|entgo.OpDeleteOne) ||
			(m.Op().Is(entgo.OpUpdate|entgo.OpUpdateOne) && (endSet || startSet))
		if !ending {
			return next.Mutate(ctx, m)
		}
		sys := authz.SystemContext(ctx)
		ids, err := m.IDs(sys)
		if err != nil {
			return nil, fmt.Errorf("posts being ended: %w", err)
		}
		var users []int
		if len(ids) > 0 {
			if users, err = m.Client().Post.Query().Where(post.IDIn(ids...)).Unique(true).
				Select(post.FieldUserID).Ints(sys); err != nil {
				return nil, fmt.Errorf("holders of posts being ended: %w", err)
			}
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		now := time.Now().UTC()
		for _, uid := range users {
			holds, err := m.Client().Post.Query().Where(post.UserID(uid), post.ValidFromLTE(now),
				post.Or(post.ValidToIsNil(), post.ValidToGT(now))).Exist(sys)
			if err != nil {
				return nil, fmt.Errorf("posts left to user %d: %w", uid, err)
			}
			if holds {
				continue
			}
			if _, err := m.Client().RefreshToken.Update().Where(refreshtoken.UserID(uid), refreshtoken.RevokedAtIsNil()).
				SetRevokedAt(now).Save(sys); err != nil {
				return nil, fmt.Errorf("end the sessions of user %d: %w", uid, err)
			}
		}
		return v, nil
	})
}
