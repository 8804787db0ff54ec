package synth

import (
	"math/rand/v2"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
)

// Hazard states, levels, sources and event actions as stored.
const (
	stReported      = "REPORTED"
	stPlanSubmitted = "PLAN_SUBMITTED"
	stRectifying    = "RECTIFYING"
	stSubmitted     = "SUBMITTED"
	stClosed        = "CLOSED"

	srcInspection = "INSPECTION"
	srcSelfCheck  = "SELF_CHECK"
	srcReport     = "REPORT"
)

// Hazard distribution parameters (docs/PERFORMANCE.md).
const (
	// pMajor is the share of MAJOR hazards.
	pMajor = 0.07
	// Sources: 40 % found in inspections, 45 % in self-checks, 15 % reported.
	pSourceInspection, pSourceSelfCheck = 0.40, 0.85
	// Subjects: 50 % the enterprise, 35 % a workshop, 15 % a team.
	pSubjectEnterprise, pSubjectWorkshop = 0.50, 0.85
	// foundDays is the window of found_at before Now.
	foundDays = 730
	// pOnSpot is the share of closed GENERAL hazards (not REPORT) closed on the spot.
	pOnSpot = 0.15
	// pReject is the share of rectifications rejected once at verification.
	pReject = 0.10
	// pSuperviseOverdue is the share of GENERAL hazards open a week past
	// their deadline that are put under supervision.
	pSuperviseOverdue = 0.40
	// pLift is the share of closed MAJOR hazards whose supervision is lifted.
	pLift = 0.70
	// pCleanInspection is the chance that an enterprise also had an
	// inspection that found nothing.
	pCleanInspection = 0.5
)

// inspectionRec is one inspection of an enterprise (its target).
type inspectionRec struct {
	id         int
	k          int // enterprise
	typ        string
	keyPeriod  string
	byUnit     int    // inspecting unit id
	inspectors [2]int // user indexes
	on         time.Time
	found      int // hazards recorded with it
	slots      int // hazards it may still take
	dept       int // the inspecting department's index, -1 for a town
}

// hazardRec is one hazard and its history (events[ev0:ev1] of the chunk).
type hazardRec struct {
	id            int
	subject       unitInfo
	source, level string
	state         string
	text          hazardText
	found         time.Time
	deadline      time.Time
	closed        time.Time
	supervised    bool
	responsible   string
	reporter      int // user index
	inspection    int // inspection id, 0 for none
	ev0, ev1      int
	assignee      int // unit id, 0 when unassigned
	followUpOn    time.Time
}

// eventRec is one step of a hazard's history.
type eventRec struct {
	action, from, to string
	actor            int // user index
	at               time.Time
	note             string // instead of the step's usual note
}

// chunk holds the rows generated for a run of enterprises, written table by
// table (inspections, hazards, events) before the next chunk is generated,
// so that memory stays bounded whatever the number of hazards.
type chunk struct {
	inspections []inspectionRec
	hazards     []hazardRec
	events      []eventRec
	assignments []assignmentRec
	followUps   []followUpRec
	actions     []actionRec
}

func (ch *chunk) reset() {
	ch.inspections, ch.hazards, ch.events = ch.inspections[:0], ch.hazards[:0], ch.events[:0]
	ch.assignments, ch.followUps, ch.actions = ch.assignments[:0], ch.followUps[:0], ch.actions[:0]
}

// keyPeriodOf is the key period (重要时段) an inspection in month m belongs to.
func keyPeriodOf(m time.Month) string {
	switch m {
	case time.January, time.February:
		return "SPRING_FESTIVAL"
	case time.March:
		return "TWO_SESSIONS"
	case time.April, time.May:
		return "MAY_DAY"
	case time.June, time.July:
		return "FLOOD_SEASON"
	case time.August:
		return "HIGH_TEMPERATURE"
	case time.September, time.October:
		return "NATIONAL_DAY"
	}
	return "WINTER_STORM"
}

// pick returns the first value whose cumulative probability exceeds u.
func pick(u float64, cum []float64, values []string) string {
	for i, c := range cum {
		if u < c {
			return values[i]
		}
	}
	return values[len(values)-1]
}

// hazardGen generates the hazards of one enterprise from its own random
// stream (seed, county, enterprise), so any pass regenerates them alike.
type hazardGen struct {
	p    *plan
	cp   *countyPlan
	k    int
	r    *rand.Rand
	r2   *rand.Rand // assignments, follow-ups, enforcement (followups.go)
	ch   *chunk
	prof *sectorProfile
	// inspections counts the enterprise's inspections so far.
	inspections int
	open        int // index in ch.inspections of the inspection taking hazards, -1 none
}

// newHazardGen prepares the generator of enterprise k of county cp.
func newHazardGen(p *plan, cp *countyPlan, k int, ch *chunk) *hazardGen {
	return &hazardGen{p: p, cp: cp, k: k, r: newRand(p.opts.Seed, cp.c, streamEnt0+k), r2: newFollowRand(p, cp, k), ch: ch,
		prof: profileOf(cp.ents[k].sector)}
}

