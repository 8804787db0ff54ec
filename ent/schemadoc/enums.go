package schemadoc

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// enumDoc is the description of a GraphQL enum generated from an ent enum
// field, and of each of its values.
type enumDoc struct {
	text   string
	values map[string]string
}

// describeEnum describes an enum and its values from enumDocs; an enum
// value without a text stops generation, so a new value is documented
// when it is added.
func describeEnum(def *ast.Definition) error {
	doc, ok := enumDocs[def.Name]
	if !ok {
		for _, v := range def.EnumValues {
			if strings.TrimSpace(v.Description) == "" {
				return fmt.Errorf("schemadoc: enum %s has no entry in enumDocs (ent/schemadoc/enums.go)", def.Name)
			}
		}
		return nil
	}
	// entgql's own text ("X is enum for the field y") says nothing.
	if doc.text != "" {
		def.Description = doc.text
	}
	for _, v := range def.EnumValues {
		text, ok := doc.values[v.Name]
		if !ok && strings.TrimSpace(v.Description) == "" {
			return fmt.Errorf("schemadoc: enum value %s.%s has no entry in enumDocs (ent/schemadoc/enums.go)", def.Name, v.Name)
		}
		setIfEmpty(&v.Description, text)
	}
	return nil
}

var enumDocs = map[string]enumDoc{
	"AuditEventOperation": {"What an audit event records.", map[string]string{
		"CREATE":          "A record was created.",
		"UPDATE":          "A record was changed.",
		"DELETE":          "A record was deleted.",
		"LOGIN":           "A successful sign-in.",
		"LOGIN_FAILED":    "A refused sign-in; the changes hold the reason.",
		"REFRESH":         "A refresh token was rotated.",
		"REFRESH_REUSE":   "A rotated refresh token was presented again; its family was revoked.",
		"LOGOUT":          "Sessions were revoked.",
		"PASSWORD_CHANGE": "A user changed their password (the hash is redacted).",
		"POLICY_CHANGE":   "A rule of the tenant's authorization policy was added or removed.",
	}},
	"CampaignStageName": {"The four stages of a rectification campaign (专项整治).", map[string]string{
		"DEPLOYMENT":    "Planning and deployment (安排部署).",
		"INSPECTION":    "Special inspections (专项检查).",
		"RECTIFICATION": "Concentrated rectification (集中整治).",
		"SUMMARY":       "Summary and improvement (总结提升).",
	}},
	"EnterpriseScale": {"Size class of an enterprise.", map[string]string{
		"ABOVE_SCALE_INDUSTRY": "Industrial enterprise above designated size (规上工业企业).",
		"ABOVE_QUOTA_COMMERCE": "Commercial enterprise above the quota (限上商贸企业).",
		"BELOW_SCALE":          "Enterprise below designated size (规下企业).",
		"SMALL_MICRO":          "Small or micro enterprise (小微企业).",
	}},
	"GroupRole": {"A member's seat in a leadership group (领导小组).", map[string]string{
		"LEADER":        "Leader (组长): a head of the group's unit.",
		"DEPUTY_LEADER": "Deputy leader (副组长): a head or deputy of the group's unit.",
		"MEMBER":        "Member (成员), usually a department's head.",
		"OFFICE":        "The group's office (办公室), which runs its daily work.",
	}},
	"TraineePostKind": {"The kind of post a trainee holds at their enterprise.", map[string]string{
		"PRINCIPAL":             "Principal (主要负责人).",
		"SAFETY_MANAGER":        "Safety manager (安全管理人员).",
		"SPECIAL_OPERATOR":      "Special operations worker (特种作业人员).",
		"FIRE_CONTROL_OPERATOR": "Fire-control-room operator (消防控制室操作人员).",
		"SECURITY":              "Security guard (保安).",
		"EMPLOYEE":              "Any other employee (从业人员).",
		"OTHER":                 "Anyone else trained with the enterprise's staff.",
	}},
	"Assessment": {"A trainee's result in the assessment (考核) that closed a training.", map[string]string{
		"PASSED":       "Passed the assessment (合格).",
		"FAILED":       "Failed the assessment (不合格).",
		"NOT_ASSESSED": "The training had no assessment.",
	}},
	"PublicityKind": {"What kind of publicity activity (宣传).", map[string]string{
		"ENTERPRISE_VISIT": "Publicity in enterprises (入企宣传).",
		"SAFETY_MONTH":     "An activity of the work-safety month (安全生产月).",
		"CONSULTATION_DAY": "A consultation day (安全生产咨询日).",
		"LECTURE":          "A lecture or exhibition (宣讲、展览).",
		"OTHER":            "Any other publicity.",
	}},
	"ImportJobState": {"Where an import job is.", map[string]string{
		"QUEUED":    "Started; waiting to run.",
		"RUNNING":   "Running: rowsDone of rowsTotal rows tried so far.",
		"SUCCEEDED": "Ended without a problem: the rows were written, or on a dry run they would be.",
		"FAILED":    "Ended with problems (every one is listed); nothing was written.",
	}},
	"NotificationKind": {"What a notification is about.", map[string]string{
		"LETTER_TO_SIGN":           "A responsibility letter issued to the unit is still unsigned.",
		"HAZARD_OVERDUE":           "A hazard is past its rectification deadline.",
		"ASSIGNMENT_FOLLOW_UP_DUE": "An assigned hazard is past its follow-up date (督查) and still open.",
		"CERTIFICATE_EXPIRING":     "A certificate of the unit's staff expires soon or has expired.",
		"NOTICE_NOT_RECEIVED":      "A notice is past its receipt date and the unit has not signed for it (签收).",
	}},
	"CertificateKind": {"What a certificate (持证) qualifies its holder for.", map[string]string{
		"PRINCIPAL":              "The principal's safety qualification (主要负责人安全生产知识和管理能力考核合格证).",
		"SAFETY_MANAGER":         "The safety manager's qualification (安全生产管理人员考核合格证).",
		"SPECIAL_OPERATION":      "A special-operation certificate (特种作业操作证), e.g. electrician, welder.",
		"FIRE_FACILITY_OPERATOR": "A fire-facility operator's certificate (消防设施操作员), e.g. for a fire-control room.",
		"SPECIAL_EQUIPMENT":      "A special-equipment operator's certificate (特种设备作业人员证), e.g. boilers, lifts, forklifts.",
		"OTHER":                  "Any other certificate.",
	}},
	"DutyKeyPeriod": {"The key period (重点时段) a duty roster covers.", map[string]string{
		"NEW_YEAR":         "New Year's Day (元旦).",
		"SPRING_FESTIVAL":  "The Spring Festival (春节).",
		"TWO_SESSIONS":     "The Two Sessions (全国两会).",
		"MAY_DAY":          "The May Day holiday (五一).",
		"NATIONAL_DAY":     "The National Day holiday (国庆).",
		"FLOOD_SEASON":     "The flood season (汛期).",
		"HIGH_TEMPERATURE": "A high-temperature period (高温).",
		"WINTER_STORM":     "A winter storm (雨雪冰冻).",
		"OTHER":            "Any other period requiring duty cover.",
	}},
	"RescueTeamKind": {"Whether a rescue team is full-time or part-time.", map[string]string{
		"FULL_TIME": "A full-time team (专职救援队伍).",
		"PART_TIME": "A part-time team (兼职救援队伍).",
	}},
	"MeetingKind": {"What kind of meeting.", map[string]string{
		"SAFETY_COMMITTEE": "A meeting of the work-safety committee (安委会会议).",
		"SPECIAL":          "A special meeting on work safety (专题会议).",
		"DISPATCH":         "A dispatch meeting (调度会).",
		"GROUP":            "A meeting of a leadership group (领导小组会议).",
		"OTHER":            "Any other meeting with work safety on its agenda.",
	}},
	"EmergencyPlanKind": {"The kind of an emergency plan (应急预案).", map[string]string{
		"COMPREHENSIVE": "The unit's comprehensive plan (综合应急预案).",
		"SPECIAL":       "A special plan for one kind of emergency (专项应急预案), with its topic.",
		"ON_SITE":       "An on-site disposal plan for one post or installation (现场处置方案).",
	}},
	"EmergencyPlanTopic": {"The emergency a special plan is for.", map[string]string{
		"FLOOD":               "Flood prevention (防汛).",
		"FIRE":                "Fire (火灾).",
		"GAS":                 "Gas (燃气).",
		"HAZARDOUS_CHEMICALS": "Hazardous chemicals (危化品).",
		"OTHER":               "Any other emergency.",
	}},
	"EmergencyPlanState": {"Where an emergency plan stands.", map[string]string{
		"DRAFT":      "Being written; not approved yet.",
		"EFFECTIVE":  "Approved and in force: the current version of its series.",
		"SUPERSEDED": "Replaced by a newer version of its series.",
	}},
	"DrillForm": {"How a drill was held.", map[string]string{
		"TABLETOP":   "At a table (桌面演练).",
		"FUNCTIONAL": "A functional drill of some functions (功能演练).",
		"FULL_SCALE": "A full-scale drill in the field (全面演练 / 实战演练).",
	}},
	"RiskPointKind": {"What a risk point is.", map[string]string{
		"LOCATION": "A key location (重点部位), e.g. 油罐区, 加油区, 配电室.",
		"PROCESS":  "A key process (重点环节), e.g. 卸油, 加油, 检修, 施工.",
	}},
	"RiskLevel": {"The grade of a risk point from its score L × S (风险分级).", map[string]string{
		"MAJOR":   "Major risk (重大风险, red): score 20 to 25.",
		"LARGE":   "Large risk (较大风险, orange): score 15 to 19.",
		"GENERAL": "General risk (一般风险, yellow): score 9 to 14.",
		"LOW":     "Low risk (低风险, blue): score 1 to 8.",
	}},
	"EnforcementKind": {"What an enforcement action (执法) is.", map[string]string{
		"RECTIFICATION_ORDER":    "An order to rectify within a deadline (责令限期整改).",
		"ADMINISTRATIVE_PENALTY": "An administrative penalty (行政处罚): an amount and its legal basis.",
		"SEIZURE":                "A seizure or sealing of equipment, goods or premises (查封扣押).",
	}},
	"EnforcementState": {"Where an enforcement action stands.", map[string]string{
		"ISSUED":   "Issued to the target; compliance not yet found.",
		"COMPLIED": "The issuing department found the target complied.",
		"OVERDUE":  "The issuing department found the deadline passed without compliance.",
		"CLOSED":   "Closed by the issuing department after compliance or overdue.",
	}},
	"CheckFrequency": {"How often a control measure is checked.", map[string]string{
		"DAILY":     "Every day.",
		"WEEKLY":    "Every week.",
		"MONTHLY":   "Every month.",
		"QUARTERLY": "Every quarter.",
	}},
	"NoticeKind": {"What a notice's document is.", map[string]string{
		"WORK_PLAN": "A year's work plan or key points (工作要点).",
		"NOTICE":    "A notice (通知).",
		"PLAN":      "An implementation plan (实施方案).",
		"SUMMARY":   "A summary or report (总结).",
		"OTHER":     "Any other document.",
	}},
	"HazardEventAction": {"A step of a hazard's history.", map[string]string{
		"REPORT":              "The hazard was reported (created).",
		"SUBMIT_PLAN":         "The enterprise submitted the rectification plan of a major hazard (五到位).",
		"APPROVE_PLAN":        "The government side approved the plan; rectification starts.",
		"START_RECTIFICATION": "The enterprise started rectifying a general hazard.",
		"SUBMIT":              "The enterprise submitted the rectification for verification.",
		"REJECT":              "The verifier rejected the rectification; it goes back to rectifying.",
		"CLOSE":               "The verifier accepted the rectification and closed the hazard (销号).",
		"CLOSE_ON_SPOT":       "The hazard was fixed on the spot and closed; the note is the evidence.",
		"REQUEST_EXTENSION":   "The enterprise asked for a later deadline.",
		"APPROVE_EXTENSION":   "The extension was granted; the deadline moved.",
		"REJECT_EXTENSION":    "The extension was refused.",
		"SUPERVISE":           "The hazard was put under supervision (督办).",
		"LIFT_SUPERVISION":    "The supervision was lifted.",
		"ASSIGN":              "The hazard was assigned (交办) to its responsible unit with a follow-up date.",
	}},
	"FollowUpOutcome": {"What a follow-up inspection (事后督查) found of a hazard it re-checked.", map[string]string{
		"RECTIFIED":     "Rectified: a SUBMITTED hazard is closed, a REPORTED GENERAL one closed on the spot.",
		"PARTLY":        "Partly rectified: the hazard stays where it is.",
		"NOT_RECTIFIED": "Not rectified: a SUBMITTED hazard goes back to rectifying.",
	}},
	"HazardLevel": {"Grade of a hidden hazard.", map[string]string{
		"GENERAL": "General hazard (一般隐患), rectified by the enterprise.",
		"MAJOR":   "Major hazard (重大隐患), rectified under a plan the government side approves.",
	}},
	"HazardSource": {"How a hazard was found.", map[string]string{
		"INSPECTION": "Found by an inspection (检查).",
		"SELF_CHECK": "Found by the enterprise's own self-check (自查).",
		"REPORT":     "Reported by someone, e.g. a tip-off (举报).",
	}},
	"HazardState": {"Where a hazard stands in its rectification (整改).", map[string]string{
		"REPORTED":       "Reported, rectification not started.",
		"PLAN_SUBMITTED": "A major hazard's plan awaits approval.",
		"RECTIFYING":     "Being rectified.",
		"SUBMITTED":      "Rectification submitted, awaiting verification.",
		"CLOSED":         "Verified and closed (销号).",
	}},
	"InspectionKeyPeriod": {"Key period (重点时段) of a KEY_PERIOD inspection.", map[string]string{
		"NEW_YEAR":         "New Year's Day (元旦).",
		"SPRING_FESTIVAL":  "Spring Festival (春节).",
		"TWO_SESSIONS":     "The national and local People's Congress and CPPCC sessions (两会).",
		"MAY_DAY":          "Labour Day holiday (五一).",
		"NATIONAL_DAY":     "National Day holiday (国庆).",
		"FLOOD_SEASON":     "Flood season (汛期).",
		"HIGH_TEMPERATURE": "High-temperature season (高温).",
		"WINTER_STORM":     "Winter storms, snow and freezing (冬季雨雪冰冻).",
	}},
	"InspectionStatus": {"Whether an inspection has been carried out.", map[string]string{
		"PLANNED": "Planned by a random draw, not yet recorded.",
		"DONE":    "Carried out and recorded.",
	}},
	"InspectionType": {"Kind of inspection (检查).", map[string]string{
		"ROUTINE_QUARTERLY": "Routine quarterly inspection (季度例行检查).",
		"SPECIAL":           "Special inspection, usually within a campaign (专项检查).",
		"DOUBLE_RANDOM":     "Inspection from a random draw of targets and inspectors (双随机).",
		"KEY_PERIOD":        "Inspection before or during a key period (重点时段检查).",
		"FOLLOW_UP":         "Follow-up inspection of earlier findings (复查).",
		"SELF_CHECK":        "An enterprise's self-check (自查).",
	}},
	"LetterEventAction": {"A step of a responsibility letter's history (流转记录).", map[string]string{
		"CREATED":  "The draft was created.",
		"UPDATED":  "The draft was edited.",
		"ISSUED":   "The letter was issued to the signee unit.",
		"SIGNED":   "A signature was added.",
		"REVOKED":  "The issuer revoked the letter, with a reason.",
		"ARCHIVED": "The signed letter was archived.",
		"ATTACHED": "A file (e.g. the signed scan) was attached.",
	}},
	"LetterState": {"Where a responsibility letter (责任书) stands.", map[string]string{
		"DRAFT":            "Being written by the issuer; only the issuer side sees it.",
		"ISSUED":           "Issued to the signee unit, no signature yet.",
		"PARTIALLY_SIGNED": "One of two required head signatures is there (党政同责).",
		"SIGNED":           "Every required signature is there.",
		"ARCHIVED":         "Signed and archived; read-only.",
		"REVOKED":          "Revoked by the issuer before completion; read-only.",
	}},
	"Role": {"The role of a post (岗位).", map[string]string{
		"PARTY_SECRETARY": "Party secretary of a government unit (书记).",
		"GOVERNMENT_HEAD": "Head of a government unit: county head, town head, bureau chief (县长/镇长/局长).",
		"PRINCIPAL":       "Enterprise principal, workshop head or team leader (主要负责人).",
		"DEPUTY":          "Deputy in charge, usually of some sectors (分管领导).",
		"SAFETY_OFFICER":  "Safety officer (安全员).",
		"INSPECTOR":       "Enforcement staff (执法人员).",
		"AUDITOR":         "Reads everything in scope, the audit log included; changes nothing (审计/监督).",
		"ADMIN":           "Tenant administrator: structure, people and policy (管理员).",
	}},
	"Sector": {"Business sector (行业) of an enterprise, or supervised by a department.", map[string]string{
		"INDUSTRY":     "Industry (工业).",
		"COMMERCE":     "Commerce and trade (商贸).",
		"FUEL":         "Refined oil: fuel stations (成品油).",
		"CONSTRUCTION": "Construction (建筑).",
		"CHEMICALS":    "Hazardous chemicals (危化品).",
		"TRANSPORT":    "Transport (交通运输).",
		"OTHER":        "Any other sector.",
	}},
	"UnitKind": {"Kind of a unit (单位) in the unit tree.", map[string]string{
		"CITY":       "City (市), optional, above a county.",
		"COUNTY":     "County or district (县/区), the root of a tenant.",
		"TOWN":       "Town, township or subdistrict (镇/乡/街道) under the county.",
		"DEPARTMENT": "County department (县直部门), supervising the enterprises of its sectors.",
		"ENTERPRISE": "Enterprise (企业), under its town (属地).",
		"WORKSHOP":   "Workshop (车间) inside an enterprise.",
		"TEAM":       "Team (班组) inside a workshop.",
	}},
	"UserStatus": {"Whether a user may sign in.", map[string]string{
		"ACTIVE":   "May sign in.",
		"DISABLED": "May not sign in; existing sessions end.",
	}},
}
