package synth

import (
	"fmt"
	"strconv"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/letters"
	"github.com/dutychain/dutychain/internal/seed"
)

// Columns of the loaded tables. Scope columns come right after tenant_id.
var (
	unitCols = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"kind", "name", "code", "depth", "sector", "supervised_sectors", "parent_id"}
	enterpriseCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"name", "credit_code", "sector", "scale", "industry_category", "address", "legal_representative", "safety_manager",
		"contact_phone", "employee_count", "key_sites", "town_id", "unit_id"}
	supervisionCols = []string{"created_at", "updated_at", "tenant_id", "source", "department_id", "enterprise_id"}
	userCols        = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"username", "display_name", "phone", "password_hash", "status", "unit_id"}
	postCols = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"role", "sectors", "title", "valid_from", "unit_id", "user_id"}
	inspectionCols = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"type", "key_period", "status", "inspector_ids", "inspected_on", "conclusion", "inspecting_unit_id", "target_id"}
	hazardCols = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"source", "level", "state", "category", "location", "description", "requirement", "found_at", "deadline",
		"responsible_person", "reported_by_id", "supervised", "plan", "closed_at", "subject_id", "inspection_id", "assignee_id", "follow_up_on"}
	hazardEventCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"action", "from_state", "to_state", "actor_id", "post_id", "note", "at", "hazard_id"}
	letterCols = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"issuer_scope_path", "issuer_only", "year", "issuer_name", "signee_name", "signee_kind", "title", "body", "targets", "state",
		"revoke_reason", "issued_at", "signed_at", "archived_at", "revoked_at", "live", "version", "issuer_unit_id", "signee_unit_id"}
	signatureCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"issuer_scope_path", "role", "signer_name", "signer_title", "user_id", "post_id", "signed_at", "letter_id"}
	letterEventCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
		"issuer_scope_path", "issuer_only", "action", "from_state", "to_state", "actor_name", "actor_title", "actor_role", "actor_user_id",
		"actor_post_id", "note", "at", "letter_id"}
)

// scope returns the four stamped columns of a row whose subject is u.
func (p *plan) scope(u unitInfo) (any, any, any, any) {
	return p.tenantID, u.path, nullStr(u.sector), nullInt(u.entID)
}

// unitRow writes one unit (created at the start of the posts' validity).
func (p *plan) unitRow(w *tableWriter, u unitInfo, kind domain.UnitKind, code string, depth, parent int, supervised string) error {
	t, path, sec, ent := p.scope(u)
	return w.row(u.id, p.validFrom, p.validFrom, t, path, sec, ent, string(kind), u.name, code, depth,
		sec, nullStr(supervised), nullInt(parent))
}

