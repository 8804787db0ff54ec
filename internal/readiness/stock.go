package readiness

import (
	"context"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/materialreserve"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/ent/rescueteam"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// TeamInput is a rescue team to record.
type TeamInput struct {
	UnitID       int
	Name         string
	Kind         domain.RescueTeamKind
	MemberCount  int
	LeaderName   string
	ContactPhone string
	Equipment    string
}

func (in *TeamInput) validate() error {
	var p checks
	p.text("name", &in.Name, MaxName, true)
	p.between("memberCount", in.MemberCount, 0, MaxCount)
	p.text("leaderName", &in.LeaderName, MaxName, false)
	p.text("contactPhone", &in.ContactPhone, MaxName, false)
	p.text("equipment", &in.Equipment, MaxText, false)
	return p.Err()
}

// CreateTeam records a rescue team of a unit where the caller holds a post
// that may.
func (s *Service) CreateTeam(ctx context.Context, in TeamInput) (*ent.RescueTeam, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.RescueTeam, error) {
		u, err := kernel.Unit(ctx, c, in.UnitID, "unitID")
		if err != nil {
			return nil, err
		}
		if err := actFor(ctx, c, "rescue_team", "create", u, "unitID"); err != nil {
			return nil, err
		}
		t, err := c.RescueTeam.Create().SetUnitID(u.ID).SetName(in.Name).SetKind(in.Kind).SetMemberCount(in.MemberCount).
			SetLeaderName(in.LeaderName).SetContactPhone(in.ContactPhone).SetEquipment(in.Equipment).Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.RescueTeam.Get(ctx, t.ID)
	})
}

// ReserveInput is a reserve item to record.
type ReserveInput struct {
	UnitID          int
	Item            string
	Category        string
	Quantity        int
	MinimumQuantity int
	UnitOfMeasure   string
	Location        string
	Keeper          string
	ExpiresOn       *time.Time
	NextCheckOn     *time.Time
}

func (in *ReserveInput) validate() error {
	var p checks
	p.text("item", &in.Item, MaxName, true)
	p.text("category", &in.Category, MaxName, false)
	p.between("quantity", in.Quantity, 0, MaxQuantity)
	p.between("minimumQuantity", in.MinimumQuantity, 0, MaxQuantity)
	p.text("unitOfMeasure", &in.UnitOfMeasure, MaxName, true)
	p.text("location", &in.Location, MaxName, false)
	p.text("keeper", &in.Keeper, MaxName, false)
	if in.ExpiresOn != nil {
		p.instant("expiresOn", *in.ExpiresOn)
	}
	if in.NextCheckOn != nil {
		p.instant("nextCheckOn", *in.NextCheckOn)
	}
	return p.Err()
}

// CreateReserve records a reserve item of a unit where the caller holds a
// post that may.
func (s *Service) CreateReserve(ctx context.Context, in ReserveInput) (*ent.MaterialReserve, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.MaterialReserve, error) {
		u, err := kernel.Unit(ctx, c, in.UnitID, "unitID")
		if err != nil {
			return nil, err
		}
		if err := actFor(ctx, c, "material_reserve", "create", u, "unitID"); err != nil {
			return nil, err
		}
		m, err := c.MaterialReserve.Create().SetUnitID(u.ID).SetItem(in.Item).SetCategory(in.Category).
			SetQuantity(in.Quantity).SetMinimumQuantity(in.MinimumQuantity).SetUnitOfMeasure(in.UnitOfMeasure).
			SetLocation(in.Location).SetKeeper(in.Keeper).SetNillableExpiresOn(in.ExpiresOn).SetNillableNextCheckOn(in.NextCheckOn).Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.MaterialReserve.Get(ctx, m.ID)
	})
}

// Below is the scope path of unit unitID, which the caller reads: the
// prefix of the records of the unit and of the units below it.
func Below(ctx context.Context, c *ent.Client, unitID int) (string, error) {
	u, err := kernel.Unit(ctx, c, unitID, "unitID")
	if err != nil {
		return "", err
	}
	return u.ScopePath, nil
}

// TeamGaps selects the teams under path without a leader or a contact.
func TeamGaps(path string) predicate.RescueTeam {
	return rescueteam.And(rescueteam.ScopePathHasPrefix(path),
		rescueteam.Or(rescueteam.LeaderName(""), rescueteam.ContactPhone("")))
}

// ReserveGaps selects the items under path expired at (expiring on or
// before it) or below their minimum quantity.
func ReserveGaps(path string, at time.Time) predicate.MaterialReserve {
	return materialreserve.And(materialreserve.ScopePathHasPrefix(path), materialreserve.Or(
		materialreserve.ExpiresOnLTE(at),
		predicate.MaterialReserve(sql.FieldsLT(materialreserve.FieldQuantity, materialreserve.FieldMinimumQuantity)),
	))
}
