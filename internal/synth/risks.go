package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/prevention"
)

// Risk points (风险点) of each enterprise: two to eight, more in larger
// enterprises — its key locations (the sector's key sites) at the
// enterprise and its key processes at its workshops — graded L × S as the
// prevention service grades them, with one to three control measures each.
// A measure was last checked within its period, except pCheckOverdue of
// them, past their due date by up to a month (the overdue checks);
// pRegraded of the points were graded again, keeping both gradings.
const (
	pCheckOverdue, pRegraded = 0.08, 0.1
)

var riskPointCols = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"name", "kind", "hazard_sources", "likelihood", "severity", "score", "level", "graded_at", "next_check_due", "unit_id"}

var measureCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"description", "responsible_post", "frequency", "last_checked_at", "last_checked_by", "next_due", "risk_point_id"}

var gradingCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"from_level", "to_level", "likelihood", "severity", "score", "graded_by", "graded_by_user_id", "graded_by_post_id",
	"reason", "graded_at", "risk_point_id"}

// riskProcesses are the key processes (重点环节) of every sector.
var riskProcesses = []string{"动火作业", "检修作业", "有限空间作业", "高处作业", "临时用电", "装卸作业"}

// measureTexts are the control measures, with the post answering for them.
var measureTexts = []struct{ text, post string }{
	{"作业前办理审批，专人监护", "安全员"}, {"定期检查消防器材和报警装置", "安全员"}, {"落实岗位操作规程和交接班制度", "班组长"},
	{"设置警示标志和隔离设施", "车间主任"}, {"检测可燃气体浓度，保持通风", "班组长"}, {"静电接地和防雷设施定期检测", "设备管理员"},
}

// riskRec is one risk point with its measures and gradings.
type riskRec struct {
	unit           unitRef
	k              int
	name           string
	kind           domain.RiskPointKind
	l, s           int
	identified     time.Time
	measures       []measureRec
	regraded       time.Time
	fromL, fromS   int
	nextCheckDue   time.Time
	safetyOfficer  int
	hazardSources  string
	regradedReason string
}

// measureRec is one control measure and its last check.
type measureRec struct {
	text, post string
	freq       domain.CheckFrequency
	last, next time.Time
}

// eachRiskPoint calls fn for every risk point of county cp, numbered from 0.
func (p *plan) eachRiskPoint(cp *countyPlan, fn func(i int, rp *riskRec) error) error {
	r := newRand(p.opts.Seed, cp.c, streamRisks)
	i := 0
	for k := range cp.ents {
		e := &cp.ents[k]
		prof := profileOf(e.sector)
		n := 2 + min(e.employees/150, 3) + r.IntN(3)
		sites := r.Perm(len(prof.keySites))
		procs := r.Perm(len(riskProcesses))
		for j := range n {
			rp := &riskRec{unit: entRef(cp, k), k: k, kind: domain.RiskLocation, safetyOfficer: cp.entUser(k, uSafety)}
			if j < len(sites) && j%2 == 0 || cp.w == 0 && j < len(sites) {
				rp.name = prof.keySites[sites[j]]
			} else if j < len(procs) {
				rp.kind, rp.name = domain.RiskProcess, riskProcesses[procs[j]]
				if cp.w > 0 {
					rp.unit = unitRef{kind: domain.KindWorkshop, cp: cp, i: k, w: j % cp.w}
				}
			} else {
				continue
			}
			rp.hazardSources = rp.name + "：火灾、触电、机械伤害"
			p.gradeRisk(r, e, rp)
			if err := fn(i, rp); err != nil {
				return err
			}
			i++
		}
	}
	return nil
}

