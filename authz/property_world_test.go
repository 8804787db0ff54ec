package authz_test

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/internal/domain"
)

// The generated world.

var (
	propSectors = []domain.Sector{domain.SectorIndustry, domain.SectorCommerce, domain.SectorFuel, domain.SectorConstruction}
	propRoles   = []domain.Role{domain.RolePartySecretary, domain.RoleGovernmentHead, domain.RolePrincipal, domain.RoleDeputy,
		domain.RoleSafetyOfficer, domain.RoleInspector, domain.RoleAuditor, domain.RoleAdmin}
	// propBase is the middle of the time axis; validity windows and "now"
	// are whole quarters away from it, so boundaries (now == validFrom,
	// now == validTo) are hit often.
	propBase    = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)
	propQuarter = 91 * 24 * time.Hour
	tenantSeq   atomic.Int64
)

type gUnit struct {
	kind       domain.UnitKind
	parent     int // index in world.units; -1 for the root
	sector     domain.Sector
	supervised []domain.Sector // DEPARTMENT only
	ent        int             // index of the enterprise above (itself for an ENTERPRISE); -1 on the government side
	town       int             // index of the town above an enterprise-side unit
	id         int             // database id
}

type gUser struct {
	home     int
	disabled bool
	id       int
}

type gPost struct {
	user, unit int
	role       domain.Role
	sectors    []domain.Sector
	from       time.Time
	to         *time.Time
	id         int
}

// gLetter is a responsibility letter between two units, with one event and
// optionally one attached file (both carry the letter's scope columns). A
// draft is read by its issuer side only.
type gLetter struct {
	issuer, signee int
	file, draft    bool
	id             int
}

// gDraw is a random draw organised by a government unit whose roster spans
// sectors (none: a roster without enterprises).
type gDraw struct {
	organiser int
	sectors   []domain.Sector
	id        int
}

// gFollowUp is a hazard of an enterprise-side unit re-checked by a
// FOLLOW_UP inspection of the unit or one above it (a town, the county):
// the re-check is scoped as the hazard, whatever the inspection's target.
type gFollowUp struct {
	subject, target int
	hazard, id      int
}

type world struct {
	tenant      int
	letters     []gLetter
	draws       []gDraw
	followUps   []gFollowUp
	units       []gUnit
	supervises  map[[2]int]bool // (department index, enterprise index)
	manual      map[[2]int]bool // the MANUAL subset of supervises
	users       []gUser
	posts       []gPost
	enterprises map[int]int // enterprise unit index → profile id
}

func pick[T any](rt *rapid.T, label string, xs []T) T { return rapid.SampledFrom(xs).Draw(rt, label) }

func drawSectors(rt *rapid.T, label string) []domain.Sector {
	var out []domain.Sector
	for _, s := range propSectors {
		if rapid.Bool().Draw(rt, label+"."+string(s)) {
			out = append(out, s)
		}
	}
	return out
}

