package graph_test

// Every mutation of the schema, enumerated by introspection so that a new
// mutation is covered (or fails this test until its author adds a "good"
// input below): unauthenticated → UNAUTHENTICATED, AUDITOR → FORBIDDEN,
// another tenant's object → NOT_FOUND, and nothing written in any of these.

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/directory"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
)

// ref stands for the id of an object in a "good" input; each mode of the
// test resolves it to a real id of the demo tenant (visible to the AUDITOR
// and the ADMIN), to an id of the other tenant, or to an id that exists
// nowhere.
type ref string

const (
	refTown           ref = "town"            // a TOWN unit
	refEnterpriseUnit ref = "enterprise-unit" // an ENTERPRISE unit
	refWorkshop       ref = "workshop"        // a WORKSHOP unit
	refEnterprise     ref = "enterprise"      // an Enterprise profile
	refUser           ref = "user"
	refPost           ref = "post"
	refUser2          ref = "user2"
	refCampaign       ref = "campaign"
	refHazard         ref = "hazard"    // an open hazard, not under supervision
	refCounty         ref = "county"    // the tenant root
	refTown2          ref = "town2"     // another TOWN
	refBureau         ref = "bureau"    // a DEPARTMENT with inspectors of its own
	refDraftLetter1   ref = "draft1"    // DRAFT letters, one per mutation that consumes one
	refDraftLetter2   ref = "draft2"    //
	refDraftLetter3   ref = "draft3"    //
	refIssuedLetter1  ref = "issued1"   // ISSUED letters, likewise
	refIssuedLetter2  ref = "issued2"   //
	refIssuedLetter3  ref = "issued3"   //
	refSignedLetter   ref = "signed"    // a SIGNED letter
	refNotice         ref = "notice"    // a notice of the county
	refNoticeReceipt1 ref = "receipt1"  // receipts not signed for, one per mutation that consumes one
	refNoticeReceipt2 ref = "receipt2"  //
	refGroup          ref = "group"     // the county's leadership group
	refMeeting        ref = "meeting"   // a meeting of the county
	refHeadPost       ref = "head-post" // the county head's post
	refTraining       ref = "training"  // a training of the bureau, kept
	refTrainingDel    ref = "training-del"
	refPublicity      ref = "publicity" // a publicity activity of the bureau, kept
	refPublicityDel   ref = "publicity-del"
	refCertificate    ref = "certificate"     // a certificate of an enterprise
	refDutyList       ref = "duty-list"       // 城关镇's head's duty list, version 2 not acknowledged
	refPlan           ref = "plan"            // the county's EFFECTIVE flood plan
	refDraftPlan      ref = "draft-plan"      // the county's DRAFT of its revision
	refDrill          ref = "drill"           // the county's flood drill
	refRiskUnit       ref = "risk-unit"       // an enterprise whose PRINCIPAL is a demo user
	refRiskPoint      ref = "risk-point"      // a MAJOR risk point of it
	refControlMeasure ref = "risk-measure"    // the only control measure of another of its points
	refEnfInspection  ref = "enf-inspection"  // the inspection of the seed's rectification order
	refEnforcement    ref = "enforcement"     // the seed's rectification order, COMPLIED (neighbour: ISSUED)
	refRoster         ref = "roster"          // the county's National Day roster, version 1
	refTeam           ref = "team"            // the county's rescue team
	refReserve        ref = "reserve"         // a reserve item of the emergency bureau
	refNotification   ref = "notification"    // the county head's seeded notification
	refAssignedHazard ref = "assigned-hazard" // the supermarket's hazard, assigned to 城关镇
	refTownInspector1 ref = "town-inspector1" // 城关镇's party secretary: inspects for it
	refTownInspector2 ref = "town-inspector2" // 城关镇's head
	refEntPlan        ref = "ent-plan"        // the cement plant's EFFECTIVE comprehensive plan
	refDryRun         ref = "dry-run"         // the admin's clean dry run of the empty import template
)

// upload stands for a file in a good input; the call is sent as a GraphQL
// multipart request with the file mapped to the argument.
type upload apitest.File

