package seed

import (
	"fmt"

	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/internal/domain"
)

// The demo data: 示范县 from the seed document (县2022年工业安全生产工作总结)
// and a small neighbouring county 邻县. Everything here is invented; the
// administrative-division codes in the credit codes (341199, 341198) are
// fictitious.

// Tenant codes.
const (
	TenantDemo     = "demo"
	TenantNeighbor = "neighbor"
)

// DemoPassword is the password of every demo user (README: "Demo users").
const DemoPassword = "dutychain-demo"

// Unit codes of 示范县 (tenant "demo") that tests and later seed steps refer to.
// Codes are unique per tenant; the root of every tenant is CodeCounty.
const (
	CodeCounty = "COUNTY"

	CodeTownChengguan = "TOWN-CG" // 城关镇
	CodeTownDongcheng = "TOWN-DC" // 东城街道
	CodeTownXihe      = "TOWN-XH" // 西河镇
	CodeTownNanshan   = "TOWN-NS" // 南山镇
	CodeTownBeiling   = "TOWN-BL" // 北岭乡
	CodeTownQiaotou   = "TOWN-QT" // 桥头镇

	CodeDeptIndustryCommerce = "DEPT-GXSW" // 县工信商务局: INDUSTRY, COMMERCE, FUEL
	CodeDeptEmergency        = "DEPT-YJGL" // 县应急管理局 (县安委办): no sectors

	CodeCement      = "ENT-CEMENT"     // 示范县恒固水泥有限公司 (南山镇)
	CodeCementKiln  = "WS-CEMENT-KILN" // its 回转窑车间
	CodePaper       = "ENT-PAPER"      // 示范县清源纸业有限公司 (西河镇)
	CodeFood        = "ENT-FOOD"
	CodeMech        = "ENT-MECH"
	CodeElec        = "ENT-ELEC"
	CodeAuto        = "ENT-AUTO"
	CodeBio         = "ENT-BIO"
	CodeLogistics   = "ENT-LOGISTICS"
	CodeSupermarket = "ENT-SUPERMARKET"
	CodeFruit       = "ENT-FRUIT"
	CodeHotel       = "ENT-HOTEL"  // 示范县南湖大酒店 (城关镇): slope and gas-contract hazards
	CodeMarket      = "ENT-MARKET" // 示范县西河农贸市场 (西河镇): aged wiring hazard
	CodeMall        = "ENT-MALL"

	CodePaperStation = "FUEL-01" // 示范县清源纸业有限公司加油站 (西河镇): vapour recovery hazard
	CodeCNPCStation  = "FUEL-02" // 中国石油示范县城关加油站 (城关镇)
)

// Unit codes of 邻县 (tenant "neighbor"); its root is CodeCounty too.
const (
	CodeNeighborTownHekou   = "TOWN-HK" // 河口镇
	CodeNeighborTownQingshi = "TOWN-QS" // 青石镇
	CodeNeighborDept        = "DEPT-GX" // 邻县工信局
	CodeNeighborBuilding    = "ENT-BUILD"
	CodeNeighborWorkshop    = "WS-BUILD-MIX"
	CodeNeighborStation     = "FUEL-01"
)

// FuelStations is the number of fuel stations of 示范县 (the seed's 35户加油站).
const FuelStations = 35

// TestVectorUsernames are the demo-tenant users of the jurisdiction test-vector
// table, in its order. neighbor.secretary lives in tenant "neighbor".
var TestVectorUsernames = []string{
	"county.secretary", "county.head", "county.deputy.industry",
	"bureau.chief", "bureau.fuel",
	"chengguan.secretary", "chengguan.head", "xihe.deputy",
	"cement.principal", "cement.kiln.head",
	"auditor.county", "auditor.chengguan", "admin",
}

// NeighborSecretary is the test-vector user of the second tenant.
const NeighborSecretary = "neighbor.secretary"

// ---------------------------------------------------------------------------
// Specification types. The seed is data; build.go turns it into rows.

type tenantSpec struct {
	code, name string
	// region is the 6-digit administrative division used in credit codes.
	region string
	root   govSpec
	towns  []govSpec
	depts  []deptSpec
	ents   []entSpec
	users  []userSpec
	// after are further steps run in the same transaction once units,
	// enterprises, supervisions, users and posts exist: later issues append
	// letters, inspections and hazards here.
	after []Step
}

type govSpec struct{ code, name string }

