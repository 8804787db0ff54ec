package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dutychain/dutychain/internal/domain"
)

// Notices of a synthetic county-year, as a county office sends them: the
// county's safety committee office (安委办) issues countyNotices documents
// to its towns and departments — every fourth also to all the county's
// enterprises — and each town's safety office (安办) issues townNotices to
// its enterprises. Receipts are signed within the week mostly, late
// sometimes, never for a few (the overdue the coverage view shows).
const (
	countyNotices = 12
	townNotices   = 6
	// Shares of receipts whose due date has passed: received on time,
	// received late; the rest are overdue.
	receiptOnTime, receiptLate = 0.88, 0.06
	// receiptDays is the time a recipient has to sign for a notice.
	receiptDays = 7
	// streamNotices is the random stream of a county's notices, clear of
	// the enterprises' streams.
	streamNotices = 1 << 31
)

var noticeCols = []string{"id", "created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"issuer_scope_path", "issuer_only", "document_number", "kind", "title", "body", "year", "issued_on", "receipt_due",
	"reply_due", "recipient_count", "issuer_unit_id"}

var receiptCols = []string{"created_at", "updated_at", "tenant_id", "scope_path", "scope_sector", "scope_enterprise_id",
	"issuer_scope_path", "issuer_only", "issuer_unit_id", "recipient_name", "recipient_kind", "town_id", "due_at",
	"received_at", "receiver_name", "receiver_title", "receiver_user_id", "receiver_post_id", "reply", "replied_at",
	"notice_id", "recipient_unit_id"}

// noticeRec is one planned notice.
type noticeRec struct {
	issuer     unitRef
	number     string
	kind       domain.NoticeKind
	title      string
	issued     time.Time
	recipients []unitRef
}

// noticeTopics are the subjects of the county's notices, in the seed's words.
var noticeTopics = []string{
	"重点场所消防安全专项整治", "燃气安全专项整治", "工业、商贸企业安全隐患排查", "国庆期间安全生产大检查",
	"汛期安全防范", "安全生产月活动", "危险化学品安全专项检查", "节前安全生产检查",
	"有限空间作业安全", "特种设备安全排查", "冬春火灾防控", "道路交通安全整治",
}

// planNotices lists a county's notices of the letter year issued by now.
func planNotices(p *plan, cp *countyPlan) []noticeRec {
	if !p.opts.Records {
		return nil
	}
	year := p.letterYear
	county := unitRef{kind: domain.KindCounty, cp: cp}
	var govs, ents []unitRef
	for t := range cp.towns {
		govs = append(govs, unitRef{kind: domain.KindTown, cp: cp, i: t})
	}
	for d := range cp.depts {
		govs = append(govs, unitRef{kind: domain.KindDepartment, cp: cp, i: d})
	}
	for k := range cp.ents {
		ents = append(ents, unitRef{kind: domain.KindEnterprise, cp: cp, i: k})
	}
	var out []noticeRec
	add := func(n noticeRec) {
		if !n.issued.After(p.now) {
			out = append(out, n)
		}
	}
	for i := range countyNotices {
		n := noticeRec{issuer: county, number: fmt.Sprintf("%s安委办〔%d〕%d号", cp.name, year, i+1),
			issued: time.Date(year, time.Month(i+1), 5, 1, 0, 0, 0, time.UTC), recipients: govs}
		switch {
		case i == 0:
			n.kind, n.title = domain.NoticeWorkPlan, fmt.Sprintf("%d年工业安全生产工作要点", year)
		case i == countyNotices-1:
			n.kind, n.title = domain.NoticeSummary, fmt.Sprintf("关于报送%d年安全生产工作总结的通知", year)
		case i%5 == 0:
			n.kind, n.title = domain.NoticePlan, "关于印发"+noticeTopics[i]+"工作方案的通知"
		default:
			n.kind, n.title = domain.NoticeNotice, "关于开展"+noticeTopics[i]+"的通知"
		}
		if i%4 == 0 {
			n.recipients = append(append([]unitRef(nil), govs...), ents...)
		}
		add(n)
	}
	for t := range cp.towns {
		town := unitRef{kind: domain.KindTown, cp: cp, i: t}
		var own []unitRef
		for k := cp.townFirst[t]; k < len(cp.ents) && cp.ents[k].town == t; k++ {
			own = append(own, unitRef{kind: domain.KindEnterprise, cp: cp, i: k})
		}
		if len(own) == 0 {
			continue
		}
		for i := range townNotices {
			add(noticeRec{issuer: town, kind: domain.NoticeNotice, recipients: own,
				number: fmt.Sprintf("%s安办〔%d〕%d号", townName(t), year, i+1),
				title:  "关于转发" + noticeTopics[2*i] + "的通知",
				issued: time.Date(year, time.Month(2*i+1), 12, 1, 0, 0, 0, time.UTC)})
		}
	}
	return out
}

