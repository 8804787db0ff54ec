package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
)

// Assignments (交办), follow-up inspections (事后督查) and enforcement
// actions (执法) of an enterprise's hazards. They come from a second random
// stream of the enterprise (streamFollow0 + k), drawn after its hazards, so
// the hazards, inspections and histories are those of a run without them.
const (
	// streamFollow0 + k is enterprise k's stream for its assignments,
	// follow-ups and enforcement: clear of streamEnt0 + k and of the
	// notices' and records' streams.
	streamFollow0 = 1 << 30
	// pAssignGeneral is the share of the GENERAL hazards found by the
	// government (inspections, reports) that the county assigns; every
	// such MAJOR hazard is assigned.
	pAssignGeneral = 0.3
	// pAssignTown is the share of assignments to the enterprise's town;
	// the rest go to a supervising department (to the town when none).
	pAssignTown = 0.65
	// pFollowedUp is the share of assigned hazards, still open on their
	// follow-up date, that the assignee re-checks in a FOLLOW_UP inspection.
	pFollowedUp = 0.85
	// pNotRectified is the share of re-checks finding nothing done; the
	// others find the rectification PARTLY done.
	pNotRectified = 0.4
	// pEnforce is the share of a department's inspections with findings
	// that lead to an enforcement action.
	pEnforce = 0.15
)

// assignmentRec is one assignment of a hazard of the chunk.
type assignmentRec struct {
	hazard     int // index in chunk.hazards
	assignee   int // unit id
	followUpOn time.Time
	at         time.Time
	note       string
}

// followUpRec is one FOLLOW_UP inspection's re-check of a hazard.
type followUpRec struct {
	inspection, hazard int // inspection id, index in chunk.hazards
	k                  int // enterprise
	on                 time.Time
	outcome            domain.FollowUpOutcome
	state              string // before and after: no re-check decides a step
}

// actionRec is one enforcement action from an inspection of the chunk.
type actionRec struct {
	inspection      int // index in chunk.inspections
	kind            domain.EnforcementKind
	issued          time.Time
	deadline        time.Time // zero for none
	amount          int       // yuan, penalties only
	state           domain.EnforcementState
	changed         time.Time // zero while ISSUED
	hazards         []int     // indexes in chunk.hazards
	findings, basis string
}

// dueFollowUp is an assignment whose assignee re-checks the hazard at on.
type dueFollowUp struct {
	assignment int // index in chunk.assignments
	on         time.Time
	inspectors [2]int // user indexes at the assignee
}

// stateAt is the state of h (its events in evs) at t: that of its last
// step not after t.
func stateAt(evs []eventRec, t time.Time) string {
	state := ""
	for _, e := range evs {
		if e.at.After(t) {
			break
		}
		state = e.to
	}
	return state
}

// assign assigns hazard h (the chunk's last) when the county does: a
// government-found hazard still open a few days after it was found. It
// inserts the ASSIGN step into h's history and notes when the assignee
// follows it up.
func (g *hazardGen) assign(h *hazardRec, due *[]dueFollowUp) {
	r := g.r2
	if h.source == srcSelfCheck || (h.level != "MAJOR" && r.Float64() >= pAssignGeneral) {
		return
	}
	at := h.found.Add(time.Duration(24+r.IntN(48)) * time.Hour).Truncate(time.Second)
	evs := g.ch.events[h.ev0:h.ev1]
	state := stateAt(evs, at)
	if !at.Before(g.p.now) || state == stClosed {
		return
	}
	cp, e := g.cp, &g.cp.ents[g.k]
	assignee := g.p.unit(unitRef{kind: domain.KindTown, cp: cp, i: e.town})
	follower := [2]int{cp.townUser(e.town, uTownInspector), cp.townUser(e.town, uTownDeputy)}
	if depts := cp.deptsOf(e.sector); len(depts) > 0 && r.Float64() >= pAssignTown {
		d := depts[r.IntN(len(depts))]
		assignee = g.p.unit(unitRef{kind: domain.KindDepartment, cp: cp, i: d})
		follower = [2]int{cp.deptUser(d, uDeptInspector), cp.deptUser(d, uDeptHead)}
	}
	followUpOn := day(at).AddDate(0, 0, 7+r.IntN(24))
	if h.level == "MAJOR" {
		followUpOn = day(h.deadline).AddDate(0, 0, r.IntN(8))
	}
	a := assignmentRec{hazard: len(g.ch.hazards), assignee: assignee.id, followUpOn: followUpOn, at: at,
		note: fmt.Sprintf("交办 %s，%s 前督查", assignee.name, followUpOn.Format(time.DateOnly))}
	g.ch.assignments = append(g.ch.assignments, a)
	h.assignee, h.followUpOn = assignee.id, followUpOn
	// The ASSIGN step, in time order among h's steps (they are the
	// chunk's last events).
	i := h.ev0
	for i < h.ev1 && !g.ch.events[i].at.After(at) {
		i++
	}
	g.ch.events = append(g.ch.events, eventRec{})
	copy(g.ch.events[i+1:], g.ch.events[i:])
	g.ch.events[i] = eventRec{action: string(domain.HazardAssign), from: state, to: state, actor: cp.countyUser(uHead), at: at, note: a.note}
	h.ev1++
	on := followUpOn.Add(time.Duration(r.IntN(3)*24+9)*time.Hour + time.Duration(r.IntN(8*3600))*time.Second)
	if on.Before(g.p.now) && r.Float64() < pFollowedUp && stateAt(g.ch.events[h.ev0:h.ev1], on) != stClosed {
		*due = append(*due, dueFollowUp{assignment: len(g.ch.assignments) - 1, on: on, inspectors: follower})
	}
}

