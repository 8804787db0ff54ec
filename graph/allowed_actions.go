package graph

// allowedActions of every record type: the decision functions the mutations
// call, fed with data loaded once per request (which enterprises the
// caller's departments supervise) or for the whole page through the
// request's loaders (signatures, units, the reach of users), so that a page
// of records costs the same statements whatever its length.

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/hazards"
	"github.com/dutychain/dutychain/internal/inspections"
	"github.com/dutychain/dutychain/internal/letters"
	"github.com/dutychain/dutychain/internal/org"
)

// allowedLoaders load what the decisions need beyond the record itself.
type allowedLoaders struct {
	// loadSupervised maps an enterprise unit to the caller's departments
	// that supervise it (authz.LoadSupervised); supervised calls it once
	// per request.
	loadSupervised func(context.Context) (map[int][]int, error)
	supervisedOnce unsafe.Pointer // *supervisedCall, set once
	// reaches are the units a user works at (authz.Reach).
	reaches mappedLoader[int, authz.Reach]
	// loadGovPaths maps the government units of the caller's tenant to
	// their paths (the units whose orders on a hazard bind those below
	// them: hazards.Orders); govPaths calls it once per request.
	loadGovPaths func(context.Context) (map[int]string, error)
	govPathsOnce unsafe.Pointer // *govPathsCall, set once
}

// govPathsCall is a request's one call of loadGovPaths.
type govPathsCall struct {
	once  sync.Once
	paths map[int]string
	err   error
}

// supervisedCall is a request's one call of loadSupervised.
type supervisedCall struct {
	once         sync.Once
	byEnterprise map[int][]int
	err          error
}

func newAllowedLoaders(client *ent.Client) allowedLoaders {
	return allowedLoaders{
		loadSupervised: func(ctx context.Context) (map[int][]int, error) {
			return authz.LoadSupervised(ctx, client)
		},
		reaches: newMappedLoader(func(ctx context.Context, ids []int) (map[int]authz.Reach, error) {
			return everyKey[authz.Reach](ids)(authz.LoadReaches(ctx, client, ids))
		}),
		loadGovPaths: func(ctx context.Context) (map[int]string, error) {
			us, err := client.Unit.Query().Where(unit.KindIn(domain.KindCounty, domain.KindTown, domain.KindDepartment)).
				Select(unit.FieldID, unit.FieldScopePath).All(ctx)
			if err != nil {
				return nil, err
			}
			out := make(map[int]string, len(us))
			for _, u := range us {
				out[u.ID] = u.ScopePath
			}
			return out, nil
		},
	}
}

// govPaths is loadGovPaths' answer, read on the request's first call;
// concurrent calls wait for it. The government units are the directory
// every user of the tenant reads: one small statement per request, whatever
// the page holds.
func (a *allowedLoaders) govPaths(ctx context.Context) (map[int]string, error) {
	p := atomic.LoadPointer(&a.govPathsOnce)
	if p == nil {
		atomic.CompareAndSwapPointer(&a.govPathsOnce, nil, unsafe.Pointer(new(govPathsCall)))
		p = atomic.LoadPointer(&a.govPathsOnce)
	}
	c := (*govPathsCall)(p)
	c.once.Do(func() { c.paths, c.err = a.loadGovPaths(ctx) })
	return c.paths, c.err
}

// supervised is loadSupervised's answer, read on the request's first call;
// concurrent calls wait for it.
func (a *allowedLoaders) supervised(ctx context.Context) (map[int][]int, error) {
	p := atomic.LoadPointer(&a.supervisedOnce)
	if p == nil {
		atomic.CompareAndSwapPointer(&a.supervisedOnce, nil, unsafe.Pointer(new(supervisedCall)))
		p = atomic.LoadPointer(&a.supervisedOnce)
	}
	c := (*supervisedCall)(p)
	c.once.Do(func() { c.byEnterprise, c.err = a.loadSupervised(ctx) })
	return c.byEnterprise, c.err
}

// everyKey completes a loaded map with the zero value for every key it
// lacks, so that the loader answers every key it was asked.
func everyKey[V any](ids []int) func(map[int]V, error) (map[int]V, error) {
	return func(m map[int]V, err error) (map[int]V, error) {
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if _, ok := m[id]; !ok {
				var zero V
				m[id] = zero
			}
		}
		return m, nil
	}
}