// writeNotices writes every county's notices and their receipts.
func (p *plan) writeNotices(l *loader) error {
	if p.notices == 0 {
		return nil
	}
	l.prog.begin("notices, receipts")
	id := p.noticeBase
	for _, cp := range p.counties {
		r := newRand(p.opts.Seed, cp.c, streamNotices)
		first := id
		err := l.writeTable("notices", noticeCols, func(w *tableWriter) error {
			for _, n := range cp.notices {
				is := p.unit(n.issuer)
				t, path, sec, ent := p.scope(is)
				due := n.issued.AddDate(0, 0, receiptDays)
				body := fmt.Sprintf("各有关单位：现将%s有关事项通知如下，请认真贯彻落实，并于%d月%d日前签收。", n.title, due.Month(), due.Day())
				if err := w.row(id, n.issued, n.issued, t, path, sec, ent, is.path, false, n.number, string(n.kind), n.title, body,
					p.letterYear, n.issued, due, nil, len(n.recipients), is.id); err != nil {
					return err
				}
				id++
			}
			return nil
		})
		if err == nil {
			err = l.writeTable("notice_receipts", receiptCols, func(w *tableWriter) error {
				for i, n := range cp.notices {
					if err := p.receiptRows(w, r, n, first+i); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err != nil {
			return err
		}
		l.prog.add(len(cp.notices))
	}
	return nil
}

// receiptRows writes the receipts of notice n (id noticeID), drawing who
// signed and when.
func (p *plan) receiptRows(w *tableWriter, r *rand.Rand, n noticeRec, noticeID int) error {
	is := p.unit(n.issuer)
	due := n.issued.AddDate(0, 0, receiptDays)
	for _, ref := range n.recipients {
		u := p.unit(ref)
		t, path, sec, ent := p.scope(u)
		var town any
		switch ref.kind {
		case domain.KindTown:
			town = u.id
		case domain.KindEnterprise:
			town = p.townID(ref.cp, ref.cp.ents[ref.i].town)
		}
		var received time.Time
		switch x := r.Float64(); {
		case x < receiptOnTime:
			received = n.issued.Add(time.Duration(r.Int64N(int64(receiptDays * 24 * time.Hour))))
		case x < receiptOnTime+receiptLate:
			received = due.Add(time.Duration(1+r.Int64N(20)) * 24 * time.Hour)
		}
		updated := n.issued
		var at, name, title, user, post any
		if !received.IsZero() && !received.After(p.now) {
			role := domain.RolePrincipal
			if ref.kind.IsGovernment() {
				role = domain.RoleGovernmentHead
			}
			a := p.actorAt(ref, role)
			at, name, title, updated = received, a.name, nullStr(a.title), received
			user, post = p.userIDs(a)
		}
		if err := w.row(n.issued, updated, t, path, sec, ent, is.path, false, is.id, u.name, string(ref.kind), town, due,
			at, name, title, user, post, nil, nil, noticeID, u.id); err != nil {
			return err
		}
	}
	return nil
}
