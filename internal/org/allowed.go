package org

import (
	"context"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// MaySetMandate decides whether the caller may set the supervised sectors
// of unit u: only a DEPARTMENT supervises sectors, and only a head or ADMIN
// of the tenant's root sets them (authz.CanSetMandate). UpdateUnit and the
// unit's allowedActions ask it.
func MaySetMandate(ctx context.Context, u *ent.Unit) error {
	if u.Kind != domain.KindDepartment {
		return apperr.Invalid("supervisedSectors", "only a DEPARTMENT supervises sectors")
	}
	return authz.CanSetMandate(ctx, authz.PlaceOf(u))
}

// MayChangePost decides whether the caller may change post p, held at unit
// at, so that it carries sectors; holder is the reach of its holder. Nobody
// changes a post of their own but to end it (ending), a head post is changed
// only from above (authz.CanGrantPost), and only with authority over every
// unit its holder works at (authz.MayManageUser). UpdatePost, EndPost and
// the post's allowedActions ask it.
func MayChangePost(ctx context.Context, p *ent.Post, at *ent.Unit, sectors []domain.Sector, holder authz.Reach, ending bool) error {
	if v := authz.FromContext(ctx); ending && v != nil && v.UserID == p.UserID {
		return nil
	}
	if err := authz.CanGrantPost(ctx, authz.PlaceOf(at), p.Role, sectors, p.UserID); err != nil {
		return err
	}
	return authz.MayManageUser(ctx, holder)
}
