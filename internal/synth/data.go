package synth

import (
	"github.com/dutychain/dutychain/internal/domain"
)

// department is one county department and the sectors it supervises
// (管行业必须管安全): every enterprise of those sectors gets a DEFAULT
// supervision edge to it.
type department struct {
	name    string
	sectors []domain.Sector
}

// departments are the sector groups, one department each; --departments N
// keeps the first N (the sectors of the others are then unsupervised).
var departments = []department{
	{"工业和信息化局", []domain.Sector{domain.SectorIndustry}},
	{"商务局", []domain.Sector{domain.SectorCommerce, domain.SectorFuel}},
	{"住房和城乡建设局", []domain.Sector{domain.SectorConstruction}},
	{"应急管理局", []domain.Sector{domain.SectorChemicals}},
	{"交通运输局", []domain.Sector{domain.SectorTransport}},
	{"市场监督管理局", []domain.Sector{domain.SectorOther}},
}

// MaxDepartments is the largest --departments.
var MaxDepartments = len(departments)

// hazardText is one kind of hazard as an inspector writes it down.
type hazardText struct {
	category, location, description, requirement string
}

// sectorProfile is what enterprises of one sector look like.
type sectorProfile struct {
	sector domain.Sector
	// share is the sector's weight in the enterprise mix (percent).
	share int
	// names end the enterprise names; categories are industry categories.
	names, categories []string
	keySites          []string
	// aboveScale is the percentage of ABOVE_SCALE_INDUSTRY (industry) or
	// ABOVE_QUOTA_COMMERCE (commerce) enterprises.
	aboveScale int
	hazards    []hazardText
}

// commonHazards are the fire-safety findings of every sector (the seed's
// checklist: duty system, trained staff, equipment and signs, routes, exits).
var commonHazards = []hazardText{
	{"消防安全", "生产区", "灭火器压力不足、超期未检", "更换或送检灭火器"},
	{"消防安全", "疏散通道", "疏散通道堆放杂物", "清理通道，保持畅通"},
	{"消防安全", "安全出口", "安全出口指示标志损坏", "更换应急照明和疏散指示标志"},
	{"安全管理", "办公区", "未建立安全生产责任制台账", "建立健全全员安全生产责任制"},
	{"安全培训", "全厂", "新入职员工未经三级安全教育上岗", "组织培训考核合格后上岗"},
	{"电气安全", "配电室", "电气线路私拉乱接", "规范敷设线路，加装漏电保护"},
}