// object is the decision object of a record of type typ with the given
// scope columns, its enterprise's supervisors loaded in batch.
func (l *Loaders) object(ctx context.Context, typ string, tenant int, path string, sector *string, enterpriseID *int) (authz.Object, error) {
	sup, err := l.supervisorsOf(ctx, enterpriseID)
	if err != nil {
		return authz.Object{}, err
	}
	return authz.ObjectOf(typ, tenant, path, sector, enterpriseID, sup), nil
}

// supervisorsOf are the caller's departments supervising enterprise unit
// enterpriseID (nil: none), all that a decision can ask of them.
func (l *Loaders) supervisorsOf(ctx context.Context, enterpriseID *int) ([]int, error) {
	if enterpriseID == nil || *enterpriseID == 0 {
		return nil, nil
	}
	supervised, err := l.allowed.supervised(ctx)
	if err != nil {
		return nil, err
	}
	return supervised[*enterpriseID], nil
}

// signedIn returns the caller, or nil for an anonymous request (which sees
// no records and may do nothing).
func signedIn(ctx context.Context) *authz.Viewer {
	v := authz.FromContext(ctx)
	if v == nil || (!v.IsSystem() && v.UserID == 0) {
		return nil
	}
	return v
}

// when lists the actions whose decision passed, never nil.
func when[A any](decisions ...decision[A]) []A {
	out := []A{}
	for _, d := range decisions {
		if d.err == nil {
			out = append(out, d.action)
		}
	}
	return out
}

type decision[A any] struct {
	action A
	err    error
}

func decided[A any](a A, err error) decision[A] { return decision[A]{a, err} }

// errUnreadable stands for a decision on a record whose unit the caller
// cannot read: its mutation answers NOT_FOUND.
var errUnreadable = errors.New("unit out of scope")

