package authz

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"unicode"

	entgo "entgo.io/ent"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/domain"
)

// InternalTypes are the ent types whose writes are not audit events, each
// with the reason. Every other type is audited by AuditHook; a test checks
// that each type of the schema is one or the other.
var InternalTypes = map[string]string{
	"AuditEvent":     "the audit log itself (append-only, written by internal/audit)",
	"AuditHead":      "the head of the audit chain, written with each event",
	"CasbinRule":     "policy rows: Store.ChangeRule records each change as one POLICY_CHANGE event",
	"PolicyRevision": "a counter bumped with every policy change (recorded as POLICY_CHANGE)",
	"RefreshToken":   "secrets: sessions are recorded as LOGIN, REFRESH, REFRESH_REUSE and LOGOUT events",
	"LoginAttempt":   "throttle counters: sign-ins are recorded as LOGIN and LOGIN_FAILED events",
}

// SubjectFields names, for audited types without the scope columns, the
// field holding the unit their events are scoped to.
var SubjectFields = map[string]string{
	"Supervision": "enterprise_id",
}

// TenantWideTypes are audited types that belong to the tenant as a whole
// (tenant_id, no subject unit): their events are scoped to the tenant root.
var TenantWideTypes = map[string]bool{
	"ChecklistTemplate": true,
}

// noiseFields are not part of an event's changes: identity, bookkeeping
// times and the scope columns (derived copies of the subject unit's
// position, recorded as the event's own scope).
var noiseFields = map[string]bool{
	"id": true, "created_at": true, "updated_at": true, ColTenant: true,
	ColPath: true, ColSector: true, ColEnterpriseID: true,
}

// deniedFields are never recorded, whatever the schema says (defence in
// depth next to ent's Sensitive(), which AuditHook honours as well).
var deniedFields = []string{"password", "token", "secret", "private_key"}

// AuditHook is the single audit mechanism for entity changes: registered
// on the ent client at open time (internal/db), it sees every create,
// update and delete of every type and, for each successful one of an
// audited type, appends one event per changed row in the same transaction
// (audit.Append: two statements). A mutation outside a transaction is
// given one through drv, so the change and its event commit together; if
// the event cannot be written the mutation fails. An update that changes
// no recorded field (only the scope columns, say) is not an event.
func AuditHook(drv *audit.Driver) entgo.Hook {
	return func(next entgo.Mutator) entgo.Mutator {
		return entgo.MutateFunc(func(ctx context.Context, m entgo.Mutation) (entgo.Value, error) {
			if _, internal := InternalTypes[m.Type()]; internal {
				return next.Mutate(ctx, m)
			}
			am, ok := m.(auditMutation)
			if !ok {
				return nil, fmt.Errorf("audit: mutation %T lacks the generated methods", m)
			}
			if _, err := am.Tx(); err == nil || audit.InImplicitTx(ctx) {
				return record(ctx, next, am)
			}
			if drv == nil {
				return nil, fmt.Errorf("audit: %s %s outside a transaction and no implicit-transaction driver", m.Op(), m.Type())
			}
			tctx, tx, err := drv.Begin(ctx)
			if err != nil {
				return nil, err
			}
			v, err := record(tctx, next, am)
			if err != nil {
				if rerr := tx.Rollback(); rerr != nil {
					err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
				}
				return nil, err
			}
			if err := tx.Commit(); err != nil {
				return nil, fmt.Errorf("audit: commit %s %s: %w", m.Op(), m.Type(), err)
			}
			return v, nil
		})
	}
}

// auditMutation is what every generated mutation offers.
type auditMutation interface {
	entgo.Mutation
	Client() *ent.Client
	Tx() (*ent.Tx, error)
	ID() (int, bool)
	IDs(ctx context.Context) ([]int, error)
}

// rowChange is one changed row before it becomes an event.
type rowChange struct {
	id      int
	changes audit.Changes
	// state holds the row's values that locate it (scope columns, subject
	// field, id), before the change for updates and deletes, after it for
	// creates.
	state map[string]any
}

