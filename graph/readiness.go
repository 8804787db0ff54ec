package graph

// allowedActions of the readiness records: each action decided by the
// function its mutation calls (readiness.MayUpdate), the unit loaded
// through the request's loaders.

import (
	"context"

	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/readiness"
)

// mayUpdateAt decides typ:update on a readiness record with the given
// scope columns at unit unitID (errUnreadable when the caller cannot read
// the unit).
func (r *Resolver) mayUpdateAt(ctx context.Context, typ string, tenant int, path string, sector *string, enterpriseID *int, unitID int) (error, error) {
	ld := loadersFrom(ctx, r.Client)
	o, err := ld.object(ctx, typ, tenant, path, sector, enterpriseID)
	if err != nil {
		return nil, err
	}
	u, err := ld.loadUnit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return errUnreadable, nil
	}
	return readiness.MayUpdate(ctx, o, u), nil
}

// rosterActions, teamActions and reserveActions list the actions whose
// decision update passed.
func rosterActions(update error) []model.DutyRosterAction {
	return when(decided(model.DutyRosterActionUpdate, update))
}

func teamActions(update error) []model.RescueTeamAction {
	return when(decided(model.RescueTeamActionUpdate, update))
}

func reserveActions(update error) []model.MaterialReserveAction {
	return when(decided(model.MaterialReserveActionUpdate, update), decided(model.MaterialReserveActionRecordCheck, update))
}

// shiftInputs converts the shifts of a roster's input (nil stays nil: the
// shifts are kept).
func shiftInputs(in []*model.DutyShiftInput) []readiness.ShiftInput {
	if in == nil {
		return nil
	}
	out := make([]readiness.ShiftInput, len(in))
	for i, sh := range in {
		out[i] = readiness.ShiftInput{StartsAt: sh.StartsAt, EndsAt: sh.EndsAt, LeaderPostID: sh.LeaderPostID,
			LeaderPhone: deref(sh.LeaderPhone), StaffName: deref(sh.StaffName), StaffPhone: deref(sh.StaffPhone)}
	}
	return out
}
