package summary

import (
	"fmt"
	"strings"
)

// Thresholds of part 四: a problem is written when its indicator crosses
// one. They are the rules a county office applies by hand (docs/REPORTS.md).
const (
	// InspectionsPerEnterprisePlan is the routine plan: one inspection of
	// every enterprise each quarter (四季常规安全生产大检查).
	InspectionsPerEnterprisePlan = 4
	// InspectionCoveragePercent is the share of enterprises that must be
	// inspected at least once a year (应检尽检).
	InspectionCoveragePercent = 100
)

// Problem keys of part 四.
const (
	ProblemInspectionCoverage       = "INSPECTION_COVERAGE"
	ProblemEnterpriseResponsibility = "ENTERPRISE_RESPONSIBILITY"
	ProblemDrills                   = "DRILLS"
	ProblemCertificates             = "CERTIFICATES"
	ProblemNoticeReceipts           = "NOTICE_RECEIPTS"
)

var ordinals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// ordinal is 一是, 二是, … for item i (0-based).
func ordinal(i int) string {
	if i < len(ordinals) {
		return ordinals[i] + "是"
	}
	return fmt.Sprintf("%d.", i+1)
}

// enumerate joins items as 一是…；二是…。
func enumerate(items []string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = ordinal(i) + strings.TrimRight(it, "。；;.")
	}
	return strings.Join(parts, "；") + "。"
}

// quoted joins titles as 《a》《b》.
func quoted(titles []string) string {
	var b strings.Builder
	for _, t := range titles {
		b.WriteString("《" + t + "》")
	}
	return b.String()
}

// compose writes the five parts from the gathered figures; plan, when
// given, replaces the drafted items of part 五.
func compose(c *counter, plan []string) *Summary {
	f := c.value
	unitName := c.unit.Name
	s := &Summary{Year: c.year, Unit: c.unit, UnitName: c.unit.Name, Figures: c.figures, Charts: c.charts,
		Title: fmt.Sprintf("%s%d年安全生产工作总结", unitName, c.year)}
	s.Preamble = fmt.Sprintf("%d年以来，%s认真贯彻执行关于加强安全生产工作的一系列指示精神和决策部署，"+
		"全年共检查企业%d家次，排查安全隐患和问题%d个，已整改销号%d个。现将全年安全生产工作总结汇报如下：",
		c.year, unitName, f("inspections"), f("hazardsFound"), f("hazardsClosed"))

	// 一
	var one []string
	lead := fmt.Sprintf("全年%s及以下共建立安全生产领导机构%d个", unitName, f("leadershipGroups"))
	if len(c.groupLeads) >= 2 {
		lead += fmt.Sprintf("，由%s和%s分别担任正副组长", c.groupLeads[0], c.groupLeads[1])
	} else if len(c.groupLeads) == 1 {
		lead += fmt.Sprintf("，由%s担任组长", c.groupLeads[0])
	}
	if c.workPlan != "" {
		lead = fmt.Sprintf("年初印发%s，", quoted([]string{c.workPlan})) + lead
	}
	one = append(one, lead+"。")
	one = append(one, fmt.Sprintf("层层签订安全生产责任书%d份，已签订%d份，其中企业与车间、班组签订%d份，将安全生产工作责任层层分解落实。",
		f("lettersIssued"), f("lettersSigned"), f("lettersWithinEnterprises")))

	// 二
	var two []string
	named := ""
	if len(c.aboveScaleNames) > 0 {
		named = "，重点对" + strings.Join(c.aboveScaleNames, "、") + "等规上工业企业进行督导检查"
	}
	two = append(two, fmt.Sprintf("针对全县工业、商贸和成品油行业面广点多的情况，组织对%d户规上工业企业和%d户限上商贸企业召开专项工作会议%d次%s；对%d户加油站进行了集中检查抽查。",
		f("aboveScaleIndustry"), f("aboveQuotaCommerce"), f("meetings"), named, f("fuelStations")))
	notices := fmt.Sprintf("全年印发通知%d份", f("notices"))
	if len(c.noticeTitles) > 0 {
		notices = fmt.Sprintf("印发%s等通知%d份", quoted(c.noticeTitles), f("notices"))
	}
	two = append(two, fmt.Sprintf("%s，组织集中培训%d期%d人次；全年检查%d次，覆盖企业%d家，其中重要时段检查%d次。",
		notices, f("trainings"), f("trainees"), f("inspections"), f("enterprisesInspected"), f("keyPeriodInspections")))
	three := fmt.Sprintf("检查组当场对查出的隐患提出整改要求，并按责任单位职能交办督导。全年共排查安全隐患和问题%d个，其中重大隐患%d个，已整改销号%d个。",
		f("hazardsFound"), f("majorHazards"), f("hazardsClosed"))
	if len(c.hazardExamples) > 0 {
		three += enumerate(c.hazardExamples)
	}
	two = append(two, three)

	// 三
	pub := []string{fmt.Sprintf("共开展宣传活动%d次，对%d家企业进行入企宣传，发放宣传资料%d份；组织应急演练%d次，努力做到安全生产知识企业必晓，员工皆知。",
		f("publicityActivities"), f("enterprisesVisited"), f("materials"), f("drills"))}

	// 四
	problems, keys := problemsOf(c)
	s.Problems = keys
	four := []string{"今年安全生产工作总体形势平稳，未发现突出问题。"}
	if len(problems) > 0 {
		four = []string{"今年安全生产工作总体形势平稳，但仍存在一些不足和薄弱环节。" + enumerate(problems)}
	}

	// 五
	items := plan
	if len(items) == 0 {
		items = draftPlan(c, keys)
	}
	five := []string{fmt.Sprintf("%d年，我们将继续认真履行安全生产各项工作职责，重点做好以下工作：", c.year+1) + enumerate(items)}

	s.Sections = []Section{
		{1, "一、高度重视，强化领导，建立完善安全生产责任制度链", one},
		{2, "二、紧盯隐患，狠抓整改，增强安全生产集中整治紧迫感", two},
		{3, "三、注重宣传，加强引导，提高企业应急处置能力水平", pub},
		{4, "四、存在问题", four},
		{5, fmt.Sprintf("五、%d年工作计划及思路", c.year+1), five},
	}
	return s
}

