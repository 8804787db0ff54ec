package authz

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/domain"
)

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
	case auditSubject(info.name) != "":
		uid := optInt(r.state[auditSubject(info.name)])
		if uid == nil {
			return nil, fmt.Errorf("audit: %s %d has no subject unit", info.name, id)
		}
		su, err := loadUnit(ctx, c, *uid)
		if err != nil {
			return nil, fmt.Errorf("audit: subject unit of %s %d: %w", info.name, id, err)
		}
		ev.TenantID, ev.ScopePath = su.Tenant, su.Path
		ev.ScopeSector, ev.ScopeEnterpriseID = sectorString(su.Sector), su.EnterpriseID
	case tenantWide(info.name):
		t, _ := r.state[ColTenant].(int)
		root, err := RootPath(ctx, c, t)
		if err != nil {
			return nil, fmt.Errorf("audit: tenant root of %s %d: %w", info.name, id, err)
		}
		ev.TenantID, ev.ScopePath = t, root
	default:
		return nil, fmt.Errorf("audit: %s has no place in the tenant: add the ScopeMixin, or register it in authz/registry.go", info.name)
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
// reflection, so a new type cannot be missed), how its changes reach the
// audit log, as the registry and the entity's columns decide: "internal:
// why", "scope columns", "subject field X", "tenant-wide" or "its own
// tenant". A type missing from the registry, or an audited one without a
// way to place its events, is an error: the hook would refuse its writes.
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
		if _, ok := tablesByEntity[name]; !ok {
			errs = append(errs, fmt.Errorf("%s: not in the registry (authz/registry.go)", name))
			continue
		}
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
		case auditSubject(name) != "" && info.has(auditSubject(name)):
			out[name] = "subject field " + auditSubject(name)
		case tenantWide(name) && info.has(ColTenant):
			out[name] = "tenant-wide (scoped to the tenant root)"
		default:
			errs = append(errs, fmt.Errorf("%s: no scope columns, no subject field and not tenant-wide (add the ScopeMixin, or an AuditSubject or NotAudited reason in authz/registry.go)", name))
		}
	}
	return out, errors.Join(errs...)
}

// auditSubject is the unit field placing the events of ent type name when
// its rows carry no scope columns (Table.AuditSubject).
func auditSubject(name string) string {
	if t, ok := tablesByEntity[name]; ok {
		return t.AuditSubject
	}
	return ""
}

// tenantWide reports whether ent type name belongs to the tenant as a whole.
func tenantWide(name string) bool {
	r, ok := recordsByEntity[name]
	return ok && r.Placement == TenantWide
}
