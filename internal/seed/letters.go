package seed

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/letters"
)

// The demo responsibility letters (层层签订责任书) of the seed document: "县政府与
// 镇（街）、企事业单位签订了安全生产工作责任状，企业单位也与车间、班组层层签订责任书". In
// 2022 the county signs with each town and department, each town with the
// enterprises of its territory (属地), the 县工信商务局 with the above-scale
// industrial enterprises it supervises (行业), each enterprise with its
// workshops and each workshop with its teams: mostly SIGNED, with deliberate
// gaps so that the coverage view has something to show. 2023 is in progress.
//
// Letters are signed in the system by the demo users who hold the signing
// posts; where the demo has no user (most enterprises, workshops and teams)
// the signature was transcribed from the paper copy: the signer's name
// without a user or post.

// LetterInfo describes one demo letter.
type LetterInfo struct {
	Year           int
	Issuer, Signee string // unit codes
	// State is the letter's state after seeding.
	State domain.LetterState
	// Signed lists the roles whose signatures the letter carries.
	Signed []domain.Role
	// RevokeReason is set for REVOKED letters.
	RevokeReason string
}

// Live reports whether the letter counts for its (year, issuer, signee).
func (l LetterInfo) Live() bool { return l.State != domain.LetterRevoked }

// Demo letter gaps of 2022, by signee code (see demoLetters).
var (
	// Missing2022 have no letter from their parent for 2022.
	Missing2022 = []string{"FUEL-29", "FUEL-30", "FUEL-35", "WS-AUTO-PAINT", "TEAM-AUTO-PAINT-1", "TEAM-PAPER-POWER-1"}
	// Pending2022 were issued in 2022 but never signed.
	Pending2022 = []string{"FUEL-34", CodeMall, "WS-BIO-EXTRACT", "TEAM-FOOD-PACK-1"}
	// Revoked2022 had their 2022 letter revoked without a replacement.
	Revoked2022 = []string{"FUEL-28"}
	// Reissued2022 had a letter revoked and a new one signed.
	Reissued2022 = []string{CodeLogistics}
)

// Letters lists the letters the seed creates in tenant tenantCode, in
// creation order; nil for an unknown code.
func Letters(tenantCode string) []LetterInfo {
	for _, s := range specs() {
		if s.code == tenantCode {
			return letterPlan(s)
		}
	}
	return nil
}

func signedBy(kind domain.UnitKind) []domain.Role { return letters.RequiredRoles(kind) }

