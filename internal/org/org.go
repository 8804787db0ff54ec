// Package org changes the unit tree, enterprises, users and posts. Each
// operation validates its input, runs in one transaction and relies on the
// ent hooks of package authz for tenant stamping and the jurisdiction check,
// so nothing here can write outside the caller's scope.
package org

import (
	"context"
	"errors"
	"fmt"
	"github.com/dutychain/dutychain/internal/txn"
	"regexp"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/refreshtoken"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/domain"
)

// Service performs the organisation mutations.
type Service struct {
	Client  *ent.Client
	Dialect string
	Now     func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// inTx runs fn in one transaction (internal/txn).
func (s *Service) inTx(ctx context.Context, fn func(tx *ent.Tx) error) error {
	return txn.Run(ctx, s.Client, fn)
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func checkName(field, v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return apperr.Invalid(field, field+" must not be empty")
	}
	if len([]rune(v)) > 200 {
		return apperr.Invalid(field, field+" must be at most 200 characters")
	}
	return nil
}

func checkCode(v string) error {
	if !codePattern.MatchString(v) {
		return apperr.Invalid("code", "code must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	return nil
}

func checkSectors(field string, secs []domain.Sector) error {
	seen := map[domain.Sector]bool{}
	for _, s := range secs {
		if !s.Valid() {
			return apperr.Invalid(field, fmt.Sprintf("unknown sector %q", s))
		}
		if seen[s] {
			return apperr.Invalid(field, fmt.Sprintf("sector %s listed twice", s))
		}
		seen[s] = true
	}
	return nil
}

// visibleUnit loads a unit the caller can read, NOT_FOUND otherwise.
func visibleUnit(ctx context.Context, c *ent.Client, id int, field string) (*ent.Unit, error) {
	u, err := c.Unit.Get(ctx, id)
	if ent.IsNotFound(err) {
		e := apperr.NotFoundf("unit not found")
		e.Field = field
		return nil, e
	}
	if err != nil {
		return nil, fmt.Errorf("load unit %d: %w", id, err)
	}
	return u, nil
}

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
	if err := errors.Join(checkName("name", in.Name), checkCode(in.Code), checkSectors("supervisedSectors", in.SupervisedSectors)); err != nil {
		return nil, firstErr(err)
	}
	if len(in.SupervisedSectors) > 0 && in.Kind != domain.KindDepartment {
		return nil, apperr.Invalid("supervisedSectors", "only a DEPARTMENT supervises sectors")
	}
	var out *ent.Unit
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		parent, err := visibleUnit(ctx, c, in.ParentID, "parentID")
		if err != nil {
			return err
		}
		if err := checkParentKind(in.Kind, parent); err != nil {
			return err
		}
		if err := codeTaken(ctx, c, in.Code, 0); err != nil {
			return err
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
			return err
		}
		if in.Kind == domain.KindDepartment && len(in.SupervisedSectors) > 0 {
			if err := s.syncDefaultSupervision(ctx, c, u); err != nil {
				return err
			}
		}
		out, err = c.Unit.Get(ctx, u.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
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
		if err := checkName("name", *in.Name); err != nil {
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
	var out *ent.Unit
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		u, err := visibleUnit(ctx, c, id, "id")
		if err != nil {
			return err
		}
		upd := c.Unit.UpdateOneID(id)
		if in.Name != nil {
			upd.SetName(strings.TrimSpace(*in.Name))
		}
		if in.Code != nil && *in.Code != u.Code {
			if err := codeTaken(ctx, c, *in.Code, id); err != nil {
				return err
			}
			upd.SetCode(*in.Code)
		}
		if in.SetSupervised {
			if u.Kind != domain.KindDepartment {
				return apperr.Invalid("supervisedSectors", "only a DEPARTMENT supervises sectors")
			}
			upd.SetSupervisedSectors(in.SupervisedSectors)
		}
		if _, err := upd.Save(ctx); err != nil {
			return err
		}
		if in.Name != nil && u.Kind == domain.KindEnterprise {
			if _, err := c.Enterprise.Update().Where(enterprise.UnitID(id)).SetName(strings.TrimSpace(*in.Name)).Save(authz.SystemContext(ctx)); err != nil {
				return fmt.Errorf("rename enterprise profile: %w", err)
			}
		}
		if in.SetSupervised {
			fresh, err := c.Unit.Get(ctx, id)
			if err != nil {
				return err
			}
			if err := s.syncDefaultSupervision(ctx, c, fresh); err != nil {
				return err
			}
		}
		if in.ParentID != nil && (u.ParentID == nil || *in.ParentID != *u.ParentID) {
			if err := s.reparent(ctx, c, u, *in.ParentID); err != nil {
				return err
			}
		}
		out, err = c.Unit.Get(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// reparent moves u under newParentID: it checks update rights at the old
// place and create rights at the new one, then rewrites path, depth, sector,
// enterprise and town of u's subtree in every scoped table.
func (s *Service) reparent(ctx context.Context, c *ent.Client, u *ent.Unit, newParentID int) error {
	if u.ParentID == nil {
		return apperr.Invalid("parentID", "the tenant root cannot be moved")
	}
	parent, err := visibleUnit(ctx, c, newParentID, "parentID")
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

func firstErr(err error) error {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		if errs := joined.Unwrap(); len(errs) > 0 {
			return errs[0]
		}
	}
	return err
}

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
		errs = append(errs, checkName("name", *in.Name))
	}
	if in.Code != nil {
		errs = append(errs, checkCode(*in.Code))
	}
	if in.CreditCode != nil {
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
	if err := errors.Join(errs...); err != nil {
		return firstErr(err)
	}
	return nil
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
	var out *ent.Enterprise
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		town, err := visibleUnit(ctx, c, *in.TownID, "townID")
		if err != nil {
			return err
		}
		if town.Kind != domain.KindTown {
			return apperr.Invalid("townID", fmt.Sprintf("an enterprise belongs to a TOWN, not a %s", town.Kind))
		}
		if err := codeTaken(ctx, c, *in.Code, 0); err != nil {
			return err
		}
		if err := creditTaken(ctx, c, town.TenantID, credit, 0); err != nil {
			return err
		}
		u, err := c.Unit.Create().SetKind(domain.KindEnterprise).SetName(strings.TrimSpace(*in.Name)).
			SetCode(*in.Code).SetParentID(town.ID).SetSector(*in.Sector).Save(ctx)
		if err != nil {
			return err
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
			return err
		}
		if err := s.setSupervisors(ctx, c, e, in.DepartmentIDs, in.SetDepartments); err != nil {
			return err
		}
		out, err = c.Enterprise.Get(ctx, e.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
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
		for _, id := range ids {
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
	var out *ent.Enterprise
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		e, err := c.Enterprise.Get(ctx, id)
		if ent.IsNotFound(err) {
			return apperr.NotFoundf("enterprise not found")
		}
		if err != nil {
			return fmt.Errorf("load enterprise: %w", err)
		}
		upd := c.Enterprise.UpdateOneID(id).SetNillableIndustryCategory(in.IndustryCategory).
			SetNillableAddress(in.Address).SetNillableLegalRepresentative(in.LegalRepresentative).
			SetNillableSafetyManager(in.SafetyManager).SetNillableContactPhone(in.ContactPhone).
			SetNillableEmployeeCount(in.EmployeeCount).SetNillableScale(in.Scale)
		if in.CreditCode != nil {
			credit := strings.ToUpper(strings.TrimSpace(*in.CreditCode))
			if err := creditTaken(ctx, c, e.TenantID, credit, id); err != nil {
				return err
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
			return err
		}
		if in.Name != nil {
			if _, err := c.Unit.UpdateOneID(e.UnitID).SetName(strings.TrimSpace(*in.Name)).Save(ctx); err != nil {
				return err
			}
		}
		if in.SetDepartments {
			if err := s.setSupervisors(ctx, c, e, in.DepartmentIDs, true); err != nil {
				return err
			}
		}
		out, err = c.Enterprise.Get(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// CreateUserInput is what createUser accepts.
type CreateUserInput struct {
	Username, DisplayName, Password string
	Phone                           *string
	UnitID                          int
}

// CreateUser adds a user whose home unit is in the caller's scope.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (*ent.User, error) {
	if !usernamePattern.MatchString(in.Username) {
		return nil, apperr.Invalid("username", "username must be 2–64 lowercase letters, digits, '.', '_' or '-'")
	}
	if err := checkName("displayName", in.DisplayName); err != nil {
		return nil, err
	}
	if len(in.Password) < auth.MinPasswordLength {
		return nil, apperr.Invalid("password", fmt.Sprintf("password must be at least %d characters", auth.MinPasswordLength))
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	var out *ent.User
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		home, err := visibleUnit(ctx, c, in.UnitID, "unitID")
		if err != nil {
			return err
		}
		taken, err := c.User.Query().Where(user.TenantID(home.TenantID), user.Username(in.Username)).Exist(authz.SystemContext(ctx))
		if err != nil {
			return fmt.Errorf("check username: %w", err)
		}
		if taken {
			return &apperr.Error{Code: apperr.Conflict, Field: "username", Message: "this username is already taken in this tenant"}
		}
		u, err := c.User.Create().SetUsername(in.Username).SetDisplayName(strings.TrimSpace(in.DisplayName)).
			SetNillablePhone(in.Phone).SetPasswordHash(hash).SetUnitID(home.ID).Save(ctx)
		if err != nil {
			return err
		}
		out, err = c.User.Get(ctx, u.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// UpdateUserInput is what updateUser accepts.
type UpdateUserInput struct {
	DisplayName, Phone, Password *string
	Status                       *user.Status
	UnitID                       *int
}

// UpdateUser edits a user in scope. Disabling a user or resetting their
// password revokes their refresh tokens; access stops at the next request.
func (s *Service) UpdateUser(ctx context.Context, id int, in UpdateUserInput) (*ent.User, error) {
	if in.DisplayName != nil {
		if err := checkName("displayName", *in.DisplayName); err != nil {
			return nil, err
		}
	}
	if in.Status != nil {
		if err := user.StatusValidator(*in.Status); err != nil {
			return nil, apperr.Invalid("status", "unknown status")
		}
	}
	var hash string
	if in.Password != nil {
		if len(*in.Password) < auth.MinPasswordLength {
			return nil, apperr.Invalid("password", fmt.Sprintf("password must be at least %d characters", auth.MinPasswordLength))
		}
		var err error
		if hash, err = auth.HashPassword(*in.Password); err != nil {
			return nil, fmt.Errorf("hash password: %w", err)
		}
	}
	if v := authz.FromContext(ctx); v != nil && v.UserID == id && in.Status != nil && *in.Status == user.StatusDISABLED {
		return nil, apperr.Invalid("status", "you cannot disable your own account")
	}
	var out *ent.User
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		if _, err := c.User.Get(ctx, id); ent.IsNotFound(err) {
			return apperr.NotFoundf("user not found")
		} else if err != nil {
			return fmt.Errorf("load user: %w", err)
		}
		upd := c.User.UpdateOneID(id).SetNillablePhone(in.Phone).SetNillableStatus(in.Status)
		if in.DisplayName != nil {
			upd.SetDisplayName(strings.TrimSpace(*in.DisplayName))
		}
		if in.UnitID != nil {
			if _, err := visibleUnit(ctx, c, *in.UnitID, "unitID"); err != nil {
				return err
			}
			upd.SetUnitID(*in.UnitID)
		}
		if hash != "" {
			upd.SetPasswordHash(hash)
		}
		if _, err := upd.Save(ctx); err != nil {
			return err
		}
		if hash != "" || (in.Status != nil && *in.Status == user.StatusDISABLED) {
			if _, err := c.RefreshToken.Update().Where(refreshtoken.UserID(id), refreshtoken.RevokedAtIsNil()).
				SetRevokedAt(s.now()).Save(authz.SystemContext(ctx)); err != nil {
				return fmt.Errorf("revoke sessions: %w", err)
			}
		}
		var err error
		out, err = c.User.Get(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

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

// checkGrantable enforces the ADMIN rules beyond the policy: a post may only
// be granted at a unit inside the subtree of one of the caller's ADMIN posts
// (never above it, so never an ADMIN post at its ancestors), within that
// post's sectors.
func checkGrantable(ctx context.Context, target *ent.Unit, role domain.Role, sectors []domain.Sector) error {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() {
		return nil
	}
	for _, g := range v.Grants {
		if g.Role != string(domain.RoleAdmin) || !strings.HasPrefix(target.ScopePath, g.Path) {
			continue
		}
		if len(g.Sectors) > 0 {
			if len(sectors) == 0 {
				continue // an unrestricted post would exceed a sector-restricted admin
			}
			ok := true
			for _, s := range sectors {
				ok = ok && slices.Contains(g.Sectors, s)
			}
			if !ok {
				continue
			}
		}
		return nil
	}
	return apperr.New(apperr.Forbidden, "you may only grant posts at units within your own unit's subtree and sectors")
}

func validWindow(from time.Time, to *time.Time) error {
	if to != nil && !to.After(from) {
		return apperr.Invalid("validTo", "validTo must be after validFrom")
	}
	return nil
}

// overlapping reports whether an existing post of the same user, unit and role
// overlaps [from, to).
func overlapping(ctx context.Context, c *ent.Client, in PostInput, from time.Time, to *time.Time, except int) (bool, error) {
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
	return q.Exist(authz.SystemContext(ctx))
}

// CreatePost appoints a user to a unit with a role.
func (s *Service) CreatePost(ctx context.Context, in PostInput) (*ent.Post, error) {
	if err := checkSectors("sectors", in.Sectors); err != nil {
		return nil, err
	}
	from := s.now()
	if in.ValidFrom != nil {
		from = *in.ValidFrom
	}
	if err := validWindow(from, in.ValidTo); err != nil {
		return nil, err
	}
	var out *ent.Post
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		target, err := visibleUnit(ctx, c, in.UnitID, "unitID")
		if err != nil {
			return err
		}
		if _, err := c.User.Get(ctx, in.UserID); ent.IsNotFound(err) {
			return &apperr.Error{Code: apperr.NotFound, Field: "userID", Message: "user not found"}
		} else if err != nil {
			return fmt.Errorf("load user: %w", err)
		}
		if len(in.Sectors) > 0 && target.Kind != domain.KindCounty && target.Kind != domain.KindCity &&
			target.Kind != domain.KindTown && target.Kind != domain.KindDepartment {
			return apperr.Invalid("sectors", "sector restrictions apply to posts at government units")
		}
		if err := checkGrantable(ctx, target, in.Role, in.Sectors); err != nil {
			return err
		}
		dup, err := overlapping(ctx, c, in, from, in.ValidTo, 0)
		if err != nil {
			return fmt.Errorf("check overlap: %w", err)
		}
		if dup {
			return apperr.New(apperr.Conflict, "this user already holds this role at this unit for an overlapping period")
		}
		p, err := c.Post.Create().SetUserID(in.UserID).SetUnitID(target.ID).SetRole(in.Role).
			SetSectors(in.Sectors).SetNillableTitle(in.Title).SetValidFrom(from).SetNillableValidTo(in.ValidTo).Save(ctx)
		if err != nil {
			return err
		}
		out, err = c.Post.Get(ctx, p.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// UpdatePost edits a post's sectors, title or validity window.
func (s *Service) UpdatePost(ctx context.Context, id int, in PostInput) (*ent.Post, error) {
	if err := checkSectors("sectors", in.Sectors); err != nil {
		return nil, err
	}
	var out *ent.Post
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		p, err := c.Post.Query().Where(post.ID(id)).WithUnit().Only(ctx)
		if ent.IsNotFound(err) {
			return apperr.NotFoundf("post not found")
		}
		if err != nil {
			return fmt.Errorf("load post: %w", err)
		}
		sectors := p.Sectors
		if in.SetSectors {
			sectors = in.Sectors
		}
		if err := checkGrantable(ctx, p.Edges.Unit, p.Role, sectors); err != nil {
			return err
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
			return err
		}
		dup, err := overlapping(ctx, c, PostInput{UserID: p.UserID, UnitID: p.UnitID, Role: p.Role}, from, to, id)
		if err != nil {
			return fmt.Errorf("check overlap: %w", err)
		}
		if dup {
			return apperr.New(apperr.Conflict, "this user already holds this role at this unit for an overlapping period")
		}
		upd := c.Post.UpdateOneID(id).SetNillableTitle(in.Title).SetValidFrom(from).SetSectors(sectors)
		if to == nil {
			upd.ClearValidTo()
		} else {
			upd.SetValidTo(*to)
		}
		if _, err := upd.Save(ctx); err != nil {
			return err
		}
		out, err = c.Post.Get(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// EndPost ends a post now.
func (s *Service) EndPost(ctx context.Context, id int) (*ent.Post, error) {
	now := s.now()
	return s.UpdatePost(ctx, id, PostInput{ValidTo: &now})
}