type deptSpec struct {
	code, name string
	sectors    []domain.Sector
}

type entSpec struct {
	code, name, town string
	sector           domain.Sector
	scale            enterprise.Scale
	category         string
	address          string
	legal, safety    string
	phone            string
	employees        int
	keySites         []string
	workshops        []workshopSpec
}

type workshopSpec struct {
	code, name string
	teams      []govSpec // code, name of each team
}

type userSpec struct {
	username, name, phone string
	posts                 []postSpec
}

type postSpec struct {
	unit    string
	role    domain.Role
	sectors []domain.Sector
	title   string
}

// ---------------------------------------------------------------------------
// Key sites named by the seed (重点场所、重点部位).

var (
	industrySites = []string{"特种设备使用区域", "机械加工区域", "生产作业区域", "安全通道"}
	commerceSites = []string{"消防控制室", "消防通道", "安全出口", "疏散通道"}
	fuelSites     = []string{"油罐区", "加油区", "配电室"}
)

func sites(base []string, extra ...string) []string {
	out := append([]string{}, base...)
	return append(out, extra...)
}

func ws(code, name string, teams ...string) workshopSpec {
	w := workshopSpec{code: code, name: name}
	for i, t := range teams {
		w.teams = append(w.teams, govSpec{code: fmt.Sprintf("TEAM-%s-%d", code[len("WS-"):], i+1), name: t})
	}
	return w
}

func industry(code, name, town, category, address, legal, safety, phone string, employees int, keySites []string, workshops ...workshopSpec) entSpec {
	return entSpec{code: code, name: name, town: town, sector: domain.SectorIndustry, scale: enterprise.ScaleABOVE_SCALE_INDUSTRY,
		category: category, address: address, legal: legal, safety: safety, phone: phone, employees: employees,
		keySites: keySites, workshops: workshops}
}

func commerce(code, name, town, category, address, legal, safety, phone string, employees int, keySites []string) entSpec {
	return entSpec{code: code, name: name, town: town, sector: domain.SectorCommerce, scale: enterprise.ScaleABOVE_QUOTA_COMMERCE,
		category: category, address: address, legal: legal, safety: safety, phone: phone, employees: employees, keySites: keySites}
}

// station is one fuel station of the roster below.
type station struct{ name, town, address string }

// demoStations are the 35 fuel stations: the paper mill's station and a
// 中国石油 station first (FUEL-01, FUEL-02), then by town.
var demoStations = []station{
	{"示范县清源纸业有限公司加油站", CodeTownXihe, "西河镇滨河路清源纸业厂区东侧"},
	{"中国石油示范县城关加油站", CodeTownChengguan, "城关镇解放路168号"},
	// 城关镇
	{"中国石化示范县环城东路加油站", CodeTownChengguan, "城关镇环城东路59号"},
	{"中国石油示范县城北加油站", CodeTownChengguan, "城关镇北环路12号"},
	{"中国石化示范县城南加油站", CodeTownChengguan, "城关镇南环路206号"},
	{"示范县中山路加油站有限公司", CodeTownChengguan, "城关镇中山路88号"},
	{"示范县汽车站加油站", CodeTownChengguan, "城关镇人民路汽车客运站东"},
	{"示范县城关工业园加油站", CodeTownChengguan, "城关镇工业园区纬一路3号"},
	{"示范县建设路加油站", CodeTownChengguan, "城关镇建设路301号"},
	{"示范县顺发加油站", CodeTownChengguan, "城关镇环城西路17号"},
	// 东城街道
	{"中国石化示范县东城加油站", CodeTownDongcheng, "东城街道东城大道66号"},
	{"中国石油示范县经开区加油站", CodeTownDongcheng, "东城街道经开区创业路9号"},
	{"示范县迎宾大道加油站", CodeTownDongcheng, "东城街道迎宾大道210号"},
	{"示范县兴业加油站", CodeTownDongcheng, "东城街道兴业路45号"},
	{"示范县东城汇通加油站", CodeTownDongcheng, "东城街道东城大道318号"},
	{"示范县东关加油站", CodeTownDongcheng, "东城街道东关社区"},
	// 西河镇
	{"中国石化示范县西河加油站", CodeTownXihe, "西河镇西河街101号"},
	{"中国石油示范县西河服务区加油站", CodeTownXihe, "西河镇G312国道西河服务区"},
	{"示范县滨河加油站", CodeTownXihe, "西河镇滨河路77号"},
	{"示范县沿河加油站", CodeTownXihe, "西河镇沿河村"},
	{"示范县河西加油站", CodeTownXihe, "西河镇河西工业集中区"},
	// 南山镇
	{"中国石化示范县南山加油站", CodeTownNanshan, "南山镇南山路26号"},
	{"中国石油示范县南山加油站", CodeTownNanshan, "南山镇南山路140号"},
	{"示范县矿山路加油站", CodeTownNanshan, "南山镇矿山路8号"},
	{"示范县石桥加油站", CodeTownNanshan, "南山镇石桥村"},
	{"示范县南山宏运加油站", CodeTownNanshan, "南山镇S207省道南山段"},
	// 北岭乡
	{"中国石化示范县北岭加油站", CodeTownBeiling, "北岭乡北岭街20号"},
	{"示范县岭南加油站", CodeTownBeiling, "北岭乡岭南村"},
	{"示范县北岭农机加油站", CodeTownBeiling, "北岭乡农机站旁"},
	{"示范县北岭兴旺加油站", CodeTownBeiling, "北岭乡S207省道北岭段"},
	// 桥头镇
	{"中国石油示范县桥头加油站", CodeTownQiaotou, "桥头镇桥头街58号"},
	{"中国石化示范县桥头工业园加油站", CodeTownQiaotou, "桥头镇桥头工业园经二路"},
	{"示范县桥头通达加油站", CodeTownQiaotou, "桥头镇S305省道桥头段"},
	{"示范县桥头物流园加油站", CodeTownQiaotou, "桥头镇物流园区"},
	{"示范县桥东加油站", CodeTownQiaotou, "桥头镇桥东村"},
}