func record(ctx context.Context, next entgo.Mutator, m auditMutation) (entgo.Value, error) {
	info, err := typeInfoOf(m.Client(), m.Type())
	if err != nil {
		return nil, err
	}
	op := audit.OpUpdate
	var rows []rowChange
	var v entgo.Value
	switch {
	case m.Op().Is(entgo.OpCreate):
		op = audit.OpCreate
		if v, err = next.Mutate(ctx, m); err != nil {
			return nil, err
		}
		id, ok := m.ID()
		if !ok {
			return nil, fmt.Errorf("audit: created %s has no id", m.Type())
		}
		state := info.values(v)
		ch := audit.Changes{}
		for _, f := range m.Fields() {
			if info.recorded(f) {
				ch[f] = info.change(f, nil, state[f], false)
			}
		}
		rows = append(rows, rowChange{id: id, changes: ch, state: state})
	case m.Op().Is(entgo.OpUpdateOne):
		fields := changedFields(m, info)
		if len(fields) == 0 {
			return next.Mutate(ctx, m) // nothing recorded changes
		}
		id, _ := m.ID()
		before := map[string]any{}
		var oldErr error
		for _, f := range append(fields, info.locators()...) {
			if !info.has(f) {
				continue
			}
			// Same context as the scope hook's own OldField call: the row
			// is loaded (once) through the caller's read filter.
			val, err := m.OldField(ctx, f)
			if err != nil {
				oldErr = err
				break
			}
			before[f] = val
		}
		if v, err = next.Mutate(ctx, m); err != nil {
			return nil, err
		}
		if oldErr != nil {
			return nil, fmt.Errorf("audit: load %s %d before update: %w", m.Type(), id, oldErr)
		}
		after := info.values(v)
		ch := audit.Changes{}
		for _, f := range fields {
			c := info.change(f, before[f], after[f], true)
			if c.Redacted || string(c.Before) != string(c.After) {
				ch[f] = c
			}
		}
		addEdges(m, ch)
		if len(ch) > 0 {
			before["id"] = id
			rows = append(rows, rowChange{id: id, changes: ch, state: before})
		}
	default: // DeleteOne, Delete, Update: row by row
		if m.Op().Is(entgo.OpDelete | entgo.OpDeleteOne) {
			op = audit.OpDelete
		}
		ids, err := m.IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("audit: list the rows of %s %s: %w", m.Op(), m.Type(), err)
		}
		fields := changedFields(m, info)
		if op == audit.OpUpdate && len(fields) == 0 {
			return next.Mutate(ctx, m)
		}
		olds := make([]map[string]any, len(ids))
		for i, id := range ids {
			e, err := info.load(SystemContext(ctx), m.Client(), id)
			if err != nil {
				return nil, fmt.Errorf("audit: load %s %d: %w", m.Type(), id, err)
			}
			olds[i] = info.values(e)
		}
		if v, err = next.Mutate(ctx, m); err != nil {
			return nil, err
		}
		for i, id := range ids {
			ch := audit.Changes{}
			if op == audit.OpDelete {
				for _, f := range info.names {
					if info.recorded(f) {
						ch[f] = info.change(f, olds[i][f], nil, false)
					}
				}
			} else {
				for _, f := range fields {
					val, set := m.Field(f)
					if !set {
						val = nil // cleared (an Add on a bulk update is recorded as null)
					}
					c := info.change(f, olds[i][f], val, true)
					if c.Redacted || string(c.Before) != string(c.After) {
						ch[f] = c
					}
				}
				if len(ch) == 0 {
					continue
				}
			}
			rows = append(rows, rowChange{id: id, changes: ch, state: olds[i]})
		}
	}
	if o := audit.OperationFrom(ctx); o != "" {
		op = o
	}
	for _, r := range rows {
		ev, err := newEntityEvent(ctx, m.Client(), info, op, r)
		if err != nil {
			return nil, err
		}
		if err := audit.Append(ctx, m.Client(), ev); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// changedFields lists the recorded fields a mutation sets, clears or adds to.
func changedFields(m entgo.Mutation, info *typeInfo) []string {
	seen := map[string]bool{}
	var out []string
	for _, group := range [][]string{m.Fields(), m.ClearedFields(), m.AddedFields()} {
		for _, f := range group {
			if !seen[f] && info.recorded(f) {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sort.Strings(out)
	return out
}

// addEdges records edge changes that no foreign-key field already shows
// (every edge of the current schema has one: <edge>_id).
func addEdges(m entgo.Mutation, ch audit.Changes) {
	names := map[string]bool{}
	for _, group := range [][]string{m.AddedEdges(), m.RemovedEdges(), m.ClearedEdges()} {
		for _, e := range group {
			names[e] = true
		}
	}
	for e := range names {
		if _, ok := ch[e+"_id"]; ok {
			continue
		}
		if _, set := m.Field(e + "_id"); set {
			continue
		}
		before := m.RemovedIDs(e)
		var after any = m.AddedIDs(e)
		if m.EdgeCleared(e) {
			after = "cleared"
		}
		ch["edge:"+e] = audit.Change{Before: audit.Value(before), After: audit.Value(after)}
	}
}

// newEntityEvent builds the event of one changed row: its tenant and scope
// (from the row's scope columns, its subject unit, or for a tenant itself
// none), the actor and the post they acted under.
func newEntityEvent(ctx context.Context, c *ent.Client, info *typeInfo, op audit.Operation, r rowChange) (*audit.Event, error) {
	id := r.id
	ev := &audit.Event{Operation: op, EntityType: info.entityType, EntityID: &id, Changes: r.changes.Encode()}
	switch {
	case info.scoped:
		t, _ := r.state[ColTenant].(int)
		ev.TenantID = t
		ev.ScopePath, _ = r.state[ColPath].(string)
		ev.ScopeSector = optString(r.state[ColSector])
		ev.ScopeEnterpriseID = optInt(r.state[ColEnterpriseID])
	case info.name == "Tenant":
		ev.TenantID, ev.ScopePath = id, audit.NoScope
	case TenantWideTypes[info.name]:
		t, _ := r.state[ColTenant].(int)
		root, err := RootPath(ctx, c, t)
		if err != nil {
			return nil, fmt.Errorf("audit: tenant root of %s %d: %w", info.name, id, err)
		}
		ev.TenantID, ev.ScopePath = t, root
	case SubjectFields[info.name] != "":
		uid := optInt(r.state[SubjectFields[info.name]])
		if uid == nil {
			return nil, fmt.Errorf("audit: %s %d has no subject unit", info.name, id)
		}
		su, err := loadUnit(ctx, c, *uid)
		if err != nil {
			return nil, fmt.Errorf("audit: subject unit of %s %d: %w", info.name, id, err)
		}
		ev.TenantID, ev.ScopePath = su.Tenant, su.Path
		ev.ScopeSector, ev.ScopeEnterpriseID = sectorString(su.Sector), su.EnterpriseID
	default:
		return nil, fmt.Errorf("audit: %s has neither scope columns nor a subject field: add the ScopeMixin or an entry in authz.SubjectFields", info.name)
	}
	if ev.TenantID == 0 {
		return nil, fmt.Errorf("audit: %s %d has no tenant", info.name, id)
	}
	action := map[audit.Operation]string{audit.OpCreate: "create", audit.OpDelete: "delete"}[op]
	if action == "" {
		action = "update"
	}
	o := Object{Type: info.entityType, Tenant: ev.TenantID, Path: ev.ScopePath}
	if ev.ScopeSector != nil {
		o.Sector = domain.Sector(*ev.ScopeSector)
	}
	if ev.ScopeEnterpriseID != nil {
		o.EnterpriseID = *ev.ScopeEnterpriseID
	}
	return ev, SetActor(ctx, c, ev, o, action)
}

// SetActor fills the actor of ev from ctx (see Actor) and the post they
// acted under: the first of their valid posts, in post id order, whose role
// the policy lets do action on o's type and whose territory covers o (the
// grant that authorised the change); failing that — a change the system
// makes for them, such as supervision edges written with an enterprise —
// the first valid post covering o; failing that none.
func SetActor(ctx context.Context, c *ent.Client, ev *audit.Event, o Object, action string) error {
	v := Actor(ctx)
	if v == nil {
		ev.ActorName = audit.SystemActor
		return nil
	}
	uid := v.UserID
	ev.ActorUserID, ev.ActorName = &uid, v.Username
	post, err := v.postFor(ctx, c, o, action)
	if err != nil {
		return err
	}
	ev.ActorPostID = post
	return nil
}

func (v *Viewer) postFor(ctx context.Context, c *ent.Client, o Object, action string) (*int, error) {
	pick := func(o Object) *int {
		for _, needPolicy := range []bool{true, false} {
			for _, g := range v.Grants {
				if g.DirectoryOnly || g.PostID == 0 {
					continue
				}
				if needPolicy && (v.Policy == nil || !v.Policy.GrantAllows(g, o.Type, action)) {
					continue
				}
				if g.Covers(o) {
					id := g.PostID
					return &id
				}
			}
		}
		return nil
	}
	if p := pick(o); p != nil {
		return p, nil
	}
	// A department post covers supervised enterprises: load the supervisors
	// only when it matters.
	if o.EnterpriseID > 0 && c != nil {
		for _, g := range v.Grants {
			if g.UnitKind == "DEPARTMENT" {
				full, err := ObjectAt(ctx, c, o.Type, o.Tenant, o.Path, optString(string(o.Sector)), &o.EnterpriseID)
				if err != nil {
					return nil, err
				}
				return pick(full), nil
			}
		}
	}
	return nil, nil
}

// typeInfo is what the hook knows of one ent type, read from the
// generated entity struct (by reflection, once per type).
type typeInfo struct {
	name, entityType string
	// names are the fields (json names) of the entity struct, sorted.
	names []string
	index map[string]int
	// sensitive holds the fields ent marks Sensitive() (json:"-"), by
	// normalised Go name.
	sensitive map[string]bool
	scoped    bool
}

var typeInfos sync.Map // type name → *typeInfo

func typeInfoOf(c *ent.Client, name string) (*typeInfo, error) {
	if ti, ok := typeInfos.Load(name); ok {
		return ti.(*typeInfo), nil
	}
	tc := reflect.ValueOf(c).Elem().FieldByName(name)
	if !tc.IsValid() {
		return nil, fmt.Errorf("audit: the ent client has no %s client", name)
	}
	get := tc.MethodByName("Get")
	if !get.IsValid() || get.Type().NumOut() != 2 {
		return nil, fmt.Errorf("audit: %sClient has no Get", name)
	}
	st := get.Type().Out(0).Elem()
	ti := &typeInfo{name: name, entityType: Snake(name), index: map[string]int{}, sensitive: map[string]bool{}}
	for i := 0; i < st.NumField(); i++ {
		f := st.Field(i)
		if !f.IsExported() || f.Name == "Edges" {
			continue
		}
		tag := strings.Split(f.Tag.Get("json"), ",")[0]
		if tag == "-" {
			ti.sensitive[normalise(f.Name)] = true
			continue
		}
		if tag == "" {
			continue
		}
		ti.index[tag] = i
		ti.names = append(ti.names, tag)
	}
	sort.Strings(ti.names)
	_, ti.scoped = ti.index[ColPath]
	typeInfos.Store(name, ti)
	return ti, nil
}

// has reports whether the entity has field f.
func (t *typeInfo) has(f string) bool { _, ok := t.index[f]; return ok }

// recorded reports whether changes of f belong in an event.
func (t *typeInfo) recorded(f string) bool {
	return !noiseFields[f]
}

// secret reports whether f's values must never be recorded.
func (t *typeInfo) secret(f string) bool {
	if t.sensitive[normalise(f)] {
		return true
	}
	for _, d := range deniedFields {
		if strings.Contains(f, d) {
			return true
		}
	}
	return false
}

// locators are the fields that place a row: its scope or subject.
func (t *typeInfo) locators() []string {
	if t.scoped {
		return []string{ColTenant, ColPath, ColSector, ColEnterpriseID}
	}
	if f := SubjectFields[t.name]; f != "" {
		return []string{f}
	}
	return nil
}

func (t *typeInfo) change(f string, before, after any, isUpdate bool) audit.Change {
	if t.secret(f) {
		return audit.Redacted()
	}
	if !isUpdate {
		return audit.Change{Before: audit.Value(before), After: audit.Value(after)}
	}
	return audit.Change{Before: audit.Value(deref(before)), After: audit.Value(deref(after))}
}

// values reads the exported fields of an entity (a pointer to the
// generated struct) by json name.
func (t *typeInfo) values(e any) map[string]any {
	out := map[string]any{}
	rv := reflect.ValueOf(e)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return out
	}
	rv = rv.Elem()
	if rv.Kind() != reflect.Struct {
		return out
	}
	for name, i := range t.index {
		if i < rv.NumField() {
			out[name] = deref(rv.Field(i).Interface())
		}
	}
	return out
}

// load reads one row by id through the type's generated client.
func (t *typeInfo) load(ctx context.Context, c *ent.Client, id int) (any, error) {
	tc := reflect.ValueOf(c).Elem().FieldByName(t.name)
	out := tc.MethodByName("Get").Call([]reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(id)})
	if err, _ := out[1].Interface().(error); err != nil {
		return nil, err
	}
	return out[0].Interface(), nil
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	if rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return rv.Elem().Interface()
	}
	return v
}

func normalise(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", ""))
}

// Snake is the entity type name of an ent type: ResponsibilityLetter →
// responsibility_letter.
func Snake(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 && !unicode.IsUpper(rune(name[i-1])) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func optString(v any) *string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return &x
	case *string:
		return x
	}
	return nil
}

