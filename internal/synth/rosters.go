package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
)

// Duty rosters (值班值守) of the year's key periods that began by now, each
// requiring 24-hour cover: the county's, each town's and each department's
// (a leader and a staff member on duty for each day, in 24-hour shifts from
// midnight), and the fuel stations' and chemical plants' for the Spring
// Festival and the National Day (two 12-hour shifts a day). pRosterGap of
// the rosters have a gap: a shift without its staff member, a shift ending
// hours early, or a day nobody was put on.
const pRosterGap = 0.1

var rosterCols = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"title", "key_period", "period_start", "period_end", "requires_full_cover", "unit_id"}

var shiftCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"starts_at", "ends_at", "leader_post_id", "leader_name", "leader_phone", "staff_name", "staff_phone", "roster_id"}

// keyPeriod is a key period of a year: its first local day and its days.
type keyPeriod struct {
	period domain.DutyKeyPeriod
	name   string
	month  time.Month
	day    int
	days   int
}

// keyPeriods of a year; the Spring Festival's date is set per year.
var keyPeriods = []keyPeriod{
	{domain.DutyNewYear, "元旦", time.January, 1, 3},
	{domain.DutySpringFestival, "春节", 0, 0, 7},
	{domain.DutyMayDay, "五一", time.May, 1, 5},
	{domain.DutyFloodSeason, "汛期", time.June, 1, 122},
	{domain.DutyNationalDay, "国庆", time.October, 1, 7},
}

