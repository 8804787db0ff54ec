package inspections

import (
	"context"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/kernel"
)

// MayAdvance decides whether the caller may advance campaign cp (o its
// decision object): a finished campaign has no next stage; otherwise it is
// campaign:update over the organiser. AdvanceCampaign and the campaign's
// allowedActions ask it.
func MayAdvance(ctx context.Context, cp *ent.Campaign, o authz.Object) error {
	if cp.Finished {
		return kernel.Invalidf("id", "the campaign is finished")
	}
	return authz.Check(ctx, o, "update")
}

// recordable says why planned inspection p can no longer be recorded, nil
// when it can.
func recordable(p *ent.Inspection) error {
	if p.Status != inspection.StatusPLANNED {
		return kernel.Invalidf("plannedID", "the inspection was already recorded")
	}
	return nil
}

// MayRecordResults decides whether the caller may record the results of
// inspection p (o its decision object; inspecting and target the places of
// its units): it is still PLANNED, the caller acts for its inspecting side
// (authz.MayActForInspection, what RecordInspection asks besides checking
// the inspectors it is given) and may update it.
func MayRecordResults(ctx context.Context, p *ent.Inspection, o authz.Object, inspecting, target authz.Place) error {
	if err := recordable(p); err != nil {
		return err
	}
	if err := authz.MayActForInspection(ctx, string(p.Type), inspecting, target); err != nil {
		return err
	}
	return authz.Check(ctx, o, "update")
}
