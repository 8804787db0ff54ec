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
	"github.com/dutychain/dutychain/internal/input"
	"github.com/dutychain/dutychain/internal/kernel"
)

// EnterpriseInput is what createEnterprise / updateEnterprise accept.
type EnterpriseInput struct {
	Name                *string
	Code                *string
	TownID              *int
	CreditCode          *string
	Sector              *domain.Sector
	Scale               *enterprise.Scale
	IndustryCategory    *string
	Address             *string
	LegalRepresentative *string
	SafetyManager       *string
	ContactPhone        *string
	EmployeeCount       *int
	KeySites            []string
	SetKeySites         bool
	DepartmentIDs       []int
	SetDepartments      bool
}

func (in EnterpriseInput) validate(create bool) error {
	var errs []error
	if in.Name != nil {
		errs = append(errs, checkName("name", *in.Name, MaxName))
	}
	if in.Code != nil {
		errs = append(errs, checkCode(*in.Code))
	}
	errs = append(errs,
		input.OptionalText("industryCategory", in.IndustryCategory, MaxLabel),
		input.OptionalText("address", in.Address, MaxAddress),
		input.OptionalText("legalRepresentative", in.LegalRepresentative, MaxLabel),
		input.OptionalText("safetyManager", in.SafetyManager, MaxLabel),
		input.OptionalText("contactPhone", in.ContactPhone, MaxPhone))
	for _, site := range in.KeySites {
		if err := input.Text("keySites", site, MaxName); err != nil {
			errs = append(errs, err)
			break
		}
	}
	if err := input.OptionalText("creditCode", in.CreditCode, MaxCreditCode); err != nil {
		errs = append(errs, err)
	} else if in.CreditCode != nil {
		if err := domain.ValidCreditCode(strings.ToUpper(strings.TrimSpace(*in.CreditCode))); err != nil {
			errs = append(errs, &apperr.Error{Code: apperr.BadUserInput, Field: "creditCode", Message: "invalid unified social credit code: " + err.Error()})
		}
	}
	if in.Sector != nil && !in.Sector.Valid() {
		errs = append(errs, apperr.Invalid("sector", "unknown sector"))
	}
	if in.EmployeeCount != nil && *in.EmployeeCount < 0 {
		errs = append(errs, apperr.Invalid("employeeCount", "employeeCount must not be negative"))
	}
	if create && in.Scale != nil {
		if err := enterprise.ScaleValidator(*in.Scale); err != nil {
			errs = append(errs, apperr.Invalid("scale", "unknown scale"))
		}
	}
	return apperr.Join(errs...)
}

// CreateEnterprise creates an ENTERPRISE unit under a town with its profile
// and its supervision edges (defaulted from the departments' sectors).
func (s *Service) CreateEnterprise(ctx context.Context, in EnterpriseInput) (*ent.Enterprise, error) {
	if in.Name == nil || in.Code == nil || in.TownID == nil || in.CreditCode == nil || in.Sector == nil {
		return nil, apperr.New(apperr.BadUserInput, "name, code, townID, creditCode and sector are required")
	}
	if err := in.validate(true); err != nil {
		return nil, err
	}
	credit := strings.ToUpper(strings.TrimSpace(*in.CreditCode))
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Enterprise, error) {
		town, err := kernel.Unit(ctx, c, *in.TownID, "townID")
		if err != nil {
			return nil, err
		}
		if town.Kind != domain.KindTown {
			return nil, apperr.Invalid("townID", fmt.Sprintf("an enterprise belongs to a TOWN, not a %s", town.Kind))
		}
		if err := codeTaken(ctx, c, *in.Code, 0); err != nil {
			return nil, err
		}
		if err := creditTaken(ctx, c, town.TenantID, credit, 0); err != nil {
			return nil, err
		}
		u, err := c.Unit.Create().SetKind(domain.KindEnterprise).SetName(strings.TrimSpace(*in.Name)).
			SetCode(*in.Code).SetParentID(town.ID).SetSector(*in.Sector).Save(ctx)
		if err != nil {
			return nil, err
		}
		create := c.Enterprise.Create().SetUnitID(u.ID).SetName(u.Name).SetCreditCode(credit).
			SetSector(*in.Sector).SetTownID(town.ID).
			SetNillableScale(in.Scale).SetNillableIndustryCategory(in.IndustryCategory).
			SetNillableAddress(in.Address).SetNillableLegalRepresentative(in.LegalRepresentative).
			SetNillableSafetyManager(in.SafetyManager).SetNillableContactPhone(in.ContactPhone).
			SetNillableEmployeeCount(in.EmployeeCount)
		if in.SetKeySites {
			create.SetKeySites(in.KeySites)
		}
		e, err := create.Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := s.setSupervisors(ctx, c, e, in.DepartmentIDs, in.SetDepartments); err != nil {
			return nil, err
		}
		return c.Enterprise.Get(ctx, e.ID)
	})
}

func creditTaken(ctx context.Context, c *ent.Client, tenant int, code string, except int) error {
	n, err := c.Enterprise.Query().Where(enterprise.TenantID(tenant), enterprise.CreditCode(code), enterprise.IDNEQ(except)).Count(authz.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("check credit code: %w", err)
	}
	if n > 0 {
		return &apperr.Error{Code: apperr.Conflict, Field: "creditCode", Message: "an enterprise with this credit code already exists in this tenant"}
	}
	return nil
}

