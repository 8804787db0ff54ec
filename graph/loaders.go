package graph

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/dutyshift"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/lettersignature"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/readiness"
)

// Loaders batch per-object lookups of one request into one query per kind:
// a page of 50 enterprises asking for supervisingDepartments costs two
// statements, not a hundred. They live for one request because what they
// load is scoped to its viewer (the queries run through the ent privacy layer
// with the request's context).
type Loaders struct {
	fetchDepartments func(context.Context, []int) (map[int][]*ent.Unit, error)
	fetchUnits       func(context.Context, []int) (map[int]*ent.Unit, error)
	departments      mappedLoader[int, []*ent.Unit]
	users            mappedLoader[int, *ent.User]
	fetchUsers       func(context.Context, []int) (map[int]*ent.User, error)
	posts            mappedLoader[int, *ent.Post]
	hz               hazardLoaders
	// units loads any unit by id (a letter's issuer and signee).
	units mappedLoader[int, *ent.Unit]
	// The parts of letters, by letter id, oldest first.
	signatures childLoader[*ent.LetterSignature]
	events     childLoader[*ent.LetterEvent]
	// files loads the files attached to any record, by its id: owners of
	// several types share a batch.
	files childLoader[*ent.File]
	// allowed loads what allowedActions decide on (allowed_actions.go).
	allowed allowedLoaders
	// shifts loads the shifts of duty rosters, by roster id, earliest first.
	shifts childLoader[*ent.DutyShift]
	// delivered loads the notices of receipts the caller read (notices.go).
	delivered mappedLoader[int, *ent.Notice]
	// recipientCounts counts the receipts of notices the caller reads, by
	// notice id (notices.go).
	recipientCounts mappedLoader[int, int]
	// edu loads the trainees and visits of trainings and publicity, and the
	// trainings of trainees the caller read (education.go).
	edu educationLoaders
	// dutyLists loads the duty list of posts, by post id (staffing.go).
	dutyLists childLoader[*ent.DutyList]
	// risk loads the parts of risk points (prevention.go).
	risk riskLoaders
	// enforcement loads enforcement actions and their hazards (enforcement.go).
	enforcement enforcementLoaders
}

type loadersKey struct{}

type loaderWaitKey struct{}

// defaultLoaderWait is how long a loader collects keys after the first when
// the request names no wait (WithLoaders does). gqlgen resolves the items
// of a list concurrently, so siblings arrive within it; lists the resolvers
// know in advance are primed instead (see primeDepartments).
const defaultLoaderWait = 2 * time.Millisecond

// loaderWaitOf returns the wait WithLoaders put in ctx.
func loaderWaitOf(ctx context.Context) time.Duration {
	if w, ok := ctx.Value(loaderWaitKey{}).(time.Duration); ok {
		return w
	}
	return defaultLoaderWait
}

// mappedLoader is a dataloadgen loader built on its first use. Every
// request gets a fresh set of loaders and most requests use few of them:
// building all of them up front cost each request ≈ 300 allocations.
//
// It holds no lock (its loader is stored by compare-and-swap), so that a
// request's loaders are one copy of the server's blueprint (Loaders.fresh).
type mappedLoader[K comparable, V any] struct {
	fetch func(context.Context, []K) (map[K]V, error)
	l     unsafe.Pointer // *dataloadgen.Loader[K, V], set once
}

func newMappedLoader[K comparable, V any](fetch func(context.Context, []K) (map[K]V, error)) mappedLoader[K, V] {
	return mappedLoader[K, V]{fetch: fetch}
}

// loader builds the dataloadgen loader once, with the request's wait. Two
// first uses racing each build one; the first stored wins and the other is
// dropped unused (building one starts nothing).
func (m *mappedLoader[K, V]) loader(ctx context.Context) *dataloadgen.Loader[K, V] {
	if p := atomic.LoadPointer(&m.l); p != nil {
		return (*dataloadgen.Loader[K, V])(p)
	}
	l := dataloadgen.NewMappedLoader(m.fetch, dataloadgen.WithWait(loaderWaitOf(ctx)), dataloadgen.WithBatchCapacity(500))
	if atomic.CompareAndSwapPointer(&m.l, nil, unsafe.Pointer(l)) {
		return l
	}
	return (*dataloadgen.Loader[K, V])(atomic.LoadPointer(&m.l))
}