func optInt(v any) *int {
	switch x := v.(type) {
	case int:
		return &x
	case *int:
		return x
	}
	return nil
}

// errAuditRead is the FORBIDDEN answer to a caller whose posts grant no
// audit read at all.
var errAuditRead = apperr.New(apperr.Forbidden, "reading the audit log needs an AUDITOR or ADMIN post")

// CanReadAudit reports whether some grant of the viewer may read audit
// events anywhere (AUDITOR and ADMIN by the default policy); the audit
// connection answers FORBIDDEN otherwise (see docs/AUDIT.md).
func CanReadAudit(ctx context.Context) error {
	v := FromContext(ctx)
	if v == nil {
		return apperr.New(apperr.Unauthenticated, "sign in first")
	}
	if v.system {
		return nil
	}
	for _, g := range v.Grants {
		if !g.DirectoryOnly && v.Policy != nil && v.Policy.GrantAllows(g, audit.ObjectType, "read") {
			return nil
		}
	}
	return errAuditRead
}

// AuditCoverage says, for every entity type of the ent client (found by
// reflection, so a new type is included without being listed), how its
// changes reach the audit log: "internal: why", "scope columns", "subject
// field X" or "its own tenant". An audited type that has no way to place
// its events is an error — the hook would refuse its writes.
func AuditCoverage(c *ent.Client) (map[string]string, error) {
	out := map[string]string{}
	ct := reflect.TypeOf(c).Elem()
	var errs []error
	for i := 0; i < ct.NumField(); i++ {
		f := ct.Field(i)
		if !f.IsExported() || f.Type.Kind() != reflect.Pointer || !strings.HasSuffix(f.Type.Elem().Name(), "Client") {
			continue
		}
		name := f.Name
		if why, ok := InternalTypes[name]; ok {
			out[name] = "internal: " + why
			continue
		}
		info, err := typeInfoOf(c, name)
		switch {
		case err != nil:
			errs = append(errs, err)
		case info.scoped:
			out[name] = "scope columns"
		case name == "Tenant":
			out[name] = "its own tenant"
		case SubjectFields[name] != "" && info.has(SubjectFields[name]):
			out[name] = "subject field " + SubjectFields[name]
		case TenantWideTypes[name] && info.has(ColTenant):
			out[name] = "tenant-wide (scoped to the tenant root)"
		default:
			errs = append(errs, fmt.Errorf("%s: no scope columns and no subject field (add the ScopeMixin, an authz.SubjectFields entry, or an authz.InternalTypes entry with the reason)", name))
		}
	}
	return out, errors.Join(errs...)
}
