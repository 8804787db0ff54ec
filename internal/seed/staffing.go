package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
)

// The demo county's staffing: certificates (持证) of enterprise staff — the
// cement plant's principal and safety manager, the paper mill's safety
// officer (expired, so the mill misses a required certificate), the hotel's
// fire-control-room operators, fuel-station staff — dated from the day of
// seeding so that some are always expiring within 90 and 30 days and some
// expired; and duty lists (全员安全生产责任制) for county, bureau, town and
// enterprise posts, mostly acknowledged, with gaps: a rewritten list not yet
// acknowledged, and the posts left without one.

// CertificateInfo describes one demo certificate; ValidDays counts from the
// day of seeding (negative: expired).
type CertificateInfo struct {
	Unit, Holder, Username string
	Kind                   domain.CertificateKind
	Number, Issuer         string
	ValidDays              int
}

// Certificates lists the demo certificates of tenant tenantCode.
func Certificates(tenantCode string) []CertificateInfo {
	if tenantCode != TenantDemo {
		return []CertificateInfo{{CodeNeighborBuilding, "钱广发", "", domain.CertPrincipal, "AQ341000202200007", "邻市应急管理局", 365}}
	}
	city := "市应急管理局"
	return []CertificateInfo{
		{CodeCement, "王建国", "cement.principal", domain.CertPrincipal, "AQ341100202100015", city, 700},
		{CodeCement, "刘志强", "", domain.CertSafetyManager, "AQ341100202100016", city, 20},
		{CodeCementKiln, "孙志刚", "cement.kiln.head", domain.CertSpecialEquipment, "TS341100201900231", "市市场监督管理局", 75},
		{CodePaper, "陈立群", "", domain.CertPrincipal, "AQ341100202000107", city, 400},
		{CodePaper, "赵海涛", "paper.safety", domain.CertSafetyManager, "AQ341100201900108", city, -40},
		{CodeHotel, "曹伟", "", domain.CertFireFacilityOperator, "XF341100202100331", "市消防救援支队", 300},
		{CodeHotel, "董小红", "", domain.CertFireFacilityOperator, "XF341100202000332", "市消防救援支队", 45},
		{CodeMall, "傅国庆", "", domain.CertFireFacilityOperator, "XF341100201900418", "市消防救援支队", -10},
		{CodePaperStation, "李加油", "", domain.CertSpecialOperation, "T341100198801010011", city, 25},
		{CodeCNPCStation, "张站长", "", domain.CertSpecialOperation, "T341100197905050022", city, 500},
	}
}

// DutyListInfo describes one demo duty list: the first post of Username,
// written in Versions versions, the last Acknowledged or not.
type DutyListInfo struct {
	Username     string
	Items        []string
	Versions     int
	Acknowledged bool
}

// DutyLists lists the demo duty lists of tenant tenantCode; every other
// post of the tenant has none (a gap).
func DutyLists(tenantCode string) []DutyListInfo {
	if tenantCode != TenantDemo {
		return []DutyListInfo{{NeighborSecretary, []string{"对本县安全生产工作负总责。"}, 1, false}}
	}
	head := []string{"对本地区安全生产工作负总责，落实党政同责、一岗双责、齐抓共管、失职追责。",
		"定期研究部署安全生产工作，每季度至少召开一次安委会全体会议。",
		"督促各部门、各乡镇落实安全生产责任，层层签订安全生产责任书。"}
	deputy := []string{"协助主要负责人抓好分管行业领域安全生产工作，管行业必须管安全。",
		"组织分管领域隐患排查整治，督促重大隐患挂牌督办、整改销号。"}
	principal := []string{"建立健全并落实本单位全员安全生产责任制。", "组织制定并实施本单位安全生产规章制度和操作规程。",
		"保证本单位安全生产投入的有效实施，组织开展隐患排查治理。", "组织制定并实施本单位生产安全事故应急救援预案。"}
	safety := []string{"组织或者参与本单位安全生产教育和培训，如实记录培训情况。",
		"检查本单位的安全生产状况，及时排查生产安全事故隐患，提出改进建议。", "制止和纠正违章指挥、强令冒险作业、违反操作规程的行为。"}
	return []DutyListInfo{
		{"county.secretary", head, 1, true},
		{"county.head", head, 1, true},
		{"county.deputy.industry", deputy, 1, true},
		{"bureau.chief", head, 1, true},
		{"bureau.fuel", deputy, 1, true},
		{"chengguan.secretary", head, 1, true},
		{"chengguan.head", head, 2, false},
		{"xihe.deputy", deputy, 1, false},
		{"cement.principal", principal, 1, true},
		{"cement.kiln.head", principal, 1, true},
		{"paper.safety", safety, 1, true},
	}
}

// staffingStep is the seed Step writing a tenant's certificates and duty lists.
func staffingStep(spec tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		y, m, d := time.Now().UTC().Date()
		today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		var certs []*ent.CertificateCreate
		for _, ci := range Certificates(spec.code) {
			until := today.AddDate(0, 0, ci.ValidDays)
			cr := c.Certificate.Create().SetTenantID(b.TenantID).SetUnitID(b.Units[ci.Unit]).SetHolderName(ci.Holder).
				SetKind(ci.Kind).SetNumber(ci.Number).SetIssuer(ci.Issuer).SetIssuedOn(until.AddDate(-3, 0, 0)).SetValidUntil(until)
			if ci.Username != "" {
				cr.SetUserID(b.Users[ci.Username])
			}
			certs = append(certs, cr)
		}
		if len(certs) > 0 {
			if err := c.Certificate.CreateBulk(certs...).Exec(ctx); err != nil {
				return fmt.Errorf("staffing: certificates: %w", err)
			}
		}
		written := day(2022, time.January, 20)
		for _, di := range DutyLists(spec.code) {
			p, err := c.Post.Get(ctx, b.Posts[di.Username][0])
			if err != nil {
				return fmt.Errorf("staffing: post of %s: %w", di.Username, err)
			}
			holder, err := c.User.Get(ctx, p.UserID)
			if err != nil {
				return fmt.Errorf("staffing: holder of %s: %w", di.Username, err)
			}
			cr := c.DutyList.Create().SetTenantID(b.TenantID).SetPostID(p.ID).SetUnitID(p.UnitID).SetVersion(di.Versions).
				SetItems(di.Items).SetWrittenByName("系统管理员").SetWrittenAt(written.AddDate(0, 0, 30*(di.Versions-1)))
			switch {
			case di.Acknowledged:
				cr.SetAcknowledgedVersion(di.Versions).SetAcknowledgedAt(written.AddDate(0, 0, 3)).SetAcknowledgedByName(holder.DisplayName)
			case di.Versions > 1:
				cr.SetAcknowledgedVersion(di.Versions - 1).SetAcknowledgedAt(written.AddDate(0, 0, 3)).SetAcknowledgedByName(holder.DisplayName)
			}
			if err := cr.Exec(ctx); err != nil {
				return fmt.Errorf("staffing: duty list of %s: %w", di.Username, err)
			}
		}
		return nil
	}
}
