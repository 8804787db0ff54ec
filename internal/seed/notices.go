package seed

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/noticereceipt"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/notices"
)

// The demo notices of the seed document: the county's 2022 工作要点 ("年初，
// 县安委会印发《2022年工业安全生产工作要点》") and the three notices it names
// ("印发《关于开展重点场所消防安全、燃气安全专项整治的通知》《在全县工业、商贸企业
// 开展安全隐患排查的通知》《关于开展国庆期间安全生产大检查活动的通知》"), sent to
// towns, departments and enterprises: mostly signed for, a few overdue.
// The 2023 工作要点 is in progress. Receipts of units without a demo user
// were transcribed from the paper register (a name without a user).

// NoticeInfo describes one demo notice.
type NoticeInfo struct {
	Issuer, Number string
	Kind           domain.NoticeKind
	Title          string
	IssuedOn       time.Time
	ReceiptDue     time.Time
	ReplyDue       *time.Time
	// Recipients are unit codes; Unreceived those never signed for.
	Recipients, Unreceived []string
	// Replies maps a recipient code to its reply.
	Replies map[string]string
}

// Notices lists the notices the seed creates in tenant tenantCode, in
// creation order; nil for an unknown code.
func Notices(tenantCode string) []NoticeInfo {
	for _, s := range specs() {
		if s.code == tenantCode {
			return noticePlan(s)
		}
	}
	return nil
}

// Demo notice gaps, by recipient code.
var (
	// UnreceivedFireNotice never signed for the fire and gas safety notice.
	UnreceivedFireNotice = []string{CodeMall}
	// UnreceivedNationalDay never signed for the National Day inspection notice.
	UnreceivedNationalDay = []string{"FUEL-29", "FUEL-30", "FUEL-35"}
	// Received2023 signed for the 2023 work plan so far.
	Received2023 = []string{CodeTownChengguan, CodeTownDongcheng, CodeDeptIndustryCommerce}
)

func noticePlan(s tenantSpec) []NoticeInfo {
	var govs, commerce, industryCommerce, fuel []string
	for _, t := range s.towns {
		govs = append(govs, t.code)
	}
	for _, d := range s.depts {
		govs = append(govs, d.code)
	}
	for _, e := range s.ents {
		switch e.sector {
		case domain.SectorCommerce:
			commerce = append(commerce, e.code)
			industryCommerce = append(industryCommerce, e.code)
		case domain.SectorIndustry:
			industryCommerce = append(industryCommerce, e.code)
		case domain.SectorFuel:
			fuel = append(fuel, e.code)
		}
	}
	if s.code != TenantDemo {
		return []NoticeInfo{{Issuer: s.root.code, Number: "邻安委〔2022〕1号", Kind: domain.NoticeWorkPlan,
			Title: "2022年安全生产工作要点", IssuedOn: day(2022, time.January, 12), ReceiptDue: day(2022, time.January, 19),
			Recipients: govs, Unreceived: []string{CodeNeighborTownQingshi}}}
	}
	replyDue := day(2022, time.April, 30)
	var unreceived2023 []string
	for _, g := range govs {
		if !slices.Contains(Received2023, g) {
			unreceived2023 = append(unreceived2023, g)
		}
	}
	return []NoticeInfo{
		{Issuer: CodeCounty, Number: "示安委〔2022〕1号", Kind: domain.NoticeWorkPlan, Title: "2022年工业安全生产工作要点",
			IssuedOn: day(2022, time.January, 10), ReceiptDue: day(2022, time.January, 17), Recipients: govs},
		{Issuer: CodeDeptIndustryCommerce, Number: "示工信商务〔2022〕12号", Kind: domain.NoticeNotice,
			Title:    "关于开展重点场所消防安全、燃气安全专项整治的通知",
			IssuedOn: day(2022, time.March, 15), ReceiptDue: day(2022, time.March, 22), ReplyDue: &replyDue,
			Recipients: commerce, Unreceived: UnreceivedFireNotice,
			Replies: map[string]string{CodeHotel: "已完成自查：燃气供应合同续签中，厨房燃气管道已检测合格。",
				CodeSupermarket: "已完成自查，消防设施完好，疏散通道畅通。"}},
		{Issuer: CodeDeptIndustryCommerce, Number: "示工信商务〔2022〕21号", Kind: domain.NoticeNotice,
			Title:    "在全县工业、商贸企业开展安全隐患排查的通知",
			IssuedOn: day(2022, time.May, 9), ReceiptDue: day(2022, time.May, 16),
			Recipients: industryCommerce, Unreceived: []string{CodeBio}},
		{Issuer: CodeCounty, Number: "示安委〔2022〕9号", Kind: domain.NoticeNotice, Title: "关于开展国庆期间安全生产大检查活动的通知",
			IssuedOn: day(2022, time.September, 20), ReceiptDue: day(2022, time.September, 26),
			Recipients: append(slices.Clone(govs), fuel...), Unreceived: UnreceivedNationalDay},
		{Issuer: CodeCounty, Number: "示安委〔2023〕1号", Kind: domain.NoticeWorkPlan, Title: "2023年工业安全生产工作要点",
			IssuedOn: day(2023, time.January, 9), ReceiptDue: day(2023, time.January, 16), Recipients: govs,
			Unreceived: unreceived2023},
	}
}

