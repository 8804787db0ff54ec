package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/inspections"
)

const (
	fireLaw     = "《中华人民共和国消防法》第十六条"
	safetyLaw   = "《中华人民共和国安全生产法》第四十一条"
	specialEq   = "《中华人民共和国特种设备安全法》第三十九条"
	tradeMajor  = "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）"
	fuelRule    = "《成品油市场管理办法》及《加油站作业安全规范》（AQ 3010）"
	vaporRule   = "《加油站大气污染物排放标准》（GB 20952）"
	fireSafety4 = "《社会单位消防安全“四个能力”建设标准》"
)

func item(code, text, basis string) domain.ChecklistItem {
	return domain.ChecklistItem{Code: code, Text: text, LegalBasis: basis}
}

func majorItem(code, text, basis, ref string) domain.ChecklistItem {
	it := item(code, text, basis)
	it.MajorHazardRef = &ref
	return it
}

// fireItems are the fire-safety items the seed checks everywhere.
var fireItems = []domain.ChecklistItem{
	item("FIRE-01", "建立并落实消防安全责任制，健全各项消防安全制度", fireLaw),
	item("FIRE-02", "消防安全专兼职人员、消防控制室操作人员和保安等人员经培训、持证上岗", fireLaw),
	item("FIRE-03", "消防设施、器材和消防安全标志完好有效", fireLaw),
	item("FIRE-04", "疏散通道畅通", fireLaw),
	item("FIRE-05", "安全出口畅通", fireLaw),
	item("FIRE-06", "消防车通道畅通", fireLaw),
	item("FIRE-07", "未设置影响疏散逃生和灭火救援的障碍物", fireLaw),
}

// DemoChecklists are version 1 of the shipped templates (brief §5).
func DemoChecklists() map[domain.Sector][]domain.ChecklistItem {
	return map[domain.Sector][]domain.ChecklistItem{
		domain.SectorIndustry: append(append([]domain.ChecklistItem{}, fireItems...),
			majorItem("IND-01", "特种设备使用区域：设备登记、定期检验、作业人员持证", specialEq, tradeMajor),
			item("IND-02", "机械加工区域：防护装置齐全、操作规程上墙", safetyLaw),
			majorItem("IND-03", "生产作业区域：危险作业审批、有限空间管理", safetyLaw, tradeMajor),
			item("IND-04", "安全通道畅通、标识清楚", safetyLaw),
			item("IND-05", "在建项目施工现场安全管理到位", "《建设工程安全生产管理条例》"),
		),
		domain.SectorCommerce: append(append([]domain.ChecklistItem{}, fireItems...),
			item("COM-01", "人员密集场所消防安全“四个能力”建设达标", fireSafety4),
			item("COM-02", "电气线路敷设规范，无老化、私拉乱接", "《建筑设计防火规范》（GB 50016）"),
			majorItem("COM-03", "燃气使用场所：供气合同有效、报警与切断装置完好", "《城镇燃气管理条例》", tradeMajor),
			item("COM-04", "仓库、办公用房、职工宿舍无安全隐患", safetyLaw),
		),
		domain.SectorFuel: append(append([]domain.ChecklistItem{}, fireItems...),
			majorItem("FUEL-01", "重点部位：油罐区", fuelRule, "《成品油经营企业重大事故隐患判定标准》"),
			item("FUEL-02", "重点部位：加油区", fuelRule),
			item("FUEL-03", "重点部位：配电室", fuelRule),
			item("FUEL-04", "重点环节：卸油环节", fuelRule),
			item("FUEL-05", "重点环节：加油环节", fuelRule),
			item("FUEL-06", "重点环节：检修环节", fuelRule),
			item("FUEL-07", "重点环节：施工环节", fuelRule),
			item("FUEL-08", "无非法销售散装汽油行为", "《成品油市场管理办法》"),
			item("FUEL-09", "无违规储存成品油行为", "《成品油市场管理办法》"),
			item("FUEL-10", "油气回收装置正常运行", vaporRule),
		),
	}
}