// People for the fuel stations' legal representatives and safety managers.
var (
	surnames   = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕")
	givenNames = []string{"建国", "志强", "秀英", "海涛", "丽华", "明", "国庆", "晓东", "红梅", "立新", "桂兰", "永刚",
		"伟", "春燕", "德明", "玉珍", "文斌", "小军", "淑芬", "振华", "金龙", "亚军", "少华", "俊杰"}
)

// Person is the i-th name of the demo (and synthetic) people: a surname and
// a given name from small pools, deterministic in i.
func Person(i int) string {
	return string(surnames[(i*7+3)%len(surnames)]) + givenNames[(i*5+1)%len(givenNames)]
}

func fuelStations(stations []station, area string) []entSpec {
	out := make([]entSpec, 0, len(stations))
	for i, s := range stations {
		n := i + 1
		out = append(out, entSpec{
			code: fmt.Sprintf("FUEL-%02d", n), name: s.name, town: s.town,
			sector: domain.SectorFuel, scale: enterprise.ScaleBELOW_SCALE,
			category: "机动车燃油零售", address: s.address,
			legal: Person(2 * n), safety: Person(2*n + 1),
			phone:     fmt.Sprintf("%s-67%05d", area, 31000+n*37),
			employees: 6 + (n*5)%15,
			keySites:  sites(fuelSites),
		})
	}
	return out
}

// validFromYear is the year every demo post starts (see ValidFrom).
const validFromYear = 2022

func postAt(unit string, role domain.Role, title string, sectors ...domain.Sector) postSpec {
	return postSpec{unit: unit, role: role, title: title, sectors: sectors}
}

func userOf(username, name, phone string, posts ...postSpec) userSpec {
	return userSpec{username: username, name: name, phone: phone, posts: posts}
}

