package tasks

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/certificate"
	"github.com/dutychain/dutychain/ent/dutylist"
	"github.com/dutychain/dutychain/ent/emergencyplan"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/noticereceipt"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/internal/domain"
)

// Candidates are the records in the caller's scope whose state could make
// them a task; the caller's allowedActions on each decide which are.
type Candidates struct {
	Letters      []*ent.ResponsibilityLetter
	Hazards      []*ent.Hazard
	Certificates []*ent.Certificate
	DutyLists    []*ent.DutyList
	Plans        []*ent.EmergencyPlan
	// Receipts are the unsigned notice receipts.
	Receipts []*ent.NoticeReceipt
}

// LoadCandidates loads, through the caller's scope in ctx, the candidates of
// the kinds f wants at now: one statement per record type, whatever the
// number of records.
func LoadCandidates(ctx context.Context, c *ent.Client, f Filter, now time.Time) (*Candidates, error) {
	out := &Candidates{}
	var err error
	if f.Wants(LetterToSign) {
		out.Letters, err = c.ResponsibilityLetter.Query().Where(responsibilityletter.StateIn(domain.LetterIssued, domain.LetterPartiallySigned)).
			Order(ent.Asc(responsibilityletter.FieldID)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("letters to sign: %w", err)
		}
	}
	if f.Wants(HazardToDecide) || f.Wants(HazardToRectify) || f.Wants(HazardOverdue) {
		out.Hazards, err = c.Hazard.Query().Where(hazard.StateNEQ(domain.HazardClosed)).Order(ent.Asc(hazard.FieldID)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("open hazards: %w", err)
		}
	}
	if f.Wants(CertificateExpiring) {
		out.Certificates, err = c.Certificate.Query().Where(certificate.ValidUntilLT(now.Add(CertificateWarning))).
			Order(ent.Asc(certificate.FieldID)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("certificates expiring: %w", err)
		}
	}
	if v := authz.FromContext(ctx); f.Wants(DutyListToAcknowledge) && v != nil && len(v.PostIDs) > 0 {
		out.DutyLists, err = c.DutyList.Query().Where(dutylist.PostIDIn(v.PostIDs...)).Order(ent.Asc(dutylist.FieldID)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("duty lists of the caller's posts: %w", err)
		}
	}
	if f.Wants(PlanToApprove) {
		out.Plans, err = c.EmergencyPlan.Query().Where(emergencyplan.StateEQ(domain.PlanDraft)).Order(ent.Asc(emergencyplan.FieldID)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("draft emergency plans: %w", err)
		}
	}
	if f.Wants(NoticeToReceive) {
		out.Receipts, err = c.NoticeReceipt.Query().Where(noticereceipt.ReceivedAtIsNil()).
			Order(ent.Asc(noticereceipt.FieldID)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("notices to receive: %w", err)
		}
	}
	return out, nil
}

// HazardKind is the kind of task a hazard is for a caller allowed actions
// on it, and the action that does it; ok false when it is none.
func HazardKind(h *ent.Hazard, allowed []domain.HazardAction, now time.Time) (kind Kind, action domain.HazardAction, ok bool) {
	has := func(a domain.HazardAction) bool {
		for _, x := range allowed {
			if x == a {
				return true
			}
		}
		return false
	}
	for _, c := range []struct {
		kind   Kind
		action domain.HazardAction
	}{
		{HazardToDecide, domain.HazardApprovePlan}, {HazardToDecide, domain.HazardApproveExtension}, {HazardToDecide, domain.HazardClose},
		{HazardToRectify, domain.HazardSubmitPlan}, {HazardToRectify, domain.HazardStartRectification}, {HazardToRectify, domain.HazardSubmit},
	} {
		if has(c.action) {
			return c.kind, c.action, true
		}
	}
	if h.Deadline.Before(now) && has(domain.HazardSupervise) {
		return HazardOverdue, domain.HazardSupervise, true
	}
	return "", "", false
}