// mutationCase is the hand-written part of one mutation's call.
type mutationCase struct {
	// args override the generated arguments; input objects are merged with
	// their generated required fields. Values may hold refs.
	args map[string]any
	// public mutations need no token (login, refreshToken).
	public bool
	// auditorMay: the AUDITOR may call it (own password, own sessions).
	auditorMay bool
	// as is who makes the good call and the cross-tenant calls (default
	// admin): hazard decisions and letters are the business of the heads
	// of the units, not of the ADMIN.
	as string
}

// goodInputs holds a minimal valid call of every mutation: as the demo ADMIN
// with demo ids it succeeds. A mutation missing here fails the test.
func goodInputs() map[string]mutationCase {
	credit, err := domain.CreditCodeWithCheck("91341199MA2Q7K3L1")
	if err != nil {
		panic(err)
	}
	return map[string]mutationCase{
		"login":        {public: true},
		"refreshToken": {public: true},
		"logout":       {auditorMay: true},
		"changePassword": {auditorMay: true, args: map[string]any{"input": map[string]any{
			"currentPassword": seed.DemoPassword, "newPassword": "auditor-new-password-1"}}},
		"createUnit": {args: map[string]any{"input": map[string]any{
			"kind": "WORKSHOP", "name": "测试车间", "code": "MUT-WS-1", "parentID": refEnterpriseUnit}}},
		"updateUnit": {args: map[string]any{"input": map[string]any{"id": refWorkshop, "name": "改名后的车间"}}},
		"createEnterprise": {args: map[string]any{"input": map[string]any{
			"name": "测试加油站", "code": "MUT-FUEL-1", "townID": refTown, "creditCode": credit, "sector": "FUEL"}}},
		"updateEnterprise": {args: map[string]any{"input": map[string]any{"id": refEnterprise, "address": "测试路1号"}}},
		"createUser": {args: map[string]any{"input": map[string]any{
			"username": "mut.user", "displayName": "测试用户", "password": seed.DemoPassword, "unitID": refTown}}},
		"updateUser": {args: map[string]any{"input": map[string]any{"id": refUser, "phone": "13900000000"}}},
		"createPost": {args: map[string]any{"input": map[string]any{
			"userID": refUser, "unitID": refTown, "role": "INSPECTOR", "title": "测试岗位"}}},
		"updatePost":       {args: map[string]any{"input": map[string]any{"id": refPost, "title": "改名后的岗位"}}},
		"endPost":          {args: map[string]any{"input": map[string]any{"id": refPost}}},
		"addPolicyRule":    {args: map[string]any{"input": map[string]any{"role": "INSPECTOR", "object": "unit", "action": "update"}}},
		"removePolicyRule": {args: map[string]any{"input": map[string]any{"role": "INSPECTOR", "object": "*", "action": "read"}}},
		"createChecklistTemplate": {args: map[string]any{"input": map[string]any{"sector": "FUEL", "name": "成品油检查表（2023版）",
			"items": []any{map[string]any{"code": "F-1", "text": "油气回收装置正常运行", "legalBasis": "GB 20952"}}}}},
		"createCampaign": {as: "county.head", args: map[string]any{"input": map[string]any{"organiserID": refTown, "name": "测试整治",
			"sectors": []any{"COMMERCE"}, "stages": []any{
				map[string]any{"stage": "DEPLOYMENT", "plannedStart": "2023-01-01T00:00:00Z", "plannedEnd": "2023-01-31T00:00:00Z"},
				map[string]any{"stage": "INSPECTION", "plannedStart": "2023-02-01T00:00:00Z", "plannedEnd": "2023-05-31T00:00:00Z"},
				map[string]any{"stage": "RECTIFICATION", "plannedStart": "2023-06-01T00:00:00Z", "plannedEnd": "2023-09-30T00:00:00Z"},
				map[string]any{"stage": "SUMMARY", "plannedStart": "2023-10-01T00:00:00Z", "plannedEnd": "2023-10-31T00:00:00Z"}}}}},
		"advanceCampaign": {as: "county.head", args: map[string]any{"input": map[string]any{"id": refCampaign}}},
		"recordInspection": {as: "bureau.chief", args: map[string]any{"input": map[string]any{"type": "ROUTINE_QUARTERLY",
			"inspectingUnitID": refBureau, "targetID": refEnterpriseUnit, "inspectorIDs": []any{refUser, refUser2},
			"inspectedOn": "2023-03-01T00:00:00Z", "conclusion": "未发现问题"}}},
		"createRandomDraw": {as: "bureau.chief", args: map[string]any{"input": map[string]any{"organiserID": refBureau, "targetCount": 1,
			"inspectorIDs": []any{refUser, refUser2}, "inspectionDate": "2023-04-01T00:00:00Z"}}},
		"reportHazard": {as: "county.head", args: map[string]any{"input": map[string]any{"subjectID": refEnterpriseUnit, "source": "REPORT",
			"level": "GENERAL", "category": "消防安全", "description": "灭火器过期", "deadline": "2030-01-01T00:00:00Z"}}},
		"transitionHazard": {as: "county.head", args: map[string]any{"input": map[string]any{"id": refHazard, "action": "SUPERVISE", "note": "挂牌督办"}}},
		"assignHazard": {as: "county.head", args: map[string]any{"input": map[string]any{"hazardID": refHazard, "assigneeID": refBureau,
			"followUpOn": time.Now().UTC().AddDate(0, 0, 30).Format(time.RFC3339), "note": "交办督导"}}},

		// Letters: the county head issues and revokes from the county; the
		// kiln workshop's head discards its draft; 西河镇's secretary signs.
		"createLetter": {as: "county.head", args: map[string]any{"input": map[string]any{
			"year": 2024, "issuerUnitID": refCounty, "signeeUnitID": refTown2, "title": "2024年度安全生产工作责任状"}}},
		"updateLetter":  {as: "county.head", args: map[string]any{"input": map[string]any{"id": refDraftLetter1, "title": "修改后的责任状"}}},
		"issueLetter":   {as: "county.head", args: map[string]any{"input": map[string]any{"id": refDraftLetter2}}},
		"deleteLetter":  {as: "cement.kiln.head", args: map[string]any{"input": map[string]any{"id": refDraftLetter3}}},
		"signLetter":    {as: "xihe.secretary", args: map[string]any{"input": map[string]any{"id": refIssuedLetter1}}},
		"revokeLetter":  {as: "county.head", args: map[string]any{"input": map[string]any{"id": refIssuedLetter2, "reason": "测试撤回"}}},
		"archiveLetter": {as: "county.head", args: map[string]any{"input": map[string]any{"id": refSignedLetter}}},
		"bulkIssueLetters": {as: "county.head", args: map[string]any{"input": map[string]any{
			"year": 2025, "issuerUnitID": refCounty, "to": "CHILDREN", "title": "2025年度安全生产工作责任状",
			"targets": []any{map[string]any{"description": "全年不发生较大及以上生产安全事故"}}}}},
		"attachLetterFile": {as: "county.head", args: map[string]any{"input": map[string]any{"letterID": refIssuedLetter3,
			"file": upload{Name: "signed.pdf", Content: []byte("%PDF-1.4\n% a scanned letter\n")}}}},

		// Notices: the county head issues and attaches; 桥头镇's secretary
		// signs for the 2023 work plan, 南山镇's head answers it.
		"issueNotice": {as: "county.head", args: map[string]any{"input": map[string]any{
			"issuerUnitID": refCounty, "documentNumber": "示安委〔2024〕1号", "title": "关于开展汛期安全生产检查的通知",
			"issuedOn": "2024-06-01T00:00:00Z", "receiptDue": "2024-06-08T00:00:00Z", "recipientUnitIDs": []any{refTown2}}}},
		"receiveNotice": {as: "qiaotou.secretary", args: map[string]any{"input": map[string]any{"receiptID": refNoticeReceipt1}}},
		"replyToNotice": {as: "nanshan.head", args: map[string]any{"input": map[string]any{"receiptID": refNoticeReceipt2, "reply": "已收到，正在落实。"}}},
		"attachNoticeFile": {as: "county.head", args: map[string]any{"input": map[string]any{"noticeID": refNotice,
			"file": upload{Name: "notice.pdf", Content: []byte("%PDF-1.4\n% a scanned notice\n")}}}},

		// Organisation: the county head sets up and reseats groups of the
		// county, records its meeting and attaches the minutes.
		"createLeadershipGroup": {as: "county.head", args: map[string]any{"input": map[string]any{
			"unitID": refCounty, "name": "示范县安全生产专项整治工作专班", "establishedOn": "2024-01-05T00:00:00Z",
			"members": []any{map[string]any{"postID": refHeadPost, "role": "LEADER"}}}}},
		"setLeadershipGroupMembers": {as: "county.head", args: map[string]any{"input": map[string]any{
			"groupID": refGroup, "members": []any{map[string]any{"postID": refHeadPost, "role": "LEADER"}}}}},
		"recordMeeting": {as: "county.head", args: map[string]any{"input": map[string]any{
			"organiserUnitID": refCounty, "kind": "SPECIAL", "title": "安全生产专题会", "heldOn": "2024-02-01T00:00:00Z",
			"safetyOnAgenda": true, "attendeeCount": 12}}},
		"attachMeetingFile": {as: "county.head", args: map[string]any{"input": map[string]any{"meetingID": refMeeting,
			"file": upload{Name: "minutes.pdf", Content: []byte("%PDF-1.4\n% minutes\n")}}}},

		// Education: the bureau chief records, corrects, deletes and
		// attaches to the bureau's trainings and publicity.
		"recordTraining": {as: "bureau.chief", args: map[string]any{"input": trainingInput("organiserUnitID", refBureau)}},
		"updateTraining": {as: "bureau.chief", args: map[string]any{"input": trainingInput("trainingID", refTraining)}},
		"deleteTraining": {as: "bureau.chief", args: map[string]any{"input": map[string]any{"trainingID": refTrainingDel}}},
		"attachTrainingFile": {as: "bureau.chief", args: map[string]any{"input": map[string]any{"trainingID": refTraining,
			"file": upload{Name: "sign-in.pdf", Content: []byte("%PDF-1.4\n% a sign-in sheet\n")}}}},
		"recordPublicity": {as: "bureau.chief", args: map[string]any{"input": publicityInput("organiserUnitID", refBureau)}},
		"updatePublicity": {as: "bureau.chief", args: map[string]any{"input": publicityInput("publicityID", refPublicity)}},
		"deletePublicity": {as: "bureau.chief", args: map[string]any{"input": map[string]any{"publicityID": refPublicityDel}}},
		"attachPublicityFile": {as: "bureau.chief", args: map[string]any{"input": map[string]any{"publicityID": refPublicity,
			"file": upload{Name: "photo.pdf", Content: []byte("%PDF-1.4\n% a photo\n")}}}},
		// Staffing: the county head records and renews a certificate and
		// writes their own duty list; 城关镇's head acknowledges theirs.
		"recordCertificate": {as: "county.head", args: map[string]any{"input": map[string]any{
			"unitID": refEnterpriseUnit, "holderName": "黄国庆", "kind": "PRINCIPAL", "number": "AQ341100202400001",
			"issuer": "市应急管理局", "issuedOn": "2024-03-01T00:00:00Z", "validUntil": "2027-02-28T00:00:00Z"}}},
		"updateCertificate": {as: "county.head", args: map[string]any{"input": map[string]any{"id": refCertificate,
			"validUntil": "2029-12-31T00:00:00Z"}}},
		"setDutyList": {as: "county.head", args: map[string]any{"input": map[string]any{"postID": refHeadPost,
			"items": []any{"对全县安全生产工作负总责。"}}}},
		"acknowledgeDutyList": {as: "chengguan.head", args: map[string]any{"input": map[string]any{"id": refDutyList, "version": 2}}},
		// Emergency: the county head records and approves the county's
		// plans, drills the flood plan and attaches files.
		"createEmergencyPlan": {as: "county.head", args: map[string]any{"input": map[string]any{
			"unitID": refCounty, "kind": "COMPREHENSIVE", "title": "示范县突发事件总体应急预案", "version": "2024版"}}},
		"approveEmergencyPlan": {as: "county.head", args: map[string]any{"input": map[string]any{
			"planID": refDraftPlan, "approval": map[string]any{"approvedOn": "2024-05-01T00:00:00Z"}}}},
		"attachEmergencyPlanFile": {as: "county.head", args: map[string]any{"input": map[string]any{"planID": refPlan,
			"file": upload{Name: "plan.pdf", Content: []byte("%PDF-1.4\n% a plan\n")}}}},
		"reviseEmergencyPlan": {as: "cement.principal", args: map[string]any{"input": map[string]any{
			"planID": refEntPlan, "version": "2025版"}}},
		"followUpHazard": {as: "chengguan.head", args: map[string]any{"input": map[string]any{
			"hazardID": refAssignedHazard, "inspectorIDs": []any{refTownInspector1, refTownInspector2},
			"inspectedOn": "2023-03-01T00:00:00Z", "outcome": "PARTLY", "note": "货架已部分移除"}}},
		"recordDrill": {as: "county.head", args: map[string]any{"input": map[string]any{
			"planID": refPlan, "heldOn": "2024-06-01T00:00:00Z", "form": "FULL_SCALE", "participants": 80, "scenario": "山洪转移演练"}}},
		"attachDrillFile": {as: "county.head", args: map[string]any{"input": map[string]any{"drillID": refDrill,
			"file": upload{Name: "drill.pdf", Content: []byte("%PDF-1.4\n% a drill\n")}}}},
		// Readiness: the county head records the county's roster, with
		// one shift led by the head, its rescue team and a reserve item.
		"createDutyRoster": {as: "county.head", args: map[string]any{"input": map[string]any{
			"unitID": refCounty, "title": "示范县2024年春节值班表", "keyPeriod": "SPRING_FESTIVAL", "requiresFullCover": true,
			"periodStart": "2024-02-09T00:00:00+08:00", "periodEnd": "2024-02-10T00:00:00+08:00",
			"shifts": []any{map[string]any{"startsAt": "2024-02-09T00:00:00+08:00", "endsAt": "2024-02-10T00:00:00+08:00",
				"leaderPostID": refHeadPost, "staffName": "王值班"}}}}},
		"createRescueTeam": {as: "county.head", args: map[string]any{"input": map[string]any{
			"unitID": refCounty, "name": "示范县防汛抢险队", "kind": "PART_TIME", "memberCount": 20}}},
		"createMaterialReserve": {as: "county.head", args: map[string]any{"input": map[string]any{
			"unitID": refCounty, "item": "冲锋舟", "quantity": 2, "minimumQuantity": 2, "unitOfMeasure": "艘"}}},
		// Readiness edits: the county head retitles the county's roster in
		// its first version and renames its team; the emergency bureau's
		// chief takes items out of a reserve and counts them.
		"updateDutyRoster": {as: "county.head", args: map[string]any{"input": map[string]any{
			"id": refRoster, "version": 1, "title": "示范县2022年国庆节假期值班表（修订）"}}},
		"updateRescueTeam":      {as: "county.head", args: map[string]any{"input": map[string]any{"id": refTeam, "memberCount": 45}}},
		"updateMaterialReserve": {as: "emergency.chief", args: map[string]any{"input": map[string]any{"id": refReserve, "keeper": "李保管"}}},
		"recordMaterialReserveCheck": {as: "emergency.chief", args: map[string]any{"input": map[string]any{"id": refReserve,
			"checkedOn": "2024-06-01T00:00:00Z", "quantity": 500}}},
		"setTenantTimeZone": {as: "admin", args: map[string]any{"input": map[string]any{"timeZone": "Asia/Shanghai"}}},
		// Directory import jobs: the empty template, checked; the admin's
		// clean dry run of it, confirmed (nothing to import).
		"startDirectoryImport":   {args: map[string]any{"file": upload{Name: "directory.xlsx", Content: templateBytes()}}},
		"confirmDirectoryImport": {args: map[string]any{"jobID": refDryRun}},
		"markNotificationsRead": {as: "county.head", auditorMay: true,
			args: map[string]any{"input": map[string]any{"ids": []any{refNotification}}}},
		// Risk points: the enterprise identifies, regrades and checks its own.
		"identifyRiskPoint": {as: "cement.principal", args: map[string]any{"input": map[string]any{
			"unitID": refRiskUnit, "name": "余热发电系统", "kind": "LOCATION", "likelihood": 2, "severity": 4,
			"controlMeasures": []any{map[string]any{"description": "锅炉安全附件定期校验", "responsiblePost": "设备科长", "frequency": "MONTHLY"}}}}},
		"regradeRiskPoint": {as: "cement.principal", args: map[string]any{"input": map[string]any{
			"riskPointID": refRiskPoint, "fromLevel": "MAJOR", "likelihood": 3, "severity": 4, "reason": "增设窑头负压联锁"}}},
		"recordControlCheck": {as: "cement.principal", args: map[string]any{"input": map[string]any{"controlMeasureID": refControlMeasure}}},
		// Enforcement: the bureau orders the inspected station to rectify; the
		// seed's complied order is closed.
		"issueEnforcementAction": {as: "bureau.fuel", args: map[string]any{"input": map[string]any{
			"issuerUnitID": refBureau, "inspectionID": refEnfInspection, "kind": "RECTIFICATION_ORDER",
			"documentNumber": "工信执改〔2024〕9号", "issuedOn": "2024-01-10T00:00:00+08:00", "deadline": "2024-02-10T00:00:00+08:00",
			"findings": "责令限期整改"}}},
		"transitionEnforcementAction": {as: "bureau.fuel", args: map[string]any{"input": map[string]any{
			"enforcementActionID": refEnforcement, "action": "CLOSE"}}},
	}
}

