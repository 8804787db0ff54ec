// Package authz decides who may do what: the casbin model and default policy,
// grants compiled from posts, and the SQL predicate that pushes a viewer's
// jurisdiction into every query. See docs/AUTHZ.md.
package authz

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"

	"github.com/dutychain/dutychain/internal/domain"
)

//go:embed dutychain_model.conf
var modelText string

//go:embed dutychain_policy.csv
var defaultPolicyText string

// AnyTenant is the tenant placeholder of the default policy file.
const AnyTenant = "*"

// Rule is one policy row: in Tenant, Role may do Action on objects of Type.
type Rule struct {
	Tenant string
	Role   string
	Type   string
	Action string
}

// Link is one role-inheritance row: Role inherits the rights of Parent.
type Link struct {
	Role   string
	Parent string
}

// DefaultPolicy parses the embedded default policy file.
func DefaultPolicy() ([]Rule, []Link, error) {
	return ParsePolicy(defaultPolicyText)
}

// ParsePolicy reads casbin CSV policy text ("p, ten, role, typ, act" and
// "g, role, parent" rows).
func ParsePolicy(text string) ([]Rule, []Link, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	recs, err := r.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("parse policy: %w", err)
	}
	var rules []Rule
	var links []Link
	for i, rec := range recs {
		switch {
		case len(rec) == 5 && rec[0] == "p":
			rules = append(rules, Rule{Tenant: rec[1], Role: rec[2], Type: rec[3], Action: rec[4]})
		case len(rec) == 3 && rec[0] == "g":
			links = append(links, Link{Role: rec[1], Parent: rec[2]})
		default:
			return nil, nil, fmt.Errorf("parse policy: line %d: unexpected row %q", i+1, rec)
		}
	}
	return rules, links, nil
}

// Policy is an immutable snapshot of the casbin policy at one revision:
// one enforcer per tenant, object type and action, built on first use from
// the rows that can match them (a decision never scans other tenants',
// types' or actions' rows: casbin evaluates the matcher on every row it
// holds), and the role-inheritance closure read once from casbin's role
// manager. Requests capture a snapshot at their start; a reload builds a
// new one.
type Policy struct {
	Revision int64
	// tenantRows are the casbin rows of each tenant; links the g rows.
	tenantRows map[string][][]string
	links      [][]string
	// enforcers: "tenant|type|action" → *casbin.Enforcer, or nil when no
	// row of the tenant can match the type and action.
	enforcers sync.Map
	rules     []Rule
	// inherits[a][b]: a grant of role a carries role b (casbin g, transitive).
	inherits map[string]map[string]bool

	mu       sync.RWMutex
	allowers map[allowersKey]map[string]bool // roles allowed
}

// NewPolicy builds the enforcers from the embedded model and the given rows.
func NewPolicy(revision int64, rules []Rule, links []Link) (*Policy, error) {
	rules = enforceInvariants(rules)
	p := &Policy{Revision: revision, tenantRows: map[string][][]string{}, rules: rules,
		allowers: map[allowersKey]map[string]bool{}}
	for _, r := range rules {
		p.tenantRows[r.Tenant] = append(p.tenantRows[r.Tenant], []string{r.Tenant, r.Role, r.Type, r.Action})
	}
	p.links = make([][]string, 0, len(links))
	for _, l := range links {
		p.links = append(p.links, []string{l.Role, l.Parent})
	}
	roles, err := newEnforcer(nil, p.links)
	if err != nil {
		return nil, err
	}
	rm := roles.GetRoleManager()
	// The closure over every role named anywhere, asked of casbin once, so
	// no decision calls the role manager (it allocates on every call).
	names := map[string]bool{RoleMember: true, RoleUnitHead: true}
	for _, r := range domain.Role("").Values() {
		names[r] = true
	}
	for _, r := range rules {
		names[r.Role] = true
	}
	for _, l := range links {
		names[l.Role], names[l.Parent] = true, true
	}
	p.inherits = map[string]map[string]bool{}
	for a := range names {
		p.inherits[a] = map[string]bool{a: true}
		for b := range names {
			if ok, err := rm.HasLink(a, b); err == nil && ok {
				p.inherits[a][b] = true
			}
		}
	}
	return p, nil
}

