package hazards

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/checklisttemplate"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// CreateTemplate adds the next version of a sector's checklist template. The
// right is checklist:create at the tenant root (a tenant-level ADMIN).
func (s *Service) CreateTemplate(ctx context.Context, sector domain.Sector, name string, items []domain.ChecklistItem) (*ent.ChecklistTemplate, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	root, err := authz.RootPath(ctx, s.Client, v.Tenant)
	if err != nil {
		return nil, err
	}
	if err := authz.Check(ctx, authz.Object{Type: "checklist", Tenant: v.Tenant, Path: root}, "create"); err != nil {
		return nil, err
	}
	if !sector.Valid() {
		return nil, invalid("sector", "unknown sector %q", sector)
	}
	if strings.TrimSpace(name) == "" {
		return nil, invalid("name", "name must not be empty")
	}
	if len(items) == 0 {
		return nil, invalid("items", "a checklist needs at least one item")
	}
	seen := map[string]bool{}
	for i, it := range items {
		if strings.TrimSpace(it.Code) == "" || strings.TrimSpace(it.Text) == "" || strings.TrimSpace(it.LegalBasis) == "" {
			return nil, invalid(fmt.Sprintf("items[%d]", i), "every item needs a code, a text and a legal basis")
		}
		if seen[it.Code] {
			return nil, invalid(fmt.Sprintf("items[%d].code", i), "item code %q is used twice", it.Code)
		}
		seen[it.Code] = true
	}
	var out *ent.ChecklistTemplate
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		out, err = NextTemplate(authz.SystemContext(ctx), tx.Client(), v.Tenant, sector, strings.TrimSpace(name), items)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// NextTemplate inserts version max+1 of the sector's template; ctx must be
// the system's (the caller has decided).
func NextTemplate(ctx context.Context, c *ent.Client, tenant int, sector domain.Sector, name string, items []domain.ChecklistItem) (*ent.ChecklistTemplate, error) {
	last, err := c.ChecklistTemplate.Query().
		Where(checklisttemplate.TenantID(tenant), checklisttemplate.SectorEQ(sector)).
		Aggregate(ent.Max(checklisttemplate.FieldVersion)).Int(ctx)
	if err != nil {
		last = 0 // no row yet: MAX is NULL
	}
	return c.ChecklistTemplate.Create().SetTenantID(tenant).SetSector(sector).SetVersion(last + 1).
		SetName(name).SetItems(items).Save(ctx)
}

// CampaignInput is what createCampaign accepts.
type CampaignInput struct {
	OrganiserID int
	Name        string
	Sectors     []domain.Sector
	Stages      []domain.CampaignStage
}

// CreateCampaign starts a campaign in its DEPLOYMENT stage.
func (s *Service) CreateCampaign(ctx context.Context, in CampaignInput) (*ent.Campaign, error) {
	if _, err := viewer(ctx); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Name) == "" {
		return nil, invalid("name", "name must not be empty")
	}
	if len(in.Sectors) == 0 {
		return nil, invalid("sectors", "name at least one target sector")
	}
	for _, sec := range in.Sectors {
		if !sec.Valid() {
			return nil, invalid("sectors", "unknown sector %q", sec)
		}
	}
	if len(in.Stages) != len(domain.CampaignStages) {
		return nil, invalid("stages", "give the four stages DEPLOYMENT, INSPECTION, RECTIFICATION, SUMMARY in order")
	}
	for i, st := range in.Stages {
		if st.Stage != domain.CampaignStages[i] {
			return nil, invalid("stages", "stage %d must be %s", i+1, domain.CampaignStages[i])
		}
		if st.PlannedEnd.Before(st.PlannedStart) {
			return nil, invalid("stages", "%s ends before it starts", st.Stage)
		}
		if i > 0 && st.PlannedStart.Before(in.Stages[i-1].PlannedStart) {
			return nil, invalid("stages", "%s starts before %s", st.Stage, in.Stages[i-1].Stage)
		}
	}
	now := s.now()
	stages := slices.Clone(in.Stages)
	stages[0].ActualStart = &now
	var out *ent.Campaign
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		org, err := c.Unit.Get(ctx, in.OrganiserID)
		if err != nil {
			return notFound(err, "unit", "organiserID")
		}
		if !org.Kind.IsGovernment() {
			return invalid("organiserID", "a campaign is organised by a government unit, not a %s", org.Kind)
		}
		out, err = c.Campaign.Create().SetOrganiserID(org.ID).SetName(strings.TrimSpace(in.Name)).
			SetSectors(in.Sectors).SetStages(stages).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// AdvanceCampaign closes the current stage and opens the next; after SUMMARY
// the campaign is finished.
func (s *Service) AdvanceCampaign(ctx context.Context, id int) (*ent.Campaign, error) {
	if _, err := viewer(ctx); err != nil {
		return nil, err
	}
	now := s.now()
	var out *ent.Campaign
	err := s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		cp, err := c.Campaign.Get(ctx, id)
		if err != nil {
			return notFound(err, "campaign", "id")
		}
		if cp.Finished {
			return invalid("id", "the campaign is finished")
		}
		stages := slices.Clone(cp.Stages)
		i := slices.Index(domain.CampaignStages, cp.Stage)
		if i < 0 || i >= len(stages) {
			return fmt.Errorf("campaign %d: stage %q not in its stages", id, cp.Stage)
		}
		stages[i].ActualEnd = &now
		upd := c.Campaign.UpdateOneID(id).SetStages(stages)
		if i+1 < len(stages) {
			stages[i+1].ActualStart = &now
			upd.SetStage(domain.CampaignStages[i+1])
		} else {
			upd.SetFinished(true)
		}
		if _, err := upd.Save(ctx); err != nil {
			return err
		}
		out, err = c.Campaign.Get(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
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

// InspectionInput is what recordInspection accepts.
type InspectionInput struct {
	PlannedID        *int
	Type             *inspection.Type
	KeyPeriod        *inspection.KeyPeriod
	CampaignID       *int
	InspectingUnitID *int
	TargetID         *int
	InspectorIDs     []int
	InspectedOn      time.Time
	TemplateID       *int
	Results          []domain.ItemResult
	Conclusion       string
	Hazards          []InspectionHazard
}

// InspectionHazard is a hazard found in the inspection.
type InspectionHazard struct {
	ItemCode string
	NewHazard
}

// RecordInspection records an inspection (or the results of a PLANNED one)
// and the hazards it found, in one transaction.
func (s *Service) RecordInspection(ctx context.Context, in InspectionInput) (*ent.Inspection, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if in.InspectedOn.IsZero() {
		return nil, invalid("inspectedOn", "the inspection date is required")
	}
	if in.InspectedOn.After(now.Add(24 * time.Hour)) {
		return nil, invalid("inspectedOn", "an inspection is recorded after it took place")
	}
	var out *ent.Inspection
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		var planned *ent.Inspection
		if in.PlannedID != nil {
			planned, err = c.Inspection.Get(ctx, *in.PlannedID)
			if err != nil {
				return notFound(err, "inspection", "plannedID")
			}
			if planned.Status != inspection.StatusPLANNED {
				return invalid("plannedID", "the inspection was already recorded")
			}
			in.TargetID, in.InspectingUnitID, in.Type = &planned.TargetID, &planned.InspectingUnitID, &planned.Type
			if len(in.InspectorIDs) == 0 {
				in.InspectorIDs = planned.InspectorIds
			}
			if in.CampaignID == nil {
				in.CampaignID = planned.CampaignID
			}
		}
		if in.TargetID == nil {
			return invalid("targetID", "the target unit is required")
		}
		if in.InspectingUnitID == nil {
			return invalid("inspectingUnitID", "the inspecting unit is required")
		}
		if in.Type == nil {
			return invalid("type", "the inspection type is required")
		}
		target, err := c.Unit.Get(ctx, *in.TargetID)
		if err != nil {
			return notFound(err, "unit", "targetID")
		}
		insp, err := c.Unit.Get(ctx, *in.InspectingUnitID)
		if err != nil {
			return notFound(err, "unit", "inspectingUnitID")
		}
		if err := s.checkInspectors(ctx, c, v, insp, in.InspectorIDs); err != nil {
			return err
		}
		if *in.Type == inspection.TypeKEY_PERIOD && in.KeyPeriod == nil {
			return invalid("keyPeriod", "a KEY_PERIOD inspection names its key period")
		}
		if in.CampaignID != nil {
			if _, err := c.Campaign.Get(ctx, *in.CampaignID); err != nil {
				return notFound(err, "campaign", "campaignID")
			}
		}
		var items []domain.ChecklistItem
		if in.TemplateID != nil {
			tpl, err := c.ChecklistTemplate.Get(ctx, *in.TemplateID)
			if err != nil {
				return notFound(err, "checklist template", "templateID")
			}
			if target.Sector != nil && tpl.Sector != *target.Sector {
				return invalid("templateID", "the template is for %s, the target is %s", tpl.Sector, *target.Sector)
			}
			items = tpl.Items
		}
		failed, err := checkResults(items, in.TemplateID != nil, in.Results)
		if err != nil {
			return err
		}
		var rec *ent.Inspection
		if planned != nil {
			rec, err = c.Inspection.UpdateOneID(planned.ID).SetStatus(inspection.StatusDONE).
				SetInspectorIds(in.InspectorIDs).SetInspectedOn(in.InspectedOn).
				SetNillableTemplateID(in.TemplateID).SetResults(in.Results).SetConclusion(in.Conclusion).
				SetNillableCampaignID(in.CampaignID).SetNillableKeyPeriod(in.KeyPeriod).Save(ctx)
		} else {
			rec, err = c.Inspection.Create().SetType(*in.Type).SetNillableKeyPeriod(in.KeyPeriod).
				SetNillableCampaignID(in.CampaignID).SetInspectingUnitID(insp.ID).SetTargetID(target.ID).
				SetInspectorIds(in.InspectorIDs).SetInspectedOn(in.InspectedOn).SetNillableTemplateID(in.TemplateID).
				SetResults(in.Results).SetConclusion(in.Conclusion).Save(ctx)
		}
		if err != nil {
			return err
		}
		for i, hz := range in.Hazards {
			if hz.ItemCode != "" && !failed[hz.ItemCode] {
				return invalid(fmt.Sprintf("hazards[%d].itemCode", i), "item %q did not fail in this inspection", hz.ItemCode)
			}
			n := hz.NewHazard
			if n.SubjectID == 0 {
				n.SubjectID = target.ID
			}
			n.Source, n.InspectionID, n.CampaignID = hazard.SourceINSPECTION, &rec.ID, in.CampaignID
			if err := n.validate(now); err != nil {
				return err
			}
			if _, err := s.createHazard(ctx, c, v, n, now); err != nil {
				return err
			}
		}
		out, err = c.Inspection.Get(ctx, rec.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// checkResults validates the results against the template and returns the
// failed item codes.
func checkResults(items []domain.ChecklistItem, withTemplate bool, results []domain.ItemResult) (map[string]bool, error) {
	failed := map[string]bool{}
	seen := map[string]bool{}
	for i, r := range results {
		field := fmt.Sprintf("results[%d]", i)
		if !slices.Contains(domain.CheckResult("").Values(), string(r.Result)) {
			return nil, invalid(field+".result", "unknown result %q", r.Result)
		}
		if withTemplate && !slices.ContainsFunc(items, func(it domain.ChecklistItem) bool { return it.Code == r.ItemCode }) {
			return nil, invalid(field+".itemCode", "item %q is not in the template", r.ItemCode)
		}
		if seen[r.ItemCode] {
			return nil, invalid(field+".itemCode", "item %q is listed twice", r.ItemCode)
		}
		seen[r.ItemCode] = true
		if r.Result == domain.CheckFail {
			if strings.TrimSpace(r.Note) == "" {
				return nil, invalid(field+".note", "a failed item needs a note saying what was found")
			}
			failed[r.ItemCode] = true
		}
	}
	return failed, nil
}

// checkInspectors: a government inspection has at least two distinct
// inspectors (执法检查两人以上); every inspector is an active user of the tenant.
func (s *Service) checkInspectors(ctx context.Context, c *ent.Client, v *authz.Viewer, insp *ent.Unit, ids []int) error {
	distinct := slices.Clone(ids)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	if len(distinct) != len(ids) {
		return invalid("inspectorIDs", "an inspector is listed twice")
	}
	if insp.Kind.IsGovernment() && len(ids) < 2 {
		return invalid("inspectorIDs", "an inspection by a government unit needs at least two inspectors")
	}
	if len(ids) == 0 {
		return nil
	}
	// Inspectors may sit outside the caller's jurisdiction (a county team
	// inspecting a town's enterprise); existence is checked tenant-wide.
	n, err := c.User.Query().Where(user.IDIn(ids...), user.TenantID(insp.TenantID), user.StatusEQ(user.StatusACTIVE)).
		Count(authz.SystemContext(ctx))
	if err != nil {
		return err
	}
	if n != len(ids) {
		e := apperr.NotFoundf("user not found")
		e.Field = "inspectorIDs"
		return e
	}
	return nil
}

// DrawInput is what createRandomDraw accepts.
type DrawInput struct {
	OrganiserID          int
	Sectors              []domain.Sector
	ExcludeInspectedDays int
	TargetCount          int
	InspectorsPerTarget  int
	InspectorIDs         []int
	Conflicts            []domain.DrawConflict
	Seed                 *string
	CampaignID           *int
	InspectionDate       time.Time
}

// CreateRandomDraw freezes the rosters, draws, stores the draw and creates
// the planned inspections, in one transaction.
func (s *Service) CreateRandomDraw(ctx context.Context, in DrawInput) (*ent.RandomDraw, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	if in.InspectorsPerTarget == 0 {
		in.InspectorsPerTarget = 2
	}
	switch {
	case in.TargetCount < 1:
		return nil, invalid("targetCount", "draw at least one target")
	case in.InspectorsPerTarget < 2:
		return nil, invalid("inspectorsPerTarget", "at least two inspectors per target")
	case in.ExcludeInspectedDays < 0:
		return nil, invalid("excludeInspectedDays", "must not be negative")
	case in.InspectionDate.IsZero():
		return nil, invalid("inspectionDate", "the planned inspection date is required")
	}
	for _, sec := range in.Sectors {
		if !sec.Valid() {
			return nil, invalid("sectors", "unknown sector %q", sec)
		}
	}
	seed, err := parseSeed(in.Seed)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out *ent.RandomDraw
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		org, err := c.Unit.Get(ctx, in.OrganiserID)
		if err != nil {
			return notFound(err, "unit", "organiserID")
		}
		if !org.Kind.IsGovernment() {
			return invalid("organiserID", "a random draw is organised by a government unit")
		}
		if err := s.checkInspectors(ctx, c, v, org, in.InspectorIDs); err != nil {
			return err
		}
		if in.CampaignID != nil {
			if _, err := c.Campaign.Get(ctx, *in.CampaignID); err != nil {
				return notFound(err, "campaign", "campaignID")
			}
		}
		roster, err := s.roster(ctx, c, org, in, now)
		if err != nil {
			return err
		}
		for i, cf := range in.Conflicts {
			if !slices.Contains(in.InspectorIDs, cf.InspectorID) {
				return invalid(fmt.Sprintf("conflicts[%d].inspectorID", i), "not in the inspector roster")
			}
		}
		inspectors := slices.Clone(in.InspectorIDs)
		slices.Sort(inspectors)
		assignments, err := Draw(seed, roster, inspectors, in.Conflicts, in.TargetCount, in.InspectorsPerTarget)
		if err != nil {
			return apperr.Invalid("targetCount", err.Error())
		}
		d, err := c.RandomDraw.Create().SetOrganiserID(org.ID).SetSectors(in.Sectors).
			SetExcludeInspectedDays(in.ExcludeInspectedDays).SetTargetCount(in.TargetCount).
			SetInspectorsPerTarget(in.InspectorsPerTarget).SetSeed(seed).SetEnterpriseRoster(roster).
			SetInspectorRoster(inspectors).SetConflicts(in.Conflicts).SetAssignments(assignments).
			SetDrawnAt(now).Save(ctx)
		if err != nil {
			return err
		}
		for _, a := range assignments {
			if _, err := c.Inspection.Create().SetType(inspection.TypeDOUBLE_RANDOM).SetStatus(inspection.StatusPLANNED).
				SetRandomDrawID(d.ID).SetNillableCampaignID(in.CampaignID).SetInspectingUnitID(org.ID).
				SetTargetID(a.EnterpriseUnitID).SetInspectorIds(a.InspectorIDs).SetInspectedOn(in.InspectionDate).
				Save(ctx); err != nil {
				return err
			}
		}
		out, err = c.RandomDraw.Get(ctx, d.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// roster is the enterprise roster of a draw: ENTERPRISE unit ids in the
// caller's scope and the organiser's territory, of the sectors, minus those
// inspected in the last N days; sorted, so the draw depends on the seed only.
func (s *Service) roster(ctx context.Context, c *ent.Client, org *ent.Unit, in DrawInput, now time.Time) ([]int, error) {
	terr := authz.TerritoryPredicate(org.TenantID, org.ID, org.Kind, org.ScopePath, in.Sectors)
	ids, err := c.Enterprise.Query().Where(func(sel *sql.Selector) { terr(sel) }).
		Select(enterprise.FieldUnitID).Ints(ctx)
	if err != nil {
		return nil, err
	}
	if in.ExcludeInspectedDays > 0 {
		since := now.AddDate(0, 0, -in.ExcludeInspectedDays)
		recent, err := c.Inspection.Query().
			Where(inspection.StatusEQ(inspection.StatusDONE), inspection.InspectedOnGTE(since), inspection.ScopeEnterpriseIDNotNil()).
			Unique(true).Select(inspection.FieldScopeEnterpriseID).Ints(ctx)
		if err != nil {
			return nil, err
		}
		ids = slices.DeleteFunc(ids, func(id int) bool { return slices.Contains(recent, id) })
	}
	slices.Sort(ids)
	return ids, nil
}

func parseSeed(s *string) (int64, error) {
	if s == nil || *s == "" {
		n, err := rand.Int(rand.Reader, big.NewInt(1<<62))
		if err != nil {
			return 0, fmt.Errorf("random seed: %w", err)
		}
		return n.Int64(), nil
	}
	n, err := strconv.ParseInt(*s, 10, 64)
	if err != nil {
		return 0, invalid("seed", "the seed is a decimal integer")
	}
	return n, nil
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