// trainingInput is a minimal training of the bureau with one trainee of
// refEnterpriseUnit, naming the training (or its organiser) by key.
func trainingInput(key string, id ref) map[string]any {
	return map[string]any{key: id, "heldOn": "2024-03-01T00:00:00Z", "topic": "安全生产业务培训", "hours": 2,
		"assessed": false, "trainees": []any{map[string]any{"personName": "张三", "enterpriseUnitID": refEnterpriseUnit, "postKind": "EMPLOYEE"}}}
}

// publicityInput is a minimal visit of the bureau to refEnterpriseUnit.
func publicityInput(key string, id ref) map[string]any {
	return map[string]any{key: id, "kind": "ENTERPRISE_VISIT", "title": "入企宣传", "heldOn": "2024-03-01T00:00:00Z",
		"visitedEnterpriseIDs": []any{refEnterpriseUnit}, "materials": 10, "participants": 5}
}

// ---------------------------------------------------------------------------
// Introspection.

type typeRef struct {
	Kind   string
	Name   string
	OfType *typeRef
}

func (t typeRef) String() string {
	switch t.Kind {
	case "NON_NULL":
		return t.OfType.String() + "!"
	case "LIST":
		return "[" + t.OfType.String() + "]"
	}
	return t.Name
}

func (t typeRef) named() typeRef {
	for t.OfType != nil {
		t = *t.OfType
	}
	return t
}

