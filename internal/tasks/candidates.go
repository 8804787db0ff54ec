package tasks

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/certificate"
	"github.com/dutychain/dutychain/ent/drill"
	"github.com/dutychain/dutychain/ent/dutylist"
	"github.com/dutychain/dutychain/ent/emergencyplan"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/noticereceipt"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/emergency"
)

// Candidates are the records in the caller's scope whose state could make
// them a task; the caller's allowedActions on each decide which are.
type Candidates struct {
	Letters      []*ent.ResponsibilityLetter
	Hazards      []*ent.Hazard
	Certificates []*ent.Certificate
	DutyLists    []*ent.DutyList
	// Plans are the DRAFT plans (to approve) and the EFFECTIVE plans of the
	// units where the caller holds a post (to review, to drill).
	Plans []*ent.EmergencyPlan
	// Receipts are the unsigned notice receipts.
	Receipts []*ent.NoticeReceipt
	// Drills counts the drills of this period by enterprise and drill
	// requirement, for the enterprises of the EFFECTIVE plans.
	Drills map[DrillKey]int
}

// DrillKey counts an enterprise's drills towards one requirement of the
// drill rule: on-site drills (every half-year) or comprehensive and special
// ones (every year).
type DrillKey struct {
	EnterpriseID int
	OnSite       bool
}

// DrillKeyOf is the key plan p's drills count under; ok false for a plan
// of no enterprise (the drill rule binds enterprises).
func DrillKeyOf(p *ent.EmergencyPlan) (k DrillKey, ok bool) {
	if p.ScopeEnterpriseID == nil {
		return DrillKey{}, false
	}
	return DrillKey{EnterpriseID: *p.ScopeEnterpriseID, OnSite: p.Kind == domain.PlanOnSite}, true
}

// actingUnits are the units where the caller holds a post (not the MEMBER
// grant): a plan is revised and drilled in its own unit's name.
func actingUnits(v *authz.Viewer) []int {
	if v == nil {
		return nil
	}
	var out []int
	for _, g := range v.Grants {
		if !g.DirectoryOnly && g.UnitID != 0 {
			out = append(out, g.UnitID)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
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
	if f.Wants(HazardToDecide) || f.Wants(HazardToRectify) || f.Wants(HazardOverdue) || f.Wants(FollowUpDue) {
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
	var plans []predicate.EmergencyPlan
	if f.Wants(PlanToApprove) {
		plans = append(plans, emergencyplan.StateEQ(domain.PlanDraft))
	}
	units := actingUnits(authz.FromContext(ctx))
	if (f.Wants(PlanReviewDue) || f.Wants(DrillDue)) && len(units) > 0 {
		plans = append(plans, emergencyplan.And(emergencyplan.StateEQ(domain.PlanEffective), emergencyplan.UnitIDIn(units...)))
	}
	if len(plans) > 0 {
		out.Plans, err = c.EmergencyPlan.Query().Where(emergencyplan.Or(plans...)).Order(ent.Asc(emergencyplan.FieldID)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("emergency plans to approve, review or drill: %w", err)
		}
	}
	if f.Wants(DrillDue) {
		if out.Drills, err = drillsOf(ctx, c, out.Plans, now); err != nil {
			return nil, err
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

// drillsOf counts, in one statement, the drills of this year of the
// enterprises of the EFFECTIVE plans by DrillKey, each in its period. It
// counts every drill of the enterprise, as drillCompliance does, whatever
// part of it the caller's posts cover: the count only decides whether a
// drill they may record is due.
func drillsOf(ctx context.Context, c *ent.Client, plans []*ent.EmergencyPlan, now time.Time) (map[DrillKey]int, error) {
	var ids []int
	for _, p := range plans {
		if k, ok := DrillKeyOf(p); ok && p.State == domain.PlanEffective {
			ids = append(ids, k.EnterpriseID)
		}
	}
	out := map[DrillKey]int{}
	if len(ids) == 0 {
		return out, nil
	}
	slices.Sort(ids)
	start, end := emergency.DrillPeriod(false, now)
	held, err := c.Drill.Query().Where(drill.ScopeEnterpriseIDIn(slices.Compact(ids)...), drill.HeldOnGTE(start), drill.HeldOnLT(end)).
		Select(drill.FieldScopeEnterpriseID, drill.FieldPlanKind, drill.FieldHeldOn).All(authz.SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("drills of this year: %w", err)
	}
	for _, d := range held {
		onSite := d.PlanKind == domain.PlanOnSite
		if from, to := emergency.DrillPeriod(onSite, now); d.ScopeEnterpriseID != nil && !d.HeldOn.Before(from) && d.HeldOn.Before(to) {
			out[DrillKey{EnterpriseID: *d.ScopeEnterpriseID, OnSite: onSite}]++
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
