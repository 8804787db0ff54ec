package org

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

func codeTaken(ctx context.Context, c *ent.Client, code string, except int) error {
	v := authz.FromContext(ctx)
	q := c.Unit.Query().Where(unit.Code(code), unit.IDNEQ(except))
	if v != nil && !v.IsSystem() {
		q = q.Where(unit.TenantID(v.Tenant))
	}
	// The uniqueness check must see the whole tenant, not only the caller's scope.
	n, err := q.Count(authz.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("check code: %w", err)
	}
	if n > 0 {
		return &apperr.Error{Code: apperr.Conflict, Field: "code", Message: fmt.Sprintf("unit code %q is already used in this tenant", code)}
	}
	return nil
}

func checkParentKind(kind domain.UnitKind, parent *ent.Unit) error {
	if !slices.Contains(kind.AllowedParents(), parent.Kind) {
		allowed := make([]string, 0, 2)
		for _, k := range kind.AllowedParents() {
			allowed = append(allowed, string(k))
		}
		return apperr.Invalid("parentID", fmt.Sprintf("a %s cannot be placed under a %s (allowed: %s)", kind, parent.Kind, strings.Join(allowed, ", ")))
	}
	return nil
}

// holdUnit loads unit id through the caller's scope (NOT_FOUND on field
// otherwise) and locks its row until the transaction ends (kernel.Hold): a
// rename, a mandate's default supervision or a move is decided on the unit
// as it is, after any concurrent change of it committed.
func (s *Service) holdUnit(ctx context.Context, c *ent.Client, id int, field string) (*ent.Unit, error) {
	return kernel.Hold(ctx, s.Dialect, c.Unit.Query().Where(unit.ID(id)), "unit", field)
}

// CreateUnitInput is what createUnit accepts.
type CreateUnitInput struct {
	Kind              domain.UnitKind
	Name, Code        string
	ParentID          int
	SupervisedSectors []domain.Sector
}

// CreateUnit adds a TOWN, DEPARTMENT, WORKSHOP or TEAM under a visible parent.
// Enterprises are created with CreateEnterprise; roots only by seeding.
func (s *Service) CreateUnit(ctx context.Context, in CreateUnitInput) (*ent.Unit, error) {
	switch in.Kind {
	case domain.KindEnterprise:
		return nil, apperr.Invalid("kind", "create enterprises with createEnterprise, which also records their profile")
	case domain.KindCounty, domain.KindCity:
		return nil, apperr.Invalid("kind", "a tenant has exactly one root unit; it cannot be created here")
	}
	if err := apperr.Join(checkName("name", in.Name, MaxName), checkCode(in.Code), checkSectors("supervisedSectors", in.SupervisedSectors)); err != nil {
		return nil, err
	}
	if len(in.SupervisedSectors) > 0 && in.Kind != domain.KindDepartment {
		return nil, apperr.Invalid("supervisedSectors", "only a DEPARTMENT supervises sectors")
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Unit, error) {
		parent, err := kernel.Unit(ctx, c, in.ParentID, "parentID")
		if err != nil {
			return nil, err
		}
		if err := checkParentKind(in.Kind, parent); err != nil {
			return nil, err
		}
		if err := codeTaken(ctx, c, in.Code, 0); err != nil {
			return nil, err
		}
		create := c.Unit.Create().SetKind(in.Kind).SetName(strings.TrimSpace(in.Name)).SetCode(in.Code).SetParentID(parent.ID)
		if !in.Kind.IsGovernment() {
			create.SetNillableSector(parent.Sector)
		}
		if in.Kind == domain.KindDepartment {
			create.SetSupervisedSectors(in.SupervisedSectors)
		}
		u, err := create.Save(ctx)
		if err != nil {
			return nil, err
		}
		if in.Kind == domain.KindDepartment && len(in.SupervisedSectors) > 0 {
			if err := authz.CanSetMandate(ctx, authz.PlaceOf(u)); err != nil {
				return nil, err
			}
			if err := s.syncDefaultSupervision(ctx, c, u); err != nil {
				return nil, err
			}
		}
		return c.Unit.Get(ctx, u.ID)
	})
}

