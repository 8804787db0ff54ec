package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
)

// Random streams of one county: PCG(seed, county<<32 | stream).
const (
	streamPlan    = 0
	streamLetters = 1
	streamEnt0    = 2 // enterprise k uses streamEnt0 + k
)

func newRand(seed int64, county, stream int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(county)<<32|uint64(stream)))
}

// Distribution parameters (documented in docs/PERFORMANCE.md).
const (
	// Enterprises over towns: weight 1/(t+townOffset)^townExponent × a
	// jitter in [0.75, 1.25), t the 0-based town index, after one each.
	townOffset, townExponent = 2.0, 0.9
	// Hazards over enterprises: weight 1/(r+hazardOffset), r a random rank
	// 1…E (Zipf with exponent 1 and an offset): the largest enterprise of a
	// 5,000-enterprise county holds ≈ 1.5 % of its hazards, the smallest ≈ 0.02 %.
	hazardOffset = 10.0
)

// plan is everything decided before the first row is written: the shape of
// every county and the ids each row will take.
type plan struct {
	opts       Options
	now        time.Time
	validFrom  time.Time
	letterYear int
	tenantID   int
	hash       string // password hash, computed once
	counties   []*countyPlan
	// cityUsers is 2 when the root is a CITY (its head and secretary), else 0.
	cityUsers int
	// Totals of the rows with ids chosen here.
	units, users, enterprises, hazards, inspectionsMax, letters, notices int
	// First ids, set by the id reservation.
	unitBase, userBase, postBase, hazardBase, inspectionBase, letterBase, noticeBase int
	// actionBase + (inspection id - inspectionBase) is the id of the
	// enforcement action from an inspection (at most one each).
	actionBase int
	// records counts the year's other records that others reference (see
	// records.go); their first ids follow.
	records                                      recordCounts
	trainingBase, planBase, rosterBase, riskBase int
	// cityLetters are the letters from the city to its counties.
	cityLetters []letterRec
	// paths and names of the root when it is a CITY.
	cityPath, cityName string
}

// countyPlan is one county: its numbering and the enterprises' shape.
type countyPlan struct {
	c                     int // 1-based
	towns, depts, e, w, k int
	name                  string
	ents                  []entPlan
	// townFirst[t] is the index of town t's first enterprise; the towns'
	// enterprises are consecutive.
	townFirst []int
	// Offsets of the county's first row, per table, among the synthetic rows.
	unitOff, userOff int
	letters          []letterRec
	notices          []noticeRec
	// recOff are the county's first records among the run's.
	recOff recordCounts
	// Filled once ids are known.
	path      string
	townPaths []string
	entPaths  []string
}

// entPlan is one enterprise.
type entPlan struct {
	town      int
	sector    domain.Sector
	scale     string
	name      string
	category  string
	employees int
	hazards   int
	keySites  string // JSON
	// hazFirst is the index of the enterprise's first hazard among the
	// run's hazards, global its index among the run's enterprises.
	hazFirst, global int
}

// sectorMix draws an enterprise's sector with the profiles' shares.
func sectorMix(r *rand.Rand) *sectorProfile {
	total := 0
	for _, p := range profiles {
		total += p.share
	}
	x := r.IntN(total)
	for i := range profiles {
		if x < profiles[i].share {
			return &profiles[i]
		}
		x -= profiles[i].share
	}
	return &profiles[len(profiles)-1]
}

