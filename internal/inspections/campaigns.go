package inspections

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/campaign"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// CampaignInput is what createCampaign accepts.
type CampaignInput struct {
	OrganiserID int
	Name        string
	Sectors     []domain.Sector
	Stages      []domain.CampaignStage
}

// CreateCampaign starts a campaign in its DEPLOYMENT stage, organised by a
// government unit where the caller holds a post that may and that holds
// every target sector (MayCreate).
func (s *Service) CreateCampaign(ctx context.Context, in CampaignInput) (*ent.Campaign, error) {
	if _, err := kernel.Viewer(ctx); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Name) == "" {
		return nil, kernel.Invalidf("name", "name must not be empty")
	}
	if len(in.Sectors) == 0 {
		return nil, kernel.Invalidf("sectors", "name at least one target sector")
	}
	for _, sec := range in.Sectors {
		if !sec.Valid() {
			return nil, kernel.Invalidf("sectors", "unknown sector %q", sec)
		}
	}
	if len(in.Stages) != len(domain.CampaignStages) {
		return nil, kernel.Invalidf("stages", "give the four stages DEPLOYMENT, INSPECTION, RECTIFICATION, SUMMARY in order")
	}
	for i, st := range in.Stages {
		if st.Stage != domain.CampaignStages[i] {
			return nil, kernel.Invalidf("stages", "stage %d must be %s", i+1, domain.CampaignStages[i])
		}
		if st.PlannedEnd.Before(st.PlannedStart) {
			return nil, kernel.Invalidf("stages", "%s ends before it starts", st.Stage)
		}
		if i > 0 && st.PlannedStart.Before(in.Stages[i-1].PlannedStart) {
			return nil, kernel.Invalidf("stages", "%s starts before %s", st.Stage, in.Stages[i-1].Stage)
		}
	}
	now := kernel.Now(s.Now)
	stages := slices.Clone(in.Stages)
	stages[0].ActualStart = &now
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Campaign, error) {
		org, err := kernel.Unit(ctx, c, in.OrganiserID, "organiserID")
		if err != nil {
			return nil, err
		}
		if !org.Kind.IsGovernment() {
			return nil, kernel.Invalidf("organiserID", "a campaign is organised by a government unit, not a %s", org.Kind)
		}
		o, err := authz.ObjectAt(ctx, c, "campaign", org.TenantID, org.ScopePath, org.ScopeSector, org.ScopeEnterpriseID)
		if err != nil {
			return nil, err
		}
		if err := MayCreate(ctx, o, in.Sectors); err != nil {
			return nil, err
		}
		return c.Campaign.Create().SetOrganiserID(org.ID).SetName(strings.TrimSpace(in.Name)).
			SetSectors(in.Sectors).SetStages(stages).Save(ctx)
	})
}

// AdvanceCampaign closes the current stage and opens the next; after SUMMARY
// the campaign is finished.
func (s *Service) AdvanceCampaign(ctx context.Context, id int) (*ent.Campaign, error) {
	if _, err := kernel.Viewer(ctx); err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now)
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Campaign, error) {
		cp, err := kernel.Load(ctx, c.Campaign.Get, id, "campaign", "id")
		if err != nil {
			return nil, err
		}
		o, err := authz.ObjectAt(ctx, c, "campaign", cp.TenantID, cp.ScopePath, cp.ScopeSector, cp.ScopeEnterpriseID)
		if err != nil {
			return nil, err
		}
		if err := MayAdvance(ctx, cp, o); err != nil {
			return nil, err
		}
		stages := slices.Clone(cp.Stages)
		i := slices.Index(domain.CampaignStages, cp.Stage)
		if i < 0 || i >= len(stages) {
			return nil, fmt.Errorf("campaign %d: stage %q not in its stages", id, cp.Stage)
		}
		stages[i].ActualEnd = &now
		// Only from the stage it was decided on: of two concurrent
		// advances, the second is a CONFLICT rather than a skipped stage.
		upd := c.Campaign.UpdateOneID(id).Where(campaign.StageEQ(cp.Stage), campaign.Finished(false)).SetStages(stages)
		if i+1 < len(stages) {
			stages[i+1].ActualStart = &now
			upd.SetStage(domain.CampaignStages[i+1])
		} else {
			upd.SetFinished(true)
		}
		err = kernel.Claim("campaign", func() (int, error) { return kernel.Affected(upd.Exec(ctx)) }, func() (string, error) {
			cur, err := c.Campaign.Get(authz.SystemContext(ctx), id)
			if err != nil {
				return "", err
			}
			if cur.Finished {
				return "finished", nil
			}
			return "in its " + string(cur.Stage) + " stage", nil
		})
		if err != nil {
			return nil, err
		}
		return c.Campaign.Get(ctx, id)
	})
}

// Coverage lists the enterprises a campaign must reach (the organiser's
// territory, the campaign's sectors, and the caller's own scope) and which
// of them were inspected in the campaign: two statements.
func (s *Service) Coverage(ctx context.Context, cp *ent.Campaign) (total int, inspected int, uninspected []*ent.Enterprise, err error) {
	org, err := s.Client.Unit.Get(authz.SystemContext(ctx), cp.OrganiserID)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("load organiser: %w", err)
	}
	terr := authz.TerritoryPredicate(cp.TenantID, org.ID, org.Kind, org.ScopePath, cp.Sectors)
	ents, err := s.Client.Enterprise.Query().Where(func(sel *sql.Selector) { terr(sel) }).
		Order(ent.Asc(enterprise.FieldName)).All(ctx)
	if err != nil {
		return 0, 0, nil, err
	}
	done, err := s.Client.Inspection.Query().
		Where(inspection.CampaignID(cp.ID), inspection.StatusEQ(inspection.StatusDONE), inspection.ScopeEnterpriseIDNotNil()).
		Unique(true).Select(inspection.FieldScopeEnterpriseID).Ints(ctx)
	if err != nil {
		return 0, 0, nil, err
	}
	for _, e := range ents {
		if slices.Contains(done, e.UnitID) {
			inspected++
		} else {
			uninspected = append(uninspected, e)
		}
	}
	return len(ents), inspected, uninspected, nil
}
