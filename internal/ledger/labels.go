package ledger

import (
	"regexp"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// labelOverrides are the Chinese labels of the enum values whose schema
// description carries none (or carries a gloss that is not the label).
var labelOverrides = map[string]map[string]string{
	"HazardState":         {"REPORTED": "已上报", "PLAN_SUBMITTED": "方案待审批", "RECTIFYING": "整改中", "SUBMITTED": "待验收", "CLOSED": "已销号"},
	"LetterState":         {"DRAFT": "草稿", "ISSUED": "已下发", "PARTIALLY_SIGNED": "部分签订", "SIGNED": "已签订", "ARCHIVED": "已归档", "REVOKED": "已撤回"},
	"EmergencyPlanState":  {"DRAFT": "草稿", "EFFECTIVE": "现行有效", "SUPERSEDED": "已修订替代"},
	"EmergencyPlanStatus": {"CURRENT": "有效", "REVIEW_DUE_90": "90天内到期评审", "OVERDUE": "逾期未评审", "SUPERSEDED": "已替代", "DRAFT": "草稿"},
	"CertificateStatus":   {"VALID": "有效", "EXPIRING_90": "90天内到期", "EXPIRING_30": "30天内到期", "EXPIRED": "已过期"},
	"CheckFrequency":      {"DAILY": "每日", "WEEKLY": "每周", "MONTHLY": "每月", "QUARTERLY": "每季度"},
	"ReceiptStatus":       {"PENDING": "待签收", "OVERDUE": "逾期未签收", "RECEIVED": "已签收"},
	"InspectionStatus":    {"PLANNED": "已抽取待检查", "DONE": "已检查"},
	"RiskLevel":           {"MAJOR": "重大风险", "LARGE": "较大风险", "GENERAL": "一般风险", "LOW": "低风险"},
	"Assessment":          {"NOT_ASSESSED": "未考核"},
	"DrillForm":           {"FULL_SCALE": "实战演练"},
	"Sector":              {"OTHER": "其他"},
	"DutyKeyPeriod":       {"OTHER": "其他"},
	"NoticeKind":          {"OTHER": "其他"},
	"EmergencyPlanTopic":  {"OTHER": "其他"},
	"CertificateKind":     {"OTHER": "其他"},
	"MeetingKind":         {"OTHER": "其他"},
	"PublicityKind":       {"OTHER": "其他"},
	"TraineePostKind":     {"OTHER": "其他"},
}

// chineseGloss is the Chinese term in parentheses that the enum value
// descriptions carry, e.g. "GENERAL (一般隐患)"; text after a comma
// inside them ("重大风险, red") is an English gloss and dropped.
var chineseGloss = regexp.MustCompile(`[(（]([^()（）,，]*\p{Han}[^()（）,，]*)[,，)）]`)

// labels maps enum type → value → Chinese label, read once from the served
// schema's descriptions and the overrides.
var labels = buildLabels(schema)

func buildLabels(s *ast.Schema) map[string]map[string]string {
	out := map[string]map[string]string{}
	for name, def := range s.Types {
		if def.Kind != ast.Enum {
			continue
		}
		values := map[string]string{}
		for _, v := range def.EnumValues {
			if m := chineseGloss.FindStringSubmatch(v.Description); m != nil {
				values[v.Name] = strings.TrimSpace(m[1])
			}
		}
		for v, label := range labelOverrides[name] {
			values[v] = label
		}
		out[name] = values
	}
	return out
}

// label is the Chinese label of value of the GraphQL enum enumType; a value
// without one shows as itself.
func label[S ~string](enumType string, value S) string {
	if l, ok := labels[enumType][string(value)]; ok {
		return l
	}
	return string(value)
}

// labelOf is label for an optional value: "" when absent.
func labelOf[S ~string](enumType string, value *S) string {
	if value == nil {
		return ""
	}
	return label(enumType, *value)
}

// yesNo shows a flag the way a ledger does.
func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}