// workDay is a random moment of a working day d days before now.
func (g *hazardGen) workDay(d int) time.Time {
	day := g.p.now.Truncate(24*time.Hour).AddDate(0, 0, -d)
	return day.Add(8*time.Hour + time.Duration(g.r.IntN(9*3600))*time.Second)
}

func (g *hazardGen) newInspection(on time.Time) int {
	cp, e := g.cp, &g.cp.ents[g.k]
	if g.inspections > e.hazards {
		panic("synth: more inspections than reserved") // the id ranges would overlap
	}
	in := inspectionRec{k: g.k, on: on, slots: 1 + g.r.IntN(4), dept: -1}
	depts := cp.deptsOf(e.sector)
	if len(depts) > 0 && g.r.Float64() < 0.4 {
		d := depts[g.r.IntN(len(depts))]
		in.byUnit, in.dept = g.p.deptID(cp, d), d
		in.inspectors = [2]int{cp.deptUser(d, uDeptInspector), cp.deptUser(d, uDeptHead)}
		in.typ = pick(g.r.Float64(), []float64{0.3, 0.6, 0.85}, []string{"SPECIAL", "DOUBLE_RANDOM", "ROUTINE_QUARTERLY", "KEY_PERIOD"})
	} else {
		in.byUnit = g.p.townID(cp, e.town)
		in.inspectors = [2]int{cp.townUser(e.town, uTownInspector), cp.townUser(e.town, uTownDeputy)}
		in.typ = pick(g.r.Float64(), []float64{0.5, 0.75, 0.85}, []string{"ROUTINE_QUARTERLY", "KEY_PERIOD", "SPECIAL", "SPECIAL"})
	}
	if in.typ == "KEY_PERIOD" {
		in.keyPeriod = keyPeriodOf(on.Month())
	}
	// An enterprise has at most one inspection per hazard and one clean
	// one: its ids start at its first hazard's index plus its own index,
	// so ids are fixed before anything is generated (gaps are unused).
	in.id = g.p.inspectionBase + e.hazFirst + e.global + g.inspections
	g.inspections++
	g.ch.inspections = append(g.ch.inspections, in)
	return len(g.ch.inspections) - 1
}

// run generates the enterprise's hazards, events and inspections into the chunk.
func (g *hazardGen) run() {
	g.open = -1
	e := &g.cp.ents[g.k]
	i0, h0 := len(g.ch.inspections), len(g.ch.hazards)
	var due []dueFollowUp
	if g.r.Float64() < pCleanInspection {
		g.newInspection(g.workDay(1 + g.r.IntN(foundDays)))
		g.ch.inspections[len(g.ch.inspections)-1].slots = 0
	}
	for i := range e.hazards {
		h := hazardRec{id: g.p.hazardBase + e.hazFirst + i}
		g.hazard(&h)
		g.assign(&h, &due)
		g.ch.hazards = append(g.ch.hazards, h)
	}
	g.enforce(i0, h0)
	g.followUps(due)
}

// after is t plus lo–hi days, but never past now (steps of recent hazards
// are squeezed between the last step and now, keeping their order).
func (g *hazardGen) after(t time.Time, lo, hi float64) time.Time {
	next := t.Add(time.Duration((lo + (hi-lo)*g.r.Float64()) * 24 * float64(time.Hour))).Truncate(time.Second)
	if next.After(g.p.now) {
		next = t.Add(time.Duration(float64(g.p.now.Sub(t)) * g.r.Float64())).Truncate(time.Second)
		if next.Before(t) {
			next = t
		}
	}
	return next
}

