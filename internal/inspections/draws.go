package inspections

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// DrawInput is what createRandomDraw accepts.
type DrawInput struct {
	OrganiserID          int
	Sectors              []domain.Sector
	ExcludeInspectedDays int
	TargetCount          int
	InspectorsPerTarget  int
	InspectorIDs         []int
	Conflicts            []domain.DrawConflict
	CampaignID           *int
	InspectionDate       time.Time
}

// CreateRandomDraw freezes the rosters, draws, stores the draw and creates
// the planned inspections, in one transaction.
func (s *Service) CreateRandomDraw(ctx context.Context, in DrawInput) (*ent.RandomDraw, error) {
	if _, err := kernel.Viewer(ctx); err != nil {
		return nil, err
	}
	if in.InspectorsPerTarget == 0 {
		in.InspectorsPerTarget = 2
	}
	var p kernel.Problems
	p.Check(in.TargetCount < 1, "targetCount", "draw at least one target")
	p.Check(in.InspectorsPerTarget < 2, "inspectorsPerTarget", "at least two inspectors per target")
	p.Check(in.ExcludeInspectedDays < 0, "excludeInspectedDays", "must not be negative")
	p.Check(in.InspectionDate.IsZero(), "inspectionDate", "the planned inspection date is required")
	for i, sec := range in.Sectors {
		p.Check(!sec.Valid(), fmt.Sprintf("sectors[%d]", i), "unknown sector %q", sec)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	seed, err := newSeed()
	if err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now)
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.RandomDraw, error) {
		org, err := kernel.Unit(ctx, c, in.OrganiserID, "organiserID")
		if err != nil {
			return nil, err
		}
		if !org.Kind.IsGovernment() {
			return nil, kernel.Invalidf("organiserID", "a random draw is organised by a government unit")
		}
		if err := checkInspectors(ctx, c, org, in.InspectorIDs); err != nil {
			return nil, err
		}
		if err := authz.CheckInspectors(ctx, c, authz.PlaceOf(org), in.InspectorIDs); err != nil {
			return nil, err
		}
		if in.CampaignID != nil {
			if _, err := kernel.Load(ctx, c.Campaign.Get, *in.CampaignID, "campaign", "campaignID"); err != nil {
				return nil, err
			}
		}
		roster, sectors, err := enterpriseRoster(ctx, c, org, in, now)
		if err != nil {
			return nil, err
		}
		for i, cf := range in.Conflicts {
			if !slices.Contains(in.InspectorIDs, cf.InspectorID) {
				return nil, kernel.Invalidf(fmt.Sprintf("conflicts[%d].inspectorID", i), "not in the inspector roster")
			}
		}
		inspectors := slices.Clone(in.InspectorIDs)
		slices.Sort(inspectors)
		assignments, err := Draw(seed, roster, inspectors, in.Conflicts, in.TargetCount, in.InspectorsPerTarget)
		if err != nil {
			return nil, apperr.Invalid("targetCount", err.Error())
		}
		var sectorKey *string
		if key := authz.SectorKey(sectors); key != "" {
			sectorKey = &key
		}
		d, err := c.RandomDraw.Create().SetOrganiserID(org.ID).SetSectors(in.Sectors).
			SetExcludeInspectedDays(in.ExcludeInspectedDays).SetTargetCount(in.TargetCount).
			SetInspectorsPerTarget(in.InspectorsPerTarget).SetSeed(seed).SetEnterpriseRoster(roster).
			SetInspectorRoster(inspectors).SetConflicts(in.Conflicts).SetAssignments(assignments).
			SetDrawnAt(now).SetNillableScopeSector(sectorKey).Save(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range assignments {
			if _, err := c.Inspection.Create().SetType(inspection.TypeDOUBLE_RANDOM).SetStatus(inspection.StatusPLANNED).
				SetRandomDrawID(d.ID).SetNillableCampaignID(in.CampaignID).SetInspectingUnitID(org.ID).
				SetTargetID(a.EnterpriseUnitID).SetInspectorIds(a.InspectorIDs).SetInspectedOn(in.InspectionDate).
				Save(ctx); err != nil {
				return nil, err
			}
		}
		return c.RandomDraw.Get(ctx, d.ID)
	})
}