// Load loads the value of key, batched with the other keys of the wait.
func (m *mappedLoader[K, V]) Load(ctx context.Context, key K) (V, error) {
	return m.loader(ctx).Load(ctx, key)
}

// Prime stores value for key unless the loader holds one already.
func (m *mappedLoader[K, V]) Prime(ctx context.Context, key K, value V) bool {
	return m.loader(ctx).Prime(key, value)
}

// LoadAll loads the values of keys in one batch.
func (m *mappedLoader[K, V]) LoadAll(ctx context.Context, keys []K) ([]V, error) {
	return m.loader(ctx).LoadAll(ctx, keys)
}

// NewLoaders returns fresh loaders on client.
func NewLoaders(client *ent.Client) *Loaders {
	return newLoaderBlueprint(client).fresh()
}

// fresh returns a request's loaders: a copy of the blueprint bp, whose
// loaders hold their fetch functions and have not been used. One allocation
// instead of one per loader and fetch function.
func (bp *Loaders) fresh() *Loaders {
	l := new(Loaders)
	*l = *bp
	return l
}

// newLoaderBlueprint builds the fetch functions of every loader on client,
// once per server (WithLoaders); requests use copies (fresh). Every request
// of every user shares these closures, so they capture only the client:
// anything a request remembers (a loaded map, a sync.Once) is a field of
// Loaders, which the copy starts empty (see allowedLoaders.supervised).
func newLoaderBlueprint(client *ent.Client) *Loaders {
	fetchUsers := func(ctx context.Context, ids []int) (map[int]*ent.User, error) {
		us, err := client.User.Query().Where(user.IDIn(ids...)).All(ctx)
		if err != nil {
			return nil, err
		}
		out := make(map[int]*ent.User, len(us))
		for _, u := range us {
			out[u.ID] = u
		}
		return out, nil
	}
	return &Loaders{
		fetchUsers: fetchUsers,
		fetchDepartments: func(ctx context.Context, enterpriseIDs []int) (map[int][]*ent.Unit, error) {
			return fetchDepartments(ctx, client, enterpriseIDs)
		},
		departments: newMappedLoader(func(ctx context.Context, enterpriseIDs []int) (map[int][]*ent.Unit, error) {
			return fetchDepartments(ctx, client, enterpriseIDs)
		}),
		users: newMappedLoader(fetchUsers),
		posts: newMappedLoader(func(ctx context.Context, ids []int) (map[int]*ent.Post, error) {
			ps, err := client.Post.Query().Where(post.IDIn(ids...)).All(ctx)
			if err != nil {
				return nil, err
			}
			out := make(map[int]*ent.Post, len(ps))
			for _, p := range ps {
				out[p.ID] = p
			}
			return out, nil
		}),
		hz: newHazardLoaders(client),
		fetchUnits: func(ctx context.Context, ids []int) (map[int]*ent.Unit, error) {
			return fetchUnits(ctx, client, ids)
		},
		units: newMappedLoader(func(ctx context.Context, ids []int) (map[int]*ent.Unit, error) {
			return fetchUnits(ctx, client, ids)
		}),
		signatures: newChildLoader(func(ctx context.Context, ids []int) ([]*ent.LetterSignature, error) {
			return client.LetterSignature.Query().Where(lettersignature.LetterIDIn(ids...)).
				Order(ent.Asc(lettersignature.FieldID)).All(ctx)
		}, func(s *ent.LetterSignature) int { return s.LetterID }),
		events: newChildLoader(func(ctx context.Context, ids []int) ([]*ent.LetterEvent, error) {
			return client.LetterEvent.Query().Where(letterevent.LetterIDIn(ids...)).
				Order(ent.Asc(letterevent.FieldID)).All(ctx)
		}, func(e *ent.LetterEvent) int { return e.LetterID }),
		files: newChildLoader(func(ctx context.Context, ids []int) ([]*ent.File, error) {
			return files.Of(client, ids...).All(ctx)
		}, func(f *ent.File) int { return f.OwnerID }),
		shifts: newChildLoader(func(ctx context.Context, ids []int) ([]*ent.DutyShift, error) {
			return client.DutyShift.Query().Where(dutyshift.RosterIDIn(ids...)).
				Order(ent.Asc(dutyshift.FieldStartsAt), ent.Asc(dutyshift.FieldID)).All(ctx)
		}, func(s *ent.DutyShift) int { return s.RosterID }),
		allowed:         newAllowedLoaders(client),
		delivered:       newDeliveredLoader(client),
		recipientCounts: newRecipientCountsLoader(client),
		edu:             newEducationLoaders(client),
		dutyLists:       newDutyListLoader(client),
		risk:            newRiskLoaders(client),
		enforcement:     newEnforcementLoaders(client),
	}
}