// gradeRisk draws a risk point's grading, history and control measures.
func (p *plan) gradeRisk(r *rand.Rand, e *entPlan, rp *riskRec) {
	rp.l, rp.s = 1+r.IntN(4), 1+r.IntN(5)
	if e.sector == domain.SectorFuel || e.sector == domain.SectorChemicals {
		rp.s = min(rp.s+1, 5)
	}
	rp.identified = day(p.now.AddDate(0, 0, -150-r.IntN(750))).Add(2 * time.Hour)
	if r.Float64() < pRegraded {
		rp.fromL, rp.fromS = max(rp.l-1, 1), rp.s
		rp.regraded = rp.identified.AddDate(0, 0, 30+r.IntN(90))
		rp.regradedReason = "现场条件变化，重新评估"
	}
	_, level := prevention.Grade(rp.l, rp.s)
	for j := range 1 + r.IntN(3) {
		m := measureTexts[r.IntN(len(measureTexts))]
		freqs := []domain.CheckFrequency{domain.CheckWeekly, domain.CheckMonthly, domain.CheckQuarterly}
		if level == domain.RiskMajor || level == domain.RiskLarge {
			freqs = []domain.CheckFrequency{domain.CheckDaily, domain.CheckWeekly}
		}
		mr := measureRec{text: fmt.Sprintf("%s%d", m.text, j+1), post: m.post, freq: freqs[r.IntN(len(freqs))]}
		period := prevention.NextDue(p.now, mr.freq).Sub(p.now)
		if r.Float64() < pCheckOverdue {
			mr.last = p.now.Add(-period - time.Duration(1+r.IntN(30*24))*time.Hour)
		} else {
			mr.last = p.now.Add(-time.Duration(r.Int64N(int64(period))))
		}
		mr.next = prevention.NextDue(mr.last, mr.freq)
		if rp.nextCheckDue.IsZero() || mr.next.Before(rp.nextCheckDue) {
			rp.nextCheckDue = mr.next
		}
		rp.measures = append(rp.measures, mr)
	}
}

// writeRisks writes every county's risk points, then their measures and
// gradings.
func (p *plan) writeRisks(l *loader) error {
	l.prog.begin("risk points, control measures, gradings")
	for _, cp := range p.counties {
		base := p.riskBase + cp.recOff.riskPoints
		err := l.writeTables(tableFill{"risk_points", riskPointCols, func(w *tableWriter) error {
			return p.eachRiskPoint(cp, func(i int, rp *riskRec) error {
				u := p.unit(rp.unit)
				t, path, sec, ent := p.scope(u)
				score, level := prevention.Grade(rp.l, rp.s)
				graded := rp.identified
				if rp.regraded.After(graded) {
					graded = rp.regraded
				}
				return w.row(base+i, rp.identified, graded, t, path, sec, ent, rp.name, string(rp.kind), rp.hazardSources,
					rp.l, rp.s, score, string(level), graded, rp.nextCheckDue, u.id)
			})
		}}, tableFill{"control_measures", measureCols, func(w *tableWriter) error {
			return p.eachRiskPoint(cp, func(i int, rp *riskRec) error {
				t, path, sec, ent := p.scope(p.unit(rp.unit))
				for _, m := range rp.measures {
					if err := w.row(rp.identified, m.last, t, path, sec, ent, m.text, m.post, string(m.freq), m.last,
						personName(rp.safetyOfficer), m.next, base+i); err != nil {
						return err
					}
				}
				return nil
			})
		}}, tableFill{"risk_gradings", gradingCols, func(w *tableWriter) error {
			return p.eachRiskPoint(cp, func(i int, rp *riskRec) error { return p.gradingRows(w, base+i, rp) })
		}})
		if err != nil {
			return err
		}
	}
	return nil
}

// gradingRows writes a risk point's grading history: the first grading
// by its enterprise's safety officer, and the regrade when there was one.
func (p *plan) gradingRows(w *tableWriter, id int, rp *riskRec) error {
	t, path, sec, ent := p.scope(p.unit(rp.unit))
	by, user, post := personName(rp.safetyOfficer), p.userBase+rp.safetyOfficer, p.postBase+rp.safetyOfficer
	l, s := rp.l, rp.s
	if !rp.regraded.IsZero() {
		l, s = rp.fromL, rp.fromS
	}
	score, first := prevention.Grade(l, s)
	if err := w.row(rp.identified, rp.identified, t, path, sec, ent, nil, string(first), l, s, score, by, user, post,
		"首次辨识评估", rp.identified, id); err != nil || rp.regraded.IsZero() {
		return err
	}
	score, level := prevention.Grade(rp.l, rp.s)
	return w.row(rp.regraded, rp.regraded, t, path, sec, ent, string(first), string(level), rp.l, rp.s, score, by, user, post,
		rp.regradedReason, rp.regraded, id)
}
