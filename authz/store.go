package authz

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/casbinrule"
	"github.com/dutychain/dutychain/ent/policyrevision"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/domain"
)

// Store keeps the current policy snapshot in step with the database. Every
// change bumps a revision row in the same transaction; each replica polls the
// revision (and on PostgreSQL also listens for a notification) and rebuilds
// its enforcer when it moved, so all replicas converge within one poll.
type Store struct {
	client  *ent.Client
	current atomic.Pointer[Policy]
	notify  func(ctx context.Context) error
	log     *slog.Logger
}

// NewStore loads the policy from the database.
func NewStore(ctx context.Context, client *ent.Client, log *slog.Logger) (*Store, error) {
	s := &Store{client: client, log: log}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// SetNotifier installs a function called after each committed change (e.g. a
// PostgreSQL NOTIFY) so other replicas reload at once rather than at the next poll.
func (s *Store) SetNotifier(f func(ctx context.Context) error) { s.notify = f }

// Current returns the snapshot requests should decide with.
func (s *Store) Current() *Policy { return s.current.Load() }

func (s *Store) revision(ctx context.Context) (int64, error) {
	r, err := s.client.PolicyRevision.Query().Order(ent.Asc(policyrevision.FieldID)).First(SystemContext(ctx))
	if ent.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read policy revision: %w", err)
	}
	return r.Revision, nil
}

// Reload rebuilds the snapshot from the database unconditionally.
func (s *Store) Reload(ctx context.Context) error {
	ctx = SystemContext(ctx)
	rev, err := s.revision(ctx)
	if err != nil {
		return err
	}
	rows, err := s.client.CasbinRule.Query().All(ctx)
	if err != nil {
		return fmt.Errorf("load policy rows: %w", err)
	}
	var rules []Rule
	var links []Link
	for _, r := range rows {
		switch r.Ptype {
		case "p":
			rules = append(rules, Rule{Tenant: r.V0, Role: r.V1, Type: r.V2, Action: r.V3})
		case "g":
			links = append(links, Link{Role: r.V0, Parent: r.V1})
		}
	}
	p, err := NewPolicy(rev, rules, links)
	if err != nil {
		return err
	}
	s.current.Store(p)
	return nil
}

// ReloadIfChanged rebuilds the snapshot when the stored revision moved.
func (s *Store) ReloadIfChanged(ctx context.Context) error {
	rev, err := s.revision(ctx)
	if err != nil {
		return err
	}
	if cur := s.Current(); cur != nil && cur.Revision == rev {
		return nil
	}
	return s.Reload(ctx)
}

// Watch polls for changes until ctx ends. wake, when non-nil, triggers an
// immediate check (fed by a PostgreSQL LISTEN).
func (s *Store) Watch(ctx context.Context, every time.Duration, wake <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
		if err := s.ReloadIfChanged(ctx); err != nil && ctx.Err() == nil && s.log != nil {
			s.log.Error("policy reload failed", "err", err)
		}
	}
}

// DefaultsVersion is the version of the embedded default policy. A tenant's
// policy records the version it was last brought to (a row with ptype "m",
// v1 "defaults"); EnsureTenant adds the rows of every later version once,
// so a database created before a feature gets that feature's default rules
// without re-adding rules an admin removed on purpose. The rules of a
// version are those naming the object types registered with it as their
// Since (authz/registry.go): a new type bumps the version.
const DefaultsVersion = 7

const markerType, markerKey = "m", "defaults"

// EnsureTenant writes the default policy for tenant (the embedded CSV with its
// "*" tenant replaced) and the role links, when the tenant has no rows yet;
// a tenant whose policy predates DefaultsVersion gets the rules added since.
func EnsureTenant(ctx context.Context, client *ent.Client, tenant int) error {
	ctx = SystemContext(ctx)
	key := strconv.Itoa(tenant)
	n, err := client.CasbinRule.Query().Where(casbinrule.Ptype("p"), casbinrule.V0(key)).Count(ctx)
	if err != nil {
		return fmt.Errorf("count policy rows: %w", err)
	}
	rules, links, err := DefaultPolicy()
	if err != nil {
		return err
	}
	if n > 0 {
		return upgradeTenant(ctx, client, key, rules)
	}
	var creates []*ent.CasbinRuleCreate
	for _, r := range rules {
		creates = append(creates, client.CasbinRule.Create().SetPtype("p").SetV0(key).SetV1(r.Role).SetV2(r.Type).SetV3(r.Action))
	}
	creates = append(creates, client.CasbinRule.Create().SetPtype(markerType).SetV0(key).SetV1(markerKey).SetV2(strconv.Itoa(DefaultsVersion)))
	nlinks, err := client.CasbinRule.Query().Where(casbinrule.Ptype("g")).Count(ctx)
	if err != nil {
		return fmt.Errorf("count role links: %w", err)
	}
	if nlinks == 0 {
		for _, l := range links {
			creates = append(creates, client.CasbinRule.Create().SetPtype("g").SetV0(l.Role).SetV1(l.Parent))
		}
	}
	if err := client.CasbinRule.CreateBulk(creates...).Exec(ctx); err != nil {
		return fmt.Errorf("write default policy: %w", err)
	}
	return BumpRevision(ctx, client)
}