// demoSpec is 示范县.
func demoSpec() tenantSpec {
	I, C, F := domain.SectorIndustry, domain.SectorCommerce, domain.SectorFuel
	ents := []entSpec{
		// 规上工业企业 (**水泥、**纸业、**食品、**机电、**电器、**汽车、**生物)
		industry(CodeCement, "示范县恒固水泥有限公司", CodeTownNanshan, "水泥制造", "南山镇矿山路1号",
			"王建国", "刘志强", "0550-6710001", 420,
			sites(industrySites, "回转窑", "在建项目施工现场"),
			ws("WS-CEMENT-RAW", "原料车间", "破碎班", "配料班"),
			ws(CodeCementKiln, "回转窑车间", "烧成甲班", "烧成乙班"),
			ws("WS-CEMENT-MILL", "粉磨包装车间", "水泥磨班", "包装发运班")),
		industry(CodePaper, "示范县清源纸业有限公司", CodeTownXihe, "机制纸及纸板制造", "西河镇滨河路18号",
			"陈立群", "赵海涛", "0550-6720002", 380,
			sites(industrySites, "锅炉房", "原料堆场"),
			ws("WS-PAPER-PULP", "制浆车间", "蒸煮班", "洗筛班"),
			ws("WS-PAPER-MACHINE", "抄纸车间", "抄纸甲班", "抄纸乙班"),
			ws("WS-PAPER-POWER", "热电车间", "锅炉班")),
		industry(CodeFood, "示范县禾丰食品有限公司", CodeTownDongcheng, "速冻食品制造", "东城街道经开区创业路26号",
			"孙丽华", "周文斌", "0550-6730003", 210,
			sites(industrySites, "冷库", "液氨制冷机房"),
			ws("WS-FOOD-PROC", "加工车间", "配料班", "蒸煮班"),
			ws("WS-FOOD-PACK", "包装车间", "包装班")),
		industry(CodeMech, "示范县宏达机电设备有限公司", CodeTownChengguan, "电机制造", "城关镇工业园区纬一路21号",
			"黄国庆", "吴晓东", "0550-6740004", 160,
			sites(industrySites),
			ws("WS-MECH-MACHINING", "机加工车间", "车工班", "铣磨班"),
			ws("WS-MECH-ASSEMBLY", "装配车间", "装配班")),
		industry(CodeElec, "示范县佳美电器有限公司", CodeTownDongcheng, "家用电力器具制造", "东城街道兴业路88号",
			"林红梅", "何永刚", "0550-6750005", 260,
			sites(industrySites, "成品仓库"),
			ws("WS-ELEC-MOLD", "注塑车间", "注塑班"),
			ws("WS-ELEC-ASSEMBLY", "总装车间", "总装一班", "总装二班")),
		industry(CodeAuto, "示范县通远汽车部件有限公司", CodeTownQiaotou, "汽车零部件及配件制造", "桥头镇桥头工业园经一路6号",
			"郭振华", "马俊杰", "0550-6760006", 310,
			sites(industrySites, "涂装线", "在建项目施工现场"),
			ws("WS-AUTO-STAMP", "冲压车间", "冲压班"),
			ws("WS-AUTO-WELD", "焊装车间", "焊装班"),
			ws("WS-AUTO-PAINT", "涂装车间", "涂装班")),
		industry(CodeBio, "示范县康源生物科技有限公司", CodeTownBeiling, "生物药品制造", "北岭乡岭南村工业点2号",
			"罗德明", "梁春燕", "0550-6770007", 140,
			sites(industrySites, "危险化学品仓库"),
			ws("WS-BIO-FERMENT", "发酵车间", "发酵班"),
			ws("WS-BIO-EXTRACT", "提取车间", "提取班", "精制班")),

		// 限上商贸企业 (**物流、**超市、**果业、**酒店, the market, a 商贸城)
		commerce(CodeLogistics, "示范县顺达物流有限公司", CodeTownDongcheng, "普通货物仓储", "东城街道迎宾大道158号",
			"宋金龙", "郑亚军", "0550-6780008", 85, sites(commerceSites, "仓库", "装卸作业区")),
		commerce(CodeSupermarket, "示范县万家福超市有限公司", CodeTownChengguan, "超级市场零售", "城关镇人民路120号",
			"谢淑芬", "韩小军", "0550-6790009", 120, sites(commerceSites)),
		commerce(CodeFruit, "示范县西河果业有限公司", CodeTownXihe, "果品、蔬菜批发", "西河镇西河街66号",
			"唐玉珍", "冯少华", "0550-6800010", 45, sites(commerceSites, "冷藏库")),
		commerce(CodeHotel, "示范县南湖大酒店有限公司", CodeTownChengguan, "旅游饭店", "城关镇中山路9号",
			"董桂兰", "曹伟", "0550-6810011", 95, sites(commerceSites, "厨房燃气管道", "南侧护坡")),
		commerce(CodeMarket, "示范县西河农贸市场管理有限公司", CodeTownXihe, "市场管理服务", "西河镇西河街28号",
			"袁明", "邓振华", "0550-6820012", 30, sites(commerceSites, "配电线路")),
		commerce(CodeMall, "示范县东城商贸城有限公司", CodeTownDongcheng, "百货零售", "东城街道东城大道200号",
			"许立新", "傅国庆", "0550-6830013", 150, sites(commerceSites, "地下车库")),
	}
	ents = append(ents, fuelStations(demoStations, "0550")...)

	at := func(unit string) func(role domain.Role, title string, sectors ...domain.Sector) postSpec {
		return func(role domain.Role, title string, sectors ...domain.Sector) postSpec {
			return postAt(unit, role, title, sectors...)
		}
	}
	county, bureau, emergency := at(CodeCounty), at(CodeDeptIndustryCommerce), at(CodeDeptEmergency)
	cg, dc, xh, ns, bl, qt := at(CodeTownChengguan), at(CodeTownDongcheng), at(CodeTownXihe), at(CodeTownNanshan), at(CodeTownBeiling), at(CodeTownQiaotou)

	return tenantSpec{
		code: TenantDemo, name: "示范县", region: "341199",
		after: []Step{seedChecklists, seedDemoHazards},
		root:  govSpec{CodeCounty, "示范县"},
		towns: []govSpec{
			{CodeTownChengguan, "城关镇"}, {CodeTownDongcheng, "东城街道"}, {CodeTownXihe, "西河镇"},
			{CodeTownNanshan, "南山镇"}, {CodeTownBeiling, "北岭乡"}, {CodeTownQiaotou, "桥头镇"},
		},
		depts: []deptSpec{
			{CodeDeptIndustryCommerce, "县工信商务局", []domain.Sector{I, C, F}},
			{CodeDeptEmergency, "县应急管理局", nil}, // 县安委办: comprehensive, not sector supervision
		},
		ents: ents,
		users: []userSpec{
			// the domain guide's test vectors.
			userOf("county.secretary", "周正华", "13805500001", county(domain.RolePartySecretary, "县委书记")),
			userOf("county.head", "陈立新", "13805500002", county(domain.RoleGovernmentHead, "县长")),
			userOf("county.deputy.industry", "李卫东", "13805500003", county(domain.RoleDeputy, "副县长（分管工业）", I)),
			userOf("bureau.chief", "张明远", "13805500004", bureau(domain.RoleGovernmentHead, "县工信商务局局长")),
			userOf("bureau.fuel", "刘海波", "13805500005", bureau(domain.RoleDeputy, "县工信商务局副局长（分管成品油）", F)),
			userOf("chengguan.secretary", "杨文静", "13805500006", cg(domain.RolePartySecretary, "城关镇党委书记")),
			userOf("chengguan.head", "赵国强", "13805500007", cg(domain.RoleGovernmentHead, "城关镇镇长")),
			userOf("xihe.deputy", "黄晓燕", "13805500008", xh(domain.RoleDeputy, "西河镇副镇长（分管商贸）", C)),
			userOf("cement.principal", "王建国", "13805500009", postAt(CodeCement, domain.RolePrincipal, "总经理（主要负责人）")),
			userOf("cement.kiln.head", "孙志刚", "13805500010", postAt(CodeCementKiln, domain.RolePrincipal, "回转窑车间主任")),
			userOf("auditor.county", "吴静", "13805500011", county(domain.RoleAuditor, "县审计局审计监督员")),
			userOf("auditor.chengguan", "徐丽", "13805500012", cg(domain.RoleAuditor, "城关镇纪委监督员")),
			userOf("admin", "系统管理员", "13805500013", county(domain.RoleAdmin, "县安委办系统管理员")),
			// More of the county, so letters and inspections have their people.
			userOf("bureau.secretary", "马振东", "13805500014", bureau(domain.RolePartySecretary, "县工信商务局党组书记")),
			userOf("bureau.inspector1", "高峰", "13805500015", bureau(domain.RoleInspector, "县工信商务局安全生产监管员")),
			userOf("bureau.inspector2", "朱敏", "13805500016", bureau(domain.RoleInspector, "县工信商务局安全生产监管员")),
			userOf("emergency.chief", "何建军", "13805500017", emergency(domain.RoleGovernmentHead, "县应急管理局局长（县安委办主任）")),
			userOf("chengguan.admin", "城关镇管理员", "13805500018", cg(domain.RoleAdmin, "城关镇系统管理员")),
			userOf("paper.safety", "赵海涛", "13805500019", postAt(CodePaper, domain.RoleSafetyOfficer, "专职安全员")),
			userOf("dongcheng.secretary", "郭红", "13805500020", dc(domain.RolePartySecretary, "东城街道党工委书记")),
			userOf("dongcheng.head", "林涛", "13805500021", dc(domain.RoleGovernmentHead, "东城街道办事处主任")),
			userOf("xihe.secretary", "罗春生", "13805500022", xh(domain.RolePartySecretary, "西河镇党委书记")),
			userOf("xihe.head", "梁永福", "13805500023", xh(domain.RoleGovernmentHead, "西河镇镇长")),
			userOf("nanshan.secretary", "宋建平", "13805500024", ns(domain.RolePartySecretary, "南山镇党委书记")),
			userOf("nanshan.head", "郑小兵", "13805500025", ns(domain.RoleGovernmentHead, "南山镇镇长")),
			userOf("beiling.secretary", "谢德华", "13805500026", bl(domain.RolePartySecretary, "北岭乡党委书记")),
			userOf("beiling.head", "韩玉梅", "13805500027", bl(domain.RoleGovernmentHead, "北岭乡乡长")),
			userOf("qiaotou.secretary", "唐志远", "13805500028", qt(domain.RolePartySecretary, "桥头镇党委书记")),
			userOf("qiaotou.head", "冯立军", "13805500029", qt(domain.RoleGovernmentHead, "桥头镇镇长")),
		},
	}
}

