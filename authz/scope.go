package authz

import (
	"slices"
	"strconv"
	"strings"

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
// supervisions) and a sector restriction. The result is cached per request.
func (v *Viewer) Predicate(typ, action string) Predicate {
	key := typ + "|" + action
	v.mu.Lock()
	if p, ok := v.cache[key]; ok {
		v.mu.Unlock()
		return p
	}
	v.mu.Unlock()
	p := v.compile(typ, action)
	v.mu.Lock()
	if v.cache == nil {
		v.cache = map[string]Predicate{}
	}
	v.cache[key] = p
	v.mu.Unlock()
	return p
}

func (v *Viewer) compile(typ, action string) Predicate {
	if v.system {
		return func(*sql.Selector) {}
	}
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
	tenant := v.Tenant
	issuer := HasIssuerSide(typ)
	return func(s *sql.Selector) {
		if len(grants) == 0 {
			s.Where(sql.False())
			return
		}
		terms := make([]*sql.Predicate, 0, len(grants))
		for _, g := range grants {
			terms = append(terms, paren(grantPredicate(s, g, issuer)))
		}
		// ent's Or collapses a single term without parentheses, so every
		// term and the disjunction are parenthesised explicitly: the tenant
		// condition must bind all of them.
		s.Where(sql.And(sql.EQ(s.C(ColTenant), tenant), paren(sql.Or(terms...))))
	}
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
