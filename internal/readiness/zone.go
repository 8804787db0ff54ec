package readiness

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/tenantsetting"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/kernel"
)

// DefaultZone is the time zone of a tenant that set none: China Standard
// Time.
const DefaultZone = "Asia/Shanghai"

// ZoneName is the IANA name of the time zone tenant id shows its times in
// (gaps, dates of the day): its setting, DefaultZone unless set. Times are
// stored in UTC whatever the zone. It reads the setting each time except
// within one request that carries a memo (WithZoneMemo): a zone another
// replica just set is seen by the next request, never by a process cache.
func (s *Service) ZoneName(ctx context.Context, tenantID int) (string, error) {
	memo, _ := ctx.Value(ZoneMemoKey{}).(*ZoneMemo)
	if memo == nil {
		return s.readZone(ctx, tenantID)
	}
	// Resolvers of one page ask concurrently: the first reads, the others
	// wait for its answer.
	memo.mu.Lock()
	e, ok := memo.entries[tenantID]
	if !ok {
		if memo.entries == nil {
			memo.entries = map[int]*zoneEntry{}
		}
		e = &zoneEntry{}
		memo.entries[tenantID] = e
	}
	memo.mu.Unlock()
	e.once.Do(func() { e.name, e.err = s.readZone(ctx, tenantID) })
	return e.name, e.err
}

func (s *Service) readZone(ctx context.Context, tenantID int) (string, error) {
	st, err := s.Client.TenantSetting.Query().Where(tenantsetting.TenantID(tenantID)).Only(authz.SystemContext(ctx))
	switch {
	case ent.IsNotFound(err):
		return DefaultZone, nil
	case err != nil:
		return "", fmt.Errorf("load the tenant's settings: %w", err)
	}
	return st.TimeZone, nil
}

// ZoneMemo remembers tenant zones for one request, so that a page of
// rosters costs one statement, not one per roster. Its zero value is
// ready; a context carries it under ZoneMemoKey (WithZoneMemo).
type ZoneMemo struct {
	mu      sync.Mutex
	entries map[int]*zoneEntry // made on first use
}

type zoneEntry struct {
	once sync.Once
	name string
	err  error
}

// ZoneMemoKey is the context key of a request's *ZoneMemo, for contexts
// that carry it among other values of their own (graph's loaders).
type ZoneMemoKey struct{}

// WithZoneMemo returns ctx remembering the zones ZoneName reads until the
// request ends. Give it to one request (or one subscription event), never to
// a long-lived context: a zone changed meanwhile would not be seen.
func WithZoneMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, ZoneMemoKey{}, &ZoneMemo{})
}

// Zone is the time zone of tenant id (ZoneName) as a location.
func (s *Service) Zone(ctx context.Context, tenantID int) (*time.Location, error) {
	name, err := s.ZoneName(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("load time zone %q: %w", name, err)
	}
	return loc, nil
}

// Zones reads the time zone of every tenant with one statement (for the
// system's scheduled work across tenants) and returns it as a lookup:
// DefaultZone for a tenant that set none.
func (s *Service) Zones(ctx context.Context) (func(tenant int) *time.Location, error) {
	settings, err := s.Client.TenantSetting.Query().Select(tenantsetting.FieldTenantID, tenantsetting.FieldTimeZone).All(authz.SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("load the tenants' time zones: %w", err)
	}
	def, err := time.LoadLocation(DefaultZone)
	if err != nil {
		return nil, fmt.Errorf("load time zone %q: %w", DefaultZone, err)
	}
	zones := make(map[int]*time.Location, len(settings))
	for _, st := range settings {
		loc, err := time.LoadLocation(st.TimeZone)
		if err != nil {
			return nil, fmt.Errorf("tenant %d: load time zone %q: %w", st.TenantID, st.TimeZone, err)
		}
		zones[st.TenantID] = loc
	}
	return func(tenant int) *time.Location {
		if loc, ok := zones[tenant]; ok {
			return loc
		}
		return def
	}, nil
}

// ValidZone reports whether name is an IANA time zone name this server
// knows (not the empty name or Local, which mean the host's zone).
func ValidZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// SetZone sets the caller's tenant's time zone to the IANA name, in one
// transaction: a tenant-level ADMIN's decision (policy:update at the tenant's
// root, whose path is rootPath), as for the tenant's policy.
func (s *Service) SetZone(ctx context.Context, rootPath, name string) error {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() || v.UserID == 0 {
		return apperr.New(apperr.Unauthenticated, "sign in first")
	}
	var p checks
	p.text("timeZone", &name, MaxName, true)
	if name != "" {
		p.Check(!ValidZone(name), "timeZone", "must be an IANA time zone name, e.g. Asia/Shanghai or Europe/Berlin")
	}
	if err := p.Err(); err != nil {
		return err
	}
	allowed, err := v.Policy.Decide(v, authz.Object{Type: "policy", Tenant: v.Tenant, Path: rootPath}, "update")
	if err != nil {
		return fmt.Errorf("decide the time zone change: %w", err)
	}
	if !allowed {
		return apperr.ForbiddenErr("set the tenant's time zone (only a tenant-level ADMIN may)")
	}
	return kernel.InTx(ctx, s.Client, func(tx *ent.Tx) error {
		sys := authz.SystemContext(ctx)
		st, err := tx.TenantSetting.Query().Where(tenantsetting.TenantID(v.Tenant)).Only(sys)
		switch {
		case ent.IsNotFound(err):
			err = tx.TenantSetting.Create().SetTenantID(v.Tenant).SetTimeZone(name).Exec(sys)
		case err == nil:
			err = tx.TenantSetting.UpdateOne(st).SetTimeZone(name).Exec(sys)
		}
		if err != nil {
			return fmt.Errorf("set the tenant's time zone: %w", err)
		}
		return nil
	})
}
