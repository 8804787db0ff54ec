package inspections

import (
	"context"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// FollowUpHazardInput is what followUpHazard accepts: the outcome of
// re-checking one assigned hazard.
type FollowUpHazardInput struct {
	HazardID     int
	InspectorIDs []int
	InspectedOn  time.Time
	Outcome      domain.FollowUpOutcome
	Note         string
	Conclusion   string
}

// MayFollowUp decides whether the caller may follow up hazard h (o the
// decision object of an inspection at its subject, assignee the unit it is
// assigned to, nil when it is not): an open, assigned hazard, re-checked in
// the assignee's name by a caller who acts for it in inspections
// (authz.MayActForInspection) and may record one at the subject. The
// inspectors are the input's, checked by RecordInspection. FollowUpHazard
// and the hazard's allowedActions (FOLLOW_UP) ask it.
func MayFollowUp(ctx context.Context, h *ent.Hazard, o authz.Object, assignee *authz.Place) error {
	switch {
	case h.State == domain.HazardClosed:
		return kernel.Invalidf("hazardID", "the hazard is already CLOSED")
	case h.AssigneeID == nil || assignee == nil:
		return kernel.Invalidf("hazardID", "the hazard is not assigned (交办) to a unit: record a FOLLOW_UP inspection with recordInspection")
	}
	target := authz.Place{ID: h.SubjectID, Tenant: h.TenantID, Path: h.ScopePath}
	if err := authz.MayActForInspection(ctx, string(inspection.TypeFOLLOW_UP), *assignee, target); err != nil {
		return err
	}
	return authz.Check(ctx, o, "create")
}

// FollowUpHazard records a FOLLOW_UP inspection (事后督查) of one assigned
// hazard in the name of the unit it is assigned to, by the given inspectors,
// and moves the hazard on where the outcome decides a step: what
// recordInspection does for such an inspection, decided and written in one
// transaction. It returns the inspection and the hazard as it now stands.
func (s *Service) FollowUpHazard(ctx context.Context, in FollowUpHazardInput) (*ent.Inspection, error) {
	if _, err := kernel.Viewer(ctx); err != nil {
		return nil, err
	}
	var rec *ent.Inspection
	err := kernel.InTx(ctx, s.Client, func(tx *ent.Tx) error {
		ctx := ent.NewTxContext(ctx, tx)
		c := tx.Client()
		h, err := kernel.Load(ctx, c.Hazard.Get, in.HazardID, "hazard", "hazardID")
		if err != nil {
			return err
		}
		var assignee *authz.Place
		if h.AssigneeID != nil {
			u, err := kernel.Unit(ctx, c, *h.AssigneeID, "hazardID")
			if err != nil {
				return err
			}
			p := authz.PlaceOf(u)
			assignee = &p
		}
		o, err := authz.ObjectAt(ctx, c, "inspection", h.TenantID, h.ScopePath, h.ScopeSector, h.ScopeEnterpriseID)
		if err != nil {
			return err
		}
		if err := MayFollowUp(ctx, h, o, assignee); err != nil {
			return err
		}
		conclusion := in.Conclusion
		if conclusion == "" {
			conclusion = "事后督查：" + string(in.Outcome)
		}
		typ := inspection.TypeFOLLOW_UP
		rec, err = s.RecordInspection(ctx, InspectionInput{Type: &typ, InspectingUnitID: h.AssigneeID, TargetID: &h.SubjectID,
			InspectorIDs: in.InspectorIDs, InspectedOn: in.InspectedOn, Conclusion: conclusion,
			FollowUps: []FollowUp{{HazardID: h.ID, Outcome: in.Outcome, Note: in.Note}}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}