func newEnforcer(rows, links [][]string) (*casbin.Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("load casbin model: %w", err)
	}
	enf, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("create enforcer: %w", err)
	}
	enf.EnableAutoSave(false)
	enf.EnableLog(false)
	if len(rows) > 0 {
		if _, err := enf.AddPolicies(rows); err != nil {
			return nil, fmt.Errorf("add policies: %w", err)
		}
	}
	if len(links) > 0 {
		if _, err := enf.AddGroupingPolicies(links); err != nil {
			return nil, fmt.Errorf("add grouping policies: %w", err)
		}
	}
	return enf, nil
}

// Rules returns the policy rows of tenant (a copy).
func (p *Policy) Rules(tenant int) []Rule {
	key := strconv.Itoa(tenant)
	var out []Rule
	for _, r := range p.rules {
		if r.Tenant == key {
			out = append(out, r)
		}
	}
	return out
}

// hasRole reports whether a grant of role have carries role want through g.
func (p *Policy) hasRole(have, want string) bool {
	return have == want || p.inherits[have][want]
}

// holdsFunc is the matcher function holds(r.sub, p.role, r.obj).
func (p *Policy) holdsFunc(args ...any) (any, error) {
	if len(args) != 3 {
		return false, errors.New("holds: want 3 arguments")
	}
	v, ok1 := args[0].(*Viewer)
	role, ok2 := args[1].(string)
	o, ok3 := args[2].(*Object)
	if !ok1 || !ok2 || !ok3 {
		return false, errors.New("holds: bad argument types")
	}
	for _, g := range v.Grants {
		if p.hasRole(g.Role, role) && g.Covers(*o) {
			return true, nil
		}
	}
	return false, nil
}

// decisions counts Decide calls: reads must make none per row (the SQL
// predicate decides), which the metrics and the benchmark harness show.
var decisions atomic.Int64

// Decisions is the number of per-object decisions this process has made.
func Decisions() int64 { return decisions.Load() }

// Decide asks the enforcer whether v may do action on o. This is the single
// per-object decision: mutations and the property tests' oracle use it.
func (p *Policy) Decide(v *Viewer, o Object, action string) (bool, error) {
	decisions.Add(1)
	if v == nil {
		return false, nil
	}
	if v.system {
		return true, nil
	}
	if o.Tenant != v.Tenant {
		return false, nil
	}
	tenant := strconv.Itoa(o.Tenant)
	enf, err := p.enforcer(tenant, o.Type, action)
	if err != nil {
		return false, err
	}
	if enf == nil {
		return false, nil // no row of the tenant names the type and action
	}
	ok, err := enf.Enforce(v, tenant, o.Type, &o, action)
	if err != nil {
		return false, fmt.Errorf("enforce %s %s: %w", action, o.Type, err)
	}
	return ok, nil
}

// enforcer is the casbin enforcer deciding action on typ in tenant: the
// model with only the tenant's rows whose type and action can match, so
// its answer is the one the tenant's whole policy gives (a row whose
// typeMatch or keyMatch fails cannot allow) at a fraction of the matcher
// evaluations. Nil when no row can match.
func (p *Policy) enforcer(tenant, typ, action string) (*casbin.Enforcer, error) {
	key := tenant + "|" + typ + "|" + action
	if e, ok := p.enforcers.Load(key); ok {
		return e.(*casbin.Enforcer), nil
	}
	var rows [][]string
	for _, r := range p.tenantRows[tenant] {
		if TypeMatch(typ, r[2]) && util.KeyMatch(action, r[3]) {
			rows = append(rows, r)
		}
	}
	var enf *casbin.Enforcer
	if len(rows) > 0 {
		var err error
		if enf, err = newEnforcer(rows, p.links); err != nil {
			return nil, fmt.Errorf("policy of tenant %s for %s %s: %w", tenant, action, typ, err)
		}
		enf.AddFunction("holds", p.holdsFunc)
		enf.AddFunction("typeMatch", typeMatchFunc)
	}
	e, _ := p.enforcers.LoadOrStore(key, enf)
	return e.(*casbin.Enforcer), nil
}