// springFestivalEve is the day before the lunar new year (除夕), when the
// Spring Festival holiday starts, by year.
var springFestivalEve = map[int]time.Time{
	2020: date(2020, 1, 24), 2021: date(2021, 2, 11), 2022: date(2022, 1, 31), 2023: date(2023, 1, 21),
	2024: date(2024, 2, 9), 2025: date(2025, 1, 28), 2026: date(2026, 2, 16), 2027: date(2027, 2, 5),
	2028: date(2028, 1, 25), 2029: date(2029, 2, 12), 2030: date(2030, 2, 2),
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// rosterRec is one roster with its shifts.
type rosterRec struct {
	unit   unitRef
	kp     keyPeriod
	start  time.Time
	end    time.Time
	shifts []shiftRec
}

// shiftRec is one shift; leader is a user index (noUser: none).
type shiftRec struct {
	start, end time.Time
	leader     int
	staff      string
}

// eachRoster calls fn for every roster of county cp, numbered from 0.
func (p *plan) eachRoster(cp *countyPlan, fn func(i int, r *rosterRec) error) error {
	r := newRand(p.opts.Seed, cp.c, streamRosters)
	i := 0
	emit := func(ro *rosterRec) error {
		err := fn(i, ro)
		i++
		return err
	}
	var starts []time.Time
	for _, kp := range keyPeriods {
		first := time.Date(p.letterYear, kp.month, kp.day, 0, 0, 0, 0, time.UTC)
		if kp.period == domain.DutySpringFestival {
			var ok bool
			if first, ok = springFestivalEve[p.letterYear]; !ok {
				first = date(p.letterYear, time.February, 1)
			}
		}
		starts = append(starts, first.Add(-8*time.Hour)) // local midnight
	}
	// Government units: leaders in turn from their heads and deputies.
	type onDuty struct {
		unit    unitRef
		leaders []int
	}
	gov := []onDuty{{unitRef{kind: domain.KindCounty, cp: cp}, cp.countyLeaders()}}
	for t := range cp.towns {
		gov = append(gov, onDuty{unitRef{kind: domain.KindTown, cp: cp, i: t}, []int{cp.townUser(t, uTownHead), cp.townUser(t, uTownDeputy)}})
	}
	for d := range cp.depts {
		gov = append(gov, onDuty{unitRef{kind: domain.KindDepartment, cp: cp, i: d}, []int{cp.deptUser(d, uDeptHead)}})
	}
	for g, u := range gov {
		for j, kp := range keyPeriods {
			if ro := p.roster(r, u.unit, kp, starts[j], 24, u.leaders, 5_000_000+cp.c*10_000+g*50); ro != nil {
				if err := emit(ro); err != nil {
					return err
				}
			}
		}
	}
	for k := range cp.ents {
		if s := cp.ents[k].sector; s != domain.SectorFuel && s != domain.SectorChemicals {
			continue
		}
		for j, kp := range keyPeriods {
			if kp.period != domain.DutySpringFestival && kp.period != domain.DutyNationalDay {
				continue
			}
			ro := p.roster(r, entRef(cp, k), kp, starts[j], 12, []int{cp.entUser(k, uPrincipal)}, 0)
			if ro != nil {
				if err := emit(ro); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// countyLeaders are the county head and its deputies.
func (cp *countyPlan) countyLeaders() []int {
	out := []int{cp.countyUser(uHead)}
	for i := range domain.Sector("").Values() {
		out = append(out, cp.countyUser(firstDeputy+i))
	}
	return out
}

// roster draws the roster of unit u for key period kp starting at start
// (nil when it starts after now): shifts of hours each, leaders in turn,
// staff named from staffBase (0: the enterprise's own staff), and with
// pRosterGap one planted gap.
func (p *plan) roster(r *rand.Rand, u unitRef, kp keyPeriod, start time.Time, hours int, leaders []int, staffBase int) *rosterRec {
	if start.After(p.now) {
		return nil
	}
	ro := &rosterRec{unit: u, kp: kp, start: start, end: start.AddDate(0, 0, kp.days)}
	step := time.Duration(hours) * time.Hour
	for n, at := 0, start; at.Before(ro.end); n, at = n+1, at.Add(step) {
		staff := personName(staffBase + n%7)
		if staffBase == 0 {
			staff = staffName(u.cp.ents[u.i].global, n%4)
		}
		ro.shifts = append(ro.shifts, shiftRec{start: at, end: at.Add(step), leader: leaders[n%len(leaders)], staff: staff})
	}
	if r.Float64() < pRosterGap {
		j := r.IntN(len(ro.shifts))
		switch r.IntN(3) {
		case 0:
			ro.shifts[j].staff = ""
		case 1:
			ro.shifts[j].end = ro.shifts[j].end.Add(-time.Duration(1+r.IntN(4)) * time.Hour)
		default:
			ro.shifts = append(ro.shifts[:j], ro.shifts[j+1:]...)
		}
	}
	return ro
}

// writeRosters writes every county's rosters, then their shifts.
func (p *plan) writeRosters(l *loader) error {
	l.prog.begin("duty rosters, shifts")
	for _, cp := range p.counties {
		base := p.rosterBase + cp.recOff.rosters
		err := l.writeTables(tableFill{"duty_rosters", rosterCols, func(w *tableWriter) error {
			return p.eachRoster(cp, func(i int, ro *rosterRec) error {
				u := p.unit(ro.unit)
				t, path, sec, ent := p.scope(u)
				created := ro.start.AddDate(0, 0, -7)
				title := fmt.Sprintf("%s%d年%s值班表", u.name, p.letterYear, ro.kp.name)
				return w.row(base+i, created, created, t, path, sec, ent, title, string(ro.kp.period), ro.start, ro.end, true, u.id)
			})
		}}, tableFill{"duty_shifts", shiftCols, func(w *tableWriter) error {
			return p.eachRoster(cp, func(i int, ro *rosterRec) error {
				u := p.unit(ro.unit)
				t, path, sec, ent := p.scope(u)
				created := ro.start.AddDate(0, 0, -7)
				for _, sh := range ro.shifts {
					phone := fmt.Sprintf("139%08d", sh.leader%100000000)
					if err := w.row(created, created, t, path, sec, ent, sh.start, sh.end, p.postBase+sh.leader,
						personName(sh.leader), phone, sh.staff, nullPhone(sh.staff), base+i); err != nil {
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

// nullPhone is a staff member's duty phone, empty without one.
func nullPhone(staff string) string {
	if staff == "" {
		return ""
	}
	return "0570-12345"
}