func (g *hazardGen) hazard(h *hazardRec) {
	cp, k, r := g.cp, g.k, g.r
	e := &cp.ents[k]
	// Subject.
	ref := unitRef{kind: domain.KindEnterprise, cp: cp, i: k}
	if u := r.Float64(); cp.w > 0 && u >= pSubjectEnterprise {
		ref.kind, ref.w = domain.KindWorkshop, r.IntN(cp.w)
		if cp.k > 0 && u >= pSubjectWorkshop {
			ref.kind, ref.t = domain.KindTeam, r.IntN(cp.k)
		}
	}
	h.subject = g.p.unit(ref)
	h.level = "GENERAL"
	if r.Float64() < pMajor {
		h.level = "MAJOR"
	}
	major := h.level == "MAJOR"
	h.text = g.prof.hazardText(r.IntN(g.prof.hazardTextCount()))
	h.responsible = personName(r.IntN(10000))
	town := e.town
	var inspectors [2]int
	switch u := r.Float64(); {
	case u < pSourceInspection:
		h.source = srcInspection
		if g.open < 0 || g.ch.inspections[g.open].slots == 0 {
			g.open = g.newInspection(g.workDay(1 + r.IntN(foundDays)))
		}
		in := &g.ch.inspections[g.open]
		in.slots--
		in.found++
		h.inspection = in.id
		h.found = in.on.Add(time.Duration(10*in.found) * time.Minute)
		inspectors = in.inspectors
		h.reporter = inspectors[0]
	case u < pSourceSelfCheck:
		h.source = srcSelfCheck
		h.found = g.workDay(1 + r.IntN(foundDays))
		h.reporter = cp.entUser(k, uSafety)
	default:
		h.source = srcReport
		h.found = g.workDay(1 + r.IntN(foundDays))
		h.reporter = cp.townUser(town, uTownDeputy)
	}
	if major {
		h.deadline = h.found.AddDate(0, 0, 60+r.IntN(121))
	} else {
		h.deadline = h.found.AddDate(0, 0, 7+r.IntN(24))
	}
	// Who acts: the enterprise rectifies; the inspecting side (or the town)
	// verifies; a unit head decides a MAJOR hazard and supervises.
	rectifier := cp.entUser(k, uSafety)
	if r.Float64() < 0.3 {
		rectifier = cp.entUser(k, uPrincipal)
	}
	verifier := cp.townUser(town, uTownInspector)
	decider := cp.townUser(town, uTownHead)
	switch h.source {
	case srcInspection:
		verifier = inspectors[0]
		if inspectors[1] != cp.townUser(town, uTownDeputy) {
			decider = inspectors[1] // the department's head
		}
	case srcSelfCheck:
		if r.Float64() < 0.5 {
			verifier = cp.entUser(k, uPrincipal) // close_own
		}
	}
	// The state, by age: old hazards are almost all closed.
	age := g.p.now.Sub(h.found).Hours() / 24
	pClosed := 0.35
	switch {
	case !major && age > 45:
		pClosed = 0.97
	case !major && age > 15:
		pClosed = 0.75
	case major && age > 240:
		pClosed = 0.93
	case major && age > 120:
		pClosed = 0.6
	case major:
		pClosed = 0.15
	}
	target := stClosed
	if r.Float64() >= pClosed {
		if major {
			target = pick(r.Float64(), []float64{0.15, 0.4, 0.85}, []string{stReported, stPlanSubmitted, stRectifying, stSubmitted})
		} else {
			target = pick(r.Float64(), []float64{0.3, 0.75}, []string{stReported, stRectifying, stSubmitted})
		}
	}
	// The history up to the target state.
	h.ev0 = len(g.ch.events)
	state := ""
	at := h.found
	step := func(action, to string, actor int) {
		if to == "" {
			to = state
		}
		g.ch.events = append(g.ch.events, eventRec{action: action, from: state, to: to, actor: actor, at: at})
		state = to
	}
	step("REPORT", stReported, h.reporter)
	if major {
		at = g.after(at, 0.5, 2)
		step("SUPERVISE", "", decider)
		h.supervised = true
	}
	reached := func() bool { return state == target }
	if !reached() {
		if major {
			at = g.after(at, 3, 10)
			step("SUBMIT_PLAN", stPlanSubmitted, rectifier)
			if !reached() {
				at = g.after(at, 2, 7)
				step("APPROVE_PLAN", stRectifying, decider)
			}
		} else if target == stClosed && h.source != srcReport && r.Float64() < pOnSpot {
			at = g.after(at, 0.04, 0.17)
			step("CLOSE_ON_SPOT", stClosed, verifier)
		} else {
			at = g.after(at, 0.2, 3)
			step("START_RECTIFICATION", stRectifying, rectifier)
		}
	}
	if !reached() {
		span := h.deadline.Sub(at).Hours() / 24 * 0.9
		if span < 1 {
			span = 1
		}
		at = g.after(at, 0.5, span)
		step("SUBMIT", stSubmitted, rectifier)
		if target != stSubmitted && r.Float64() < pReject {
			judge := verifier
			if major {
				judge = decider
			}
			at = g.after(at, 1, 3)
			step("REJECT", stRectifying, judge)
			if !reached() {
				at = g.after(at, 2, 7)
				step("SUBMIT", stSubmitted, rectifier)
			}
		}
	}
	if !reached() { // target CLOSED from SUBMITTED
		closer := verifier
		if major {
			closer = decider
		}
		at = g.after(at, 0.5, 5)
		step("CLOSE", stClosed, closer)
	}
	if state == stClosed {
		h.closed = at
		if major && r.Float64() < pLift {
			at = g.after(at, 1, 3)
			step("LIFT_SUPERVISION", "", decider)
			h.supervised = false
		}
	} else if !major && g.p.now.Sub(h.deadline) > 7*24*time.Hour && r.Float64() < pSuperviseOverdue {
		if due := h.deadline.AddDate(0, 0, 7); due.After(at) {
			at = due
		}
		step("SUPERVISE", "", cp.townUser(town, uTownDeputy))
		h.supervised = true
	}
	h.state = state
	h.ev1 = len(g.ch.events)
}
