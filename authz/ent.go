package authz

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	entgo "entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/intercept"
	"github.com/dutychain/dutychain/ent/privacy"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// errNoViewer fails closed: a query or mutation without a viewer is denied.
var errNoViewer = privacy.Denyf("authz: no viewer in context")

// ReadFilter is the traverse interceptor of every scoped entity (the
// ScopeMixin of ent/schema installs it): it adds the viewer's compiled read
// predicate for objects of type typ to the query, including edge
// traversals, eager loads and counts (ent runs traversers in prepareQuery
// for all of them).
func ReadFilter(typ string) entgo.Interceptor {
	return intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
		v := FromContext(ctx)
		switch {
		case v == nil:
			return errNoViewer
		case v.system:
			return nil
		}
		q.WhereP(v.Predicate(typ, "read"))
		return nil
	})
}

// TenantFilter limits non-scoped, tenant-owned entities to the viewer's tenant.
func TenantFilter(column string) entgo.Interceptor {
	return intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
		v := FromContext(ctx)
		switch {
		case v == nil:
			return errNoViewer
		case v.system:
			return nil
		}
		q.WhereP(func(s *sql.Selector) { s.Where(sql.EQ(s.C(column), v.Tenant)) })
		return nil
	})
}

// SystemOnly denies queries of internal tables (tokens, policy rows) to any
// viewer but the system.
func SystemOnly() entgo.Interceptor {
	return intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
		if !FromContext(ctx).IsSystem() {
			return errNoViewer
		}
		return nil
	})
}

// SystemOnlyMutations is the mutation policy of internal tables, and of
// scoped records without a subject field (parts of another record, written
// by its service after its decision).
func SystemOnlyMutations() entgo.Hook {
	return func(next entgo.Mutator) entgo.Mutator {
		return entgo.MutateFunc(func(ctx context.Context, m entgo.Mutation) (entgo.Value, error) {
			if !FromContext(ctx).IsSystem() {
				return nil, errNoViewer
			}
			return next.Mutate(ctx, m)
		})
	}
}

// RefuseMutations is the mutation policy of tables no viewer, not even the
// system, may write through ent (the audit log: internal/audit writes it
// with plain SQL).
func RefuseMutations(why string) entgo.Hook {
	return func(next entgo.Mutator) entgo.Mutator {
		return entgo.MutateFunc(func(ctx context.Context, m entgo.Mutation) (entgo.Value, error) {
			return nil, apperr.New(apperr.Forbidden, why)
		})
	}
}

type clientMutation interface {
	entgo.Mutation
	Client() *ent.Client
	ID() (int, bool)
}

// subjectUnit is the scope position of a unit.
type subjectUnit struct {
	ID           int
	Tenant       int
	Kind         domain.UnitKind
	Path         string
	Sector       *domain.Sector
	EnterpriseID *int
	Depth        int
}

