package readiness

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/materialreserve"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// TeamUpdate is an edit of a rescue team; nil fields are kept.
type TeamUpdate struct {
	ID                                  int
	Name                                *string
	Kind                                *domain.RescueTeamKind
	MemberCount                         *int
	LeaderName, ContactPhone, Equipment *string
}

func (in *TeamUpdate) validate() error {
	var p checks
	if in.Name != nil {
		p.text("name", in.Name, MaxName, true)
	}
	if in.MemberCount != nil {
		p.between("memberCount", *in.MemberCount, 0, MaxCount)
	}
	for field, s := range map[string]*string{"leaderName": in.LeaderName, "contactPhone": in.ContactPhone} {
		if s != nil {
			p.text(field, s, MaxName, false)
		}
	}
	if in.Equipment != nil {
		p.text("equipment", in.Equipment, MaxText, false)
	}
	return p.Err()
}

// UpdateTeam edits a rescue team the caller reads when they hold a post at
// its unit that may update it.
func (s *Service) UpdateTeam(ctx context.Context, in TeamUpdate) (*ent.RescueTeam, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.RescueTeam, error) {
		t, err := kernel.Load(ctx, c.RescueTeam.Get, in.ID, "rescue team", "id")
		if err != nil {
			return nil, err
		}
		if err := mayUpdate(ctx, c, "rescue_team", t.UnitID); err != nil {
			return nil, err
		}
		upd := c.RescueTeam.UpdateOneID(t.ID).SetNillableName(in.Name).SetNillableMemberCount(in.MemberCount).
			SetNillableLeaderName(in.LeaderName).SetNillableContactPhone(in.ContactPhone).SetNillableEquipment(in.Equipment)
		if in.Kind != nil {
			upd.SetKind(*in.Kind)
		}
		if err := upd.Exec(ctx); err != nil {
			return nil, fmt.Errorf("update rescue team: %w", err)
		}
		return c.RescueTeam.Get(ctx, t.ID)
	})
}

// ReserveUpdate is an edit of a reserve item; nil fields are kept.
// QuantityChange adds to (or, negative, takes from) the stock as it is
// when the edit commits, never below zero.
type ReserveUpdate struct {
	ID                                            int
	Item, Category, UnitOfMeasure, Location, Keep *string
	QuantityChange, MinimumQuantity               *int
	ExpiresOn, NextCheckOn                        *time.Time
}

func (in *ReserveUpdate) validate() error {
	var p checks
	for field, s := range map[string]*string{"item": in.Item, "unitOfMeasure": in.UnitOfMeasure} {
		if s != nil {
			p.text(field, s, MaxName, true)
		}
	}
	for field, s := range map[string]*string{"category": in.Category, "location": in.Location, "keeper": in.Keep} {
		if s != nil {
			p.text(field, s, MaxName, false)
		}
	}
	if in.QuantityChange != nil {
		p.between("quantityChange", *in.QuantityChange, -MaxQuantity, MaxQuantity)
	}
	if in.MinimumQuantity != nil {
		p.between("minimumQuantity", *in.MinimumQuantity, 0, MaxQuantity)
	}
	if in.ExpiresOn != nil {
		p.instant("expiresOn", *in.ExpiresOn)
	}
	if in.NextCheckOn != nil {
		p.instant("nextCheckOn", *in.NextCheckOn)
	}
	return p.Err()
}

