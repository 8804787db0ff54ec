package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
)

// Trainings of the year (每月、每季度集中培训): each town's safety office holds
// a training every month, and each enterprise of the town sends one to
// three of its staff once a quarter (in a month of the quarter drawn at
// random) — except in pSkipQuarter of its quarters, the gaps the coverage
// view shows. The large enterprises and those of the high-risk sectors
// (monthlyCadence) train their own staff every month instead, skipping
// pSkipMonth of the months.
const (
	pSkipQuarter = 0.08
	pSkipMonth   = 0.06
	// maxTraineesPerTraining splits a town's month into several sessions.
	maxTraineesPerTraining = 500
	// pFailed is the share of assessed trainees who failed.
	pFailed = 0.05
)

var trainingCols = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"issuer_scope_path", "issuer_only", "held_on", "year", "topic", "hours", "content", "assessed", "trainee_count", "organiser_unit_id"}

var traineeCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"issuer_scope_path", "issuer_only", "organiser_unit_id", "person_name", "post_kind", "user_id", "assessment",
	"year", "month", "hours", "enterprise_unit_id", "training_id"}

// trainingTopics are what the trainings teach.
var trainingTopics = []string{
	"安全生产法律法规", "消防安全知识与灭火器使用", "有限空间作业安全", "用电安全", "危险化学品安全管理",
	"隐患排查治理", "应急预案与应急处置", "特种设备安全", "燃气安全", "高温防暑与汛期安全", "动火作业管理", "冬季防火",
}

// trainingRec is one training with its trainees.
type trainingRec struct {
	organiser unitRef
	held      time.Time
	topic     string
	hours     int
	assessed  bool
	trainees  []traineeRec
}

// traineeRec is one person trained.
type traineeRec struct {
	k          int // enterprise
	name       string
	kind       domain.TraineePostKind
	user       int // user index, noUser for staff without an account
	assessment domain.Assessment
}

// eachTraining calls fn for every training of county cp, numbered from 0.
func (p *plan) eachTraining(cp *countyPlan, fn func(i int, t *trainingRec) error) error {
	r := newRand(p.opts.Seed, cp.c, streamTrainings)
	year := p.letterYear
	i := 0
	emit := func(t *trainingRec) error {
		if t.held.After(p.now) || len(t.trainees) == 0 {
			return nil
		}
		err := fn(i, t)
		i++
		return err
	}
	for t := range cp.towns {
		// attend[m] are the trainees of the town's enterprises in month m.
		var attend [13][]traineeRec
		for k := cp.townFirst[t]; k < len(cp.ents) && cp.ents[k].town == t; k++ {
			if monthlyCadence(&cp.ents[k]) {
				continue
			}
			for q := range 4 {
				if r.Float64() < pSkipQuarter {
					continue
				}
				m := 3*q + 1 + r.IntN(3)
				attend[m] = append(attend[m], p.staffOf(r, cp, k, 1+r.IntN(3))...)
			}
		}
		town := unitRef{kind: domain.KindTown, cp: cp, i: t}
		for m := 1; m <= 12; m++ {
			for from := 0; from < len(attend[m]); from += maxTraineesPerTraining {
				tr := &trainingRec{organiser: town, held: local(year, time.Month(m), 15, 9), hours: 4,
					topic: trainingTopics[m-1], assessed: m%3 == 0,
					trainees: attend[m][from:min(from+maxTraineesPerTraining, len(attend[m]))]}
				assess(r, tr)
				if err := emit(tr); err != nil {
					return err
				}
			}
		}
	}
	for k := range cp.ents {
		if !monthlyCadence(&cp.ents[k]) {
			continue
		}
		for m := 1; m <= 12; m++ {
			if r.Float64() < pSkipMonth {
				continue
			}
			tr := &trainingRec{organiser: entRef(cp, k), held: local(year, time.Month(m), 3+r.IntN(20), 14), hours: 2,
				topic: trainingTopics[(m+k)%len(trainingTopics)], assessed: r.IntN(4) == 0,
				trainees: p.staffOf(r, cp, k, 5+r.IntN(11))}
			assess(r, tr)
			if err := emit(tr); err != nil {
				return err
			}
		}
	}
	return nil
}

// staffOf draws n distinct staff of enterprise k: its safety officer
// first, then employees of the posts the seed trains.
func (p *plan) staffOf(r *rand.Rand, cp *countyPlan, k, n int) []traineeRec {
	out := []traineeRec{{k: k, name: personName(cp.entUser(k, uSafety)), kind: domain.TraineeSafetyManager, user: cp.entUser(k, uSafety)}}
	kinds := []domain.TraineePostKind{domain.TraineeEmployee, domain.TraineeEmployee, domain.TraineeSpecialOperator,
		domain.TraineeFireControl, domain.TraineeSecurity, domain.TraineeOther}
	first := r.IntN(40)
	for j := 1; j < n; j++ {
		out = append(out, traineeRec{k: k, name: staffName(cp.ents[k].global, first+j), kind: kinds[r.IntN(len(kinds))], user: noUser})
	}
	return out
}

// assess gives every trainee of t a result: PASSED or FAILED when t was
// assessed, NOT_ASSESSED otherwise.
func assess(r *rand.Rand, t *trainingRec) {
	for j := range t.trainees {
		switch {
		case !t.assessed:
			t.trainees[j].assessment = domain.AssessmentNotAssessed
		case r.Float64() < pFailed:
			t.trainees[j].assessment = domain.AssessmentFailed
		default:
			t.trainees[j].assessment = domain.AssessmentPassed
		}
	}
}

// writeTrainings writes every county's trainings, then their trainees.
func (p *plan) writeTrainings(l *loader) error {
	l.prog.begin("trainings, trainees")
	for _, cp := range p.counties {
		base := p.trainingBase + cp.recOff.trainings
		err := l.writeTables(tableFill{"trainings", trainingCols, func(w *tableWriter) error {
			return p.eachTraining(cp, func(i int, t *trainingRec) error {
				o := p.unit(t.organiser)
				tid, path, sec, ent := p.scope(o)
				content := fmt.Sprintf("%s组织开展%s培训，共%d人参加。", o.name, t.topic, len(t.trainees))
				return w.row(base+i, t.held, t.held, tid, path, sec, ent, o.path, false, t.held, t.held.Year(), t.topic,
					t.hours, content, t.assessed, len(t.trainees), o.id)
			})
		}}, tableFill{"trainees", traineeCols, func(w *tableWriter) error {
			return p.eachTraining(cp, func(i int, t *trainingRec) error {
				o := p.unit(t.organiser)
				month := int(t.held.Month()) // as the service: the UTC month
				for _, tr := range t.trainees {
					e := p.unit(entRef(cp, tr.k))
					tid, path, sec, ent := p.scope(e)
					var user any
					if tr.user != noUser {
						user = p.userBase + tr.user
					}
					if err := w.row(t.held, t.held, tid, path, sec, ent, o.path, false, o.id, tr.name, string(tr.kind), user,
						string(tr.assessment), t.held.Year(), month, t.hours, e.id, base+i); err != nil {
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
