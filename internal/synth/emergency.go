package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
)

// Emergency plans (应急预案) and drills (应急演练) of each enterprise. Plans:
// a comprehensive plan (but pNoComprehensive of the enterprises, a gap), a
// special plan for pSpecialPlan of them (the sector's typical emergency),
// an on-site plan at the enterprise and at half of its workshops. The
// effective version of a series was approved within the last three years
// and is reviewed three years after; pReviewOverdue are past their review.
// pSuperseded of the series keep the version the current one replaced,
// and a few whose review nears have the next version as a DRAFT.
//
// Drills of the year: pDrillCompliant of the enterprises hold what the rule
// asks (a drill on a comprehensive or special plan, an on-site drill in each
// half-year), pDrillNone none at all, the rest some (behind).
const (
	pNoComprehensive, pSpecialPlan, pOnSiteWorkshop = 0.05, 0.7, 0.5
	pReviewOverdue, pSuperseded, pDraftNext         = 0.04, 0.25, 0.3
	pDrillCompliant, pDrillNone                     = 0.75, 0.07
	reviewYears                                     = 3
)

var planCols = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"kind", "topic", "series", "title", "version", "approved_on", "filed_with_id", "filed_on", "review_due", "state",
	"supersedes_id", "unit_id"}

var drillCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"plan_kind", "held_on", "form", "participants", "scenario", "evaluation", "problems", "unit_id", "plan_id"}

// specialTopic is the emergency an enterprise's special plan is for.
var specialTopic = map[domain.Sector]domain.EmergencyPlanTopic{
	domain.SectorIndustry: domain.TopicFire, domain.SectorCommerce: domain.TopicGas, domain.SectorFuel: domain.TopicFire,
	domain.SectorConstruction: domain.TopicOther, domain.SectorChemicals: domain.TopicHazardousChemicals,
	domain.SectorTransport: domain.TopicOther, domain.SectorOther: domain.TopicFire,
}

var topicNames = map[domain.EmergencyPlanTopic]string{domain.TopicFire: "火灾事故", domain.TopicGas: "燃气泄漏",
	domain.TopicHazardousChemicals: "危险化学品泄漏", domain.TopicOther: "高处坠落及机械伤害", domain.TopicFlood: "防汛防台"}

// planRec is one version of a plan series; supersedes is the county index
// of the version it replaced (-1: none).
type planRec struct {
	unit               unitRef
	kind               domain.EmergencyPlanKind
	topic              domain.EmergencyPlanTopic
	state              domain.EmergencyPlanState
	approved, review   time.Time
	filedWith          int
	filedOn            time.Time
	supersedes, series int
}

// drillRec is one drill on plan (its county index).
type drillRec struct {
	plan         int
	held         time.Time
	form         domain.DrillForm
	participants int
}

// readinessRec is an enterprise's plans (county indexes first, first+1, …)
// and drills.
type readinessRec struct {
	k      int
	first  int
	plans  []planRec
	drills []drillRec
}