// setSupervisors writes the supervision edges of e: the given departments as
// MANUAL edges, or (when not given) every department supervising its sector.
func (s *Service) setSupervisors(ctx context.Context, c *ent.Client, e *ent.Enterprise, ids []int, explicit bool) error {
	sys := authz.SystemContext(ctx)
	depts, err := c.Unit.Query().Where(unit.TenantID(e.TenantID), unit.KindEQ(domain.KindDepartment)).All(sys)
	if err != nil {
		return fmt.Errorf("list departments: %w", err)
	}
	type edge struct {
		id     int
		source supervision.Source
	}
	var edges []edge
	if explicit {
		seen := map[int]bool{}
		for _, id := range ids {
			if seen[id] {
				return apperr.Invalid("supervisingDepartmentIDs", "a department is listed twice")
			}
			seen[id] = true
			ok := false
			for _, d := range depts {
				ok = ok || d.ID == id
			}
			if !ok {
				return apperr.Invalid("supervisingDepartmentIDs", "every supervising unit must be a DEPARTMENT of this tenant")
			}
			edges = append(edges, edge{id, supervision.SourceMANUAL})
		}
	} else {
		for _, d := range depts {
			if slices.Contains(d.SupervisedSectors, e.Sector) {
				edges = append(edges, edge{d.ID, supervision.SourceDEFAULT})
			}
		}
	}
	if explicit {
		if err := checkSupervisionChange(ctx, c, e, depts, ids); err != nil {
			return err
		}
	}
	if _, err := c.Supervision.Delete().Where(supervision.EnterpriseID(e.UnitID)).Exec(sys); err != nil {
		return fmt.Errorf("clear supervision: %w", err)
	}
	for _, ed := range edges {
		if err := c.Supervision.Create().SetTenantID(e.TenantID).SetDepartmentID(ed.id).SetEnterpriseID(e.UnitID).SetSource(ed.source).Exec(sys); err != nil {
			return fmt.Errorf("write supervision: %w", err)
		}
	}
	return nil
}

// UpdateEnterprise edits an enterprise profile in scope.
func (s *Service) UpdateEnterprise(ctx context.Context, id int, in EnterpriseInput) (*ent.Enterprise, error) {
	if in.Sector != nil || in.TownID != nil || in.Code != nil {
		return nil, apperr.New(apperr.BadUserInput, "sector, town and code are changed on the unit (updateUnit), not the profile")
	}
	if err := in.validate(false); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Enterprise, error) {
		e, err := s.holdEnterprise(ctx, c, id)
		if err != nil {
			return nil, err
		}
		upd := c.Enterprise.UpdateOneID(id).SetNillableIndustryCategory(in.IndustryCategory).
			SetNillableAddress(in.Address).SetNillableLegalRepresentative(in.LegalRepresentative).
			SetNillableSafetyManager(in.SafetyManager).SetNillableContactPhone(in.ContactPhone).
			SetNillableEmployeeCount(in.EmployeeCount).SetNillableScale(in.Scale)
		if in.CreditCode != nil {
			credit := strings.ToUpper(strings.TrimSpace(*in.CreditCode))
			if err := creditTaken(ctx, c, e.TenantID, credit, id); err != nil {
				return nil, err
			}
			upd.SetCreditCode(credit)
		}
		if in.SetKeySites {
			upd.SetKeySites(in.KeySites)
		}
		if in.Name != nil {
			upd.SetName(strings.TrimSpace(*in.Name))
		}
		if _, err := upd.Save(ctx); err != nil {
			return nil, err
		}
		if in.Name != nil {
			if _, err := c.Unit.UpdateOneID(e.UnitID).SetName(strings.TrimSpace(*in.Name)).Save(ctx); err != nil {
				return nil, err
			}
		}
		if in.SetDepartments {
			if err := s.setSupervisors(ctx, c, e, in.DepartmentIDs, true); err != nil {
				return nil, err
			}
		}
		return c.Enterprise.Get(ctx, id)
	})
}

// holdEnterprise loads enterprise id through the caller's scope and holds
// its unit's row and then its own (kernel.Hold, in the order UpdateUnit
// holds them too): the profile, the name and the supervision edges are
// replaced as decided on the enterprise as it is, and concurrent updates
// queue, the last one winning wholly.
func (s *Service) holdEnterprise(ctx context.Context, c *ent.Client, id int) (*ent.Enterprise, error) {
	e, err := kernel.Load(ctx, c.Enterprise.Get, id, "enterprise", "")
	if err != nil {
		return nil, err
	}
	if _, err := s.holdUnit(ctx, c, e.UnitID, ""); err != nil {
		return nil, err
	}
	return kernel.Hold(ctx, s.Dialect, c.Enterprise.Query().Where(enterprise.ID(id)), "enterprise", "")
}

// checkSupervisionChange asks the authority check for every department that
// would start or stop supervising e: the governed never choose who governs
// them.
func checkSupervisionChange(ctx context.Context, c *ent.Client, e *ent.Enterprise, depts []*ent.Unit, ids []int) error {
	current, err := c.Supervision.Query().Where(supervision.EnterpriseID(e.UnitID)).
		Select(supervision.FieldDepartmentID).Ints(authz.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("list supervisors: %w", err)
	}
	place := authz.Place{ID: e.UnitID, Tenant: e.TenantID, Kind: domain.KindEnterprise, Path: e.ScopePath, Sector: e.Sector}
	for _, d := range depts {
		if slices.Contains(current, d.ID) == slices.Contains(ids, d.ID) {
			continue
		}
		if err := authz.CanSetSupervision(ctx, authz.PlaceOf(d), place); err != nil {
			return err
		}
	}
	return nil
}