// problemsOf derives part 四 from the indicators and the thresholds.
func problemsOf(c *counter) (texts, keys []string) {
	f := c.value
	enterprises := f("enterprises")
	if enterprises > 0 {
		covered := f("enterprisesInspected") * 100 / enterprises
		perEnterprise := float64(f("inspections")) / float64(enterprises)
		if covered < InspectionCoveragePercent || perEnterprise < InspectionsPerEnterprisePlan {
			keys = append(keys, ProblemInspectionCoverage)
			texts = append(texts, fmt.Sprintf("由于业务繁忙，工作人员少，安全生产检查力度还不够，全年检查覆盖%d家企业中的%d家（%d%%），平均每家%.1f次，低于每季度检查一次的要求",
				enterprises, f("enterprisesInspected"), covered, perEnterprise))
		}
	}
	if n, open := f("enterprisesWithOverdueHazards"), f("lettersIssued")-f("lettersSigned"); n > 0 || open > 0 {
		keys = append(keys, ProblemEnterpriseResponsibility)
		var why []string
		if n > 0 {
			why = append(why, fmt.Sprintf("%d家企业有逾期未整改的隐患（%d个）", n, f("hazardsOverdue")))
		}
		if open > 0 {
			why = append(why, fmt.Sprintf("%d份责任书尚未签订", open))
		}
		texts = append(texts, "个别企业安全意识还不强，企业主体责任落实还不到位，"+strings.Join(why, "，"))
	}
	if n := f("enterprisesBehindDrills"); n > 0 {
		keys = append(keys, ProblemDrills)
		texts = append(texts, fmt.Sprintf("个别企业组织应急演练次数少，员工实际操作不规范，%d家企业未达到每年一次综合或专项演练、每半年一次现场处置方案演练的要求", n))
	}
	if n := f("certificatesExpired"); n > 0 {
		keys = append(keys, ProblemCertificates)
		texts = append(texts, fmt.Sprintf("部分企业持证上岗管理不严，%d本证书年内到期未及时换证", n))
	}
	if n := f("noticeReceiptsOverdue"); n > 0 {
		keys = append(keys, ProblemNoticeReceipts)
		texts = append(texts, fmt.Sprintf("部分单位文件签收不及时，%d份通知逾期未签收", n))
	}
	return texts, keys
}

// draftPlan writes part 五 from the gaps: the standing tasks, each made
// concrete with the figure that calls for it.
func draftPlan(c *counter, problems []string) []string {
	f := c.value
	has := func(k string) bool {
		for _, p := range problems {
			if p == k {
				return true
			}
		}
		return false
	}
	items := []string{"进一步健全安全监管体系。切实把落实行业监管责任和企业安全生产主体责任放在突出位置，一级抓一级，层层抓落实，全面压实安全生产责任"}
	if n := f("enterprisesWithOverdueHazards"); n > 0 {
		items[0] += fmt.Sprintf("，督促%d家有逾期隐患的企业限期整改到位", n)
	}
	if open := f("lettersIssued") - f("lettersSigned"); open > 0 {
		items[0] += fmt.Sprintf("，完成%d份未签责任书的签订", open)
	}
	inspect := "进一步强化隐患排查治理。始终保持监督检查的“高压”态势，通过季度例行检查、专项检查、“双随机”检查等方式，切实排查整治安全隐患问题"
	if has(ProblemInspectionCoverage) {
		if gap := f("enterprises") - f("enterprisesInspected"); gap > 0 {
			inspect += fmt.Sprintf("，对今年未检查的%d家企业实现检查全覆盖", gap)
		}
		inspect += "，做到每季度检查一次"
	}
	items = append(items, inspect)
	items = append(items, "建立安全生产管理长效机制。督促企业健全制度，完善机制，有效落实企业全员责任制，不断提升企业安全管理能力水平")
	rescue := "完善安全生产应急救援工作。督促企业对各类应急救援预案进行修改和完善，使之具有操作性，提高应急救援队伍的实战能力"
	if has(ProblemDrills) {
		rescue += fmt.Sprintf("，督促%d家演练次数不足的企业按规定频次组织演练", f("enterprisesBehindDrills"))
	}
	items = append(items, rescue)
	if has(ProblemCertificates) {
		items = append(items, fmt.Sprintf("加强持证上岗管理，督促%d本到期证书及时复审换证", f("certificatesExpired")))
	}
	return items
}
