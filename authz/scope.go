package authz

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/internal/domain"
)

// Scope columns every scoped table carries (the ScopeMixin of ent/schema).
const (
	ColTenant       = "tenant_id"
	ColPath         = "scope_path"
	ColSector       = "scope_sector"
	ColEnterpriseID = "scope_enterprise_id"
	// ColIssuerPath is the issuer side's path, carried by the tables of
	// records with an issuer side (Record.IssuerSide).
	ColIssuerPath = "issuer_scope_path"
	// ColIssuerOnly marks a row of a record with an issuer side that only
	// the issuer side reads: a DRAFT letter, its events and its files.
	ColIssuerOnly = "issuer_only"
)

// Predicate narrows a SELECT to the rows a viewer may act on.
type Predicate func(*sql.Selector)

// Predicate compiles the viewer's grants into the SQL twin of Decide for
// objects of type typ and action: one OR term per grant whose role the policy
// allows, each a path prefix (plus, for department posts, a semi-join on
// supervisions) and a sector restriction. The result is cached for the
// request, and across the user's requests while their posts and the policy
// stay the same (the viewer cache's state).
func (v *Viewer) Predicate(typ, action string) Predicate {
	c := v.shared
	if c == nil {
		c = &v.own
	}
	return c.predicate(v, typ, action)
}

type predicateKey struct{ typ, action string }

// predicateCache holds the read filters compiled from one set of grants
// under one policy; a new policy starts it afresh.
type predicateCache struct {
	mu     sync.Mutex
	policy *Policy
	m      map[predicateKey]Predicate
}

// predicate returns v's filter for typ and action; v's grants must be the
// cache's.
func (c *predicateCache) predicate(v *Viewer, typ, action string) Predicate {
	key := predicateKey{typ, action}
	c.mu.Lock()
	if c.policy == v.Policy {
		if p, ok := c.m[key]; ok {
			c.mu.Unlock()
			return p
		}
	}
	c.mu.Unlock()
	p := v.compile(typ, action)
	c.mu.Lock()
	if c.policy != v.Policy || c.m == nil {
		c.policy = v.Policy
		c.m = map[predicateKey]Predicate{}
	}
	c.m[key] = p
	c.mu.Unlock()
	return p
}

func (v *Viewer) compile(typ, action string) Predicate {
	if v.system {
		return func(*sql.Selector) {}
	}
	sp := v.scopePredicate(typ, action)
	if sp == nil {
		return func(s *sql.Selector) { s.Where(sql.False()) }
	}
	return sp.apply
}

// scopePredicate collects the grants whose role the policy allows action on
// typ, one per territory; nil when there are none.
func (v *Viewer) scopePredicate(typ, action string) *scopePredicate {
	var grants []Grant
	seen := map[string]bool{}
	for _, g := range v.Grants {
		if v.Policy == nil || !v.Policy.GrantAllows(g, typ, action) {
			continue
		}
		k := termKey(g)
		if seen[k] {
			continue // 党政同责: two posts at one unit give one term
		}
		seen[k] = true
		grants = append(grants, g)
	}
	if len(grants) == 0 {
		return nil
	}
	return &scopePredicate{tenant: v.Tenant, grants: grants, issuer: HasIssuerSide(typ)}
}

// maxRenderings bounds the trees and texts one scopePredicate keeps;
// statements with more shapes than that get theirs built each time.
const maxRenderings = 32

// scopePredicate is a viewer's read filter for one record type and action.
// Its SQL depends only on the dialect, the table's name or alias and how many
// arguments come before it in the statement, so its tree of terms is built
// once per table qualification (when it is applied, as the qualification
// then stands), and rendered by ent's builder once per count of arguments
// before it; the text is reused. Building the tree again for every query cost
// about a fifth of a list request's allocations.
type scopePredicate struct {
	tenant int
	grants []Grant
	issuer bool

	mu       sync.Mutex // guards the maps and the rendering of trees
	trees    map[treeKey]*sql.Predicate
	rendered map[renderKey]rendering
}

// treeKey is what a tree depends on. column is the tenant column as the
// selector qualifies it (its table name or alias, quoted by dialect).
type treeKey struct {
	dialect, column string
}

// renderKey is what a rendering depends on.
type renderKey struct {
	treeKey
	argsBefore int
}

type rendering struct {
	text string
	args []any
}