// UpdateReserve edits a reserve item the caller reads when they hold a post
// at its unit that may update it. A quantity change is written as an
// addition conditional on the stock staying within 0…MaxQuantity, so
// concurrent changes add up; one that would leave too few is a CONFLICT
// naming the stock.
func (s *Service) UpdateReserve(ctx context.Context, in ReserveUpdate) (*ent.MaterialReserve, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.MaterialReserve, error) {
		m, err := kernel.Load(ctx, c.MaterialReserve.Get, in.ID, "material reserve", "id")
		if err != nil {
			return nil, err
		}
		if err := mayUpdate(ctx, c, "material_reserve", m.UnitID); err != nil {
			return nil, err
		}
		if in.QuantityChange != nil {
			if q := m.Quantity + *in.QuantityChange; q < 0 || q > MaxQuantity {
				return nil, kernel.Invalidf("quantityChange", "the stock would be %d; %d in stock, it must stay between 0 and %d", q, m.Quantity, MaxQuantity)
			}
		}
		err = kernel.Claim("material reserve", func() (int, error) {
			upd := c.MaterialReserve.UpdateOneID(m.ID).SetNillableItem(in.Item).SetNillableCategory(in.Category).
				SetNillableUnitOfMeasure(in.UnitOfMeasure).SetNillableLocation(in.Location).SetNillableKeeper(in.Keep).
				SetNillableMinimumQuantity(in.MinimumQuantity).SetNillableExpiresOn(in.ExpiresOn).SetNillableNextCheckOn(in.NextCheckOn)
			if d := in.QuantityChange; d != nil && *d != 0 {
				upd.AddQuantity(*d).Where(materialreserve.QuantityGTE(-*d), materialreserve.QuantityLTE(MaxQuantity-*d))
			}
			return kernel.Affected(upd.Exec(ctx))
		}, stockNow(ctx, c, m.ID))
		if err != nil {
			return nil, err
		}
		return c.MaterialReserve.Get(ctx, m.ID)
	})
}

// ReserveCheck is a stock check (盘点) of a reserve item: when, how many
// were counted, and when the next check is due.
type ReserveCheck struct {
	ID          int
	CheckedOn   time.Time
	Quantity    int
	NextCheckOn *time.Time
}

// RecordReserveCheck records a check of a reserve item the caller reads
// when they hold a post at its unit that may update it: the counted
// quantity replaces the stock, the check date and the next one are kept.
// A check happens no later than now and before the next one is due.
func (s *Service) RecordReserveCheck(ctx context.Context, in ReserveCheck) (*ent.MaterialReserve, error) {
	var p checks
	p.instant("checkedOn", in.CheckedOn)
	p.Check(in.CheckedOn.After(kernel.Now(s.Now)), "checkedOn", "a check is recorded once done: not in the future")
	p.between("quantity", in.Quantity, 0, MaxQuantity)
	if in.NextCheckOn != nil {
		p.instant("nextCheckOn", *in.NextCheckOn)
		p.Check(!in.NextCheckOn.After(in.CheckedOn), "nextCheckOn", "the next check is due after this one")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.MaterialReserve, error) {
		m, err := kernel.Load(ctx, c.MaterialReserve.Get, in.ID, "material reserve", "id")
		if err != nil {
			return nil, err
		}
		if err := mayUpdate(ctx, c, "material_reserve", m.UnitID); err != nil {
			return nil, err
		}
		if err := c.MaterialReserve.UpdateOneID(m.ID).SetQuantity(in.Quantity).SetLastCheckedOn(in.CheckedOn).
			SetNillableNextCheckOn(in.NextCheckOn).Exec(ctx); err != nil {
			return nil, fmt.Errorf("record reserve check: %w", err)
		}
		return c.MaterialReserve.Get(ctx, m.ID)
	})
}

// stockNow reads a reserve item's stock after a lost race, for kernel.Claim.
func stockNow(ctx context.Context, c *ent.Client, id int) func() (string, error) {
	return func() (string, error) {
		m, err := c.MaterialReserve.Get(authz.SystemContext(ctx), id)
		if err != nil {
			return "", err
		}
		return strconv.Itoa(m.Quantity) + " in stock", nil
	}
}

// mayUpdate decides typ:update on a record of unit unitID the caller has
// read.
func mayUpdate(ctx context.Context, c *ent.Client, typ string, unitID int) error {
	u, err := unitOf(ctx, c, unitID)
	if err != nil {
		return err
	}
	return actFor(ctx, c, typ, "update", u, "id")
}