func loadUnit(ctx context.Context, c *ent.Client, id int) (*subjectUnit, error) {
	u, err := c.Unit.Query().Where(unit.ID(id)).
		Select(unit.FieldID, unit.FieldTenantID, unit.FieldKind, unit.FieldScopePath,
			unit.FieldScopeSector, unit.FieldScopeEnterpriseID, unit.FieldDepth).
		Only(SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	su := &subjectUnit{ID: u.ID, Tenant: u.TenantID, Kind: u.Kind, Path: u.ScopePath, EnterpriseID: u.ScopeEnterpriseID, Depth: u.Depth}
	if u.ScopeSector != nil {
		s := domain.Sector(*u.ScopeSector)
		su.Sector = &s
	}
	return su, nil
}

// ObjectAt builds the decision object for a record of type typ whose scope
// columns hold the given values, loading the supervising departments.
func ObjectAt(ctx context.Context, c *ent.Client, typ string, tenant int, path string, sector *string, enterpriseID *int) (Object, error) {
	var supervisors map[int][]int
	if enterpriseID != nil && *enterpriseID != 0 {
		var err error
		if supervisors, err = LoadSupervisors(ctx, c, []int{*enterpriseID}); err != nil {
			return Object{}, err
		}
	}
	o := ObjectOf(typ, tenant, path, sector, enterpriseID, nil)
	o.Supervisors = supervisors[o.EnterpriseID]
	return o, nil
}

// CheckAt decides action on o for the viewer's posts held at unit unitID
// (Viewer.At): NOT_FOUND when the viewer cannot read o at all, FORBIDDEN when
// none of their posts at that unit lets them do action on o. It returns the
// grants (posts) at the unit that may, each decided by the enforcer on its
// own, so that the caller can tell which post acted.
func CheckAt(ctx context.Context, o Object, action string, unitID int) ([]Grant, error) {
	if err := Check(ctx, o, "read"); err != nil {
		return nil, err
	}
	v := FromContext(ctx)
	if v.system {
		return nil, nil
	}
	var allowed []Grant
	for _, g := range v.At(unitID).Grants {
		one := &Viewer{UserID: v.UserID, Tenant: v.Tenant, Username: v.Username, Grants: []Grant{g}, PostIDs: []int{g.PostID}, Policy: v.Policy, Now: v.Now}
		ok, err := v.Policy.Decide(one, o, action)
		if err != nil {
			return nil, apperr.Wrap(apperr.Internal, "internal error", err)
		}
		if ok {
			allowed = append(allowed, g)
		}
	}
	if len(allowed) == 0 {
		return nil, apperr.ForbiddenErr(action + " this " + o.Type)
	}
	return allowed, nil
}

// Check decides action on o for the viewer in ctx: NOT_FOUND when the viewer
// cannot even read o (it does not exist for them), FORBIDDEN when they can
// read it but their roles lack action.
func Check(ctx context.Context, o Object, action string) error {
	v := FromContext(ctx)
	if v == nil {
		return apperr.New(apperr.Unauthenticated, "sign in first")
	}
	if v.system {
		return nil
	}
	if v.Policy == nil {
		return apperr.Wrap(apperr.Internal, "internal error", fmt.Errorf("viewer without policy"))
	}
	read, err := v.Policy.Decide(v, o, "read")
	if err != nil {
		return apperr.Wrap(apperr.Internal, "internal error", err)
	}
	if !read {
		return apperr.NotFoundf("%s not found", o.Type)
	}
	if action == "read" {
		return nil
	}
	ok, err := v.Policy.Decide(v, o, action)
	if err != nil {
		return apperr.Wrap(apperr.Internal, "internal error", err)
	}
	if !ok {
		return apperr.ForbiddenErr(action + " this " + o.Type)
	}
	return nil
}

type actionKey struct{}

// WithAction names the act a service is performing (e.g. "sign") so that the
// scope hooks check that action, rather than plain create or update, for the
// rows the act writes. Trusted service code only: it never comes from input.
func WithAction(ctx context.Context, action string) context.Context {
	return context.WithValue(ctx, actionKey{}, action)
}

func actionFrom(ctx context.Context, fallback string) string {
	if a, ok := ctx.Value(actionKey{}).(string); ok && a != "" {
		return a
	}
	return fallback
}

// ScopeOption adjusts a ScopeHook.
type ScopeOption func(*scopeConfig)

type scopeConfig struct {
	issuerField string
}

// IssuerField names the field holding the issuer unit of a record that is
// also readable from its issuer side: the hook stamps ColIssuerPath from it.
func IssuerField(name string) ScopeOption {
	return func(c *scopeConfig) { c.issuerField = name }
}

// ScopeHook stamps tenant and scope columns on every write of a scoped entity
// and checks the write against the viewer's grants inside the transaction;
// the ScopeMixin of ent/schema installs it for records with a subject field.
// subjectField names the field holding the subject unit id. Creates are
// checked as "create" and updates as "update" unless the service named its
// act with WithAction.
func ScopeHook(typ, subjectField string, opts ...ScopeOption) entgo.Hook {
	var cfg scopeConfig
	for _, o := range opts {
		o(&cfg)
	}
	return func(next entgo.Mutator) entgo.Mutator {
		return entgo.MutateFunc(func(ctx context.Context, m entgo.Mutation) (entgo.Value, error) {
			v := FromContext(ctx)
			if v == nil {
				return nil, errNoViewer
			}
			cm, ok := m.(clientMutation)
			if !ok {
				return nil, fmt.Errorf("authz: mutation %T has no client", m)
			}
			switch {
			case m.Op().Is(entgo.OpCreate):
				if err := stampCreate(ctx, v, cm, typ, subjectField, cfg); err != nil {
					return nil, err
				}
			case m.Op().Is(entgo.OpUpdateOne):
				if err := checkUpdate(ctx, v, cm, typ, subjectField, cfg); err != nil {
					return nil, err
				}
			default:
				if !v.system {
					return nil, apperr.ForbiddenErr(m.Op().String() + " " + typ + " in bulk")
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

func intField(m entgo.Mutation, name string) (int, bool) {
	val, ok := m.Field(name)
	if !ok {
		return 0, false
	}
	switch x := val.(type) {
	case int:
		return x, true
	case *int:
		if x != nil {
			return *x, true
		}
	}
	return 0, false
}

func stampCreate(ctx context.Context, v *Viewer, m clientMutation, typ, subjectField string, cfg scopeConfig) error {
	if !v.system {
		if err := m.SetField(ColTenant, v.Tenant); err != nil {
			return fmt.Errorf("stamp tenant: %w", err)
		}
	}
	tenant, _ := intField(m, ColTenant)
	subjectID, ok := intField(m, subjectField)
	if !ok {
		if typ == "unit" && v.system {
			// A tenant root; UnitPathHook sets its path after insert.
			return m.SetField(ColPath, "/pending/")
		}
		return apperr.Invalid(subjectField, "a unit is required")
	}
	su, err := loadUnit(ctx, m.Client(), subjectID)
	if ent.IsNotFound(err) || (err == nil && su.Tenant != tenant) {
		return apperr.NotFoundf("unit not found")
	}
	if err != nil {
		return fmt.Errorf("load subject unit: %w", err)
	}
	path, sector, entID := su.Path, sectorString(su.Sector), su.EnterpriseID
	if sector == nil && su.EnterpriseID == nil {
		// A record about a government unit may concern sectors of its own
		// (a random draw's roster): its service sets the key (SectorKey),
		// never client input, and the decision below includes it.
		if s, ok := m.Field(ColSector); ok {
			if str, _ := s.(string); str != "" {
				sector = &str
			} else if err := m.ClearField(ColSector); err != nil {
				return fmt.Errorf("clear sector: %w", err)
			}
		}
	}
	if typ == "unit" {
		// A new unit sits under its parent; its own id completes the path
		// after insert. Enterprise-side units carry their own sector.
		path = su.Path + "new/"
		if k, _ := m.Field("kind"); k != nil && !k.(domain.UnitKind).IsGovernment() {
			if s, ok := m.Field("sector"); ok {
				str := string(s.(domain.Sector))
				sector = &str
			}
			if k.(domain.UnitKind) == domain.KindEnterprise {
				placeholder := -1
				entID = &placeholder
			}
		}
		if err := m.SetField("depth", su.Depth+1); err != nil {
			return fmt.Errorf("stamp depth: %w", err)
		}
	}
	o, err := ObjectAt(ctx, m.Client(), typ, tenant, path, sector, entID)
	if err != nil {
		return err
	}
	if cfg.issuerField != "" {
		issuerID, ok := intField(m, cfg.issuerField)
		if !ok {
			return apperr.Invalid(cfg.issuerField, "an issuer unit is required")
		}
		iu, err := loadUnit(ctx, m.Client(), issuerID)
		if ent.IsNotFound(err) || (err == nil && iu.Tenant != tenant) {
			return apperr.NotFoundf("unit not found")
		}
		if err != nil {
			return fmt.Errorf("load issuer unit: %w", err)
		}
		o.IssuerPath = iu.Path
		if err := m.SetField(ColIssuerPath, iu.Path); err != nil {
			return fmt.Errorf("stamp issuer path: %w", err)
		}
		if only, ok := m.Field(ColIssuerOnly); ok {
			o.IssuerOnly, _ = only.(bool)
		}
	}
	if err := Check(ctx, o, actionFrom(ctx, "create")); err != nil {
		// The parent is visible but the caller may not create: FORBIDDEN;
		// the parent itself out of scope: NOT_FOUND.
		if typ == "unit" && apperr.CodeOf(err) == apperr.NotFound {
			if perr := Check(ctx, Object{Type: "unit", Tenant: tenant, Path: su.Path, Sector: derefSector(su.Sector), EnterpriseID: derefInt(su.EnterpriseID)}, "read"); perr == nil {
				return apperr.ForbiddenErr("create units there")
			}
		}
		return err
	}
	if err := m.SetField(ColPath, path); err != nil {
		return fmt.Errorf("stamp path: %w", err)
	}
	if sector != nil {
		if err := m.SetField(ColSector, *sector); err != nil {
			return fmt.Errorf("stamp sector: %w", err)
		}
	}
	if entID != nil && *entID > 0 {
		if err := m.SetField(ColEnterpriseID, *entID); err != nil {
			return fmt.Errorf("stamp enterprise: %w", err)
		}
	}
	return nil
}

func checkUpdate(ctx context.Context, v *Viewer, m clientMutation, typ, subjectField string, cfg scopeConfig) error {
	if v.system {
		return nil
	}
	id, ok := m.ID()
	if !ok {
		return fmt.Errorf("authz: update without id")
	}
	// OldField loads the row through the viewer's read filter: a row out of
	// scope is NOT_FOUND here, before anything is written.
	oldPath, err := m.OldField(ctx, ColPath)
	if err != nil {
		if ent.IsNotFound(err) || errors.Is(err, privacy.Deny) {
			return apperr.NotFoundf("%s not found", typ)
		}
		return fmt.Errorf("load %s %d: %w", typ, id, err)
	}
	oldTenant, _ := m.OldField(ctx, ColTenant)
	oldSector, _ := m.OldField(ctx, ColSector)
	oldEnt, _ := m.OldField(ctx, ColEnterpriseID)
	o, err := ObjectAt(ctx, m.Client(), typ, oldTenant.(int), oldPath.(string), oldSector.(*string), oldEnt.(*int))
	if err != nil {
		return err
	}
	if cfg.issuerField != "" {
		if ip, err := m.OldField(ctx, ColIssuerPath); err == nil {
			if p, ok := ip.(*string); ok && p != nil {
				o.IssuerPath = *p
			}
		}
		if only, err := m.OldField(ctx, ColIssuerOnly); err == nil {
			o.IssuerOnly, _ = only.(bool)
		}
	}
	if err := Check(ctx, o, actionFrom(ctx, "update")); err != nil {
		return err
	}
	newSubject, changed := intField(m, subjectField)
	if !changed || typ == "unit" || cfg.issuerField != "" {
		// Units move through Reparent, which checks both ends; records with
		// an issuer side have immutable subject and issuer units.
		return nil
	}
	su, err := loadUnit(ctx, m.Client(), newSubject)
	if ent.IsNotFound(err) || (err == nil && su.Tenant != v.Tenant) {
		return apperr.NotFoundf("unit not found")
	}
	if err != nil {
		return fmt.Errorf("load subject unit: %w", err)
	}
	no, err := ObjectAt(ctx, m.Client(), typ, su.Tenant, su.Path, sectorString(su.Sector), su.EnterpriseID)
	if err != nil {
		return err
	}
	if err := Check(ctx, no, "update"); err != nil {
		return err
	}
	for col, val := range map[string]any{ColPath: su.Path, ColSector: sectorString(su.Sector), ColEnterpriseID: su.EnterpriseID} {
		if err := setOrClear(m, col, val); err != nil {
			return err
		}
	}
	return nil
}

func setOrClear(m entgo.Mutation, col string, val any) error {
	switch x := val.(type) {
	case *string:
		if x == nil {
			return m.ClearField(col)
		}
		return m.SetField(col, *x)
	case *int:
		if x == nil {
			return m.ClearField(col)
		}
		return m.SetField(col, *x)
	}
	return m.SetField(col, val)
}

func sectorString(s *domain.Sector) *string {
	if s == nil {
		return nil
	}
	str := string(*s)
	return &str
}

func derefSector(s *domain.Sector) domain.Sector {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// UnitPathHook completes a new unit's scope columns once its id is known:
// path = parent path + id + "/", and an ENTERPRISE is its own enterprise.
func UnitPathHook() entgo.Hook {
	return func(next entgo.Mutator) entgo.Mutator {
		return entgo.MutateFunc(func(ctx context.Context, m entgo.Mutation) (entgo.Value, error) {
			val, err := next.Mutate(ctx, m)
			if err != nil || !m.Op().Is(entgo.OpCreate) {
				return val, err
			}
			u, ok := val.(*ent.Unit)
			if !ok {
				return val, nil
			}
			cm := m.(clientMutation)
			parentPath := "/"
			if u.ParentID != nil {
				su, err := loadUnit(ctx, cm.Client(), *u.ParentID)
				if err != nil {
					return nil, fmt.Errorf("load parent: %w", err)
				}
				parentPath = su.Path
			}
			path := parentPath + strconv.Itoa(u.ID) + "/"
			upd := cm.Client().Unit.UpdateOneID(u.ID).SetScopePath(path)
			if u.Kind == domain.KindEnterprise {
				upd.SetScopeEnterpriseID(u.ID)
			}
			return upd.Save(SystemContext(ctx))
		})
	}
}