func (p *plan) writeUnits(l *loader) error {
	l.prog.begin("units")
	w, err := l.open("units", unitCols...)
	if err != nil {
		return err
	}
	rootDepth, parent := 0, 0
	if p.cityUsers > 0 {
		if err := p.unitRow(w, p.unit(unitRef{kind: domain.KindCity}), domain.KindCity, UnitCode(0, LevelCity, 0), 0, 0, ""); err != nil {
			return err
		}
		rootDepth, parent = 1, p.unitBase
		l.prog.add(1)
	}
	for _, cp := range p.counties {
		c := cp.c
		county := p.unit(unitRef{kind: domain.KindCounty, cp: cp})
		if err := p.unitRow(w, county, domain.KindCounty, UnitCode(c, LevelCounty, 0), rootDepth, parent, ""); err != nil {
			return err
		}
		for t := range cp.towns {
			if err := p.unitRow(w, p.unit(unitRef{kind: domain.KindTown, cp: cp, i: t}), domain.KindTown,
				UnitCode(c, LevelTown, t+1), rootDepth+1, county.id, ""); err != nil {
				return err
			}
		}
		for d := range cp.depts {
			if err := p.unitRow(w, p.unit(unitRef{kind: domain.KindDepartment, cp: cp, i: d}), domain.KindDepartment,
				UnitCode(c, LevelDepartment, d+1), rootDepth+1, county.id, jsonOf(departments[d].sectors)); err != nil {
				return err
			}
		}
		for k, e := range cp.ents {
			if err := p.unitRow(w, p.unit(unitRef{kind: domain.KindEnterprise, cp: cp, i: k}), domain.KindEnterprise,
				UnitCode(c, LevelEnterprise, k+1), rootDepth+2, p.townID(cp, e.town), ""); err != nil {
				return err
			}
		}
		for k := range cp.ents {
			for s := range cp.w {
				if err := p.unitRow(w, p.unit(unitRef{kind: domain.KindWorkshop, cp: cp, i: k, w: s}), domain.KindWorkshop,
					WorkshopCode(c, k+1, s+1), rootDepth+3, p.entID(cp, k), ""); err != nil {
					return err
				}
			}
		}
		for k := range cp.ents {
			for s := range cp.w {
				for t := range cp.k {
					if err := p.unitRow(w, p.unit(unitRef{kind: domain.KindTeam, cp: cp, i: k, w: s, t: t}), domain.KindTeam,
						TeamCode(c, k+1, s+1, t+1), rootDepth+4, p.shopID(cp, k, s), ""); err != nil {
						return err
					}
				}
			}
		}
		l.prog.add(cp.unitCount())
	}
	return w.close()
}

// creditCode is the unified social credit code of the g-th enterprise of
// the tenant (0-based; unique within the tenant) in county c.
func creditCode(c, g int) (string, error) {
	org := domain.OrgCodeWithCheck(fmt.Sprintf("M%07d", g))
	code, err := domain.CreditCodeWithCheck(fmt.Sprintf("91330%03d", c) + org)
	if err != nil {
		return "", err
	}
	return code, domain.ValidCreditCode(code)
}

func (p *plan) writeEnterprises(l *loader) error {
	l.prog.begin("enterprises")
	w, err := l.open("enterprises", enterpriseCols...)
	if err != nil {
		return err
	}
	g := 0
	for _, cp := range p.counties {
		for k, e := range cp.ents {
			u := p.unit(unitRef{kind: domain.KindEnterprise, cp: cp, i: k})
			code, err := creditCode(cp.c, g)
			if err != nil {
				return fmt.Errorf("enterprise %s: %w", UnitCode(cp.c, LevelEnterprise, k+1), err)
			}
			g++
			t, path, sec, ent := p.scope(u)
			address := fmt.Sprintf("%s%s%s路%d号", cp.name, townName(e.town), placePrefixes[k%len(placePrefixes)], 1+k%200)
			phone := fmt.Sprintf("0570-8%07d", (cp.c*100000+k)%10000000)
			if err := w.row(p.validFrom, p.validFrom, t, path, sec, ent, e.name, code, string(e.sector), e.scale,
				e.category, address, personName(cp.entUser(k, uPrincipal)), personName(cp.entUser(k, uSafety)), phone,
				e.employees, e.keySites, p.townID(cp, e.town), u.id); err != nil {
				return err
			}
		}
	}
	if err := w.close(); err != nil {
		return err
	}
	// Supervision edges defaulted from the sector (as the org service and the demo seed do).
	l.prog.begin("supervisions")
	if w, err = l.open("supervisions", supervisionCols...); err != nil {
		return err
	}
	for _, cp := range p.counties {
		for k, e := range cp.ents {
			for _, d := range cp.deptsOf(e.sector) {
				if err := w.row(p.validFrom, p.validFrom, p.tenantID, "DEFAULT", p.deptID(cp, d), p.entID(cp, k)); err != nil {
					return err
				}
			}
		}
	}
	return w.close()
}

// userSpec is one synthetic user with their one post.
type userSpec struct {
	index    int // among the synthetic users
	username string
	unit     unitRef
	suffix   string
	sectors  []domain.Sector
}