// childLoader loads the rows of one child table by parent id, in id order
// (the order they were written): one statement per batch, none for parents
// primed by a list resolver.
type childLoader[T any] struct {
	fetch  func(context.Context, []int) (map[int][]T, error)
	loader mappedLoader[int, []T]
}

func newChildLoader[T any](query func(context.Context, []int) ([]T, error), parent func(T) int) childLoader[T] {
	fetch := func(ctx context.Context, ids []int) (map[int][]T, error) {
		rows, err := query(ctx, ids)
		if err != nil {
			return nil, err
		}
		out := make(map[int][]T, len(ids))
		for _, id := range ids {
			out[id] = []T{}
		}
		for _, r := range rows {
			out[parent(r)] = append(out[parent(r)], r)
		}
		return out, nil
	}
	return childLoader[T]{fetch: fetch, loader: newMappedLoader(fetch)}
}

// Load returns the children of parent id.
func (l *childLoader[T]) Load(ctx context.Context, id int) ([]T, error) {
	return l.loader.Load(ctx, id)
}

// prime loads the children of ids in one statement.
func (l *childLoader[T]) prime(ctx context.Context, ids []int) error {
	if len(ids) == 0 {
		return nil
	}
	byID, err := l.fetch(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		l.loader.Prime(ctx, id, byID[id])
	}
	return nil
}

// loadUnit returns the unit, or nil when it is outside the caller's scope.
func (l *Loaders) loadUnit(ctx context.Context, id int) (*ent.Unit, error) {
	u, err := l.units.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// primeLetters loads, for a page of letters, the parts the query asks for
// under edges.node (or at the top, for plain lists): one statement per part
// whatever the page size, independent of goroutine timing.
func (l *Loaders) primeLetters(ctx context.Context, letters []*ent.ResponsibilityLetter, path ...string) error {
	if len(letters) == 0 {
		return nil
	}
	ids := make([]int, len(letters))
	var unitIDs []int
	for i, x := range letters {
		ids[i] = x.ID
		unitIDs = append(unitIDs, x.IssuerUnitID, x.SigneeUnitID)
	}
	want := func(field string) bool { return requested(ctx, append(slices.Clone(path), field)...) }
	if want("issuer") || want("signee") {
		slices.Sort(unitIDs)
		unitIDs = slices.Compact(unitIDs)
		us, err := l.fetchUnits(ctx, unitIDs)
		if err != nil {
			return err
		}
		for _, id := range unitIDs {
			l.units.Prime(ctx, id, us[id]) // nil: out of the caller's scope
		}
	}
	for field, prime := range map[string]func(context.Context, []int) error{
		"signatures": l.signatures.prime, "events": l.events.prime, "attachments": l.files.prime,
	} {
		if want(field) {
			if err := prime(ctx, ids); err != nil {
				return err
			}
		}
	}
	return nil
}

// fetchUnits loads units by id through the caller's scope.
func fetchUnits(ctx context.Context, client *ent.Client, ids []int) (map[int]*ent.Unit, error) {
	us, err := client.Unit.Query().Where(unit.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int]*ent.Unit, len(us))
	for _, u := range us {
		out[u.ID] = u
	}
	return out, nil
}

// fetchDepartments loads the supervising departments of enterprise units: two
// statements for any number of enterprises.
func fetchDepartments(ctx context.Context, client *ent.Client, enterpriseIDs []int) (map[int][]*ent.Unit, error) {
	edges, err := client.Supervision.Query().Where(supervision.EnterpriseIDIn(enterpriseIDs...)).All(ctx)
	if err != nil {
		return nil, err
	}
	deptIDs := make([]int, 0, len(edges))
	for _, e := range edges {
		deptIDs = append(deptIDs, e.DepartmentID)
	}
	depts, err := client.Unit.Query().Where(unit.IDIn(deptIDs...)).Order(ent.Asc(unit.FieldCode)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int]*ent.Unit, len(depts))
	for _, d := range depts {
		byID[d.ID] = d
	}
	out := make(map[int][]*ent.Unit, len(enterpriseIDs))
	for _, id := range enterpriseIDs {
		out[id] = []*ent.Unit{}
	}
	for _, d := range depts {
		for _, e := range edges {
			if e.DepartmentID == d.ID {
				out[e.EnterpriseID] = append(out[e.EnterpriseID], byID[d.ID])
			}
		}
	}
	return out, nil
}

