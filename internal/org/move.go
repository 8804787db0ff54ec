package org

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// reparent moves u under newParentID: it checks update rights at the old
// place and create rights at the new one, then rewrites path, depth, sector,
// enterprise and town of u's subtree in every scoped table.
func (s *Service) reparent(ctx context.Context, c *ent.Client, u *ent.Unit, newParentID int) error {
	if u.ParentID == nil {
		return apperr.Invalid("parentID", "the tenant root cannot be moved")
	}
	// The new parent is held too: its path is the one the subtree takes.
	parent, err := s.holdUnit(ctx, c, newParentID, "parentID")
	if err != nil {
		return err
	}
	if err := checkParentKind(u.Kind, parent); err != nil {
		return err
	}
	if strings.HasPrefix(parent.ScopePath, u.ScopePath) {
		return apperr.Invalid("parentID", "a unit cannot be moved under itself or its own subtree")
	}
	// Create rights at the destination: decide as if a unit of u's kind were
	// created under the new parent.
	dest := authz.Object{Type: "unit", Tenant: parent.TenantID, Path: parent.ScopePath + "new/"}
	if !u.Kind.IsGovernment() {
		if parent.Sector != nil {
			dest.Sector = *parent.Sector
		} else if u.Sector != nil {
			dest.Sector = *u.Sector
		}
		dest.EnterpriseID = -1
		if parent.ScopeEnterpriseID != nil {
			dest.EnterpriseID = *parent.ScopeEnterpriseID
		}
	}
	if err := authz.Check(ctx, dest, "create"); err != nil {
		return err
	}
	sys := authz.SystemContext(ctx)
	if _, err := c.Unit.UpdateOneID(u.ID).SetParentID(parent.ID).Save(sys); err != nil {
		return fmt.Errorf("set parent: %w", err)
	}
	oldPath := u.ScopePath
	newPath := parent.ScopePath + strings.TrimPrefix(oldPath, parentPathOf(oldPath))
	depthDelta := parent.Depth + 1 - u.Depth
	// Workshops and teams moving to another enterprise take its id and sector.
	var newEnt *int
	var newSector *domain.Sector
	if u.Kind == domain.KindWorkshop || u.Kind == domain.KindTeam {
		newEnt, newSector = parent.ScopeEnterpriseID, parent.Sector
	}
	for _, table := range authz.ScopedTables {
		upd := sql.Dialect(s.Dialect).Update(table).
			Set(authz.ColPath, sql.ExprFunc(func(b *sql.Builder) {
				b.Arg(newPath).WriteString(" || substr(").Ident(authz.ColPath).WriteString(", ").Arg(len(oldPath) + 1).WriteString(")")
			})).
			Where(sql.And(sql.EQ(authz.ColTenant, u.TenantID), sql.HasPrefix(authz.ColPath, oldPath)))
		if newEnt != nil {
			upd.Set(authz.ColEnterpriseID, *newEnt).Set(authz.ColSector, string(*newSector))
		}
		if table == "units" {
			upd.Set("depth", sql.ExprFunc(func(b *sql.Builder) {
				b.Ident("depth").WriteString(" + ").Arg(depthDelta)
			}))
			if newSector != nil {
				upd.Set("sector", string(*newSector))
			}
		}
		query, args := upd.Query()
		if _, err := c.ExecContext(sys, query, args...); err != nil {
			return fmt.Errorf("rescope %s: %w", table, err)
		}
	}
	// Records readable from an issuer side (letters) whose issuer moved.
	for _, table := range authz.IssuerScopedTables {
		upd := sql.Dialect(s.Dialect).Update(table).
			Set(authz.ColIssuerPath, sql.ExprFunc(func(b *sql.Builder) {
				b.Arg(newPath).WriteString(" || substr(").Ident(authz.ColIssuerPath).WriteString(", ").Arg(len(oldPath) + 1).WriteString(")")
			})).
			Where(sql.And(sql.EQ(authz.ColTenant, u.TenantID), sql.HasPrefix(authz.ColIssuerPath, oldPath)))
		query, args := upd.Query()
		if _, err := c.ExecContext(sys, query, args...); err != nil {
			return fmt.Errorf("rescope issuers in %s: %w", table, err)
		}
	}
	if u.Kind == domain.KindEnterprise {
		if _, err := c.Enterprise.Update().Where(enterprise.UnitID(u.ID)).SetTownID(parent.ID).Save(sys); err != nil {
			return fmt.Errorf("move enterprise town: %w", err)
		}
	}
	return nil
}

// parentPathOf strips the last segment: "/1/5/9/" → "/1/5/".
func parentPathOf(p string) string {
	trimmed := strings.TrimSuffix(p, "/")
	return trimmed[:strings.LastIndex(trimmed, "/")+1]
}
