package inspections

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/hazards"
	"github.com/dutychain/dutychain/internal/kernel"
)

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
	// FollowUps are the hazards a FOLLOW_UP inspection re-checks, with
	// their outcomes.
	FollowUps []FollowUp
}

// InspectionHazard is a hazard found in the inspection.
type InspectionHazard struct {
	ItemCode string
	hazards.NewHazard
}

// RecordInspection records an inspection (or the results of a PLANNED one)
// and the hazards it found, in one transaction.
func (s *Service) RecordInspection(ctx context.Context, in InspectionInput) (*ent.Inspection, error) {
	v, err := kernel.Viewer(ctx)
	if err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now)
	if in.InspectedOn.IsZero() {
		return nil, kernel.Invalidf("inspectedOn", "the inspection date is required")
	}
	if in.InspectedOn.After(now.Add(24 * time.Hour)) {
		return nil, kernel.Invalidf("inspectedOn", "an inspection is recorded after it took place")
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Inspection, error) {
		planned, err := fromPlan(ctx, c, &in)
		if err != nil {
			return nil, err
		}
		target, err := kernel.Unit(ctx, c, *in.TargetID, "targetID")
		if err != nil {
			return nil, err
		}
		insp, err := kernel.Unit(ctx, c, *in.InspectingUnitID, "inspectingUnitID")
		if err != nil {
			return nil, err
		}
		if err := checkInspectors(ctx, c, insp, in.InspectorIDs); err != nil {
			return nil, err
		}
		if err := authz.MayRecordInspection(ctx, c, string(*in.Type), authz.PlaceOf(insp), authz.PlaceOf(target), in.InspectorIDs); err != nil {
			return nil, err
		}
		if err := checkFollowUpShape(*in.Type, in.FollowUps); err != nil {
			return nil, err
		}
		if *in.Type == inspection.TypeKEY_PERIOD && in.KeyPeriod == nil {
			return nil, kernel.Invalidf("keyPeriod", "a KEY_PERIOD inspection names its key period")
		}
		if in.CampaignID != nil {
			if _, err := kernel.Load(ctx, c.Campaign.Get, *in.CampaignID, "campaign", "campaignID"); err != nil {
				return nil, err
			}
		}
		var items []domain.ChecklistItem
		if in.TemplateID != nil {
			tpl, err := kernel.Load(ctx, c.ChecklistTemplate.Get, *in.TemplateID, "checklist template", "templateID")
			if err != nil {
				return nil, err
			}
			if target.Sector != nil && tpl.Sector != *target.Sector {
				return nil, kernel.Invalidf("templateID", "the template is for %s, the target is %s", tpl.Sector, *target.Sector)
			}
			items = tpl.Items
		}
		failed, err := checkResults(items, in.TemplateID != nil, in.Results)
		if err != nil {
			return nil, err
		}
		var rec *ent.Inspection
		if planned != nil {
			// Only while it is still PLANNED: of two concurrent records of
			// one plan, the second is a CONFLICT.
			err = kernel.Claim("inspection", func() (int, error) {
				var err error
				rec, err = c.Inspection.UpdateOneID(planned.ID).Where(inspection.StatusEQ(inspection.StatusPLANNED)).
					SetStatus(inspection.StatusDONE).
					SetInspectorIds(in.InspectorIDs).SetInspectedOn(in.InspectedOn).
					SetNillableTemplateID(in.TemplateID).SetResults(in.Results).SetConclusion(in.Conclusion).
					SetNillableCampaignID(in.CampaignID).SetNillableKeyPeriod(in.KeyPeriod).Save(ctx)
				return kernel.Affected(err)
			}, func() (string, error) {
				cur, err := c.Inspection.Get(authz.SystemContext(ctx), planned.ID)
				if err != nil {
					return "", err
				}
				return string(cur.Status), nil
			})
		} else {
			rec, err = c.Inspection.Create().SetType(*in.Type).SetNillableKeyPeriod(in.KeyPeriod).
				SetNillableCampaignID(in.CampaignID).SetInspectingUnitID(insp.ID).SetTargetID(target.ID).
				SetInspectorIds(in.InspectorIDs).SetInspectedOn(in.InspectedOn).SetNillableTemplateID(in.TemplateID).
				SetResults(in.Results).SetConclusion(in.Conclusion).Save(ctx)
		}
		if err != nil {
			return nil, err
		}
		if err := recordHazards(ctx, c, v, rec, target, in, failed, now); err != nil {
			return nil, err
		}
		if err := recordFollowUps(ctx, c, v, rec, target, in.FollowUps, now); err != nil {
			return nil, err
		}
		return c.Inspection.Get(ctx, rec.ID)
	})
}