// seedChecklists ships version 1 of the INDUSTRY, COMMERCE and FUEL templates.
func seedChecklists(ctx context.Context, c *ent.Client, b *Built) error {
	names := map[domain.Sector]string{
		domain.SectorIndustry: "规上工业企业安全生产检查表", domain.SectorCommerce: "商贸流通企业安全生产检查表",
		domain.SectorFuel: "成品油经营企业安全生产检查表",
	}
	for _, sec := range []domain.Sector{domain.SectorIndustry, domain.SectorCommerce, domain.SectorFuel} {
		if _, err := inspections.NextTemplate(ctx, c, b.TenantID, sec, names[sec], DemoChecklists()[sec]); err != nil {
			return fmt.Errorf("seed checklist %s: %w", sec, err)
		}
	}
	return nil
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 2, 0, 0, 0, time.UTC) }

// seedEvent is one step of a seeded hazard's history.
type seedEvent struct {
	action domain.HazardAction
	to     domain.HazardState
	actor  string
	at     time.Time
	note   string
}

type seedHazard struct {
	subject     string
	inspection  *ent.Inspection
	source      domain.HazardSource
	level       domain.HazardLevel
	category    string
	location    string
	description string
	requirement string
	found       time.Time
	deadline    time.Time
	responsible string
	supervised  bool
	plan        *domain.HazardPlan
	events      []seedEvent
}

func (h seedHazard) create(ctx context.Context, c *ent.Client, b *Built) (*ent.Hazard, error) {
	subj, err := b.Unit(h.subject)
	if err != nil {
		return nil, err
	}
	reporter, err := b.User(h.events[0].actor)
	if err != nil {
		return nil, err
	}
	create := c.Hazard.Create().SetTenantID(b.TenantID).SetSubjectID(subj).SetSource(h.source).SetLevel(h.level).
		SetCategory(h.category).SetLocation(h.location).SetDescription(h.description).SetRequirement(h.requirement).
		SetFoundAt(h.found).SetDeadline(h.deadline).SetResponsiblePerson(h.responsible).SetReportedByID(reporter).
		SetSupervised(h.supervised).SetState(h.events[len(h.events)-1].to)
	if h.plan != nil {
		create.SetPlan(h.plan)
	}
	if h.inspection != nil {
		create.SetInspectionID(h.inspection.ID).SetNillableCampaignID(h.inspection.CampaignID)
	}
	if last := h.events[len(h.events)-1]; last.to == domain.HazardClosed {
		create.SetClosedAt(last.at)
	}
	hz, err := create.Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed hazard %s: %w", h.category, err)
	}
	from := ""
	for _, e := range h.events {
		actor, err := b.User(e.actor)
		if err != nil {
			return nil, err
		}
		ev := c.HazardEvent.Create().SetTenantID(hz.TenantID).SetScopePath(hz.ScopePath).
			SetNillableScopeSector(hz.ScopeSector).SetNillableScopeEnterpriseID(hz.ScopeEnterpriseID).
			SetHazardID(hz.ID).SetAction(e.action).SetFromState(from).SetToState(string(e.to)).
			SetActorID(actor).SetNote(e.note).SetAt(e.at)
		if posts := b.Posts[e.actor]; len(posts) > 0 {
			ev.SetPostID(posts[0])
		}
		if _, err := ev.Save(ctx); err != nil {
			return nil, fmt.Errorf("seed hazard event: %w", err)
		}
		from = string(e.to)
	}
	return hz, h.deciders(ctx, c, b, hz)
}