// upgradeTenant adds the default rules of the versions after the tenant's
// recorded one (1 when unrecorded) and records DefaultsVersion.
func upgradeTenant(ctx context.Context, client *ent.Client, key string, rules []Rule) error {
	marker, err := client.CasbinRule.Query().Where(casbinrule.Ptype(markerType), casbinrule.V0(key), casbinrule.V1(markerKey)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return fmt.Errorf("read policy defaults version: %w", err)
	}
	have := 1
	if marker != nil {
		if have, err = strconv.Atoi(marker.V2); err != nil {
			return fmt.Errorf("policy defaults version %q: %w", marker.V2, err)
		}
	}
	if have >= DefaultsVersion {
		return nil
	}
	for ver := have + 1; ver <= DefaultsVersion; ver++ {
		for _, r := range rules {
			if !addedIn(ver, r) {
				continue
			}
			exists, err := client.CasbinRule.Query().Where(casbinrule.Ptype("p"), casbinrule.V0(key),
				casbinrule.V1(r.Role), casbinrule.V2(r.Type), casbinrule.V3(r.Action)).Exist(ctx)
			if err != nil {
				return fmt.Errorf("look up rule: %w", err)
			}
			if exists {
				continue
			}
			err = client.CasbinRule.Create().SetPtype("p").SetV0(key).SetV1(r.Role).SetV2(r.Type).SetV3(r.Action).Exec(ctx)
			// A replica starting at the same moment may have added it.
			if err != nil && !ent.IsConstraintError(err) {
				return fmt.Errorf("add default rule: %w", err)
			}
		}
	}
	if marker != nil {
		err = client.CasbinRule.UpdateOneID(marker.ID).SetV2(strconv.Itoa(DefaultsVersion)).Exec(ctx)
	} else {
		err = client.CasbinRule.Create().SetPtype(markerType).SetV0(key).SetV1(markerKey).SetV2(strconv.Itoa(DefaultsVersion)).Exec(ctx)
	}
	if err != nil && !ent.IsConstraintError(err) {
		return fmt.Errorf("record policy defaults version: %w", err)
	}
	return BumpRevision(ctx, client)
}

// BumpRevision increments the policy revision (call inside the transaction of
// the change).
func BumpRevision(ctx context.Context, client *ent.Client) error {
	ctx = SystemContext(ctx)
	r, err := client.PolicyRevision.Query().Order(ent.Asc(policyrevision.FieldID)).First(ctx)
	if ent.IsNotFound(err) {
		return client.PolicyRevision.Create().SetRevision(1).SetChangedAt(time.Now()).Exec(ctx)
	}
	if err != nil {
		return fmt.Errorf("read policy revision: %w", err)
	}
	return client.PolicyRevision.UpdateOneID(r.ID).AddRevision(1).SetChangedAt(time.Now()).Exec(ctx)
}

// Roles a tenant policy may name: the real roles plus the pseudo roles.
func knownRole(role string) bool {
	if role == RoleMember || role == RoleUnitHead {
		return true
	}
	for _, r := range domain.Role("").Values() {
		if r == role {
			return true
		}
	}
	return false
}

