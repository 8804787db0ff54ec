package readiness

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/dutyroster"
	"github.com/dutychain/dutychain/ent/dutyshift"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// RosterUpdate is an edit of a duty roster in the version it was read in.
// Nil fields are kept. Shifts are either replaced as a whole
// (ReplaceShifts non-nil) or edited: RemoveShiftIDs are deleted and
// AddShifts added.
type RosterUpdate struct {
	ID, Version       int
	Title             *string
	KeyPeriod         *domain.DutyKeyPeriod
	PeriodStart       *time.Time
	PeriodEnd         *time.Time
	RequiresFullCover *bool
	ReplaceShifts     []ShiftInput
	AddShifts         []ShiftInput
	RemoveShiftIDs    []int
}

func (in *RosterUpdate) validate() error {
	var p checks
	if in.Title != nil {
		p.text("title", in.Title, MaxName, true)
	}
	if in.PeriodStart != nil {
		p.instant("periodStart", *in.PeriodStart)
	}
	if in.PeriodEnd != nil {
		p.instant("periodEnd", *in.PeriodEnd)
	}
	p.Check(in.ReplaceShifts != nil && (len(in.AddShifts) > 0 || len(in.RemoveShiftIDs) > 0), "replaceShifts",
		"replace the shifts or add and remove some, not both")
	p.Check(len(in.RemoveShiftIDs) > MaxShifts, "removeShiftIDs", "at most %d shifts", MaxShifts)
	p.shifts("replaceShifts", in.ReplaceShifts)
	p.shifts("addShifts", in.AddShifts)
	return p.Err()
}

// UpdateRoster edits a roster the caller reads, in one transaction, when
// they hold a post at its unit that may update it: conditional on the
// version they read (a concurrent edit committed first is a CONFLICT
// naming the current version), the roster's version goes one up. Each new
// leader on duty is checked as when recording.
func (s *Service) UpdateRoster(ctx context.Context, in RosterUpdate) (*ent.DutyRoster, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.DutyRoster, error) {
		r, err := kernel.Load(ctx, c.DutyRoster.Get, in.ID, "duty roster", "id")
		if err != nil {
			return nil, err
		}
		u, err := unitOf(ctx, c, r.UnitID)
		if err != nil {
			return nil, err
		}
		if err := actFor(ctx, c, "duty_roster", "update", u, "id"); err != nil {
			return nil, err
		}
		if r.Version != in.Version {
			return nil, kernel.Changed("duty roster", "version "+strconv.Itoa(r.Version))
		}
		if err := checkEdit(ctx, c, r, in); err != nil {
			return nil, err
		}
		leaders, err := loadLeaders(ctx, c, append(append([]ShiftInput{}, in.ReplaceShifts...), in.AddShifts...))
		if err != nil {
			return nil, err
		}
		err = kernel.Claim("duty roster", func() (int, error) {
			upd := c.DutyRoster.UpdateOneID(r.ID).Where(dutyroster.Version(in.Version)).SetVersion(in.Version + 1).
				SetNillableTitle(in.Title).SetNillablePeriodStart(in.PeriodStart).SetNillablePeriodEnd(in.PeriodEnd).
				SetNillableRequiresFullCover(in.RequiresFullCover)
			if in.KeyPeriod != nil {
				upd.SetKeyPeriod(*in.KeyPeriod)
			}
			return kernel.Affected(upd.Exec(ctx))
		}, func() (string, error) {
			now, err := c.DutyRoster.Get(authz.SystemContext(ctx), r.ID)
			if err != nil {
				return "", err
			}
			return "version " + strconv.Itoa(now.Version), nil
		})
		if err != nil {
			return nil, err
		}
		if err := s.editShifts(ctx, c, r, u, in, leaders); err != nil {
			return nil, err
		}
		return c.DutyRoster.Get(ctx, r.ID)
	})
}

// checkEdit checks what an edit of roster r needs of the stored roster: a
// period that still ends after it starts, and shifts to remove that are
// the roster's.
func checkEdit(ctx context.Context, c *ent.Client, r *ent.DutyRoster, in RosterUpdate) error {
	var p checks
	start, end := r.PeriodStart, r.PeriodEnd
	if in.PeriodStart != nil {
		start = *in.PeriodStart
	}
	if in.PeriodEnd != nil {
		end = *in.PeriodEnd
	}
	p.period(start, end)
	if len(in.RemoveShiftIDs) > 0 {
		ids, err := c.DutyShift.Query().Where(dutyshift.RosterID(r.ID), dutyshift.IDIn(in.RemoveShiftIDs...)).IDs(ctx)
		if err != nil {
			return fmt.Errorf("load shifts to remove: %w", err)
		}
		own := map[int]bool{}
		for _, id := range ids {
			own[id] = true
		}
		for i, id := range in.RemoveShiftIDs {
			p.Check(!own[id], fmt.Sprintf("removeShiftIDs[%d]", i), "not a shift of this roster")
		}
	}
	return p.Err()
}

// editShifts deletes the shifts the edit replaces or removes and writes
// those it adds.
func (s *Service) editShifts(ctx context.Context, c *ent.Client, r *ent.DutyRoster, u *ent.Unit, in RosterUpdate, leaders map[int]*ent.Post) error {
	del := c.DutyShift.Delete().Where(dutyshift.RosterID(r.ID))
	add := in.AddShifts
	switch {
	case in.ReplaceShifts != nil:
		add = in.ReplaceShifts
	case len(in.RemoveShiftIDs) > 0:
		del.Where(dutyshift.IDIn(in.RemoveShiftIDs...))
	default:
		del = nil
	}
	if del != nil {
		if _, err := del.Exec(authz.SystemContext(ctx)); err != nil {
			return fmt.Errorf("delete shifts: %w", err)
		}
	}
	if len(add) == 0 {
		return nil
	}
	return WriteShifts(ctx, c, r, u, add, leaders)
}