// apportion splits total over weights by the largest-remainder method:
// exact, deterministic, ties broken by index.
func apportion(total int, weights []float64) []int {
	out := make([]int, len(weights))
	if len(weights) == 0 || total == 0 {
		return out
	}
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(weights))
	given := 0
	for i, w := range weights {
		exact := float64(total) * w / sum
		out[i] = int(math.Floor(exact))
		given += out[i]
		rems[i] = rem{i, exact - float64(out[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for j := 0; given < total; j++ {
		out[rems[j%len(rems)].i]++
		given++
	}
	return out
}

// planCounty draws county c's towns, enterprises and hazard counts from
// (seed, c) only, so that a county has the same shape in every run that
// gives it the same per-county totals.
func planCounty(o Options, c int) *countyPlan {
	r := newRand(o.Seed, c, streamPlan)
	cp := &countyPlan{
		c: c, towns: Share(o.Towns, o.Counties, c), depts: o.Departments,
		e: Share(o.Enterprises, o.Counties, c), w: o.Workshops, k: o.Teams,
		name: countyName(c),
	}
	// Enterprises over towns: one each (when there are enough), the rest by weight.
	weights := make([]float64, cp.towns)
	for t := range weights {
		weights[t] = math.Pow(float64(t)+townOffset, -townExponent) * (0.75 + 0.5*r.Float64())
	}
	base := 0
	if cp.e >= cp.towns {
		base = 1
	}
	perTown := apportion(cp.e-base*cp.towns, weights)
	cp.townFirst = make([]int, cp.towns)
	cp.ents = make([]entPlan, 0, cp.e)
	for t := range perTown {
		cp.townFirst[t] = len(cp.ents)
		for range perTown[t] + base {
			p := sectorMix(r)
			e := entPlan{town: t, sector: p.sector, scale: "BELOW_SCALE",
				category: p.categories[r.IntN(len(p.categories))], employees: 5 + r.IntN(60)}
			switch {
			case p.sector == domain.SectorIndustry && r.IntN(100) < p.aboveScale:
				e.scale, e.employees = "ABOVE_SCALE_INDUSTRY", 80+r.IntN(900)
			case p.sector == domain.SectorCommerce && r.IntN(100) < p.aboveScale:
				e.scale, e.employees = "ABOVE_QUOTA_COMMERCE", 40+r.IntN(300)
			case r.IntN(100) < 60:
				e.scale = "SMALL_MICRO"
			}
			e.name = placePrefixes[r.IntN(len(placePrefixes))] + placePrefixes[r.IntN(len(placePrefixes))] +
				p.names[r.IntN(len(p.names))]
			e.keySites = jsonStrings(p.keySites[:1+r.IntN(len(p.keySites))])
			cp.ents = append(cp.ents, e)
		}
	}
	// Hazards over enterprises: Zipf over a random ranking.
	hw := make([]float64, cp.e)
	for i, rank := range r.Perm(cp.e) {
		hw[i] = 1 / (float64(rank+1) + hazardOffset)
	}
	for i, n := range apportion(Share(o.Hazards, o.Counties, c), hw) {
		cp.ents[i].hazards = n
	}
	return cp
}

// Unit numbering inside a county block: the county, its towns, its
// departments, its enterprises, their workshops, their teams.
func (cp *countyPlan) unitCount() int {
	return 1 + cp.towns + cp.depts + cp.e + cp.e*cp.w + cp.e*cp.w*cp.k
}

// User numbering inside a county block: head, secretary, a deputy per
// sector, then each department's, town's and enterprise's users.
func (cp *countyPlan) userCount() int {
	return 2 + len(domain.Sector("").Values()) + cp.depts*len(departmentRoles) +
		cp.towns*len(townRoles) + cp.e*len(enterpriseRoles)
}

// Unit ids (absolute), given the plan's unit base.
func (p *plan) countyID(cp *countyPlan) int { return p.unitBase + cp.unitOff }
func (p *plan) townID(cp *countyPlan, t int) int {
	return p.unitBase + cp.unitOff + 1 + t
}
func (p *plan) deptID(cp *countyPlan, d int) int {
	return p.unitBase + cp.unitOff + 1 + cp.towns + d
}
func (p *plan) entID(cp *countyPlan, k int) int {
	return p.unitBase + cp.unitOff + 1 + cp.towns + cp.depts + k
}
func (p *plan) shopID(cp *countyPlan, k, w int) int {
	return p.unitBase + cp.unitOff + 1 + cp.towns + cp.depts + cp.e + k*cp.w + w
}
func (p *plan) teamID(cp *countyPlan, k, w, t int) int {
	return p.unitBase + cp.unitOff + 1 + cp.towns + cp.depts + cp.e + cp.e*cp.w + (k*cp.w+w)*cp.k + t
}

// User indexes (among the synthetic users; id = userBase + index, and the
// user's one post has id postBase + index).
func (cp *countyPlan) countyUser(i int) int { return cp.userOff + i } // 0 head, 1 secretary, 2+ deputies by sector
func (cp *countyPlan) deptUser(d, i int) int {
	return cp.userOff + 2 + len(domain.Sector("").Values()) + d*len(departmentRoles) + i
}
func (cp *countyPlan) townUser(t, i int) int {
	return cp.userOff + 2 + len(domain.Sector("").Values()) + cp.depts*len(departmentRoles) + t*len(townRoles) + i
}
func (cp *countyPlan) entUser(k, i int) int {
	return cp.userOff + 2 + len(domain.Sector("").Values()) + cp.depts*len(departmentRoles) + cp.towns*len(townRoles) + k*len(enterpriseRoles) + i
}

// Indexes into the role lists, for readability.
const (
	uHead, uSecretary           = 0, 1
	uDeptHead, uDeptInspector   = 0, 1
	uTownHead, uTownSecretary   = 0, 1
	uTownDeputy, uTownInspector = 2, 3
	uPrincipal, uSafety         = 0, 1
	firstDeputy                 = 2
	noUser                      = -1
)

// personName is the display name of synthetic user index i (or of anyone
// numbered i): deterministic, from the demo's name pools.
func personName(i int) string { return seed.Person(i) }

// deptsOf lists the departments (indexes) of a county that supervise sector s.
func (cp *countyPlan) deptsOf(s domain.Sector) []int {
	var out []int
	for d := 0; d < cp.depts; d++ {
		if slices.Contains(departments[d].sectors, s) {
			out = append(out, d)
		}
	}
	return out
}

// newPlan decides every county and the row totals.
func newPlan(o Options) (*plan, error) {
	p := &plan{opts: o, now: o.Now.UTC().Truncate(time.Microsecond)}
	p.validFrom = time.Date(p.now.Year()-3, time.January, 1, 0, 0, 0, 0, time.UTC)
	p.letterYear = p.now.AddDate(0, 0, -150).Year()
	if o.Counties > 1 {
		p.cityUsers = len(cityRoles)
		p.units = 1
		p.cityName = "合成市"
	}
	p.users = p.cityUsers
	for c := 1; c <= o.Counties; c++ {
		cp := planCounty(o, c)
		cp.unitOff, cp.userOff = p.units, p.users
		p.units += cp.unitCount()
		p.users += cp.userCount()
		for k := range cp.ents {
			cp.ents[k].hazFirst, cp.ents[k].global = p.hazards, p.enterprises
			p.hazards += cp.ents[k].hazards
			p.enterprises++
		}
		p.counties = append(p.counties, cp)
	}
	if p.hazards != o.Hazards {
		return nil, fmt.Errorf("synth: planned %d hazards, want %d", p.hazards, o.Hazards)
	}
	// At most one inspection per hazard plus one clean inspection per enterprise.
	p.inspectionsMax = p.hazards + o.Enterprises
	for _, cp := range p.counties {
		cp.letters = planLetters(p, cp)
		p.letters += len(cp.letters)
		cp.notices = planNotices(p, cp)
		p.notices += len(cp.notices)
	}
	if o.Counties > 1 && o.Letters == LettersChain {
		p.cityLetters = planCityLetters(p)
		p.letters += len(p.cityLetters)
	}
	p.countRecords()
	return p, nil
}

// placeIDs fixes the paths once the id bases are known.
func (p *plan) placeIDs() {
	root := "/"
	if p.cityUsers > 0 {
		p.cityPath = "/" + strconv.Itoa(p.unitBase) + "/"
		root = p.cityPath
	}
	for _, cp := range p.counties {
		cp.path = root + strconv.Itoa(p.countyID(cp)) + "/"
		cp.townPaths = make([]string, cp.towns)
		for t := range cp.townPaths {
			cp.townPaths[t] = cp.path + strconv.Itoa(p.townID(cp, t)) + "/"
		}
		cp.entPaths = make([]string, cp.e)
		for k, e := range cp.ents {
			cp.entPaths[k] = cp.townPaths[e.town] + strconv.Itoa(p.entID(cp, k)) + "/"
		}
	}
}

func (p *plan) shopPath(cp *countyPlan, k, w int) string {
	return cp.entPaths[k] + strconv.Itoa(p.shopID(cp, k, w)) + "/"
}

func (p *plan) teamPath(cp *countyPlan, k, w, t int) string {
	return p.shopPath(cp, k, w) + strconv.Itoa(p.teamID(cp, k, w, t)) + "/"
}
