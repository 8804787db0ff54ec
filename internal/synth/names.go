package synth

import (
	"fmt"
	"strings"

	"github.com/dutychain/dutychain/internal/domain"
)

// Password is the password of every synthetic user.
const Password = "dutychain-synth"

// Level names a level of the synthetic tree, for Username and UnitCode.
type Level string

// Levels of the synthetic tree.
const (
	LevelCity       Level = "city"
	LevelCounty     Level = "county"
	LevelDepartment Level = "department"
	LevelTown       Level = "town"
	LevelEnterprise Level = "enterprise"
)

// Role suffixes of synthetic usernames. A county deputy's suffix is
// "deputy.<sector in lower case>" (DeputyRole).
const (
	RoleHead      = "head"      // GOVERNMENT_HEAD (county, department, town, city)
	RoleSecretary = "secretary" // PARTY_SECRETARY (county, town, city)
	RoleDeputy    = "deputy"    // DEPUTY without sectors (town)
	RoleInspector = "inspector" // INSPECTOR (department, town)
	RolePrincipal = "principal" // PRINCIPAL (enterprise)
	RoleSafety    = "safety"    // SAFETY_OFFICER (enterprise)
)

// DeputyRole is the username suffix of the county deputy for sector s
// (DEPUTY @ county with sectors [s]): "deputy.industry".
func DeputyRole(s domain.Sector) string { return "deputy." + strings.ToLower(string(s)) }

// UnitCode is the code of a government unit or enterprise; county and index
// are 1-based and numbered per county:
//
//	city                      "city" (only when counties > 1)
//	county c                  "c01"
//	department d of county c  "c01.d01"
//	town t of county c        "c01.t001"
//	enterprise e of county c  "c01.e00001" (enterprises are numbered town by town:
//	                          e00001 is in t001)
func UnitCode(county int, level Level, index int) string {
	switch level {
	case LevelCity:
		return "city"
	case LevelCounty:
		return fmt.Sprintf("c%02d", county)
	case LevelDepartment:
		return fmt.Sprintf("c%02d.d%02d", county, index)
	case LevelTown:
		return fmt.Sprintf("c%02d.t%03d", county, index)
	case LevelEnterprise:
		return fmt.Sprintf("c%02d.e%05d", county, index)
	}
	return ""
}

// WorkshopCode is the code of workshop w (1-based) of enterprise e of county
// c: "c01.e00001.w1".
func WorkshopCode(c, e, w int) string {
	return fmt.Sprintf("%s.w%d", UnitCode(c, LevelEnterprise, e), w)
}

// TeamCode is the code of team t of workshop w of enterprise e: "c01.e00001.w1.t1".
func TeamCode(c, e, w, t int) string { return fmt.Sprintf("%s.t%d", WorkshopCode(c, e, w), t) }

// Username is the username of the synthetic user holding role (RoleHead,
// …, or DeputyRole(sector)) at the unit UnitCode(county, level, index):
// "c01.t001.head", "c01.deputy.industry", "c01.e00001.principal", "city.head".
// The county itself has no index ("c01.head").
func Username(county int, level Level, index int, role string) string {
	return UnitCode(county, level, index) + "." + role
}

// The users of each level, in the order they are created (see docs/PERFORMANCE.md).
var (
	cityRoles       = []string{RoleHead, RoleSecretary}
	departmentRoles = []string{RoleHead, RoleInspector}
	townRoles       = []string{RoleHead, RoleSecretary, RoleDeputy, RoleInspector}
	enterpriseRoles = []string{RolePrincipal, RoleSafety}
)

// roleOf maps a username suffix to the post's role.
func roleOf(suffix string) domain.Role {
	switch {
	case suffix == RoleHead:
		return domain.RoleGovernmentHead
	case suffix == RoleSecretary:
		return domain.RolePartySecretary
	case suffix == RoleInspector:
		return domain.RoleInspector
	case suffix == RolePrincipal:
		return domain.RolePrincipal
	case suffix == RoleSafety:
		return domain.RoleSafetyOfficer
	}
	return domain.RoleDeputy
}

// Place names of the synthetic county and its towns; the numbers keep the
// names distinct past the end of the lists.
var (
	countyNames = []string{"青山县", "白河县", "石桥县", "清水县", "长岭县", "平川县", "松原县", "金沙县", "云台县", "龙溪县"}
	townNames   = []string{"城关镇", "东城街道", "西城街道", "南关镇", "北山镇", "河口镇", "新安镇", "桥头镇", "杨柳镇", "石门镇",
		"柳林镇", "古城镇", "黄花镇", "双河镇", "大坪乡", "马场乡", "龙泉镇", "白沙镇", "高桥镇", "三里镇"}
	// shopNames name the workshops of an enterprise, in order.
	shopNames = []string{"一车间", "二车间", "三车间", "四车间", "五车间", "六车间", "七车间", "八车间", "九车间"}
	// placePrefixes start enterprise names.
	placePrefixes = []string{"华", "宏", "鑫", "恒", "盛", "瑞", "祥", "兴", "泰", "嘉", "德", "润", "安", "达", "正", "广", "丰", "隆", "昌", "源"}
)

func numbered(names []string, i int, suffix string) string {
	n := names[i%len(names)]
	if i >= len(names) {
		n = fmt.Sprintf("%s%d%s", strings.TrimSuffix(n, suffix), i/len(names)+1, suffix)
	}
	return n
}

func countyName(c int) string { return numbered(countyNames, c-1, "县") }

func townName(t int) string { return numbered(townNames, t, "") }

func shopName(w int) string {
	if w < len(shopNames) {
		return shopNames[w]
	}
	return fmt.Sprintf("%d号车间", w+1)
}

func teamName(w, t int) string { return fmt.Sprintf("%s%d班组", shopName(w), t+1) }