// genWorld draws a tenant: COUNTY → TOWNs/DEPARTMENTs → ENTERPRISEs →
// WORKSHOPs → TEAMs, supervision edges (DEFAULT by sector, some MANUAL),
// users with home units, posts with random units, roles, sectors and windows.
func genWorld(rt *rapid.T) *world {
	w := &world{supervises: map[[2]int]bool{}, manual: map[[2]int]bool{}, enterprises: map[int]int{}}
	add := func(u gUnit) int { w.units = append(w.units, u); return len(w.units) - 1 }
	root := add(gUnit{kind: domain.KindCounty, parent: -1, ent: -1, town: -1})
	var depts, ents []int
	for i := range rapid.IntRange(0, 3).Draw(rt, "departments") {
		depts = append(depts, add(gUnit{kind: domain.KindDepartment, parent: root, ent: -1, town: -1,
			supervised: drawSectors(rt, fmt.Sprintf("dept%d.sectors", i))}))
	}
	for i := range rapid.IntRange(1, 3).Draw(rt, "towns") {
		town := add(gUnit{kind: domain.KindTown, parent: root, ent: -1, town: -1})
		for j := range rapid.IntRange(0, 3).Draw(rt, fmt.Sprintf("town%d.enterprises", i)) {
			sec := pick(rt, fmt.Sprintf("town%d.ent%d.sector", i, j), propSectors)
			e := len(w.units)
			add(gUnit{kind: domain.KindEnterprise, parent: town, sector: sec, ent: e, town: town})
			ents = append(ents, e)
			for k := range rapid.IntRange(0, 2).Draw(rt, "workshops") {
				ws := add(gUnit{kind: domain.KindWorkshop, parent: e, sector: sec, ent: e, town: town})
				for range rapid.IntRange(0, 2).Draw(rt, fmt.Sprintf("ws%d.teams", k)) {
					add(gUnit{kind: domain.KindTeam, parent: ws, sector: sec, ent: e, town: town})
				}
			}
		}
	}
	for _, d := range depts {
		for _, e := range ents {
			key := [2]int{d, e}
			switch {
			case slices.Contains(w.units[d].supervised, w.units[e].sector):
				w.supervises[key] = true
			case rapid.IntRange(0, 3).Draw(rt, "manual") == 0:
				w.supervises[key], w.manual[key] = true, true
			}
		}
	}
	all := make([]int, len(w.units))
	for i := range all {
		all[i] = i
	}
	for i := range rapid.IntRange(1, 6).Draw(rt, "users") {
		w.users = append(w.users, gUser{home: pick(rt, "home", all), disabled: rapid.IntRange(0, 9).Draw(rt, "disabled") == 0})
		for range rapid.IntRange(0, 3).Draw(rt, fmt.Sprintf("user%d.posts", i)) {
			p := gPost{user: i, unit: pick(rt, "post.unit", all), role: pick(rt, "post.role", propRoles)}
			if len(depts) > 0 && rapid.IntRange(0, 3).Draw(rt, "post.atDepartment") == 0 {
				p.unit = pick(rt, "post.department", depts) // 管行业必须管安全: exercise supervision
			}
			if rapid.IntRange(0, 2).Draw(rt, "post.restricted") == 0 {
				p.sectors = drawSectors(rt, "post.sectors")
			}
			p.from = propBase.Add(time.Duration(rapid.IntRange(-6, 3).Draw(rt, "post.from")) * propQuarter)
			if rapid.Bool().Draw(rt, "post.ends") {
				to := p.from.Add(time.Duration(rapid.IntRange(1, 6).Draw(rt, "post.length")) * propQuarter)
				p.to = &to
			}
			w.posts = append(w.posts, p)
		}
	}
	// Letters: mostly along the chain (a child, or an enterprise a
	// department supervises), some between arbitrary units, since the scope
	// rule does not depend on the chain rule.
	for range rapid.IntRange(0, 6).Draw(rt, "letters") {
		l := gLetter{issuer: pick(rt, "letter.issuer", all), file: rapid.Bool().Draw(rt, "letter.file"),
			draft: rapid.Bool().Draw(rt, "letter.draft")}
		var chain []int
		for i, u := range w.units {
			if u.parent == l.issuer || (w.units[l.issuer].kind == domain.KindDepartment && w.supervises[[2]int{l.issuer, i}]) {
				chain = append(chain, i)
			}
		}
		if len(chain) > 0 && rapid.IntRange(0, 3).Draw(rt, "letter.chain") > 0 {
			l.signee = pick(rt, "letter.signee", chain)
		} else {
			l.signee = pick(rt, "letter.any", all)
		}
		w.letters = append(w.letters, l)
	}
	var gov []int
	for i, u := range w.units {
		if u.kind.IsGovernment() {
			gov = append(gov, i)
		}
	}
	for range rapid.IntRange(0, 3).Draw(rt, "draws") {
		w.draws = append(w.draws, gDraw{organiser: pick(rt, "draw.organiser", gov), sectors: drawSectors(rt, "draw.sectors")})
	}
	var entSide []int
	for i, u := range w.units {
		if !u.kind.IsGovernment() {
			entSide = append(entSide, i)
		}
	}
	if len(entSide) > 0 && len(w.users) > 0 {
		for range rapid.IntRange(0, 3).Draw(rt, "followUps") {
			subject := pick(rt, "followUp.subject", entSide)
			var above []int
			for u := subject; u >= 0; u = w.units[u].parent {
				above = append(above, u)
			}
			w.followUps = append(w.followUps, gFollowUp{subject: subject, target: pick(rt, "followUp.target", above)})
		}
	}
	return w
}

// neighbourWorld is the fixed second tenant: a county with a town, a
// department supervising INDUSTRY, an industrial enterprise with a workshop,
// its secretary and the enterprise's principal.
func neighbourWorld() *world {
	w := &world{supervises: map[[2]int]bool{{2, 3}: true}, manual: map[[2]int]bool{}, enterprises: map[int]int{}}
	w.units = []gUnit{
		{kind: domain.KindCounty, parent: -1, ent: -1, town: -1},
		{kind: domain.KindTown, parent: 0, ent: -1, town: -1},
		{kind: domain.KindDepartment, parent: 0, ent: -1, town: -1, supervised: []domain.Sector{domain.SectorIndustry}},
		{kind: domain.KindEnterprise, parent: 1, sector: domain.SectorIndustry, ent: 3, town: 1},
		{kind: domain.KindWorkshop, parent: 3, sector: domain.SectorIndustry, ent: 3, town: 1},
	}
	w.users = []gUser{{home: 0}, {home: 3}}
	w.posts = []gPost{
		{user: 0, unit: 0, role: domain.RolePartySecretary, from: propBase.AddDate(-10, 0, 0)},
		{user: 1, unit: 3, role: domain.RolePrincipal, from: propBase.AddDate(-10, 0, 0)},
	}
	return w
}