// neighborSpec is 邻县, the second tenant: a little data of its own.
func neighborSpec() tenantSpec {
	I, C, F := domain.SectorIndustry, domain.SectorCommerce, domain.SectorFuel
	return tenantSpec{
		code: TenantNeighbor, name: "邻县", region: "341198",
		after: []Step{seedChecklists, seedNeighborHazards},
		root:  govSpec{CodeCounty, "邻县"},
		towns: []govSpec{{CodeNeighborTownHekou, "河口镇"}, {CodeNeighborTownQingshi, "青石镇"}},
		depts: []deptSpec{{CodeNeighborDept, "邻县工信局", []domain.Sector{I, C, F}}},
		ents: []entSpec{
			industry(CodeNeighborBuilding, "邻县青石建材有限公司", CodeNeighborTownQingshi, "水泥制品制造", "青石镇建材路6号",
				"钱广发", "蒋立华", "0551-6610001", 120, sites(industrySites),
				ws(CodeNeighborWorkshop, "搅拌车间", "搅拌班")),
			industry("ENT-GRAIN", "邻县河口粮油有限公司", CodeNeighborTownHekou, "食用植物油加工", "河口镇粮站路3号",
				"沈玉山", "韦建新", "0551-6620002", 75, sites(industrySites, "原料筒仓")),
			commerce("ENT-SUPERMARKET", "邻县惠民超市有限公司", CodeNeighborTownHekou, "超级市场零售", "河口镇河口街52号",
				"蔡小梅", "潘国华", "0551-6630003", 60, sites(commerceSites)),
			fuelStations([]station{{"中国石化邻县河口加油站", CodeNeighborTownHekou, "河口镇S101省道河口段"}}, "0551")[0],
		},
		users: []userSpec{
			userOf(NeighborSecretary, "钱文涛", "13905510001", postAt(CodeCounty, domain.RolePartySecretary, "邻县县委书记")),
			userOf("neighbor.head", "孔德胜", "13905510002", postAt(CodeCounty, domain.RoleGovernmentHead, "邻县县长")),
			userOf("neighbor.admin", "邻县管理员", "13905510003", postAt(CodeCounty, domain.RoleAdmin, "邻县系统管理员")),
		},
	}
}

// specs are the demo tenants in creation order, each with its later steps.
func specs() []tenantSpec {
	out := coreSpecs()
	for i := range out {
		out[i].after = append(out[i].after, noticesStep(out[i]), organisationStep(out[i]), educationStep(out[i]), staffingStep(out[i]),
			emergencyStep(out[i]), readinessStep(out[i]), preventionStep(out[i]), enforcementStep(out[i]), assignmentStep(out[i]), notificationsStep(out[i]))
	}
	return out
}

// coreSpecs are the demo tenants with the records of the first schema
// versions only (structure, checklists, hazards, letters): what DemoCore
// seeds into a database migrated to an old version.
func coreSpecs() []tenantSpec {
	out := []tenantSpec{demoSpec(), neighborSpec()}
	for i := range out {
		out[i].after = append(out[i].after, lettersStep(out[i]))
	}
	return out
}