// enterpriseRoster is the enterprise roster of a draw: ENTERPRISE unit ids in the
// caller's scope and the organiser's territory, of the sectors, minus those
// inspected in the last N days; sorted, so the draw depends on the seed only.
// It also returns the sectors the roster spans: the draw is read only by
// those whose sectors include all of them (a sector deputy does not see the
// draws of other sectors).
func enterpriseRoster(ctx context.Context, c *ent.Client, org *ent.Unit, in DrawInput, now time.Time) ([]int, []domain.Sector, error) {
	terr := authz.TerritoryPredicate(org.TenantID, org.ID, org.Kind, org.ScopePath, in.Sectors)
	var found []struct {
		UnitID int           `json:"unit_id"`
		Sector domain.Sector `json:"sector"`
	}
	if err := c.Enterprise.Query().Where(func(sel *sql.Selector) { terr(sel) }).
		Select(enterprise.FieldUnitID, enterprise.FieldSector).Scan(ctx, &found); err != nil {
		return nil, nil, err
	}
	ids := make([]int, 0, len(found))
	sectorOf := map[int]domain.Sector{}
	for _, f := range found {
		ids = append(ids, f.UnitID)
		sectorOf[f.UnitID] = f.Sector
	}
	if in.ExcludeInspectedDays > 0 {
		since := now.AddDate(0, 0, -in.ExcludeInspectedDays)
		recent, err := c.Inspection.Query().
			Where(inspection.StatusEQ(inspection.StatusDONE), inspection.InspectedOnGTE(since), inspection.ScopeEnterpriseIDNotNil()).
			Unique(true).Select(inspection.FieldScopeEnterpriseID).Ints(ctx)
		if err != nil {
			return nil, nil, err
		}
		ids = slices.DeleteFunc(ids, func(id int) bool { return slices.Contains(recent, id) })
	}
	slices.Sort(ids)
	var sectors []domain.Sector
	for _, id := range ids {
		sectors = append(sectors, sectorOf[id])
	}
	return ids, sectors, nil
}

// newSeed draws a seed from the server's cryptographic randomness: the
// caller never chooses it, so no seed can be ground offline to leave a
// chosen enterprise out. It is stored and shown, so the draw is re-checkable.
func newSeed() (int64, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return 0, fmt.Errorf("random seed: %w", err)
	}
	return n.Int64(), nil
}

// Draw is the pure 双随机 draw: k targets from roster, then per targets
// inspectors from the inspector roster minus those with a declared conflict
// for it. The same inputs give the same result on every machine (PCG seeded
// with the stored seed; rosters sorted), which is what makes a draw
// re-checkable by anyone.
func Draw(seed int64, roster, inspectors []int, conflicts []domain.DrawConflict, k, per int) ([]domain.DrawAssignment, error) {
	if k > len(roster) {
		return nil, fmt.Errorf("cannot draw %d targets from a roster of %d enterprises", k, len(roster))
	}
	r := mrand.New(mrand.NewPCG(uint64(seed), binary.LittleEndian.Uint64([]byte("dutychn2"))))
	targets := slices.Clone(roster)
	r.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
	out := make([]domain.DrawAssignment, 0, k)
	for _, t := range targets[:k] {
		eligible := slices.DeleteFunc(slices.Clone(inspectors), func(id int) bool {
			return slices.Contains(conflicts, domain.DrawConflict{InspectorID: id, EnterpriseUnitID: t})
		})
		if len(eligible) < per {
			return nil, fmt.Errorf("only %d inspectors without a conflict are available for a target; %d are needed", len(eligible), per)
		}
		r.Shuffle(len(eligible), func(i, j int) { eligible[i], eligible[j] = eligible[j], eligible[i] })
		picked := slices.Clone(eligible[:per])
		slices.Sort(picked)
		out = append(out, domain.DrawAssignment{EnterpriseUnitID: t, InspectorIDs: picked})
	}
	return out, nil
}

// Reproduce re-runs a stored draw from its seed and frozen rosters.
func Reproduce(d *ent.RandomDraw) bool {
	got, err := Draw(d.Seed, d.EnterpriseRoster, d.InspectorRoster, d.Conflicts, d.TargetCount, d.InspectorsPerTarget)
	if err != nil || len(got) != len(d.Assignments) {
		return false
	}
	for i := range got {
		if got[i].EnterpriseUnitID != d.Assignments[i].EnterpriseUnitID || !slices.Equal(got[i].InspectorIDs, d.Assignments[i].InspectorIDs) {
			return false
		}
	}
	return true
}
