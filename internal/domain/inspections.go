package domain

import (
	"io"
	"time"
)

// ChecklistItem is one item of a checklist template: what to check, the rule
// that requires it and, for items whose failure is a major hazard by the
// national criteria (重大事故隐患判定标准), the criterion it refers to.
type ChecklistItem struct {
	Code           string  `json:"code"`
	Text           string  `json:"text"`
	LegalBasis     string  `json:"legalBasis"`
	MajorHazardRef *string `json:"majorHazardRef,omitempty"`
}

// CheckResult is the outcome of one checklist item.
type CheckResult string

// Check results.
const (
	CheckPass CheckResult = "PASS"
	CheckFail CheckResult = "FAIL"
	CheckNA   CheckResult = "NA"
)

// ItemResult is the recorded result of one checklist item in an inspection.
type ItemResult struct {
	ItemCode string      `json:"itemCode"`
	Result   CheckResult `json:"result"`
	Note     string      `json:"note,omitempty"`
}

// CampaignStageName names a campaign stage (安排部署、专项检查、集中整治、总结提升).
type CampaignStageName string

// Campaign stages in order.
const (
	StageDeployment    CampaignStageName = "DEPLOYMENT"
	StageInspection    CampaignStageName = "INSPECTION"
	StageRectification CampaignStageName = "RECTIFICATION"
	StageSummary       CampaignStageName = "SUMMARY"
)

// CampaignStages lists the stages in order.
var CampaignStages = []CampaignStageName{StageDeployment, StageInspection, StageRectification, StageSummary}

// CampaignStage is one stage of a campaign with planned and actual dates.
type CampaignStage struct {
	Stage        CampaignStageName `json:"stage"`
	PlannedStart time.Time         `json:"plannedStart"`
	PlannedEnd   time.Time         `json:"plannedEnd"`
	ActualStart  *time.Time        `json:"actualStart,omitempty"`
	ActualEnd    *time.Time        `json:"actualEnd,omitempty"`
}

// DrawConflict declares that an inspector must not inspect an enterprise
// (回避: kinship, former employment, a pending case).
type DrawConflict struct {
	InspectorID      int `json:"inspectorId"`
	EnterpriseUnitID int `json:"enterpriseUnitId"`
}

// DrawAssignment is one drawn target with its drawn inspectors.
type DrawAssignment struct {
	EnterpriseUnitID int   `json:"enterpriseUnitId"`
	InspectorIDs     []int `json:"inspectorIds"`
}

// Values lists the check results (ent enum contract).
func (CheckResult) Values() []string { return []string{"PASS", "FAIL", "NA"} }

// MarshalGQL implements graphql.Marshaler.
func (r CheckResult) MarshalGQL(w io.Writer) { writeQuoted(w, string(r)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (r *CheckResult) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, r.Values(), (*string)(r), "CheckResult")
}

// Values lists the campaign stages (ent enum contract).
func (CampaignStageName) Values() []string {
	return []string{"DEPLOYMENT", "INSPECTION", "RECTIFICATION", "SUMMARY"}
}

// MarshalGQL implements graphql.Marshaler.
func (s CampaignStageName) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *CampaignStageName) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "CampaignStageName")
}