// followUps records a FOLLOW_UP inspection by the assignee for each due
// follow-up, as long as the enterprise's inspection ids last (one per
// hazard and one more).
func (g *hazardGen) followUps(due []dueFollowUp) {
	e := &g.cp.ents[g.k]
	for _, f := range due {
		if g.inspections > e.hazards {
			return
		}
		a := &g.ch.assignments[f.assignment]
		h := &g.ch.hazards[a.hazard]
		in := inspectionRec{k: g.k, typ: "FOLLOW_UP", byUnit: a.assignee, inspectors: f.inspectors, on: f.on, dept: -1,
			id: g.p.inspectionBase + e.hazFirst + e.global + g.inspections}
		g.inspections++
		g.ch.inspections = append(g.ch.inspections, in)
		state := stateAt(g.ch.events[h.ev0:h.ev1], f.on)
		outcome := domain.FollowUpPartly
		if state != stSubmitted && g.r2.Float64() < pNotRectified {
			outcome = domain.FollowUpNotRectified
		}
		g.ch.followUps = append(g.ch.followUps, followUpRec{inspection: in.id, hazard: a.hazard, k: g.k, on: f.on, outcome: outcome, state: state})
	}
}

// enforce draws the enforcement actions of the enterprise's inspections
// from index i0 of the chunk, with its hazards from index h0: a share of a
// department's inspections with findings lead to one.
func (g *hazardGen) enforce(i0, h0 int) {
	r := g.r2
	for i := i0; i < len(g.ch.inspections); i++ {
		in := &g.ch.inspections[i]
		if in.dept < 0 || in.found == 0 || r.Float64() >= pEnforce {
			continue
		}
		a := actionRec{inspection: i, issued: in.on.Add(time.Duration(1+r.IntN(5)) * 24 * time.Hour), state: domain.EnforcementIssued}
		if !a.issued.Before(g.p.now) {
			continue
		}
		for j := h0; j < len(g.ch.hazards); j++ {
			if g.ch.hazards[j].inspection == in.id {
				a.hazards = append(a.hazards, j)
			}
		}
		a.findings = fmt.Sprintf("检查发现安全生产隐患%d处，违反安全生产法律法规", len(a.hazards))
		settled := a.issued.AddDate(0, 0, 10+r.IntN(30))
		switch u := r.Float64(); {
		case u < 0.8:
			a.kind, a.deadline = domain.RectificationOrder, day(a.issued).AddDate(0, 0, 15+r.IntN(16))
			a.findings += "，责令限期整改"
			settled = a.deadline.Add(-time.Duration(r.IntN(5*24)) * time.Hour)
			if a.deadline.Before(g.p.now) && r.Float64() < 0.25 {
				a.state, a.changed = domain.EnforcementOverdue, a.deadline.Add(time.Duration(24+r.IntN(5*24))*time.Hour)
			}
		case u < 0.95:
			a.kind, a.amount = domain.AdministrativePenalty, 1000*(5+r.IntN(46))
			a.basis = "《中华人民共和国安全生产法》第一百零二条"
			a.findings += "，依法予以行政处罚"
		default:
			a.kind = domain.Seizure
			a.findings += "，依法查封有关设施设备"
		}
		if a.state == domain.EnforcementIssued && settled.Before(g.p.now) && settled.After(a.issued) {
			a.state, a.changed = domain.EnforcementComplied, settled
		}
		if closed := a.changed.AddDate(0, 0, 1+r.IntN(10)); !a.changed.IsZero() && closed.Before(g.p.now) && r.Float64() < 0.7 {
			a.state, a.changed = domain.EnforcementClosed, closed
		}
		if a.changed.After(g.p.now) {
			a.state, a.changed = domain.EnforcementIssued, time.Time{}
		}
		g.ch.actions = append(g.ch.actions, a)
	}
}