// eachUser calls fn for every synthetic user, in index order.
func (p *plan) eachUser(fn func(userSpec) error) error {
	if p.cityUsers > 0 {
		for i, s := range cityRoles {
			if err := fn(userSpec{index: i, username: Username(0, LevelCity, 0, s), unit: unitRef{kind: domain.KindCity}, suffix: s}); err != nil {
				return err
			}
		}
	}
	for _, cp := range p.counties {
		c := cp.c
		county := unitRef{kind: domain.KindCounty, cp: cp}
		for i, s := range []string{RoleHead, RoleSecretary} {
			if err := fn(userSpec{index: cp.countyUser(i), username: Username(c, LevelCounty, 0, s), unit: county, suffix: s}); err != nil {
				return err
			}
		}
		for i, sv := range domain.Sector("").Values() {
			s := domain.Sector(sv)
			if err := fn(userSpec{index: cp.countyUser(firstDeputy + i), username: Username(c, LevelCounty, 0, DeputyRole(s)),
				unit: county, suffix: DeputyRole(s), sectors: []domain.Sector{s}}); err != nil {
				return err
			}
		}
		for d := range cp.depts {
			for i, s := range departmentRoles {
				if err := fn(userSpec{index: cp.deptUser(d, i), username: Username(c, LevelDepartment, d+1, s),
					unit: unitRef{kind: domain.KindDepartment, cp: cp, i: d}, suffix: s}); err != nil {
					return err
				}
			}
		}
		for t := range cp.towns {
			for i, s := range townRoles {
				if err := fn(userSpec{index: cp.townUser(t, i), username: Username(c, LevelTown, t+1, s),
					unit: unitRef{kind: domain.KindTown, cp: cp, i: t}, suffix: s}); err != nil {
					return err
				}
			}
		}
		for k := range cp.ents {
			for i, s := range enterpriseRoles {
				if err := fn(userSpec{index: cp.entUser(k, i), username: Username(c, LevelEnterprise, k+1, s),
					unit: unitRef{kind: domain.KindEnterprise, cp: cp, i: k}, suffix: s}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (p *plan) writeUsers(l *loader) error {
	l.prog.begin("users")
	w, err := l.open("users", userCols...)
	if err != nil {
		return err
	}
	err = p.eachUser(func(us userSpec) error {
		t, path, sec, ent := p.scope(p.unit(us.unit))
		l.prog.add(1)
		return w.row(p.userBase+us.index, p.validFrom, p.validFrom, t, path, sec, ent, us.username, personName(us.index),
			fmt.Sprintf("139%08d", us.index%100000000), p.hash, "ACTIVE", p.unit(us.unit).id)
	})
	if err != nil {
		return err
	}
	if err := w.close(); err != nil {
		return err
	}
	l.prog.begin("posts")
	if w, err = l.open("posts", postCols...); err != nil {
		return err
	}
	err = p.eachUser(func(us userSpec) error {
		u := p.unit(us.unit)
		t, path, sec, ent := p.scope(u)
		var sectors any
		if len(us.sectors) > 0 {
			sectors = jsonOf(us.sectors)
		}
		var sector domain.Sector
		if len(us.sectors) > 0 {
			sector = us.sectors[0]
		}
		l.prog.add(1)
		return w.row(p.postBase+us.index, p.validFrom, p.validFrom, t, path, sec, ent, string(roleOf(us.suffix)), sectors,
			title(us.unit.kind, u.name, us.suffix, sector), p.validFrom, u.id, p.userBase+us.index)
	})
	if err != nil {
		return err
	}
	return w.close()
}

// hazardWork is a run of consecutive enterprises of one county whose
// hazards are generated and written together.
type hazardWork struct {
	cp     *countyPlan
	k0, k1 int
}

// hazardWorks cuts every county's enterprises into runs of at least
// hazardChunk hazards (or the county's rest), each ending at a town's last
// enterprise. Works in parallel transactions then never share a tally
// rollup row (kept per town and below): two workers adding to the same
// rollups in different orders deadlock on PostgreSQL.
func (p *plan) hazardWorks() []hazardWork {
	var out []hazardWork
	for _, cp := range p.counties {
		k0, n := 0, 0
		for k, e := range cp.ents {
			n += e.hazards
			last := k == len(cp.ents)-1
			if last || (n >= hazardChunk && cp.ents[k+1].town != e.town) {
				out = append(out, hazardWork{cp, k0, k + 1})
				k0, n = k+1, 0
			}
		}
	}
	return out
}

// writeHazards generates and writes the hazards of the works it receives:
// for each, its inspections, then its hazards, then their events.
func (p *plan) writeHazards(l *loader, works <-chan hazardWork) error {
	var ch chunk
	for w := range works {
		for k := w.k0; k < w.k1; k++ {
			newHazardGen(p, w.cp, k, &ch).run()
		}
		if err := p.flushChunk(l, w.cp, &ch); err != nil {
			return err
		}
	}
	return nil
}

// flushChunk writes a chunk of one county: its inspections, hazards and events.
func (p *plan) flushChunk(l *loader, cp *countyPlan, ch *chunk) error {
	if len(ch.inspections) == 0 && len(ch.hazards) == 0 {
		return nil
	}
	defer ch.reset()
	err := l.writeTable("inspections", inspectionCols, func(w *tableWriter) error {
		for _, in := range ch.inspections {
			u := p.unit(unitRef{kind: domain.KindEnterprise, cp: cp, i: in.k})
			t, path, sec, ent := p.scope(u)
			conclusion := "检查未发现问题"
			if in.typ == "FOLLOW_UP" {
				conclusion = "事后督查：交办隐患尚未整改到位，继续督促整改"
			} else if in.found > 0 {
				conclusion = fmt.Sprintf("发现隐患%d处，责令限期整改", in.found)
			}
			ids := "[" + strconv.Itoa(p.userBase+in.inspectors[0]) + "," + strconv.Itoa(p.userBase+in.inspectors[1]) + "]"
			if err := w.row(in.id, in.on, in.on, t, path, sec, ent, in.typ, nullStr(in.keyPeriod), "DONE", ids, in.on,
				conclusion, in.byUnit, u.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = l.writeTable("hazards", hazardCols, func(w *tableWriter) error {
			for i := range ch.hazards {
				if err := p.hazardRow(w, &ch.hazards[i], ch.events[ch.hazards[i].ev1-1].at); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err == nil {
		err = l.writeTable("hazard_events", hazardEventCols, func(w *tableWriter) error {
			for i := range ch.hazards {
				h := &ch.hazards[i]
				t, path, sec, ent := p.scope(h.subject)
				for _, e := range ch.events[h.ev0:h.ev1] {
					note := noteStep[e.action]
					switch {
					case e.note != "":
						note = e.note
					case e.action == "REPORT":
						note = notesReport[h.source]
					}
					if err := w.row(e.at, e.at, t, path, sec, ent, e.action, e.from, e.to, p.userBase+e.actor,
						p.postBase+e.actor, note, e.at, h.id); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	if err == nil {
		err = p.flushFollowUps(l, cp, ch)
	}
	if err != nil {
		return err
	}
	l.prog.add(len(ch.hazards))
	return nil
}

// hazardRow writes one hazard, last changed at updated.
func (p *plan) hazardRow(w *tableWriter, h *hazardRec, updated time.Time) error {
	t, path, sec, ent := p.scope(h.subject)
	var plan any
	if h.level == "MAJOR" && h.state != stReported {
		plan = jsonOf(domain.HazardPlan{Measures: h.text.requirement + "，制定专项整改方案",
			Funds: strconv.Itoa(5+h.id%95) + "万元（企业自筹）", ResponsiblePerson: h.responsible,
			Deadline: h.deadline, EmergencyMeasures: "设置警戒区，落实专人值守和应急处置措施"})
	}
	return w.row(h.id, h.found, updated, t, path, sec, ent, h.source, h.level, h.state, h.text.category,
		h.text.location, h.text.description, h.text.requirement, h.found, h.deadline, h.responsible,
		p.userBase+h.reporter, h.supervised, plan, nullTime(h.closed), h.subject.id, nullInt(h.inspection),
		nullInt(h.assignee), nullTime(h.followUpOn))
}

// writeLetters writes the city's letters, then each county's: letters,
// signatures, events.
func (p *plan) writeLetters(l *loader) error {
	l.prog.begin("letters, signatures, letter events")
	targets := map[domain.UnitKind]string{}
	next := 0
	groups := [][]letterRec{p.cityLetters}
	for _, cp := range p.counties {
		groups = append(groups, cp.letters)
	}
	for _, g := range groups {
		if err := p.writeLetterGroup(l, g, &next, targets); err != nil {
			return err
		}
	}
	return nil
}

// letterActor is who acted on a letter: a user, or a name from paper.
type letterActor struct {
	name, title string
	role        domain.Role
	user        int // noUser for a transcribed signature
}

func (p *plan) actorAt(r unitRef, role domain.Role) letterActor {
	u := p.unit(r)
	suffix := map[domain.Role]string{domain.RoleGovernmentHead: RoleHead, domain.RolePartySecretary: RoleSecretary, domain.RolePrincipal: RolePrincipal}[role]
	if idx := p.signer(r, role); idx != noUser {
		return letterActor{name: personName(idx), title: title(r.kind, u.name, suffix, ""), role: role, user: idx}
	}
	return letterActor{name: paperName(r, role), role: role, user: noUser}
}

func (p *plan) userIDs(a letterActor) (any, any) {
	if a.user == noUser {
		return nil, nil
	}
	return p.userBase + a.user, p.postBase + a.user
}

// placedLetter is a planned letter with its id and its units resolved.
type placedLetter struct {
	*letterRec
	id             int
	issuer, signee unitInfo
}

func (p *plan) writeLetterGroup(l *loader, group []letterRec, next *int, targets map[domain.UnitKind]string) error {
	if len(group) == 0 {
		return nil
	}
	placed := make([]placedLetter, len(group))
	for i := range group {
		placed[i] = placedLetter{letterRec: &group[i], id: p.letterBase + *next, issuer: p.unit(group[i].issuer), signee: p.unit(group[i].signee)}
		*next++
	}
	err := l.writeTable("responsibility_letters", letterCols, func(w *tableWriter) error {
		for _, lt := range placed {
			if err := p.letterRow(w, lt, targets); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = l.writeTable("letter_signatures", signatureCols, func(w *tableWriter) error {
			for _, lt := range placed {
				t, path, sec, ent := p.scope(lt.signee)
				for j, role := range letters.RequiredRoles(lt.letterRec.signee.kind)[:lt.signed] {
					a := p.actorAt(lt.letterRec.signee, role)
					uid, pid := p.userIDs(a)
					at := lt.signs[j]
					if err := w.row(at, at, t, path, sec, ent, lt.issuer.path, string(role), a.name, a.title, uid, pid, at, lt.id); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	if err == nil {
		err = l.writeTable("letter_events", letterEventCols, func(w *tableWriter) error {
			for _, lt := range placed {
				if err := p.letterEvents(w, lt); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return err
	}
	l.prog.add(len(group))
	return nil
}

func (p *plan) letterRow(w *tableWriter, lt placedLetter, targets map[domain.UnitKind]string) error {
	kind := lt.letterRec.signee.kind
	t, path, sec, ent := p.scope(lt.signee)
	if targets[kind] == "" {
		targets[kind] = jsonOf(seed.LetterTargets(kind))
	}
	noun := "安全生产目标责任书"
	if k := lt.letterRec.issuer.kind; k.IsGovernment() && k != domain.KindTown {
		noun = "安全生产工作责任状"
	}
	body := fmt.Sprintf("%s与%s签订%d年度%s，层层分解落实安全生产责任，确保责任目标完成。", lt.issuer.name, lt.signee.name, p.letterYear, noun)
	var live any = true
	if lt.state == domain.LetterRevoked {
		live = nil
	}
	var signed any
	if lt.state == domain.LetterSigned || lt.state == domain.LetterArchived {
		signed = lt.signs[len(lt.signs)-1]
	}
	version, updated := letterHistory(lt.letterRec)
	return w.row(lt.id, lt.created, updated, t, path, sec, ent, lt.issuer.path, lt.state == domain.LetterDraft, p.letterYear, lt.issuer.name, lt.signee.name,
		string(kind), fmt.Sprintf("%d年度%s", p.letterYear, noun), body, targets[kind],
		string(lt.state), nullStr(lt.reason), nullTime(lt.issued), signed, nullTime(lt.archived),
		nullTime(lt.revoked), live, version, lt.issuer.id, lt.signee.id)
}

// letterEvents writes a letter's history as the letters service records it.
func (p *plan) letterEvents(w *tableWriter, lt placedLetter) error {
	t, path, sec, ent := p.scope(lt.signee)
	issuerRole := domain.RolePrincipal
	if lt.letterRec.issuer.kind.IsGovernment() {
		issuerRole = domain.RoleGovernmentHead
	}
	issuer := p.actorAt(lt.letterRec.issuer, issuerRole)
	var from any
	state := domain.LetterDraft
	event := func(action string, to domain.LetterState, a letterActor, at time.Time, note string) error {
		uid, pid := p.userIDs(a)
		err := w.row(at, at, t, path, sec, ent, lt.issuer.path, lt.state == domain.LetterDraft, action, from, string(to), a.name, nullStr(a.title),
			string(a.role), uid, pid, nullStr(note), at, lt.id)
		from, state = string(to), to
		return err
	}
	if err := event("CREATED", domain.LetterDraft, issuer, lt.created, ""); err != nil || lt.state == domain.LetterDraft {
		return err
	}
	if err := event("ISSUED", domain.LetterIssued, issuer, lt.issued, ""); err != nil {
		return err
	}
	roles := letters.RequiredRoles(lt.letterRec.signee.kind)
	for j, role := range roles[:lt.signed] {
		to := domain.LetterPartiallySigned
		if j == len(roles)-1 {
			to = domain.LetterSigned
		}
		a := p.actorAt(lt.letterRec.signee, role)
		note := ""
		if a.user == noUser {
			note = "纸质责任书签署，系统补录"
		}
		if err := event("SIGNED", to, a, lt.signs[j], note); err != nil {
			return err
		}
	}
	var err error
	switch lt.state {
	case domain.LetterArchived:
		err = event("ARCHIVED", domain.LetterArchived, issuer, lt.archived, "")
	case domain.LetterRevoked:
		err = event("REVOKED", domain.LetterRevoked, issuer, lt.revoked, lt.reason)
	}
	if err == nil && state != lt.state {
		err = fmt.Errorf("letter %d: history ends in %s, planned %s", lt.id, state, lt.state)
	}
	return err
}

// letterHistory returns a letter's version (one per event: creation is
// version 1, each step adds one) and the time of its last event.
func letterHistory(lt *letterRec) (int, time.Time) {
	version, last := 1, lt.created
	if !lt.issued.IsZero() {
		version, last = version+1, lt.issued
	}
	for _, s := range lt.signs {
		version, last = version+1, s
	}
	for _, t := range []time.Time{lt.archived, lt.revoked} {
		if !t.IsZero() {
			version, last = version+1, t
		}
	}
	return version, last
}