type inputValue struct {
	Name string
	Type typeRef
}

type introspected struct {
	mutations []struct {
		Name string
		Args []inputValue
		Type typeRef
	}
	types map[string]struct {
		Kind        string
		InputFields []inputValue
		EnumValues  []struct{ Name string }
	}
}

const introspectionQuery = `{ __schema {
	mutationType { fields { name args { name type { ...T } } type { ...T } } }
	types { name kind inputFields { name type { ...T } } enumValues { name } }
} }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

func introspect(t *testing.T, s *apitest.Server, token string) introspected {
	r := gqOK(t, s, token, introspectionQuery, nil)
	var out struct {
		Schema struct {
			MutationType struct {
				Fields []struct {
					Name string
					Args []inputValue
					Type typeRef
				}
			}
			Types []struct {
				Name        string
				Kind        string
				InputFields []inputValue
				EnumValues  []struct{ Name string }
			}
		} `json:"__schema"`
	}
	r.Decode(t, &out)
	in := introspected{mutations: out.Schema.MutationType.Fields, types: map[string]struct {
		Kind        string
		InputFields []inputValue
		EnumValues  []struct{ Name string }
	}{}}
	for _, ty := range out.Schema.Types {
		in.types[ty.Name] = struct {
			Kind        string
			InputFields []inputValue
			EnumValues  []struct{ Name string }
		}{ty.Kind, ty.InputFields, ty.EnumValues}
	}
	require.NotEmpty(t, in.mutations, "introspection lists no mutation")
	return in
}

// ---------------------------------------------------------------------------
// Building calls.

// generate returns a value of type ty: the override when given (resolved
// through ids), else dummy values for required scalars and enums and the
// required fields of input objects. An ID without a hand-written value is an
// error: a dummy id would make every check pass for the wrong reason.
func (in introspected) generate(ty typeRef, override any, hasOverride bool, ids map[ref]string, path string) (any, error) {
	switch ty.Kind {
	case "NON_NULL":
		return in.generate(*ty.OfType, override, hasOverride, ids, path)
	case "LIST":
		if hasOverride {
			return resolveRefs(override, ids), nil
		}
		v, err := in.generate(*ty.OfType, nil, false, ids, path+"[0]")
		if err != nil {
			return nil, err
		}
		return []any{v}, nil
	}
	def, ok := in.types[ty.Name]
	if !ok {
		return nil, fmt.Errorf("%s: unknown type %s", path, ty.Name)
	}
	switch def.Kind {
	case "INPUT_OBJECT":
		ov := map[string]any{}
		if hasOverride {
			m, ok := override.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: the good input must be an object", path)
			}
			ov = m
		}
		known := map[string]bool{}
		obj := map[string]any{}
		for _, f := range def.InputFields {
			known[f.Name] = true
			v, has := ov[f.Name]
			if !has && f.Type.Kind != "NON_NULL" {
				continue
			}
			val, err := in.generate(f.Type, v, has, ids, path+"."+f.Name)
			if err != nil {
				return nil, err
			}
			obj[f.Name] = val
		}
		for k := range ov {
			if !known[k] {
				return nil, fmt.Errorf("%s: the good input names %q, which %s does not have", path, k, ty.Name)
			}
		}
		return obj, nil
	}
	if _, ok := override.(upload); ok {
		return nil, nil // sent as a file part mapped onto this variable
	}
	if hasOverride {
		return resolveRefs(override, ids), nil
	}
	switch def.Kind {
	case "ENUM":
		return def.EnumValues[0].Name, nil
	case "SCALAR":
		switch ty.Name {
		case "String":
			return "x-" + strings.ReplaceAll(path, ".", "-"), nil
		case "Int":
			return 1, nil
		case "Float":
			return 1.5, nil
		case "Boolean":
			return false, nil
		case "Time":
			return "2022-06-01T00:00:00Z", nil
		case "ID":
			return nil, fmt.Errorf("%s: an ID needs a hand-written value (a ref) in goodInputs", path)
		}
		return nil, fmt.Errorf("%s: no dummy value for scalar %s: add one to the test or a good input", path, ty.Name)
	}
	return nil, fmt.Errorf("%s: cannot generate a %s", path, def.Kind)
}

func resolveRefs(v any, ids map[ref]string) any {
	switch x := v.(type) {
	case ref:
		id, ok := ids[x]
		if !ok {
			panic("no id for ref " + string(x))
		}
		return id
	case map[string]any:
		out := map[string]any{}
		for k, y := range x {
			out[k] = resolveRefs(y, ids)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = resolveRefs(y, ids)
		}
		return out
	}
	return v
}

func hasRef(v any) bool {
	switch x := v.(type) {
	case ref:
		return true
	case map[string]any:
		for _, y := range x {
			if hasRef(y) {
				return true
			}
		}
	case []any:
		for _, y := range x {
			if hasRef(y) {
				return true
			}
		}
	}
	return false
}

// call is one built mutation request.
type call struct {
	query string
	vars  map[string]any
	// files are sent as a multipart request, by variable path.
	files map[string]apitest.File
}

// templateBytes is the empty directory import template.
func templateBytes() []byte {
	var b bytes.Buffer
	if err := directory.WriteTemplate(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}