// apply adds the predicate to s. Its text is rendered when ent writes the
// statement: only then is the number of arguments before it known.
func (p *scopePredicate) apply(s *sql.Selector) {
	key := treeKey{dialect: s.Dialect(), column: s.C(ColTenant)}
	p.mu.Lock()
	tree, shared := p.trees[key]
	if !shared && len(p.trees) < maxRenderings {
		if p.trees == nil {
			p.trees = map[treeKey]*sql.Predicate{}
		}
		tree, shared = p.build(s), true
		p.trees[key] = tree
	}
	p.mu.Unlock()
	if tree == nil {
		tree = p.build(s) // this statement's own
	}
	e := &scopeExpr{p: p, tree: tree, shared: shared, key: renderKey{treeKey: key}}
	s.Where(sql.P(func(b *sql.Builder) { b.Join(e) }))
}

// build is the predicate's tree for selector s: the tenant and one
// parenthesised term per grant. ent's Or collapses a single term without
// parentheses, so every term and the disjunction are parenthesised
// explicitly: the tenant condition must bind all of them.
func (p *scopePredicate) build(s *sql.Selector) *sql.Predicate {
	terms := make([]*sql.Predicate, 0, len(p.grants))
	for _, g := range p.grants {
		terms = append(terms, paren(grantPredicate(s, g, p.issuer)))
	}
	return paren(sql.And(sql.EQ(s.C(ColTenant), p.tenant), paren(sql.Or(terms...))))
}

// renderTree renders tree with its arguments numbered after argsBefore.
// Rendering resets the tree's builder: the caller owns the tree or holds
// p.mu.
func renderTree(tree *sql.Predicate, key renderKey) rendering {
	tree.SetDialect(key.dialect)
	tree.SetTotal(key.argsBefore)
	text, args := tree.Query()
	return rendering{text: text, args: args}
}

// scopeExpr is one application of a scopePredicate. It is an ent Querier
// with the builder state ent hands to nested queriers (dialect and the
// count of arguments before it), read by Query.
type scopeExpr struct {
	p      *scopePredicate
	tree   *sql.Predicate
	shared bool // tree is p's: rendered under p.mu, texts cached
	key    renderKey
}

func (e *scopeExpr) Dialect() string     { return e.key.dialect }
func (e *scopeExpr) SetDialect(d string) { e.key.dialect = d }
func (e *scopeExpr) Total() int          { return e.key.argsBefore }
func (e *scopeExpr) SetTotal(n int)      { e.key.argsBefore = n }

// Query is the predicate's SQL and arguments at this place in the statement.
// The text is parenthesised, so that it binds as one term wherever ent
// places it.
func (e *scopeExpr) Query() (string, []any) {
	if !e.shared {
		r := renderTree(e.tree, e.key)
		return r.text, r.args
	}
	p := e.p
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.rendered[e.key]
	if !ok {
		r = renderTree(e.tree, e.key)
		if p.rendered == nil {
			p.rendered = map[renderKey]rendering{}
		}
		if len(p.rendered) < maxRenderings {
			p.rendered[e.key] = r
		}
	}
	return r.text, r.args
}

func termKey(g Grant) string {
	secs := make([]string, len(g.Sectors))
	for i, x := range g.Sectors {
		secs[i] = string(x)
	}
	slices.Sort(secs)
	return strings.Join([]string{g.Path, string(g.UnitKind), strconv.FormatBool(g.DirectoryOnly), strings.Join(secs, ",")}, "|")
}

// grantPredicate is the SQL twin of Grant.Covers. issuer adds the issuer
// side's path to the territory (Object.IssuerPath); the sector restriction
// still applies to the record's own sector.
func grantPredicate(s *sql.Selector, g Grant, issuer bool) *sql.Predicate {
	ent := s.C(ColEnterpriseID)
	if g.DirectoryOnly {
		return sql.IsNull(ent)
	}
	territory := pathPrefix(s, s.C(ColPath), g.Path)
	if g.UnitKind == "DEPARTMENT" {
		sup := sql.Dialect(s.Dialect()).Select("enterprise_id").From(sql.Table("supervisions")).
			Where(sql.EQ("department_id", g.UnitID))
		territory = sql.Or(paren(territory), sql.In(ent, sup))
	}
	if issuer {
		// The subject side reads the row only once it is open to it.
		territory = sql.Or(paren(sql.And(sql.EQ(s.C(ColIssuerOnly), false), paren(territory))),
			paren(pathPrefix(s, s.C(ColIssuerPath), g.Path)))
	}
	if len(g.Sectors) == 0 {
		return territory
	}
	keys := SectorKeysWithin(g.Sectors)
	secs := make([]any, len(keys))
	for i, k := range keys {
		secs[i] = k
	}
	// Rows of government units without sectors of their own pass; other
	// rows need their sector key inside the grant's sectors.
	return sql.And(paren(territory), paren(sql.Or(
		paren(sql.And(sql.IsNull(ent), sql.IsNull(s.C(ColSector)))),
		sql.In(s.C(ColSector), secs...))))
}