// auditPolicyChange appends the POLICY_CHANGE event of a rule change, in
// the change's transaction, scoped to the tenant root and attributed to the
// grant that allowed the change.
func auditPolicyChange(ctx context.Context, c *ent.Client, rootPath string, r Rule, add bool) error {
	v := FromContext(ctx)
	val := map[string]string{"role": r.Role, "object": r.Type, "action": r.Action}
	ch := audit.Changes{}
	for k, x := range val {
		if add {
			ch[k] = audit.Change{Before: audit.Value(nil), After: audit.Value(x)}
		} else {
			ch[k] = audit.Change{Before: audit.Value(x), After: audit.Value(nil)}
		}
	}
	ev := &audit.Event{Operation: audit.OpPolicyChange, EntityType: "policy", TenantID: v.Tenant,
		ScopePath: rootPath, Changes: ch.Encode()}
	if err := SetActor(ctx, c, ev, Object{Type: "policy", Tenant: v.Tenant, Path: rootPath}, "update"); err != nil {
		return err
	}
	return audit.Append(ctx, c, ev)
}

// ChangeRule adds (add=true) or removes a policy row of the viewer's tenant
// after checking the viewer may update the tenant's policy. It runs in a
// transaction, bumps the revision and returns the tenant's rows after the change.
func (s *Store) ChangeRule(ctx context.Context, rootPath string, r Rule, add bool) ([]Rule, error) {
	v := FromContext(ctx)
	if v == nil || v.system {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	allowed, err := v.Policy.Decide(v, Object{Type: "policy", Tenant: v.Tenant, Path: rootPath}, "update")
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, "internal error", err)
	}
	if !allowed {
		return nil, apperr.ForbiddenErr("change the tenant's policy (only a tenant-level ADMIN may)")
	}
	if !knownRole(r.Role) {
		return nil, apperr.Invalid("role", "unknown role")
	}
	if !slices.Contains(ObjectTypes, r.Type) {
		return nil, apperr.Invalid("object", fmt.Sprintf("unknown object type %q", r.Type))
	}
	if !slices.Contains(Actions, r.Action) {
		return nil, apperr.Invalid("action", fmt.Sprintf("unknown action %q", r.Action))
	}
	// Invariants of the domain guide no tenant policy may break.
	if add && r.Role == string(domain.RoleAuditor) && r.Action != "read" {
		return nil, apperr.Invalid("action", "an AUDITOR only reads: no mutation may be granted to it")
	}
	if add && r.Role == RoleMember && (r.Type != "unit" || r.Action != "read") {
		return nil, apperr.Invalid("role", "MEMBER (every user of the tenant) may only read the government directory")
	}
	if add && isAdminDecision(r) {
		return nil, apperr.Invalid("action", "ADMIN manages structure and people: no letter, inspection or hazard decision may be granted to it")
	}
	// 党政同责: a rule of either head is the rule of both, kept as UNIT_HEAD;
	// removing it also removes rows naming one head directly.
	roles := []string{r.Role}
	if IsHeadRole(r.Role) {
		r.Role = RoleUnitHead
		roles = []string{RoleUnitHead, string(domain.RolePartySecretary), string(domain.RoleGovernmentHead)}
	}
	if add && v.holdsRole(r.Role) && !IsDefaultRule(r) {
		return nil, apperr.ForbiddenErr("add a rule to a role you hold yourself (nobody raises their own rights beyond the default policy)")
	}
	key := strconv.Itoa(v.Tenant)
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	sys := SystemContext(ctx)
	match := tx.CasbinRule.Query().Where(casbinrule.Ptype("p"), casbinrule.V0(key), casbinrule.V1In(roles...), casbinrule.V2(r.Type), casbinrule.V3(r.Action))
	exists, err := match.Exist(sys)
	if err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("look up rule: %w", err)
	}
	switch {
	case add && exists:
		_ = tx.Rollback()
		return nil, apperr.New(apperr.Conflict, "the rule already exists")
	case !add && !exists:
		_ = tx.Rollback()
		return nil, apperr.NotFoundf("rule not found")
	case add:
		err = tx.CasbinRule.Create().SetPtype("p").SetV0(key).SetV1(r.Role).SetV2(r.Type).SetV3(r.Action).Exec(sys)
	default:
		_, err = tx.CasbinRule.Delete().Where(casbinrule.Ptype("p"), casbinrule.V0(key), casbinrule.V1In(roles...), casbinrule.V2(r.Type), casbinrule.V3(r.Action)).Exec(sys)
	}
	if err == nil {
		err = BumpRevision(sys, tx.Client())
	}
	if err == nil {
		err = auditPolicyChange(ctx, tx.Client(), rootPath, r, add)
	}
	if err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("change rule: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	if s.notify != nil {
		if err := s.notify(ctx); err != nil && s.log != nil {
			s.log.Warn("policy change notification failed; replicas reload at next poll", "err", err)
		}
	}
	return s.Current().Rules(v.Tenant), nil
}