// letterPlan derives the letters of a tenant from its units.
func letterPlan(s tenantSpec) []LetterInfo {
	demo := s.code == TenantDemo
	kinds := map[string]domain.UnitKind{}
	for _, u := range Units(s.code) {
		kinds[u.Code] = u.Kind
	}
	var out []LetterInfo
	full := func(year int, issuer, signee string) LetterInfo {
		return LetterInfo{Year: year, Issuer: issuer, Signee: signee, State: domain.LetterSigned, Signed: signedBy(kinds[signee])}
	}
	// 2022 in full, with gaps in the demo county.
	add2022 := func(issuer, signee string) {
		switch {
		case !demo:
			out = append(out, full(2022, issuer, signee))
		case slices.Contains(Missing2022, signee):
		case slices.Contains(Pending2022, signee):
			out = append(out, LetterInfo{Year: 2022, Issuer: issuer, Signee: signee, State: domain.LetterIssued})
		case slices.Contains(Revoked2022, signee):
			out = append(out, LetterInfo{Year: 2022, Issuer: issuer, Signee: signee, State: domain.LetterRevoked, RevokeReason: "加油站停业整顿，责任书收回"})
		case slices.Contains(Reissued2022, signee):
			out = append(out, LetterInfo{Year: 2022, Issuer: issuer, Signee: signee, State: domain.LetterRevoked, RevokeReason: "企业法定代表人变更，责任书重新签订"},
				full(2022, issuer, signee))
		case signee == CodeDeptEmergency:
			// 县应急管理局 has no party secretary among the demo users: its
			// head signed, the secretary's signature is still missing.
			out = append(out, LetterInfo{Year: 2022, Issuer: issuer, Signee: signee, State: domain.LetterPartiallySigned, Signed: []domain.Role{domain.RoleGovernmentHead}})
		default:
			out = append(out, full(2022, issuer, signee))
		}
	}
	for _, t := range s.towns {
		add2022(s.root.code, t.code)
	}
	for _, d := range s.depts {
		add2022(s.root.code, d.code)
	}
	for _, e := range s.ents {
		add2022(e.town, e.code)
	}
	// 行业: the industry department with the above-scale industrial enterprises.
	for _, d := range s.depts {
		if !slices.Contains(d.sectors, domain.SectorIndustry) {
			continue
		}
		for _, e := range s.ents {
			if e.sector == domain.SectorIndustry && (demo || e.code == CodeNeighborBuilding) {
				out = append(out, full(2022, d.code, e.code))
			}
		}
	}
	for _, e := range s.ents {
		for _, w := range e.workshops {
			add2022(e.code, w.code)
		}
	}
	for _, e := range s.ents {
		for _, w := range e.workshops {
			for _, t := range w.teams {
				add2022(w.code, t.code)
			}
		}
	}
	if !demo {
		return out
	}

	// 2023, in progress.
	state := func(signee string, st domain.LetterState, signed ...domain.Role) LetterInfo {
		return LetterInfo{Year: 2023, Signee: signee, State: st, Signed: signed}
	}
	year2023 := []LetterInfo{
		state(CodeTownChengguan, domain.LetterSigned, domain.RolePartySecretary, domain.RoleGovernmentHead),
		state(CodeTownDongcheng, domain.LetterPartiallySigned, domain.RolePartySecretary),
		state(CodeTownXihe, domain.LetterIssued),
		state(CodeTownNanshan, domain.LetterIssued),
		state(CodeTownBeiling, domain.LetterIssued),
		state(CodeTownQiaotou, domain.LetterDraft),
		state(CodeDeptIndustryCommerce, domain.LetterIssued),
		state(CodeDeptEmergency, domain.LetterDraft),
	}
	for i := range year2023 {
		year2023[i].Issuer = s.root.code
	}
	out = append(out, year2023...)
	for _, e := range s.ents {
		if e.town != CodeTownChengguan {
			continue
		}
		l := LetterInfo{Year: 2023, Issuer: e.town, Signee: e.code, State: domain.LetterIssued}
		if e.code == CodeMech || e.code == CodeSupermarket {
			l.State, l.Signed = domain.LetterSigned, []domain.Role{domain.RolePrincipal}
		}
		out = append(out, l)
	}
	for _, e := range s.ents {
		if e.code != CodeCement {
			continue
		}
		for _, w := range e.workshops {
			out = append(out, LetterInfo{Year: 2023, Issuer: e.code, Signee: w.code, State: domain.LetterIssued})
			if w.code == CodeCementKiln {
				for _, t := range w.teams {
					out = append(out, LetterInfo{Year: 2023, Issuer: w.code, Signee: t.code, State: domain.LetterDraft})
				}
			}
		}
	}
	return out
}

// LetterTargets are the responsibility targets of a letter to a unit of kind
// (the demo letters and the synthetic ones), by the signee's level.
func LetterTargets(kind domain.UnitKind) []domain.LetterTarget {
	t := func(d, ind string) domain.LetterTarget {
		if ind == "" {
			return domain.LetterTarget{Description: d}
		}
		return domain.LetterTarget{Description: d, Indicator: &ind}
	}
	switch {
	case kind.IsGovernment():
		return []domain.LetterTarget{
			t("全年不发生较大及以上生产安全事故", "较大及以上事故0起"),
			t("落实“党政同责、一岗双责、齐抓共管”，管行业必须管安全、管业务必须管安全、管生产必须管安全", ""),
			t("推进安全生产专项整治三年行动，季度例行检查、专项检查、“双随机”检查按计划开展", "应检尽检、不漏一家"),
			t("隐患排查治理闭环管理，重大隐患挂牌督办", "隐患整改率100%"),
			t("元旦、春节、“两会”、“五一”、国庆、汛期、高温和冬季雨雪等重要时段加强检查和值班值守", "24小时值班不断档"),
		}
	case kind == domain.KindEnterprise:
		return []domain.LetterTarget{
			t("落实企业安全生产主体责任，主要负责人为第一责任人", ""),
			t("从业人员安全培训、特种作业人员持证上岗", "培训率、持证率100%"),
			t("开展隐患自查自改，建立隐患台账", "隐患整改率100%"),
			t("修订应急预案并组织应急演练", "每年演练不少于2次"),
		}
	default:
		return []domain.LetterTarget{
			t("严格执行岗位安全操作规程，杜绝违章指挥、违章作业、违反劳动纪律", "“三违”0起"),
			t("班前安全讲话、交接班安全检查", "每班必讲"),
			t("设备设施和安全防护装置日常点检", "点检率100%"),
		}
	}
}