func (w *world) describe() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "tenant %d\n", w.tenant)
	for i, u := range w.units {
		fmt.Fprintf(&sb, "  unit[%d] id=%d %s parent=%d sector=%s supervised=%v\n", i, u.id, u.kind, u.parent, u.sector, u.supervised)
	}
	for k := range w.supervises {
		fmt.Fprintf(&sb, "  supervision dept[%d] → ent[%d] manual=%t\n", k[0], k[1], w.manual[k])
	}
	for i, u := range w.users {
		fmt.Fprintf(&sb, "  user[%d] id=%d home=[%d] disabled=%t\n", i, u.id, u.home, u.disabled)
	}
	for _, l := range w.letters {
		fmt.Fprintf(&sb, "  letter id=%d [%d] → [%d] file=%t draft=%t\n", l.id, l.issuer, l.signee, l.file, l.draft)
	}
	for _, d := range w.draws {
		fmt.Fprintf(&sb, "  draw id=%d by [%d] sectors=%v\n", d.id, d.organiser, d.sectors)
	}
	for _, f := range w.followUps {
		fmt.Fprintf(&sb, "  follow-up check id=%d of hazard id=%d at [%d], inspection of [%d]\n", f.id, f.hazard, f.subject, f.target)
	}
	for _, p := range w.posts {
		to := "open"
		if p.to != nil {
			to = p.to.Format(time.DateOnly)
		}
		fmt.Fprintf(&sb, "  post id=%d user[%d] %s@[%d] sectors=%v %s..%s\n", p.id, p.user, p.role, p.unit, p.sectors, p.from.Format(time.DateOnly), to)
	}
	return sb.String()
}

// isUnder reports whether unit a is b or below b.
func (w *world) isUnder(a, b int) bool {
	for ; a >= 0; a = w.units[a].parent {
		if a == b {
			return true
		}
	}
	return false
}

// wantPath is the materialized path of unit i from the generated tree.
func (w *world) wantPath(i int) string {
	var ids []string
	for ; i >= 0; i = w.units[i].parent {
		ids = append([]string{fmt.Sprint(w.units[i].id)}, ids...)
	}
	return "/" + strings.Join(ids, "/") + "/"
}

// validAt reports whether post p is valid at now (validFrom ≤ now < validTo).
func validAt(p gPost, now time.Time) bool {
	return !p.from.After(now) && (p.to == nil || p.to.After(now))
}

// refRead is docs/DOMAIN.md (jurisdiction) computed on the generated world, independently of
// the scope columns: may a user holding posts read a record of type typ whose
// subject unit is s?
func (w *world) refRead(posts []gPost, typ string, s int) bool {
	su := w.units[s]
	gov := su.kind.IsGovernment()
	if typ == "unit" && gov {
		return true // the government directory
	}
	for _, p := range posts {
		pu := w.units[p.unit]
		territory := w.isUnder(s, p.unit) || (pu.kind == domain.KindDepartment && !gov && w.supervises[[2]int{p.unit, su.ent}])
		if territory && (len(p.sectors) == 0 || gov || slices.Contains(p.sectors, su.sector)) {
			return true
		}
	}
	return false
}

// refReadLetter is DOMAIN.md, jurisdiction for a letter (and its parts): readable when its
// signee is in scope as any record's subject (not while it is a draft), or
// when a post's territory holds its issuer, within the post's sectors (the
// signee's sector decides).
func (w *world) refReadLetter(posts []gPost, issuer, signee int, draft bool) bool {
	su := w.units[signee]
	gov := su.kind.IsGovernment()
	for _, p := range posts {
		pu := w.units[p.unit]
		signeeSide := w.isUnder(signee, p.unit) ||
			(pu.kind == domain.KindDepartment && !gov && w.supervises[[2]int{p.unit, su.ent}])
		territory := w.isUnder(issuer, p.unit) || (signeeSide && !draft)
		if territory && (len(p.sectors) == 0 || gov || slices.Contains(p.sectors, su.sector)) {
			return true
		}
	}
	return false
}

// refReadDraw is DOMAIN.md, jurisdiction for a random draw: its organiser is
// in the post's territory and, for a sector-restricted post, every sector of
// the draw's roster is one of the post's.
func (w *world) refReadDraw(posts []gPost, organiser int, sectors []domain.Sector) bool {
	for _, p := range posts {
		if !w.isUnder(organiser, p.unit) {
			continue
		}
		within := true
		for _, s := range sectors {
			within = within && slices.Contains(p.sectors, s)
		}
		if len(p.sectors) == 0 || within {
			return true
		}
	}
	return false
}