// newFollowRand is enterprise k's stream for assignments, follow-ups and
// enforcement.
func newFollowRand(p *plan, cp *countyPlan, k int) *rand.Rand {
	return newRand(p.opts.Seed, cp.c, streamFollow0+k)
}

// documentNumber is an enforcement action's 文书编号: the department's
// abbreviation, the kind, the year and the inspection's number in the run
// (unique per department and year).
func (p *plan) documentNumber(cp *countyPlan, d int, a *actionRec, inspectionID int) string {
	abbr := []rune(departments[d].name)[:2]
	kind := map[domain.EnforcementKind]string{domain.RectificationOrder: "责改", domain.AdministrativePenalty: "罚",
		domain.Seizure: "封"}[a.kind]
	return string(abbr) + "执" + kind + "〔" + strconv.Itoa(a.issued.Year()) + "〕" + strconv.Itoa(inspectionID-p.inspectionBase+1) + "号"
}

var (
	assignmentCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"subject_id", "follow_up_on", "note", "assigned_by_id", "post_id", "assigned_at", "hazard_id", "assigner_id", "assignee_id"}
	followUpCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"outcome", "state_before", "state_after", "note", "hazard_id", "inspection_id"}
	actionCols = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"issuer_scope_path", "issuer_only", "kind", "document_number", "year", "issued_on", "deadline", "findings", "amount",
		"legal_basis", "issued_by", "state", "state_changed_at", "state_note", "issuer_unit_id", "target_unit_id", "inspection_id"}
	actionHazardCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"issuer_scope_path", "issuer_only", "enforcement_action_id", "hazard_id"}
	// stateNotes are the notes of an enforcement action's last step.
	stateNotes = map[domain.EnforcementState]string{domain.EnforcementComplied: "复查确认已按要求整改",
		domain.EnforcementOverdue: "逾期未整改", domain.EnforcementClosed: "执行完毕，予以结案"}
)

// flushFollowUps writes a chunk's assignments, follow-up checks and
// enforcement actions with their hazards, scoped as the services scope
// them: an assignment and a check as its hazard, an action as the target with the issuing
// department's path on the issuer side, its links as their hazards.
func (p *plan) flushFollowUps(l *loader, cp *countyPlan, ch *chunk) error {
	countyHead := cp.countyUser(uHead)
	return l.writeTables(tableFill{"hazard_assignments", assignmentCols, func(w *tableWriter) error {
		for _, a := range ch.assignments {
			h := &ch.hazards[a.hazard]
			t, path, sec, ent := p.scope(h.subject)
			if err := w.row(a.at, a.at, t, path, sec, ent, h.subject.id, a.followUpOn, a.note, p.userBase+countyHead,
				p.postBase+countyHead, a.at, h.id, p.countyID(cp), a.assignee); err != nil {
				return err
			}
		}
		return nil
	}}, tableFill{"follow_up_checks", followUpCols, func(w *tableWriter) error {
		for _, f := range ch.followUps {
			h := &ch.hazards[f.hazard]
			t, path, sec, ent := p.scope(h.subject)
			if err := w.row(f.on, f.on, t, path, sec, ent, string(f.outcome), f.state, f.state, "事后督查："+string(f.outcome),
				h.id, f.inspection); err != nil {
				return err
			}
		}
		return nil
	}}, tableFill{"enforcement_actions", actionCols, func(w *tableWriter) error {
		for i := range ch.actions {
			a := &ch.actions[i]
			in := &ch.inspections[a.inspection]
			t, path, sec, ent := p.scope(p.unit(entRef(cp, in.k)))
			issuer := p.unit(unitRef{kind: domain.KindDepartment, cp: cp, i: in.dept})
			var amount any
			if a.amount > 0 {
				amount = a.amount
			}
			updated := a.issued
			if !a.changed.IsZero() {
				updated = a.changed
			}
			if err := w.row(p.actionBase+in.id-p.inspectionBase, a.issued, updated, t, path, sec, ent, issuer.path, false,
				string(a.kind), p.documentNumber(cp, in.dept, a, in.id), a.issued.Year(), a.issued, nullTime(a.deadline),
				a.findings, amount, a.basis, personName(in.inspectors[0]), string(a.state), nullTime(a.changed),
				stateNotes[a.state], issuer.id, p.entID(cp, in.k), in.id); err != nil {
				return err
			}
		}
		return nil
	}}, tableFill{"enforcement_hazards", actionHazardCols, func(w *tableWriter) error {
		for i := range ch.actions {
			a := &ch.actions[i]
			in := &ch.inspections[a.inspection]
			for _, j := range a.hazards {
				h := &ch.hazards[j]
				t, path, sec, ent := p.scope(h.subject)
				if err := w.row(a.issued, a.issued, t, path, sec, ent, nil, false, p.actionBase+in.id-p.inspectionBase, h.id); err != nil {
					return err
				}
			}
		}
		return nil
	}})
}