// fromPlan completes in from the PLANNED inspection it records, if any, and
// checks that the target, the inspecting unit and the type are known.
func fromPlan(ctx context.Context, c *ent.Client, in *InspectionInput) (*ent.Inspection, error) {
	var planned *ent.Inspection
	if in.PlannedID != nil {
		var err error
		planned, err = kernel.Load(ctx, c.Inspection.Get, *in.PlannedID, "inspection", "plannedID")
		if err != nil {
			return nil, err
		}
		if err := recordable(planned); err != nil {
			return nil, err
		}
		in.TargetID, in.InspectingUnitID, in.Type = &planned.TargetID, &planned.InspectingUnitID, &planned.Type
		if len(in.InspectorIDs) == 0 {
			in.InspectorIDs = planned.InspectorIds
		}
		if in.CampaignID == nil {
			in.CampaignID = planned.CampaignID
		}
	}
	switch {
	case in.TargetID == nil:
		return nil, kernel.Invalidf("targetID", "the target unit is required")
	case in.InspectingUnitID == nil:
		return nil, kernel.Invalidf("inspectingUnitID", "the inspecting unit is required")
	case in.Type == nil:
		return nil, kernel.Invalidf("type", "the inspection type is required")
	}
	return planned, nil
}

// recordHazards creates the hazards the inspection rec found, each tied to
// a failed item when it names one.
func recordHazards(ctx context.Context, c *ent.Client, v *authz.Viewer, rec *ent.Inspection, target *ent.Unit, in InspectionInput, failed map[string]bool, now time.Time) error {
	for i, hz := range in.Hazards {
		if hz.ItemCode != "" && !failed[hz.ItemCode] {
			return kernel.Invalidf(fmt.Sprintf("hazards[%d].itemCode", i), "item %q did not fail in this inspection", hz.ItemCode)
		}
		n := hz.NewHazard
		if n.SubjectID == 0 {
			n.SubjectID = target.ID
		}
		n.Source, n.InspectionID, n.CampaignID = domain.SourceInspection, &rec.ID, in.CampaignID
		if err := n.Validate(now); err != nil {
			return err
		}
		if _, err := hazards.Create(ctx, c, v, n, now); err != nil {
			return err
		}
	}
	return nil
}

// checkResults validates the results against the template and returns the
// failed item codes.
func checkResults(items []domain.ChecklistItem, withTemplate bool, results []domain.ItemResult) (map[string]bool, error) {
	failed := map[string]bool{}
	seen := map[string]bool{}
	for i, r := range results {
		field := fmt.Sprintf("results[%d]", i)
		if !slices.Contains(domain.CheckResult("").Values(), string(r.Result)) {
			return nil, kernel.Invalidf(field+".result", "unknown result %q", r.Result)
		}
		if withTemplate && !slices.ContainsFunc(items, func(it domain.ChecklistItem) bool { return it.Code == r.ItemCode }) {
			return nil, kernel.Invalidf(field+".itemCode", "item %q is not in the template", r.ItemCode)
		}
		if seen[r.ItemCode] {
			return nil, kernel.Invalidf(field+".itemCode", "item %q is listed twice", r.ItemCode)
		}
		seen[r.ItemCode] = true
		if r.Result == domain.CheckFail {
			if strings.TrimSpace(r.Note) == "" {
				return nil, kernel.Invalidf(field+".note", "a failed item needs a note saying what was found")
			}
			failed[r.ItemCode] = true
		}
	}
	return failed, nil
}

// checkInspectors: a government inspection has at least two distinct
// inspectors (执法检查两人以上); every inspector is an active user of the tenant.
func checkInspectors(ctx context.Context, c *ent.Client, insp *ent.Unit, ids []int) error {
	distinct := slices.Clone(ids)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	if len(distinct) != len(ids) {
		return kernel.Invalidf("inspectorIDs", "an inspector is listed twice")
	}
	if insp.Kind.IsGovernment() && len(ids) < 2 {
		return kernel.Invalidf("inspectorIDs", "an inspection by a government unit needs at least two inspectors")
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