// syncDefaultSupervision makes a department's DEFAULT supervision edges match
// its supervised sectors; MANUAL edges are left alone.
func (s *Service) syncDefaultSupervision(ctx context.Context, c *ent.Client, dept *ent.Unit) error {
	sys := authz.SystemContext(ctx)
	secs := make([]domain.Sector, 0, len(dept.SupervisedSectors))
	secs = append(secs, dept.SupervisedSectors...)
	if _, err := c.Supervision.Delete().Where(supervision.DepartmentID(dept.ID), supervision.SourceEQ(supervision.SourceDEFAULT)).Exec(sys); err != nil {
		return fmt.Errorf("clear default supervision: %w", err)
	}
	if len(secs) == 0 {
		return nil
	}
	ents, err := c.Enterprise.Query().Where(enterprise.TenantID(dept.TenantID), enterprise.SectorIn(secs...)).
		Select(enterprise.FieldUnitID).Ints(sys)
	if err != nil {
		return fmt.Errorf("list enterprises of sectors: %w", err)
	}
	manual, err := c.Supervision.Query().Where(supervision.DepartmentID(dept.ID)).Select(supervision.FieldEnterpriseID).Ints(sys)
	if err != nil {
		return fmt.Errorf("list manual supervision: %w", err)
	}
	var creates []*ent.SupervisionCreate
	for _, id := range ents {
		if !slices.Contains(manual, id) {
			creates = append(creates, c.Supervision.Create().SetTenantID(dept.TenantID).SetDepartmentID(dept.ID).SetEnterpriseID(id))
		}
	}
	for i := 0; i < len(creates); i += 500 {
		end := min(i+500, len(creates))
		if err := c.Supervision.CreateBulk(creates[i:end]...).Exec(sys); err != nil {
			return fmt.Errorf("write default supervision: %w", err)
		}
	}
	return nil
}

// UpdateUnitInput is what updateUnit accepts; nil fields are left unchanged.
type UpdateUnitInput struct {
	Name, Code        *string
	ParentID          *int
	SupervisedSectors []domain.Sector
	SetSupervised     bool
}

// UpdateUnit renames, recodes or moves a unit. A move re-parents the whole
// subtree and rewrites every derived structure in the same transaction.
func (s *Service) UpdateUnit(ctx context.Context, id int, in UpdateUnitInput) (*ent.Unit, error) {
	if in.Name != nil {
		if err := checkName("name", *in.Name, MaxName); err != nil {
			return nil, err
		}
	}
	if in.Code != nil {
		if err := checkCode(*in.Code); err != nil {
			return nil, err
		}
	}
	if err := checkSectors("supervisedSectors", in.SupervisedSectors); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Unit, error) {
		u, err := s.holdUnit(ctx, c, id, "id")
		if err != nil {
			return nil, err
		}
		upd := c.Unit.UpdateOneID(id)
		if in.Name != nil {
			upd.SetName(strings.TrimSpace(*in.Name))
		}
		if in.Code != nil && *in.Code != u.Code {
			if err := codeTaken(ctx, c, *in.Code, id); err != nil {
				return nil, err
			}
			upd.SetCode(*in.Code)
		}
		if in.SetSupervised {
			if err := MaySetMandate(ctx, u); err != nil {
				return nil, err
			}
			upd.SetSupervisedSectors(in.SupervisedSectors)
		}
		if _, err := upd.Save(ctx); err != nil {
			return nil, err
		}
		if in.Name != nil && u.Kind == domain.KindEnterprise {
			if _, err := c.Enterprise.Update().Where(enterprise.UnitID(id)).SetName(strings.TrimSpace(*in.Name)).Save(authz.SystemContext(ctx)); err != nil {
				return nil, fmt.Errorf("rename enterprise profile: %w", err)
			}
		}
		if in.SetSupervised {
			fresh, err := c.Unit.Get(ctx, id)
			if err != nil {
				return nil, err
			}
			if err := s.syncDefaultSupervision(ctx, c, fresh); err != nil {
				return nil, err
			}
		}
		if in.ParentID != nil && (u.ParentID == nil || *in.ParentID != *u.ParentID) {
			if err := s.reparent(ctx, c, u, *in.ParentID); err != nil {
				return nil, err
			}
		}
		return c.Unit.Get(ctx, id)
	})
}
