package org

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/input"
	"github.com/dutychain/dutychain/internal/kernel"
)

// PostInput is what createPost / updatePost accept.
type PostInput struct {
	UserID, UnitID int
	Role           domain.Role
	Sectors        []domain.Sector
	SetSectors     bool
	Title          *string
	ValidFrom      *time.Time
	ValidTo        *time.Time
	ClearValidTo   bool
}

func validWindow(from time.Time, to *time.Time) error {
	if to != nil && !to.After(from) {
		return apperr.Invalid("validTo", "validTo must be after validFrom")
	}
	return nil
}

// checkOverlap answers CONFLICT when an existing post (but except) of the
// same user, unit and role overlaps [from, to).
func checkOverlap(ctx context.Context, c *ent.Client, in PostInput, from time.Time, to *time.Time, except int) error {
	// Stored times are UTC; SQLite compares them as text.
	from = from.UTC()
	if to != nil {
		utc := to.UTC()
		to = &utc
	}
	q := c.Post.Query().Where(post.UserID(in.UserID), post.UnitID(in.UnitID), post.RoleEQ(in.Role), post.IDNEQ(except),
		post.Or(post.ValidToIsNil(), post.ValidToGT(from)))
	if to != nil {
		q = q.Where(post.ValidFromLT(*to))
	}
	dup, err := q.Exist(authz.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("check overlap: %w", err)
	}
	if dup {
		return apperr.New(apperr.Conflict, "this user already holds this role at this unit for an overlapping period")
	}
	return nil
}

// holdPostsOf loads user id through the scope of ctx (NOT_FOUND on userID
// otherwise) and locks the user's row until the transaction ends
// (kernel.Hold): every write of a post holds its holder first, so the
// overlap check and the window a post is given are decided on the user's
// posts as they are, and two appointments of one user to one role at one
// unit cannot both pass the check.
func (s *Service) holdPostsOf(ctx context.Context, c *ent.Client, id int) (*ent.User, error) {
	return kernel.Hold(ctx, s.Dialect, c.User.Query().Where(user.ID(id)), "user", "userID")
}

// CreatePost appoints a user to a unit with a role.
func (s *Service) CreatePost(ctx context.Context, in PostInput) (*ent.Post, error) {
	if err := apperr.Join(checkSectors("sectors", in.Sectors), input.OptionalText("title", in.Title, MaxName)); err != nil {
		return nil, err
	}
	from := kernel.Now(s.Now)
	if in.ValidFrom != nil {
		from = *in.ValidFrom
	}
	if err := validWindow(from, in.ValidTo); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Post, error) {
		target, err := kernel.Unit(ctx, c, in.UnitID, "unitID")
		if err != nil {
			return nil, err
		}
		if _, err := s.holdPostsOf(ctx, c, in.UserID); err != nil {
			return nil, err
		}
		if len(in.Sectors) > 0 && !target.Kind.IsGovernment() {
			return nil, apperr.Invalid("sectors", "sector restrictions apply to posts at government units")
		}
		if err := authz.CanGrantPost(ctx, authz.PlaceOf(target), in.Role, in.Sectors, in.UserID); err != nil {
			return nil, err
		}
		if err := authz.CanManageUser(ctx, c, in.UserID); err != nil {
			return nil, err
		}
		if err := checkOverlap(ctx, c, in, from, in.ValidTo, 0); err != nil {
			return nil, err
		}
		p, err := c.Post.Create().SetUserID(in.UserID).SetUnitID(target.ID).SetRole(in.Role).
			SetSectors(in.Sectors).SetNillableTitle(in.Title).SetValidFrom(from).SetNillableValidTo(in.ValidTo).Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Post.Get(ctx, p.ID)
	})
}

// UpdatePost edits a post's sectors, title or validity window. Nobody
// changes a post of their own, and a head post only from above it.
func (s *Service) UpdatePost(ctx context.Context, id int, in PostInput) (*ent.Post, error) {
	return s.updatePost(ctx, id, in, false)
}

// updatePost is UpdatePost; ending tells that the change only ends the post,
// which its holder may do to their own.
func (s *Service) updatePost(ctx context.Context, id int, in PostInput, ending bool) (*ent.Post, error) {
	if err := apperr.Join(checkSectors("sectors", in.Sectors), input.OptionalText("title", in.Title, MaxName)); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Post, error) {
		load := func() (*ent.Post, error) {
			return kernel.Load(ctx, func(ctx context.Context, id int) (*ent.Post, error) {
				return c.Post.Query().Where(post.ID(id)).WithUnit().Only(ctx)
			}, id, "post", "")
		}
		p, err := load()
		if err != nil {
			return nil, err
		}
		// Decide on the post as it is once its holder's posts are held.
		if _, err := s.holdPostsOf(authz.SystemContext(ctx), c, p.UserID); err != nil {
			return nil, err
		}
		if p, err = load(); err != nil {
			return nil, err
		}
		sectors := p.Sectors
		if in.SetSectors {
			sectors = in.Sectors
		}
		reaches, err := authz.LoadReaches(ctx, c, []int{p.UserID})
		if err != nil {
			return nil, err
		}
		if err := MayChangePost(ctx, p, p.Edges.Unit, sectors, reaches[p.UserID], ending); err != nil {
			return nil, err
		}
		from, to := p.ValidFrom, p.ValidTo
		if in.ValidFrom != nil {
			from = *in.ValidFrom
		}
		if in.ValidTo != nil {
			to = in.ValidTo
		}
		if in.ClearValidTo {
			to = nil
		}
		if err := validWindow(from, to); err != nil {
			return nil, err
		}
		if err := checkOverlap(ctx, c, PostInput{UserID: p.UserID, UnitID: p.UnitID, Role: p.Role}, from, to, id); err != nil {
			return nil, err
		}
		upd := c.Post.UpdateOneID(id).SetNillableTitle(in.Title).SetValidFrom(from).SetSectors(sectors)
		if to == nil {
			upd.ClearValidTo()
		} else {
			upd.SetValidTo(*to)
		}
		if _, err := upd.Save(ctx); err != nil {
			return nil, err
		}
		return c.Post.Get(ctx, id)
	})
}

// EndPost ends a post now.
func (s *Service) EndPost(ctx context.Context, id int) (*ent.Post, error) {
	now := kernel.Now(s.Now)
	return s.updatePost(ctx, id, PostInput{ValidTo: &now}, true)
}