// WithLoaders is HTTP middleware giving each request its own loaders, which
// collect keys for wait before each statement, and its own memo of tenant
// time zones (readiness.WithZoneMemo).
func WithLoaders(client *ent.Client, wait time.Duration, next http.Handler) http.Handler {
	bp := newLoaderBlueprint(client)
	boxedWait := any(wait)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := &loadersCtx{Context: r.Context(), loaders: bp.fresh(), wait: boxedWait}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// loadersCtx carries a request's loaders, their wait and its memo of time
// zones (readiness.WithZoneMemo) in one context value (context.WithValue
// for each would allocate each).
type loadersCtx struct {
	context.Context
	loaders *Loaders
	wait    any
	zones   readiness.ZoneMemo
}

func (c *loadersCtx) Value(key any) any {
	switch key.(type) {
	case loadersKey:
		return c.loaders
	case loaderWaitKey:
		return c.wait
	case readiness.ZoneMemoKey:
		return &c.zones
	}
	return c.Context.Value(key)
}

func loadersFrom(ctx context.Context, client *ent.Client) *Loaders {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		return l
	}
	return NewLoaders(client)
}

// loadUser returns the user, or nil when it is outside the caller's scope.
func (l *Loaders) loadUser(ctx context.Context, id int) (*ent.User, error) {
	u, err := l.users.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// loadPost returns the post, or nil when it is outside the caller's scope.
func (l *Loaders) loadPost(ctx context.Context, id int) (*ent.Post, error) {
	p, err := l.posts.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	return p, err
}

// primeDepartments loads the supervising departments of a page of enterprises
// in one batch when the query asks for them, so the statement count of a page
// does not depend on goroutine timing.
func (l *Loaders) primeDepartments(ctx context.Context, enterprises []*ent.Enterprise) error {
	if len(enterprises) == 0 {
		return nil
	}
	ids := make([]int, len(enterprises))
	for i, e := range enterprises {
		ids[i] = e.UnitID
	}
	byEnterprise, err := l.fetchDepartments(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		l.departments.Prime(ctx, id, byEnterprise[id])
	}
	return nil
}

// requested reports whether the current field's selection reaches path
// (e.g. "edges", "node", "supervisingDepartments"), through fragments of any
// type and honouring @skip and @include: what gqlgen's CollectFields would
// find along the path, walked without collecting (a page asks this for each
// part it may preload).
func requested(ctx context.Context, path ...string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	var vars map[string]any
	if graphql.HasOperationContext(ctx) {
		vars = graphql.GetOperationContext(ctx).Variables
	}
	return selects(fc.Field.Selections, path, vars)
}

// selects reports whether set has a field named path[0] whose selection
// reaches the rest of path.
func selects(set ast.SelectionSet, path []string, vars map[string]any) bool {
	if len(path) == 0 {
		return true
	}
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Name == path[0] && included(sel.Directives, vars) && selects(sel.SelectionSet, path[1:], vars) {
				return true
			}
		case *ast.InlineFragment:
			if included(sel.Directives, vars) && selects(sel.SelectionSet, path, vars) {
				return true
			}
		case *ast.FragmentSpread:
			if sel.Definition != nil && included(sel.Directives, vars) && selects(sel.Definition.SelectionSet, path, vars) {
				return true
			}
		}
	}
	return false
}

// included is gqlgen's rule for @skip and @include. A condition that does
// not resolve to a boolean (validation refuses such documents) counts as
// included: preloading a part nobody reads costs a statement, missing one
// costs correctness.
func included(directives ast.DirectiveList, vars map[string]any) bool {
	if len(directives) == 0 {
		return true
	}
	cond := func(name string, unset bool) bool {
		d := directives.ForName(name)
		if d == nil {
			return unset
		}
		arg := d.Arguments.ForName("if")
		if arg == nil {
			return unset
		}
		v, err := arg.Value.Value(vars)
		b, ok := v.(bool)
		if err != nil || !ok {
			return unset
		}
		return b
	}
	return !cond("skip", false) && cond("include", true)
}