// GrantAllows reports whether the policy lets grant g's role do action on
// objects of type typ in the grant's tenant, ignoring territory. The SQL
// compiler uses it to pick which grants contribute terms.
func (p *Policy) GrantAllows(g Grant, typ, action string) bool {
	roles := p.rolesAllowed(g.Tenant, typ, action)
	for role := range roles {
		if p.hasRole(g.Role, role) {
			return true
		}
	}
	return false
}

// typeMatchFunc is the matcher function typeMatch(r.typ, p.typ).
func typeMatchFunc(args ...any) (any, error) {
	if len(args) != 2 {
		return false, errors.New("typeMatch: want 2 arguments")
	}
	req, ok1 := args[0].(string)
	rule, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return false, errors.New("typeMatch: bad argument types")
	}
	return TypeMatch(req, rule), nil
}

// TypeMatch is the object-type matcher of the model (typeMatch) and of the
// SQL compiler: casbin's keyMatch, except that a protected type
// (Record.Protected) matches only a rule that names it. The audit log is
// one: "read everything in scope" (UNIT_HEAD, PRINCIPAL, DEPUTY…) does not
// include reading who did what; AUDITOR and ADMIN have explicit
// "audit, read" rows.
func TypeMatch(requested, rule string) bool {
	if requested == rule {
		return true
	}
	if isProtected(requested) {
		return false
	}
	return util.KeyMatch(requested, rule)
}

// rolesAllowed returns the roles that policy rows name for (tenant, typ,
// action), matching with the same keyMatch the model uses.
func (p *Policy) rolesAllowed(tenant int, typ, action string) map[string]bool {
	key := allowersKey{tenant, typ, action}
	p.mu.RLock()
	roles, ok := p.allowers[key]
	p.mu.RUnlock()
	if ok {
		return roles
	}
	roles = map[string]bool{}
	ten := strconv.Itoa(tenant)
	for _, r := range p.rules {
		if r.Tenant == ten && TypeMatch(typ, r.Type) && util.KeyMatch(action, r.Action) {
			roles[r.Role] = true
		}
	}
	p.mu.Lock()
	p.allowers[key] = roles
	p.mu.Unlock()
	return roles
}

// allowersKey is what the roles allowed depend on: a struct, not a joined
// string, so that a lookup allocates nothing.
type allowersKey struct {
	tenant      int
	typ, action string
}

// enforceInvariants drops the rows no tenant policy may hold, whatever the
// database says: a rule naming one head without the other (党政同责: the
// two heads' rules change together or not at all; one naming both counts
// once, as UNIT_HEAD), a mutation of AUDITOR, a decision of ADMIN.
func enforceInvariants(rules []Rule) []Rule {
	type key struct{ tenant, typ, action string }
	heads := map[key]map[string]bool{}
	for _, r := range rules {
		if r.Role == string(domain.RolePartySecretary) || r.Role == string(domain.RoleGovernmentHead) {
			k := key{r.Tenant, r.Type, r.Action}
			if heads[k] == nil {
				heads[k] = map[string]bool{}
			}
			heads[k][r.Role] = true
		}
	}
	out := make([]Rule, 0, len(rules))
	seen := map[Rule]bool{}
	for _, r := range rules {
		switch {
		case r.Role == string(domain.RoleAuditor) && r.Action != "read", isAdminDecision(r):
			continue
		case r.Role == string(domain.RolePartySecretary) || r.Role == string(domain.RoleGovernmentHead):
			if len(heads[key{r.Tenant, r.Type, r.Action}]) < 2 {
				continue
			}
			r.Role = RoleUnitHead
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}
