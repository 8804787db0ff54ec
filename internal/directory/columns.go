// Package directory moves a tenant's directory — enterprises, users and
// their posts — in and out of Excel: a template to fill, an export of the
// directory the caller reads in the same layout, and an import that checks
// every row against the same services as the GraphQL mutations, reports
// every bad row and column at once, and writes all or nothing.
package directory

import (
	"strings"

	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/internal/domain"
)

// Sheet names of the workbook, in order.
const (
	SheetEnterprises = "企业"
	SheetUsers       = "用户"
	SheetPosts       = "岗位"
)

// column is one column of a sheet: its Chinese header, the input field of
// the service it feeds (errors on that field point at the column), whether
// a row must fill it, and its width in the workbook.
type column struct {
	Header   string
	Field    string
	Required bool
	Width    float64
}

var sheets = []struct {
	Name    string
	Columns []column
}{
	{SheetEnterprises, []column{
		{"名称", "name", true, 32}, {"编码", "code", true, 16}, {"所属镇街编码", "townID", true, 14},
		{"统一社会信用代码", "creditCode", true, 22}, {"行业", "sector", true, 10}, {"规模", "scale", false, 12},
		{"行业类别", "industryCategory", false, 14}, {"地址", "address", false, 32}, {"法定代表人", "legalRepresentative", false, 12},
		{"安全负责人", "safetyManager", false, 12}, {"联系电话", "contactPhone", false, 14}, {"从业人数", "employeeCount", false, 10},
	}},
	{SheetUsers, []column{
		{"用户名", "username", true, 18}, {"姓名", "displayName", true, 12}, {"手机", "phone", false, 14},
		{"所属单位编码", "unitID", true, 14}, {"初始密码", "password", false, 18},
	}},
	{SheetPosts, []column{
		{"用户名", "userID", true, 18}, {"单位编码", "unitID", true, 14}, {"角色", "role", true, 14},
		{"职务", "title", false, 28}, {"分管行业", "sectors", false, 18}, {"起始日期", "validFrom", false, 12},
		{"终止日期", "validTo", false, 12},
	}},
}

// columnOf is the header of the column fed by field on sheet ("" if none).
func columnOf(sheet, field string) string {
	for _, s := range sheets {
		if s.Name != sheet {
			continue
		}
		for _, c := range s.Columns {
			if c.Field == field {
				return c.Header
			}
		}
	}
	return ""
}

// Labels of the enums, as an office writes them; the codes are accepted too.
var (
	sectorLabels = map[domain.Sector]string{
		domain.SectorIndustry: "工业", domain.SectorCommerce: "商贸", domain.SectorFuel: "成品油",
		domain.SectorConstruction: "建筑", domain.SectorChemicals: "危险化学品", domain.SectorTransport: "交通运输",
		domain.SectorOther: "其他",
	}
	scaleLabels = map[enterprise.Scale]string{
		enterprise.ScaleABOVE_SCALE_INDUSTRY: "规上工业", enterprise.ScaleABOVE_QUOTA_COMMERCE: "限上商贸",
		enterprise.ScaleBELOW_SCALE: "规下", enterprise.ScaleSMALL_MICRO: "小微",
	}
	roleLabels = map[domain.Role]string{
		domain.RolePartySecretary: "党委书记", domain.RoleGovernmentHead: "行政主要负责人", domain.RolePrincipal: "主要负责人",
		domain.RoleDeputy: "分管负责人", domain.RoleSafetyOfficer: "安全管理人员", domain.RoleInspector: "检查员",
		domain.RoleAuditor: "监督员", domain.RoleAdmin: "系统管理员",
	}
)

// parseEnum reads a label or a code of labels' enum; ok false when neither.
func parseEnum[T ~string](labels map[T]string, s string) (T, bool) {
	s = strings.TrimSpace(s)
	for code, label := range labels {
		if s == label || strings.EqualFold(s, string(code)) {
			return code, true
		}
	}
	var zero T
	return zero, false
}

// labelsOf lists the labels of an enum for an error message.
func labelsOf[T ~string](labels map[T]string) string {
	out := make([]string, 0, len(labels))
	for _, l := range labels {
		out = append(out, l)
	}
	sortStrings(out)
	return strings.Join(out, "、")
}