// SectorKey is the scope_sector value of a record that concerns several
// sectors (a random draw over a roster of several sectors): the distinct
// sectors, sorted, joined with commas. A single sector is its own key.
func SectorKey(sectors []domain.Sector) string {
	strs := make([]string, 0, len(sectors))
	for _, s := range sectors {
		if !slices.Contains(strs, string(s)) {
			strs = append(strs, string(s))
		}
	}
	slices.Sort(strs)
	return strings.Join(strs, ",")
}

// GrantSectorKey is the sector key (SectorKey) of a record that concerns
// every sector grant g reads: g's sectors, or all sectors for a grant
// without a restriction. A record stamped with it under g's path is read by
// exactly the grants that read everything in g's territory (the path
// covers g's, and the sectors are g's or more): a directory import job
// started under g (internal/imports).
func GrantSectorKey(g Grant) string {
	if len(g.Sectors) > 0 {
		return SectorKey(g.Sectors)
	}
	all := domain.Sector("").Values()
	sectors := make([]domain.Sector, len(all))
	for i, s := range all {
		sectors[i] = domain.Sector(s)
	}
	return SectorKey(sectors)
}

// SectorKeysWithin lists the keys (SectorKey) of every non-empty subset of
// sectors: a sector-restricted grant reads exactly the rows whose key is
// one of them, i.e. that concern none of the other sectors.
func SectorKeysWithin(sectors []domain.Sector) []string {
	var distinct []domain.Sector
	for _, s := range sectors {
		if !slices.Contains(distinct, s) {
			distinct = append(distinct, s)
		}
	}
	keys := make([]string, 0, 1<<len(distinct)-1)
	for mask := 1; mask < 1<<len(distinct); mask++ {
		var subset []domain.Sector
		for i, s := range distinct {
			if mask&(1<<i) != 0 {
				subset = append(subset, s)
			}
		}
		keys = append(keys, SectorKey(subset))
	}
	slices.Sort(keys)
	return keys
}

// sectorKeyWithin reports whether key is one of SectorKeysWithin(sectors):
// canonical (strictly increasing parts) and every part one of sectors.
func sectorKeyWithin(key string, sectors []domain.Sector) bool {
	parts := strings.Split(key, ",")
	for i, p := range parts {
		if p == "" || !slices.Contains(sectors, domain.Sector(p)) || (i > 0 && parts[i-1] >= p) {
			return false
		}
	}
	return true
}

// paren wraps p in parentheses whatever ent's nesting heuristics decide.
func paren(p *sql.Predicate) *sql.Predicate {
	return sql.P(func(b *sql.Builder) {
		b.WriteByte('(').Join(p).WriteByte(')')
	})
}

// PathPrefix is the index-friendly predicate "col holds a path under prefix"
// (prefix itself included) that the scope filter uses; services building
// their own SQL over scoped tables use it too.
func PathPrefix(s *sql.Selector, col, prefix string) *sql.Predicate {
	return pathPrefix(s, col, prefix)
}

// pathPrefix matches paths under prefix with an index on both databases:
// LIKE 'prefix%' (text_pattern_ops) on PostgreSQL, a range on SQLite, whose
// LIKE cannot use a plain index. Paths hold only digits and '/', so the range
// upper bound is the prefix with its trailing '/' replaced by '0'.
func pathPrefix(s *sql.Selector, col, prefix string) *sql.Predicate {
	if s.Dialect() == dialect.SQLite {
		upper := prefix[:len(prefix)-1] + "0"
		return sql.And(sql.GTE(col, prefix), sql.LT(col, upper))
	}
	return sql.HasPrefix(col, prefix)
}

// TerritoryPredicate is the SQL filter "in the territory of unit u,
// restricted to sectors": the same term a post at u with those sectors
// compiles to. Campaigns and random draws use it to find the enterprises an
// organiser is responsible for, on top of the caller's own read filter.
func TerritoryPredicate(tenant, unitID int, kind domain.UnitKind, path string, sectors []domain.Sector) Predicate {
	g := Grant{Tenant: tenant, UnitID: unitID, UnitKind: kind, Path: path, Sectors: sectors}
	return func(s *sql.Selector) {
		s.Where(sql.And(sql.EQ(s.C(ColTenant), tenant), paren(grantPredicate(s, g, false))))
	}
}