// letterSeeder writes the planned letters of one tenant.
type letterSeeder struct {
	ctx   context.Context
	c     *ent.Client
	b     *Built
	spec  tenantSpec
	units map[string]*ent.Unit
	// holders maps unit code and role to the demo user holding that post.
	holders map[string]map[domain.Role]holder
	// paperNames are the signers of units without a demo user.
	paperNames map[string]string
}

type holder struct {
	name, title    string
	userID, postID int
}

// peopleOf loads a tenant's units by code and names who acts for each unit:
// holders maps unit code and role to the demo user holding that post;
// paperNames are the people of units without a demo user, whose acts were
// transcribed from paper.
func peopleOf(ctx context.Context, c *ent.Client, b *Built, spec tenantSpec) (map[string]*ent.Unit, map[string]map[domain.Role]holder, map[string]string, error) {
	units, holders, paperNames := map[string]*ent.Unit{}, map[string]map[domain.Role]holder{}, map[string]string{}
	us, err := c.Unit.Query().Where(unit.TenantID(b.TenantID)).All(ctx)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load units: %w", err)
	}
	for _, u := range us {
		units[u.Code] = u
	}
	for _, us := range spec.users {
		for i, p := range us.posts {
			if holders[p.unit] == nil {
				holders[p.unit] = map[domain.Role]holder{}
			}
			if _, taken := holders[p.unit][p.role]; !taken {
				holders[p.unit][p.role] = holder{name: us.name, title: p.title, userID: b.Users[us.username], postID: b.Posts[us.username][i]}
			}
		}
	}
	n := 0
	for _, e := range spec.ents {
		paperNames[e.code] = e.legal
		for _, w := range e.workshops {
			n++
			paperNames[w.code] = Person(100 + n)
			for _, t := range w.teams {
				n++
				paperNames[t.code] = Person(100 + n)
			}
		}
	}
	for _, t := range spec.towns {
		n++
		paperNames[t.code] = Person(100 + n)
	}
	for _, d := range spec.depts {
		n++
		paperNames[d.code] = Person(100 + n)
	}
	return units, holders, paperNames, nil
}

// lettersStep is the seed Step writing a tenant's letters.
func lettersStep(spec tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		units, holders, paperNames, err := peopleOf(ctx, c, b, spec)
		if err != nil {
			return fmt.Errorf("letters: %w", err)
		}
		ls := &letterSeeder{ctx: ctx, c: c, b: b, spec: spec, units: units, holders: holders, paperNames: paperNames}
		for i, li := range letterPlan(spec) {
			if err := ls.write(i, li); err != nil {
				return fmt.Errorf("letters: %d %s → %s: %w", li.Year, li.Issuer, li.Signee, err)
			}
		}
		return nil
	}
}

// issuedOn is when a letter of the year to a unit of kind was issued: the
// county's in January, towns' and departments' in February, enterprises' in
// March, workshops' in April.
func issuedOn(year int, issuerKind domain.UnitKind, i int) time.Time {
	month := map[domain.UnitKind]time.Month{
		domain.KindCounty: time.January, domain.KindTown: time.February, domain.KindDepartment: time.February,
		domain.KindEnterprise: time.March, domain.KindWorkshop: time.April,
	}[issuerKind]
	return time.Date(year, month, 6+i%10, 9, 0, 0, 0, time.UTC)
}

// actorAt is who acts for unit code in role: the demo user, or the paper
// signer's name.
func (ls *letterSeeder) actorAt(code string, role domain.Role) (name, title string, userID, postID *int) {
	if h, ok := ls.holders[code][role]; ok {
		return h.name, h.title, &h.userID, &h.postID
	}
	return ls.paperNames[code], "", nil, nil
}