func (r *Resolver) hazardAllowed(ctx context.Context, h *ent.Hazard) ([]domain.HazardAction, error) {
	v := signedIn(ctx)
	if v == nil {
		return []domain.HazardAction{}, nil
	}
	o, err := loadersFrom(ctx, r.Client).object(ctx, "hazard", h.TenantID, h.ScopePath, h.ScopeSector, h.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	// Where the orders that bind (assigner, supervisor) were given: a unit
	// on the hazard's own path needs nothing, another (a department) is
	// read from the government directory, loaded once per request for a
	// government caller (only a government post assigns or lifts).
	var ord hazards.Orders
	if slices.ContainsFunc(v.Grants, func(g authz.Grant) bool { return !g.DirectoryOnly && g.UnitKind.IsGovernment() }) {
		paths, err := loadersFrom(ctx, r.Client).allowed.govPaths(ctx)
		if err != nil {
			return nil, err
		}
		if ord, err = hazards.OrdersOf(ctx, h, func(_ context.Context, id int) (*ent.Unit, error) {
			if p, ok := paths[id]; ok {
				return &ent.Unit{ID: id, ScopePath: p}, nil
			}
			return nil, nil
		}); err != nil {
			return nil, err
		}
	}
	out := hazards.Allowed(v, h, o, ord)
	if out == nil {
		out = []domain.HazardAction{}
	}
	assign := o
	assign.Type = hazards.AssignmentType
	if hazards.MayAssign(v, h, assign, ord) {
		out = append(out, domain.HazardAssign)
	}
	// A follow-up is done from a post at the assignee itself, whose grant
	// carries the unit's place: no statement to load it.
	if at := v.At(derefInt(h.AssigneeID)); h.AssigneeID != nil && h.State != domain.HazardClosed && len(at.Grants) > 0 {
		g := at.Grants[0]
		assignee := g.Place()
		insp, err := loadersFrom(ctx, r.Client).object(ctx, "inspection", h.TenantID, h.ScopePath, h.ScopeSector, h.ScopeEnterpriseID)
		if err != nil {
			return nil, err
		}
		if inspections.MayFollowUp(ctx, h, insp, &assignee) == nil {
			out = append(out, domain.HazardFollowUp)
		}
	}
	return out, nil
}

func (r *Resolver) letterAllowed(ctx context.Context, l *ent.ResponsibilityLetter) ([]domain.LetterAction, error) {
	if signedIn(ctx) == nil {
		return []domain.LetterAction{}, nil
	}
	ld := loadersFrom(ctx, r.Client)
	sup, err := ld.supervisorsOf(ctx, l.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	sigs, err := ld.signatures.Load(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	signed := make([]domain.Role, 0, len(sigs))
	for _, s := range sigs {
		signed = append(signed, s.Role)
	}
	out := letters.Allowed(ctx, l, letters.ObjectOf(l, sup), signed)
	if out == nil {
		out = []domain.LetterAction{}
	}
	return out, nil
}

func (r *Resolver) inspectionAllowed(ctx context.Context, in *ent.Inspection) ([]model.InspectionAction, error) {
	if signedIn(ctx) == nil {
		return []model.InspectionAction{}, nil
	}
	ld := loadersFrom(ctx, r.Client)
	o, err := ld.object(ctx, "inspection", in.TenantID, in.ScopePath, in.ScopeSector, in.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	inspecting, err := ld.loadUnit(ctx, in.InspectingUnitID)
	if err != nil {
		return nil, err
	}
	target, err := ld.loadUnit(ctx, in.TargetID)
	if err != nil {
		return nil, err
	}
	record := errUnreadable
	if inspecting != nil && target != nil {
		record = inspections.MayRecordResults(ctx, in, o, authz.PlaceOf(inspecting), authz.PlaceOf(target))
	}
	return when(decided(model.InspectionActionRecordResults, record)), nil
}

func (r *Resolver) campaignAllowed(ctx context.Context, cp *ent.Campaign) ([]model.CampaignAction, error) {
	if signedIn(ctx) == nil {
		return []model.CampaignAction{}, nil
	}
	o, err := loadersFrom(ctx, r.Client).object(ctx, "campaign", cp.TenantID, cp.ScopePath, cp.ScopeSector, cp.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	return when(decided(model.CampaignActionAdvance, inspections.MayAdvance(ctx, cp, o))), nil
}

func (r *Resolver) enterpriseAllowed(ctx context.Context, e *ent.Enterprise) ([]model.EnterpriseAction, error) {
	if signedIn(ctx) == nil {
		return []model.EnterpriseAction{}, nil
	}
	o, err := loadersFrom(ctx, r.Client).object(ctx, "enterprise", e.TenantID, e.ScopePath, e.ScopeSector, e.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	return when(decided(model.EnterpriseActionUpdate, authz.Check(ctx, o, "update"))), nil
}

func (r *Resolver) unitAllowed(ctx context.Context, u *ent.Unit) ([]model.UnitAction, error) {
	if signedIn(ctx) == nil {
		return []model.UnitAction{}, nil
	}
	o, err := loadersFrom(ctx, r.Client).object(ctx, "unit", u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	update := authz.Check(ctx, o, "update")
	mandate := update
	if mandate == nil {
		mandate = org.MaySetMandate(ctx, u)
	}
	return when(decided(model.UnitActionUpdate, update), decided(model.UnitActionSetSupervisedSectors, mandate)), nil
}

func (r *Resolver) userAllowed(ctx context.Context, u *ent.User) ([]model.UserAction, error) {
	if signedIn(ctx) == nil {
		return []model.UserAction{}, nil
	}
	reach, err := loadersFrom(ctx, r.Client).allowed.reaches.Load(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return when(decided(model.UserActionUpdate, authz.MayManageUser(ctx, reach))), nil
}

func (r *Resolver) postAllowed(ctx context.Context, p *ent.Post) ([]model.PostAction, error) {
	if signedIn(ctx) == nil {
		return []model.PostAction{}, nil
	}
	ld := loadersFrom(ctx, r.Client)
	o, err := ld.object(ctx, "post", p.TenantID, p.ScopePath, p.ScopeSector, p.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	at, err := ld.loadUnit(ctx, p.UnitID)
	if err != nil {
		return nil, err
	}
	holder, err := ld.allowed.reaches.Load(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	change := func(ending bool) error {
		if at == nil {
			return errUnreadable
		}
		if err := org.MayChangePost(ctx, p, at, p.Sectors, holder, ending); err != nil {
			return err
		}
		return authz.Check(ctx, o, "update")
	}
	return when(decided(model.PostActionUpdate, change(false)), decided(model.PostActionEnd, change(true))), nil
}
