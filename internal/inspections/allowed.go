package inspections

import (
	"context"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// MayAdvance decides whether the caller may advance campaign cp (o its
// decision object): a finished campaign has no next stage; otherwise it is
// campaign:update over the organiser by a post that holds every sector of
// the campaign, or is not limited to sectors (authz.CheckSectors): the
// county's INDUSTRY deputy does not advance a campaign of commerce and
// fuel enterprises. AdvanceCampaign and the campaign's allowedActions ask it.
func MayAdvance(ctx context.Context, cp *ent.Campaign, o authz.Object) error {
	if cp.Finished {
		return kernel.Invalidf("id", "the campaign is finished")
	}
	return authz.CheckSectors(ctx, o, "update", cp.Sectors, "this campaign")
}

// MayCreate decides whether the caller may organise a campaign of sectors
// at the unit whose decision object is o: campaign:create there by a post
// that holds every one of the sectors, or is not limited to sectors.
func MayCreate(ctx context.Context, o authz.Object, sectors []domain.Sector) error {
	return authz.CheckSectors(ctx, o, "create", sectors, "this campaign")
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