func (ls *letterSeeder) write(i int, li LetterInfo) error {
	issuer, signee := ls.units[li.Issuer], ls.units[li.Signee]
	if issuer == nil || signee == nil {
		return fmt.Errorf("unknown unit")
	}
	on := issuedOn(li.Year, issuer.Kind, i)
	noun := "安全生产目标责任书"
	if issuer.Kind == domain.KindCounty {
		noun = "安全生产工作责任状"
	}
	body := fmt.Sprintf("为深入贯彻落实安全生产法律法规和上级决策部署，压实安全生产责任，%s与%s签订%d年度%s。双方按照“党政同责、一岗双责、齐抓共管、失职追责”和“管行业必须管安全、管业务必须管安全、管生产必须管安全”的要求，层层分解落实安全生产责任，确保责任目标完成。本责任书一式两份，双方各执一份，自签订之日起生效，至%d年12月31日止。",
		issuer.Name, signee.Name, li.Year, noun, li.Year)
	issuerRole := domain.RolePrincipal
	if issuer.Kind.IsGovernment() {
		issuerRole = domain.RoleGovernmentHead
	}
	iName, iTitle, iUser, iPost := ls.actorAt(li.Issuer, issuerRole)
	if iUser == nil && issuer.Kind.IsGovernment() {
		// A government issuer without a demo head acts through its secretary.
		if _, ok := ls.holders[li.Issuer][domain.RolePartySecretary]; ok {
			issuerRole = domain.RolePartySecretary
			iName, iTitle, iUser, iPost = ls.actorAt(li.Issuer, issuerRole)
		}
	}
	state := domain.LetterDraft
	create := ls.c.ResponsibilityLetter.Create().SetTenantID(ls.b.TenantID).SetYear(li.Year).
		SetIssuerUnitID(issuer.ID).SetSigneeUnitID(signee.ID).SetIssuerName(issuer.Name).SetSigneeName(signee.Name).
		SetSigneeKind(signee.Kind).SetTitle(fmt.Sprintf("%d年度%s", li.Year, noun)).SetBody(body).
		SetTargets(LetterTargets(signee.Kind)).SetState(li.State).SetIssuerOnly(li.State == domain.LetterDraft).SetCreatedAt(on.Add(-48 * time.Hour)).SetUpdatedAt(on)
	if li.Live() {
		create.SetLive(true)
	}
	if li.State != domain.LetterDraft {
		create.SetIssuedAt(on)
	}
	l, err := create.Save(ls.ctx)
	if err != nil {
		return err
	}
	event := func(action letterevent.Action, from *domain.LetterState, to domain.LetterState, at time.Time, name, title string, role *domain.Role, userID, postID *int, note string) error {
		ev := letters.NewEvent(ls.c, l, action, from, to, at).SetActorName(name).SetActorTitle(title).
			SetNillableActorRole(role).SetNillableActorUserID(userID).SetNillableActorPostID(postID).SetCreatedAt(at).SetUpdatedAt(at)
		if note != "" {
			ev.SetNote(note)
		}
		return ev.Exec(ls.ctx)
	}
	if err := event(letterevent.ActionCREATED, nil, state, on.Add(-48*time.Hour), iName, iTitle, &issuerRole, iUser, iPost, ""); err != nil {
		return err
	}
	if li.State == domain.LetterDraft {
		return nil
	}
	if err := event(letterevent.ActionISSUED, &state, domain.LetterIssued, on, iName, iTitle, &issuerRole, iUser, iPost, ""); err != nil {
		return err
	}
	state = domain.LetterIssued
	var signedAt time.Time
	for k, role := range li.Signed {
		at := on.Add(time.Duration(24*(3+k)) * time.Hour)
		name, title, userID, postID := ls.actorAt(li.Signee, role)
		if err := letters.NewSignature(ls.c, l, role, at).SetSignerName(name).SetSignerTitle(title).
			SetNillableUserID(userID).SetNillablePostID(postID).SetCreatedAt(at).SetUpdatedAt(at).Exec(ls.ctx); err != nil {
			return err
		}
		next := domain.LetterPartiallySigned
		if k == len(li.Signed)-1 && len(letters.Missing(signee.Kind, li.Signed)) == 0 {
			next = domain.LetterSigned
		}
		note := ""
		if userID == nil {
			note = "纸质责任书签署，系统补录"
		}
		r := role
		if err := event(letterevent.ActionSIGNED, &state, next, at, name, title, &r, userID, postID, note); err != nil {
			return err
		}
		state, signedAt = next, at
	}
	last := on
	if !signedAt.IsZero() {
		last = signedAt
	}
	upd := ls.c.ResponsibilityLetter.UpdateOneID(l.ID)
	if li.State == domain.LetterSigned {
		upd.SetSignedAt(signedAt)
	}
	if li.State == domain.LetterRevoked {
		at := on.Add(30 * 24 * time.Hour)
		last = at
		upd.SetRevokedAt(at).SetRevokeReason(li.RevokeReason)
		if err := event(letterevent.ActionREVOKED, &state, domain.LetterRevoked, at, iName, iTitle, &issuerRole, iUser, iPost, li.RevokeReason); err != nil {
			return err
		}
	}
	if state != li.State && li.State != domain.LetterRevoked {
		return fmt.Errorf("plan says %s, signatures give %s", li.State, state)
	}
	return upd.SetUpdatedAt(last).Exec(ls.ctx)
}