// noticesStep is the seed Step writing a tenant's notices and receipts.
func noticesStep(spec tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		units, holders, paperNames, err := peopleOf(ctx, c, b, spec)
		if err != nil {
			return fmt.Errorf("notices: %w", err)
		}
		safety := map[string]string{}
		for _, e := range spec.ents {
			safety[e.code] = e.safety
		}
		for _, ni := range noticePlan(spec) {
			if err := writeNotice(ctx, c, ni, units, func(code string) holder {
				for _, r := range []domain.Role{domain.RolePartySecretary, domain.RoleGovernmentHead, domain.RolePrincipal, domain.RoleSafetyOfficer} {
					if h, ok := holders[code][r]; ok {
						return h
					}
				}
				if name, ok := safety[code]; ok {
					return holder{name: name, title: "安全管理人员"}
				}
				return holder{name: paperNames[code], title: "办公室收文员"}
			}); err != nil {
				return fmt.Errorf("notices: %s: %w", ni.Number, err)
			}
		}
		return nil
	}
}

func writeNotice(ctx context.Context, c *ent.Client, ni NoticeInfo, units map[string]*ent.Unit, receiver func(string) holder) error {
	issuer := units[ni.Issuer]
	n, err := c.Notice.Create().SetTenantID(issuer.TenantID).SetIssuerUnitID(issuer.ID).SetDocumentNumber(ni.Number).
		SetKind(ni.Kind).SetTitle(ni.Title).SetYear(ni.IssuedOn.Year()).SetIssuedOn(ni.IssuedOn).SetReceiptDue(ni.ReceiptDue).
		SetNillableReplyDue(ni.ReplyDue).SetRecipientCount(len(ni.Recipients)).
		SetBody(ni.Title + "：请各单位认真贯彻落实，并按要求签收。").Save(ctx)
	if err != nil {
		return fmt.Errorf("create notice: %w", err)
	}
	recipients := make([]*ent.Unit, len(ni.Recipients))
	towns := map[int]int{}
	for i, code := range ni.Recipients {
		u := units[code]
		if u == nil {
			return fmt.Errorf("no unit %s", code)
		}
		recipients[i] = u
		if u.Kind == domain.KindTown {
			towns[u.ID] = u.ID
		} else if u.ParentID != nil && u.Kind == domain.KindEnterprise {
			towns[u.ID] = *u.ParentID // an enterprise's parent is its town (属地)
		}
	}
	if err := notices.CreateReceipts(ctx, c, n, recipients, towns); err != nil {
		return err
	}
	for i, code := range ni.Recipients {
		if slices.Contains(ni.Unreceived, code) {
			continue
		}
		h := receiver(code)
		at := ni.IssuedOn.Add(time.Duration(2+i%4*24) * time.Hour)
		upd := c.NoticeReceipt.Update().Where(noticereceipt.NoticeID(n.ID), noticereceipt.RecipientUnitID(recipients[i].ID)).
			SetReceivedAt(at).SetReceiverName(h.name).SetReceiverTitle(h.title)
		if h.userID != 0 {
			upd.SetReceiverUserID(h.userID).SetReceiverPostID(h.postID)
		}
		if reply, ok := ni.Replies[code]; ok {
			upd.SetReply(reply).SetRepliedAt(at.Add(10 * 24 * time.Hour))
		}
		if err := upd.Exec(ctx); err != nil {
			return fmt.Errorf("sign for %s: %w", code, err)
		}
	}
	return nil
}