var profiles = []sectorProfile{
	{sector: domain.SectorIndustry, share: 30, aboveScale: 20,
		names:      []string{"机械制造有限公司", "水泥有限公司", "纸业有限公司", "食品有限公司", "电器有限公司", "新材料有限公司", "汽车配件有限公司"},
		categories: []string{"通用设备制造", "水泥制造", "纸制品制造", "食品制造", "电气机械制造", "汽车零部件制造"},
		keySites:   []string{"生产车间", "配电室", "原料仓库", "特种设备区"},
		hazards: []hazardText{
			{"机械防护", "机加工区", "设备传动部位防护罩缺失", "加装防护罩"},
			{"特种设备", "特种设备区", "叉车未定期检验", "送检并取得合格证"},
			{"有限空间", "污水池", "有限空间作业未审批", "落实作业审批和通风检测"},
			{"粉尘防爆", "打磨车间", "除尘系统未定期清理", "定期清理并记录"},
			{"涉氨制冷", "冷库机房", "氨气浓度报警装置失效", "修复报警与联锁切断装置"},
		}},
	{sector: domain.SectorCommerce, share: 25, aboveScale: 15,
		names:      []string{"商贸有限公司", "超市有限公司", "物流有限公司", "酒店有限公司", "果业有限公司"},
		categories: []string{"综合零售", "仓储物流", "住宿餐饮", "批发贸易"},
		keySites:   []string{"营业厅", "仓库", "厨房", "职工宿舍"},
		hazards: []hazardText{
			{"燃气安全", "厨房", "燃气报警器未安装", "安装燃气泄漏报警和切断装置"},
			{"电气安全", "营业厅", "用电线路老化", "更换老化线路"},
			{"消防安全", "仓库", "仓库与宿舍未有效分隔", "按规范设置防火分隔"},
		}},
	{sector: domain.SectorFuel, share: 8,
		names:      []string{"加油站", "石油经营有限公司"},
		categories: []string{"机动车燃油零售"},
		keySites:   []string{"油罐区", "加油区", "配电室"},
		hazards: []hazardText{
			{"油气回收", "加油区", "油气回收装置故障", "维修并检测合格"},
			{"卸油作业", "油罐区", "卸油时未设置静电接地", "规范卸油作业，配置静电接地"},
			{"违规经营", "站房", "违规销售散装汽油", "立即停止并登记查验"},
		}},
	{sector: domain.SectorConstruction, share: 12,
		names:      []string{"建筑工程有限公司", "建设有限公司", "装饰工程有限公司"},
		categories: []string{"房屋建筑", "建筑装饰"},
		keySites:   []string{"施工现场", "塔吊", "脚手架"},
		hazards: []hazardText{
			{"高处作业", "脚手架", "脚手架未设置防护栏杆", "设置防护栏杆和安全网"},
			{"起重机械", "塔吊", "塔吊限位装置失效", "修复限位装置并检测"},
			{"临时用电", "施工现场", "临时用电未做到一机一闸一漏", "规范临时用电"},
		}},
	{sector: domain.SectorChemicals, share: 5,
		names:      []string{"化工有限公司", "精细化工有限公司"},
		categories: []string{"化学原料制造", "精细化工"},
		keySites:   []string{"罐区", "反应车间", "危化品仓库"},
		hazards: []hazardText{
			{"危化品管理", "危化品仓库", "危化品混存", "按性质分区分类储存"},
			{"工艺安全", "反应车间", "自动化控制系统未投用", "投用自动化控制和联锁"},
		}},
	{sector: domain.SectorTransport, share: 10,
		names:      []string{"运输有限公司", "客运有限公司"},
		categories: []string{"道路货运", "道路客运"},
		keySites:   []string{"停车场", "维修车间"},
		hazards: []hazardText{
			{"车辆安全", "停车场", "车辆动态监控不在线", "恢复监控并落实值守"},
			{"驾驶员管理", "调度室", "驾驶员超时驾驶", "落实休息制度"},
		}},
	{sector: domain.SectorOther, share: 10,
		names:      []string{"服务有限公司", "科技有限公司", "农业开发有限公司"},
		categories: []string{"其他服务", "农业"},
		keySites:   []string{"办公楼", "仓库"},
		hazards:    nil},
}

// profileOf returns the profile of sector s.
func profileOf(s domain.Sector) *sectorProfile {
	for i := range profiles {
		if profiles[i].sector == s {
			return &profiles[i]
		}
	}
	return &profiles[len(profiles)-1]
}

// hazardTexts of a sector: its own findings and the common ones.
func (p *sectorProfile) hazardText(i int) hazardText {
	n := len(p.hazards)
	if i%(n+len(commonHazards)) < n {
		return p.hazards[i%(n+len(commonHazards))]
	}
	return commonHazards[(i%(n+len(commonHazards)))-n]
}

func (p *sectorProfile) hazardTextCount() int { return len(p.hazards) + len(commonHazards) }

// Notes written with each hazard step.
var (
	notesReport   = map[string]string{"INSPECTION": "检查发现，当场提出整改要求", "SELF_CHECK": "企业自查发现", "REPORT": "群众举报，核查属实"}
	noteStep      = map[string]string{"START_RECTIFICATION": "已安排整改", "SUBMIT": "整改完成，申请验收", "CLOSE": "复查合格，予以销号", "CLOSE_ON_SPOT": "当场整改完毕，现场核实", "REJECT": "复查不合格，退回重新整改", "SUBMIT_PLAN": "提交重大隐患整改方案", "APPROVE_PLAN": "方案审定，开始整改", "SUPERVISE": "逾期未完成整改，挂牌督办", "LIFT_SUPERVISION": "整改完成，解除督办"}
	revokeReasons = []string{"企业法定代表人变更，责任书重新签订", "责任目标调整，责任书重新签订"}
)

// sectorNames are the sectors as an office title names them.
var sectorNames = map[domain.Sector]string{
	domain.SectorIndustry: "工业", domain.SectorCommerce: "商贸", domain.SectorFuel: "成品油",
	domain.SectorConstruction: "建筑", domain.SectorChemicals: "化工", domain.SectorTransport: "交通运输",
	domain.SectorOther: "其他行业",
}
