package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/notice"
	"github.com/dutychain/dutychain/ent/noticereceipt"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/gid"
)

var enterpriseLedger = &Kind{
	Name: "enterprises", Title: "企业基本信息台账", WhereType: "EnterpriseWhereInput",
	Columns: []Column{{"企业名称", wName}, {"统一社会信用代码", 22}, {"所属乡镇", wTown}, {"行业", wEnum}, {"规模", wEnum},
		{"行业类别", wEnum}, {"地址", wName}, {"法定代表人", wShort}, {"安全管理人员", wShort}, {"联系电话", wPhone},
		{"从业人数", wCount}, {"重点部位", wText}, {"系统编号", wID}},
	rows: stream(source[*ent.Enterprise]{
		query: func(c *ent.Client, where any) (pager[*ent.Enterprise], error) {
			q, err := filter[*ent.EnterpriseWhereInput](where, c.Enterprise.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.Enterprise, predicate.Enterprise, enterprise.OrderOption](q), nil
		},
		units: func(e *ent.Enterprise) []int { return with(e.ScopePath) },
		render: func(p *page, _ any, e *ent.Enterprise) [][]any {
			town := p.nameOf(e.TownID)
			if town == "" {
				town = p.ofKind(e.ScopePath, domain.KindTown)
			}
			return [][]any{{e.Name, e.CreditCode, town, label("Sector", e.Sector), label("EnterpriseScale", e.Scale),
				e.IndustryCategory, e.Address, e.LegalRepresentative, e.SafetyManager, e.ContactPhone, e.EmployeeCount,
				strings.Join(e.KeySites, "、"), gid.Encode(e.ID)}}
		},
	}),
}

var unitLedger = &Kind{
	Name: "units", Title: "单位台账", WhereType: "UnitWhereInput",
	Columns: []Column{{"单位名称", wName}, {"编码", 16}, {"单位类型", wEnum}, {"上级单位", wName}, {"所属乡镇", wTown},
		{"行业", wEnum}, {"监管行业", wName}, {"系统编号", wID}},
	rows: stream(source[*ent.Unit]{
		query: func(c *ent.Client, where any) (pager[*ent.Unit], error) {
			q, err := filter[*ent.UnitWhereInput](where, c.Unit.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.Unit, predicate.Unit, unit.OrderOption](q), nil
		},
		units: func(u *ent.Unit) []int { return with(u.ScopePath) },
		render: func(p *page, _ any, u *ent.Unit) [][]any {
			sectors := make([]string, len(u.SupervisedSectors))
			for i, s := range u.SupervisedSectors {
				sectors[i] = label("Sector", s)
			}
			town := ""
			if u.Kind != domain.KindTown {
				town = p.ofKind(u.ScopePath, domain.KindTown)
			}
			return [][]any{{u.Name, u.Code, label("UnitKind", u.Kind), p.nameOf(u.ParentID), town,
				labelOf("Sector", u.Sector), strings.Join(sectors, "、"), gid.Encode(u.ID)}}
		},
	}),
}

var letterLedger = &Kind{
	Name: "letters", Title: "安全生产责任书台账", WhereType: "ResponsibilityLetterWhereInput",
	Columns: []Column{{"年度", 8}, {"发放单位", wName}, {"签订单位", wName}, {"签订单位类型", wEnum}, {"所属乡镇", wTown},
		{"责任书名称", wName}, {"状态", wEnum}, {"下发日期", wDate}, {"签订日期", wDate}, {"归档日期", wDate},
		{"系统编号", wID}},
	rows: stream(source[*ent.ResponsibilityLetter]{
		query: func(c *ent.Client, where any) (pager[*ent.ResponsibilityLetter], error) {
			q, err := filter[*ent.ResponsibilityLetterWhereInput](where, c.ResponsibilityLetter.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.ResponsibilityLetter, predicate.ResponsibilityLetter, responsibilityletter.OrderOption](q), nil
		},
		units: func(l *ent.ResponsibilityLetter) []int { return with(l.ScopePath) },
		render: func(p *page, _ any, l *ent.ResponsibilityLetter) [][]any {
			return [][]any{{l.Year, l.IssuerName, l.SigneeName, label("UnitKind", l.SigneeKind),
				p.ofKind(l.ScopePath, domain.KindTown), l.Title, label("LetterState", l.State), p.dayOf(l.IssuedAt),
				p.dayOf(l.SignedAt), p.dayOf(l.ArchivedAt), gid.Encode(l.ID)}}
		},
	}),
}

var noticeLedger = &Kind{
	Name: "notices", Title: "文件通知签收台账", WhereType: "NoticeWhereInput",
	Columns: []Column{{"文号", 18}, {"类型", wEnum}, {"标题", wName}, {"发文单位", wName}, {"发文日期", wDate},
		{"签收期限", wDate}, {"回复期限", wDate}, {"应签收", wCount}, {"已签收", wCount}, {"逾期未签收", wCount},
		{"签收率", wCount}, {"系统编号", wID}},
	rows: stream(source[*ent.Notice]{
		query: func(c *ent.Client, where any) (pager[*ent.Notice], error) {
			q, err := filter[*ent.NoticeWhereInput](where, c.Notice.Query())
			if err != nil {
				return nil, err
			}
			return paged[*ent.Notice, predicate.Notice, notice.OrderOption](q), nil
		},
		units: func(n *ent.Notice) []int { return with(n.ScopePath, n.IssuerUnitID) },
		extra: receiptCounts,
		render: func(p *page, extra any, n *ent.Notice) [][]any {
			c := extra.(map[int]*receipts)[n.ID]
			if c == nil {
				c = &receipts{}
			}
			rate := ""
			if c.all > 0 {
				rate = fmt.Sprintf("%.1f%%", 100*float64(c.received)/float64(c.all))
			}
			return [][]any{{n.DocumentNumber, label("NoticeKind", n.Kind), n.Title, p.name(n.IssuerUnitID), p.day(n.IssuedOn),
				p.day(n.ReceiptDue), p.dayOf(n.ReplyDue), c.all, c.received, c.overdue, rate, gid.Encode(n.ID)}}
		},
	}),
}

// receipts counts the receipts of one notice the viewer can read.
type receipts struct{ all, received, overdue int }

// receiptCounts counts the receipts of a page's notices by notice: all,
// signed for, and not signed for past their due time (three grouped
// statements).
func receiptCounts(ctx context.Context, c *ent.Client, ns []*ent.Notice) (any, error) {
	ids := make([]int, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	out := map[int]*receipts{}
	count := func(set func(r *receipts, n int), ps ...predicate.NoticeReceipt) error {
		var counts []struct {
			NoticeID int `json:"notice_id"`
			Count    int `json:"count"`
		}
		err := c.NoticeReceipt.Query().Where(append(ps, noticereceipt.NoticeIDIn(ids...))...).
			GroupBy(noticereceipt.FieldNoticeID).Aggregate(ent.Count()).Scan(ctx, &counts)
		for _, n := range counts {
			if out[n.NoticeID] == nil {
				out[n.NoticeID] = &receipts{}
			}
			set(out[n.NoticeID], n.Count)
		}
		return err
	}
	return out, errors.Join(
		count(func(r *receipts, n int) { r.all = n }),
		count(func(r *receipts, n int) { r.received = n }, noticereceipt.ReceivedAtNotNil()),
		count(func(r *receipts, n int) { r.overdue = n }, noticereceipt.ReceivedAtIsNil(), noticereceipt.DueAtLT(nowOf(ctx))),
	)
}