// deciders records on hz who decided what binds the others, as the hazard
// service would have: the unit that put it under supervision (that of the
// post of its last SUPERVISE) and the user whose submission awaits a
// decision.
func (h seedHazard) deciders(ctx context.Context, c *ent.Client, b *Built, hz *ent.Hazard) error {
	upd := c.Hazard.UpdateOneID(hz.ID)
	changed := false
	for _, e := range h.events {
		switch {
		case e.action == domain.HazardSupervise && h.supervised:
			if posts := b.Posts[e.actor]; len(posts) > 0 {
				p, err := c.Post.Get(ctx, posts[0])
				if err != nil {
					return fmt.Errorf("seed hazard supervisor: %w", err)
				}
				upd.SetSupervisorID(p.UnitID)
				changed = true
			}
		case e.action == domain.HazardSubmit && hz.State == domain.HazardSubmitted,
			e.action == domain.HazardSubmitPlan && hz.State == domain.HazardPlanSubmitted:
			actor, err := b.User(e.actor)
			if err != nil {
				return err
			}
			upd.SetSubmittedByID(actor)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	if err := upd.Exec(ctx); err != nil {
		return fmt.Errorf("seed hazard deciders: %w", err)
	}
	return nil
}

func seedInspection(ctx context.Context, c *ent.Client, b *Built, typ inspection.Type, kp *inspection.KeyPeriod, campaign *int,
	by, target string, inspectors []string, on time.Time, sector domain.Sector, results []domain.ItemResult, conclusion string) (*ent.Inspection, error) {
	byID, err := b.Unit(by)
	if err != nil {
		return nil, err
	}
	tID, err := b.Unit(target)
	if err != nil {
		return nil, err
	}
	var ids []int
	for _, u := range inspectors {
		id, err := b.User(u)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	tpl, err := c.ChecklistTemplate.Query().All(ctx)
	if err != nil {
		return nil, err
	}
	create := c.Inspection.Create().SetTenantID(b.TenantID).SetType(typ).SetNillableKeyPeriod(kp).SetNillableCampaignID(campaign).
		SetInspectingUnitID(byID).SetTargetID(tID).SetInspectorIds(ids).SetInspectedOn(on).SetResults(results).SetConclusion(conclusion)
	for _, t := range tpl {
		if t.TenantID == b.TenantID && t.Sector == sector && t.Version == 1 {
			create.SetTemplateID(t.ID)
		}
	}
	return create.Save(ctx)
}

func pass(codes ...string) []domain.ItemResult {
	out := make([]domain.ItemResult, 0, len(codes))
	for _, c := range codes {
		out = append(out, domain.ItemResult{ItemCode: c, Result: domain.CheckPass})
	}
	return out
}

func fail(code, note string) domain.ItemResult {
	return domain.ItemResult{ItemCode: code, Result: domain.CheckFail, Note: note}
}

// closedHistory is the ordinary GENERAL path to closure.
func closedHistory(reporter, rectifier, verifier string, found, started, submitted, closed time.Time) []seedEvent {
	return []seedEvent{
		{domain.HazardReport, domain.HazardReported, reporter, found, "检查组当场提出整改要求"},
		{domain.HazardStartRectification, domain.HazardRectifying, rectifier, started, "已安排整改"},
		{domain.HazardSubmit, domain.HazardSubmitted, rectifier, submitted, "整改完成，申请验收"},
		{domain.HazardClose, domain.HazardClosed, verifier, closed, "复查合格，予以销号"},
	}
}

// seedDemoHazards writes the seed's section 二 story: the 2022 campaign of
// the 县工信商务局, routine, holiday and campaign inspections, the three
// hazards the seed names (closed with their history), and open, overdue and
// major hazards so that every state is visible.
func seedDemoHazards(ctx context.Context, c *ent.Client, b *Built) error {
	bureau, err := b.Unit(CodeDeptIndustryCommerce)
	if err != nil {
		return err
	}
	done := func(t time.Time) *time.Time { return &t }
	stages := []domain.CampaignStage{
		{Stage: domain.StageDeployment, PlannedStart: day(2022, 3, 1), PlannedEnd: day(2022, 3, 31), ActualStart: done(day(2022, 3, 1)), ActualEnd: done(day(2022, 3, 31))},
		{Stage: domain.StageInspection, PlannedStart: day(2022, 4, 1), PlannedEnd: day(2022, 8, 31), ActualStart: done(day(2022, 4, 1)), ActualEnd: done(day(2022, 8, 31))},
		{Stage: domain.StageRectification, PlannedStart: day(2022, 9, 1), PlannedEnd: day(2022, 11, 30), ActualStart: done(day(2022, 9, 1)), ActualEnd: done(day(2022, 11, 30))},
		{Stage: domain.StageSummary, PlannedStart: day(2022, 12, 1), PlannedEnd: day(2022, 12, 31), ActualStart: done(day(2022, 12, 1)), ActualEnd: done(day(2022, 12, 20))},
	}
	cp, err := c.Campaign.Create().SetTenantID(b.TenantID).SetOrganiserID(bureau).
		SetName("2022年工业、商贸和成品油安全生产集中整治").
		SetSectors([]domain.Sector{domain.SectorIndustry, domain.SectorCommerce, domain.SectorFuel}).
		SetStage(domain.StageSummary).SetFinished(true).SetStages(stages).Save(ctx)
	if err != nil {
		return fmt.Errorf("seed campaign: %w", err)
	}
	county, err := b.Unit(CodeCounty)
	if err != nil {
		return err
	}
	running := []domain.CampaignStage{
		{Stage: domain.StageDeployment, PlannedStart: day(2023, 3, 1), PlannedEnd: day(2023, 3, 15), ActualStart: done(day(2023, 3, 1)), ActualEnd: done(day(2023, 3, 14))},
		{Stage: domain.StageInspection, PlannedStart: day(2023, 3, 16), PlannedEnd: day(2023, 6, 30), ActualStart: done(day(2023, 3, 14))},
		{Stage: domain.StageRectification, PlannedStart: day(2023, 7, 1), PlannedEnd: day(2023, 10, 31)},
		{Stage: domain.StageSummary, PlannedStart: day(2023, 11, 1), PlannedEnd: day(2023, 12, 15)},
	}
	if _, err := c.Campaign.Create().SetTenantID(b.TenantID).SetOrganiserID(county).
		SetName("2023年重点场所消防安全、燃气安全专项整治").
		SetSectors([]domain.Sector{domain.SectorCommerce, domain.SectorFuel}).
		SetStage(domain.StageInspection).SetStages(running).Save(ctx); err != nil {
		return fmt.Errorf("seed campaign: %w", err)
	}
	team := []string{"bureau.inspector1", "bureau.inspector2"}
	nationalDay := inspection.KeyPeriodNATIONAL_DAY
	springFestival := inspection.KeyPeriodSPRING_FESTIVAL

	// Routine quarterly inspection of the cement plant: all passed.
	if _, err := seedInspection(ctx, c, b, inspection.TypeROUTINE_QUARTERLY, nil, nil, CodeDeptIndustryCommerce, CodeCement, team,
		day(2022, 3, 15), domain.SectorIndustry, pass("FIRE-01", "FIRE-03", "IND-01", "IND-02", "IND-03", "IND-04"), "一季度例行检查，未发现问题"); err != nil {
		return err
	}
	// Spring Festival inspection of the CNPC station.
	if _, err := seedInspection(ctx, c, b, inspection.TypeKEY_PERIOD, &springFestival, nil, CodeDeptIndustryCommerce, CodeCNPCStation, team,
		day(2022, 1, 20), domain.SectorFuel, pass("FUEL-01", "FUEL-02", "FUEL-03", "FUEL-08", "FUEL-09", "FUEL-10"), "春节前检查，运行正常"); err != nil {
		return err
	}
	// Campaign inspections: the market and the paper mill's station.
	market, err := seedInspection(ctx, c, b, inspection.TypeSPECIAL, nil, &cp.ID, CodeDeptIndustryCommerce, CodeMarket, team,
		day(2022, 5, 10), domain.SectorCommerce, append(pass("FIRE-01", "FIRE-03", "FIRE-04"), fail("COM-02", "市场用电线路长年老化")), "发现隐患1处，责令限期整改")
	if err != nil {
		return err
	}
	station, err := seedInspection(ctx, c, b, inspection.TypeSPECIAL, nil, &cp.ID, CodeDeptIndustryCommerce, CodePaperStation, team,
		day(2022, 6, 8), domain.SectorFuel, append(pass("FUEL-01", "FUEL-02", "FUEL-08", "FUEL-09"), fail("FUEL-10", "油气回收装置故障不能启动")), "发现隐患1处，责令限期整改")
	if err != nil {
		return err
	}
	// National Day inspection of the hotel (人员密集场所).
	hotel, err := seedInspection(ctx, c, b, inspection.TypeKEY_PERIOD, &nationalDay, &cp.ID, CodeDeptIndustryCommerce, CodeHotel, team,
		day(2022, 9, 26), domain.SectorCommerce, append(pass("FIRE-01", "FIRE-04", "FIRE-05"), fail("COM-03", "燃气供应合同到期未续签"), fail("COM-04", "南侧护坡下沉")), "发现隐患2处，责令限期整改")
	if err != nil {
		return err
	}
	seeded := []seedHazard{
		{subject: CodeMarket, inspection: market, source: domain.SourceInspection, level: domain.LevelGeneral, category: "电气安全",
			location: "配电线路", description: "市场用电线路长年老化", requirement: "更换老化线路，规范敷设", found: day(2022, 5, 10),
			deadline: day(2022, 6, 10), responsible: "邓振华",
			events: closedHistory("bureau.inspector1", "bureau.inspector1", "bureau.inspector2", day(2022, 5, 10), day(2022, 5, 12), day(2022, 6, 5), day(2022, 6, 8))},
		{subject: CodePaperStation, inspection: station, source: domain.SourceInspection, level: domain.LevelGeneral, category: "油气回收",
			location: "加油区", description: "油气回收装置出现故障不能启动", requirement: "维修油气回收装置并检测合格", found: day(2022, 6, 8),
			deadline: day(2022, 6, 30), responsible: "赵海涛",
			events: closedHistory("bureau.inspector1", "paper.safety", "bureau.fuel", day(2022, 6, 8), day(2022, 6, 9), day(2022, 6, 25), day(2022, 6, 28))},
		{subject: CodeHotel, inspection: hotel, source: domain.SourceInspection, level: domain.LevelGeneral, category: "地质灾害",
			location: "南侧护坡", description: "酒店南侧护坡下沉", requirement: "设置警戒，加固护坡", found: day(2022, 9, 26),
			deadline: day(2022, 10, 31), responsible: "曹伟",
			events: closedHistory("bureau.inspector2", "bureau.inspector2", "chengguan.head", day(2022, 9, 26), day(2022, 9, 28), day(2022, 10, 25), day(2022, 10, 28))},
		{subject: CodeHotel, inspection: hotel, source: domain.SourceInspection, level: domain.LevelGeneral, category: "燃气安全",
			location: "厨房燃气管道", description: "燃气供应合同到期未续签", requirement: "与供气企业续签供用气合同", found: day(2022, 9, 26),
			deadline: day(2022, 10, 15), responsible: "曹伟",
			events: closedHistory("bureau.inspector2", "bureau.inspector2", "bureau.chief", day(2022, 9, 26), day(2022, 9, 27), day(2022, 10, 10), day(2022, 10, 12))},
		// Open: found by the cement plant itself, not yet started.
		{subject: CodeCementKiln, source: domain.SourceSelfCheck, level: domain.LevelGeneral, category: "机械防护",
			location: "回转窑托轮", description: "回转窑托轮防护罩缺失", requirement: "加装防护罩", found: day(2023, 3, 2),
			deadline: day(2030, 12, 31), responsible: "孙志刚",
			events: []seedEvent{{domain.HazardReport, domain.HazardReported, "cement.principal", day(2023, 3, 2), "企业自查发现"}}},
		// Open in 西河镇's commerce: the fruit company's cold store.
		{subject: CodeFruit, source: domain.SourceReport, level: domain.LevelGeneral, category: "消防安全",
			location: "冷藏库", description: "冷藏库疏散通道堆放杂物", requirement: "清理通道，保持畅通", found: day(2023, 3, 5),
			deadline: day(2030, 12, 31), responsible: "冯少华",
			events: []seedEvent{{domain.HazardReport, domain.HazardReported, "xihe.deputy", day(2023, 3, 5), "群众举报"}}},
		// Overdue and under supervision: the supermarket.
		{subject: CodeSupermarket, source: domain.SourceInspection, level: domain.LevelGeneral, category: "消防安全",
			location: "安全出口", description: "安全出口被货架遮挡", requirement: "移除货架", found: day(2023, 1, 10),
			deadline: day(2023, 1, 31), responsible: "韩小军", supervised: true,
			events: []seedEvent{
				{domain.HazardReport, domain.HazardReported, "chengguan.head", day(2023, 1, 10), "春节前检查发现"},
				{domain.HazardStartRectification, domain.HazardRectifying, "chengguan.head", day(2023, 1, 12), "企业已开始整改"},
				{domain.HazardSupervise, domain.HazardRectifying, "chengguan.head", day(2023, 2, 5), "逾期未完成整改，挂牌督办"},
			}},
		// MAJOR in progress: the food plant's ammonia refrigeration room.
		{subject: CodeFood, source: domain.SourceInspection, level: domain.LevelMajor, category: "涉氨制冷",
			location: "液氨制冷机房", description: "液氨制冷机房未设置氨气浓度报警和紧急切断装置", requirement: "按重大事故隐患判定标准整改",
			found: day(2023, 2, 20), deadline: day(2030, 6, 30), responsible: "孙丽华", supervised: true,
			plan: &domain.HazardPlan{Measures: "加装氨气浓度报警与联锁切断装置，更换老化阀门", Funds: "45万元（企业自筹）",
				ResponsiblePerson: "孙丽华", Deadline: day(2030, 6, 30), EmergencyMeasures: "停用二号机组，设置警戒区，配备正压式空气呼吸器"},
			events: []seedEvent{
				{domain.HazardReport, domain.HazardReported, "bureau.inspector1", day(2023, 2, 20), "专项检查发现重大事故隐患"},
				{domain.HazardSupervise, domain.HazardReported, "bureau.chief", day(2023, 2, 21), "列入县级挂牌督办"},
				{domain.HazardSubmitPlan, domain.HazardPlanSubmitted, "bureau.inspector1", day(2023, 3, 1), "企业提交整改方案"},
				{domain.HazardApprovePlan, domain.HazardRectifying, "bureau.chief", day(2023, 3, 3), "方案审定，开始整改"},
			}},
	}
	for _, h := range seeded {
		if _, err := h.create(ctx, c, b); err != nil {
			return err
		}
	}
	return nil
}

// seedNeighborHazards gives 邻县 a campaign, an inspection and a hazard of
// its own, so cross-tenant tests have real objects to aim at.
func seedNeighborHazards(ctx context.Context, c *ent.Client, b *Built) error {
	dept, err := b.Unit(CodeNeighborDept)
	if err != nil {
		return err
	}
	stages := make([]domain.CampaignStage, 0, 4)
	for i, st := range domain.CampaignStages {
		stages = append(stages, domain.CampaignStage{Stage: st, PlannedStart: day(2023, time.Month(i*3+1), 1), PlannedEnd: day(2023, time.Month(i*3+3), 28)})
	}
	if _, err := c.Campaign.Create().SetTenantID(b.TenantID).SetOrganiserID(dept).SetName("邻县2023年安全生产专项整治").
		SetSectors([]domain.Sector{domain.SectorIndustry}).SetStages(stages).Save(ctx); err != nil {
		return err
	}
	insp, err := seedInspection(ctx, c, b, inspection.TypeROUTINE_QUARTERLY, nil, nil, CodeNeighborDept, CodeNeighborBuilding,
		[]string{NeighborSecretary, "neighbor.head"}, day(2023, 3, 1), domain.SectorIndustry, []domain.ItemResult{fail("FIRE-03", "灭火器过期")}, "限期整改")
	if err != nil {
		return err
	}
	_, err = seedHazard{subject: CodeNeighborBuilding, inspection: insp, source: domain.SourceInspection, level: domain.LevelGeneral,
		category: "消防安全", location: "搅拌车间", description: "灭火器过期", requirement: "更换灭火器", found: day(2023, 3, 1),
		deadline: day(2030, 3, 31), responsible: "蒋立华",
		events: []seedEvent{{domain.HazardReport, domain.HazardReported, "neighbor.head", day(2023, 3, 1), ""}}}.create(ctx, c, b)
	return err
}