// eachReadiness calls fn with every enterprise's plans and drills of
// county cp, in enterprise order.
func (p *plan) eachReadiness(cp *countyPlan, fn func(r *readinessRec) error) error {
	r := newRand(p.opts.Seed, cp.c, streamPlans)
	next := 0
	for k := range cp.ents {
		rec := &readinessRec{k: k, first: next}
		p.planSeries(r, cp, rec)
		next += len(rec.plans)
		p.drillsOf(r, cp, rec)
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

// planSeries draws the plan series of enterprise rec.k with their versions.
func (p *plan) planSeries(r *rand.Rand, cp *countyPlan, rec *readinessRec) {
	e := &cp.ents[rec.k]
	ent := entRef(cp, rec.k)
	filer := 0
	if ds := cp.deptsOf(e.sector); len(ds) > 0 {
		filer = p.deptID(cp, ds[0])
	}
	series := 0
	add := func(at unitRef, kind domain.EmergencyPlanKind, topic domain.EmergencyPlanTopic) {
		series++
		cur := planRec{unit: at, kind: kind, topic: topic, state: domain.PlanEffective, supersedes: -1, series: series}
		if r.Float64() < pReviewOverdue {
			cur.approved = day(p.now.AddDate(-reviewYears, 0, -1-r.IntN(400)))
		} else {
			cur.approved = day(p.now.AddDate(0, 0, -10-r.IntN(reviewYears*365-11)))
		}
		cur.review = cur.approved.AddDate(reviewYears, 0, 0)
		if kind != domain.PlanOnSite && filer != 0 {
			if on := cur.approved.AddDate(0, 0, 5+r.IntN(25)); !on.After(p.now) {
				cur.filedWith, cur.filedOn = filer, on
			}
		}
		if r.Float64() < pSuperseded {
			old := cur
			old.state, old.filedWith, old.filedOn = domain.PlanSuperseded, 0, time.Time{}
			old.approved = cur.approved.AddDate(-2, 0, -r.IntN(365))
			old.review = old.approved.AddDate(reviewYears, 0, 0)
			cur.supersedes = rec.first + len(rec.plans)
			rec.plans = append(rec.plans, old)
		}
		rec.plans = append(rec.plans, cur)
		if cur.review.Before(p.now.AddDate(0, 0, 180)) && r.Float64() < pDraftNext {
			rec.plans = append(rec.plans, planRec{unit: at, kind: kind, topic: topic, state: domain.PlanDraft, supersedes: -1, series: series})
		}
	}
	if r.Float64() >= pNoComprehensive {
		add(ent, domain.PlanComprehensive, "")
	}
	if r.Float64() < pSpecialPlan {
		add(ent, domain.PlanSpecial, specialTopic[e.sector])
	}
	add(ent, domain.PlanOnSite, "")
	for w := range cp.w {
		if r.Float64() < pOnSiteWorkshop {
			add(unitRef{kind: domain.KindWorkshop, cp: cp, i: rec.k, w: w}, domain.PlanOnSite, "")
		}
	}
}

// drillsOf draws the drills of the year of enterprise rec.k on its plans.
func (p *plan) drillsOf(r *rand.Rand, cp *countyPlan, rec *readinessRec) {
	start := time.Date(p.letterYear, time.January, 1, 0, 0, 0, 0, time.UTC)
	mid, end := start.AddDate(0, 6, 0), start.AddDate(1, 0, 0)
	need := [3]bool{true, true, true} // plan drill, on-site H1, on-site H2
	switch x := r.Float64(); {
	case x < pDrillNone:
		return
	case x >= pDrillCompliant+pDrillNone:
		need[r.IntN(3)] = false
		if r.IntN(3) == 0 {
			need[r.IntN(3)] = false
		}
	}
	windows := [3][2]time.Time{{start, end}, {start, mid}, {mid, end}}
	for i, want := range need {
		if !want {
			continue
		}
		kinds := []domain.EmergencyPlanKind{domain.PlanComprehensive, domain.PlanSpecial}
		if i > 0 {
			kinds = []domain.EmergencyPlanKind{domain.PlanOnSite}
		}
		from, to := windows[i][0], windows[i][1]
		if p.now.Before(to) {
			to = p.now
		}
		if !to.After(from) {
			continue
		}
		held := day(from.Add(time.Duration(r.Int64N(int64(to.Sub(from)))))).Add(time.Hour) // 09:00 local
		if plan := versionAt(rec, kinds, held); plan >= 0 && held.Before(to) {
			rec.drills = append(rec.drills, drillRec{plan: plan, held: held,
				form:         []domain.DrillForm{domain.DrillTabletop, domain.DrillFunctional, domain.DrillFullScale}[r.IntN(3)],
				participants: 5 + r.IntN(56)})
		}
	}
}

// versionAt is the county index of the plan of one of kinds in effect at
// t (approved on or before it, not yet superseded then), -1 for none.
func versionAt(rec *readinessRec, kinds []domain.EmergencyPlanKind, t time.Time) int {
	best := -1
	for j, pl := range rec.plans {
		if pl.state == domain.PlanDraft || pl.approved.After(t) || (pl.kind != kinds[0] && (len(kinds) < 2 || pl.kind != kinds[1])) {
			continue
		}
		if best < 0 || pl.approved.After(rec.plans[best-rec.first].approved) {
			best = rec.first + j
		}
	}
	return best
}

// writePlans writes every county's plans, then their drills.
func (p *plan) writePlans(l *loader) error {
	l.prog.begin("emergency plans, drills")
	for _, cp := range p.counties {
		base := p.planBase + cp.recOff.plans
		err := l.writeTables(tableFill{"emergency_plans", planCols, func(w *tableWriter) error {
			return p.eachReadiness(cp, func(rec *readinessRec) error {
				for j, pl := range rec.plans {
					if err := p.planRow(w, base, rec.first+j, pl); err != nil {
						return err
					}
				}
				return nil
			})
		}}, tableFill{"drills", drillCols, func(w *tableWriter) error {
			return p.eachReadiness(cp, func(rec *readinessRec) error {
				for _, d := range rec.drills {
					pl := rec.plans[d.plan-rec.first]
					u := p.unit(pl.unit)
					t, path, sec, ent := p.scope(u)
					scenario := fmt.Sprintf("%s%s应急演练", u.name, planTitle(pl))
					if err := w.row(d.held, d.held, t, path, sec, ent, string(pl.kind), d.held, string(d.form), d.participants,
						scenario, "演练达到预期效果", nil, u.id, base+d.plan); err != nil {
						return err
					}
				}
				return nil
			})
		}})
		if err != nil {
			return err
		}
	}
	return nil
}

func planTitle(pl planRec) string {
	switch pl.kind {
	case domain.PlanComprehensive:
		return "生产安全事故综合应急预案"
	case domain.PlanSpecial:
		return topicNames[pl.topic] + "专项应急预案"
	}
	return "现场处置方案"
}

// planRow writes plan i (county index) of a county whose first id is base.
func (p *plan) planRow(w *tableWriter, base, i int, pl planRec) error {
	u := p.unit(pl.unit)
	t, path, sec, ent := p.scope(u)
	series := string(pl.kind)
	if pl.topic != "" {
		series += ":" + string(pl.topic)
	}
	created, version := p.now.AddDate(0, 0, -7), fmt.Sprintf("%d修订版", p.now.Year())
	if !pl.approved.IsZero() {
		created, version = pl.approved.AddDate(0, 0, -14), fmt.Sprintf("%d版", pl.approved.Year())
	}
	updated := created
	if !pl.approved.IsZero() {
		updated = pl.approved
	}
	var supersedes any
	if pl.supersedes >= 0 {
		supersedes = base + pl.supersedes
	}
	return w.row(base+i, created, updated, t, path, sec, ent, string(pl.kind), nullStr(string(pl.topic)), series,
		u.name+planTitle(pl), version, nullTime(pl.approved), nullInt(pl.filedWith), nullTime(pl.filedOn), nullTime(pl.review),
		string(pl.state), supersedes, u.id)
}
