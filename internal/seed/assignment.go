package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/ent/riskpoint"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/inspections"
)

// The demo county's assignments (交办) and follow-ups (事后督查): a 2023
// inspection of the 中国石油 station finds two hazards at its risk points
// 卸油作业 and 配电室; the county assigns one to the 县工信商务局 and the other
// to 城关镇; the station rectifies both and the bureau's follow-up
// inspection closes them. The supermarket's overdue hazard is assigned to
// 城关镇 with a follow-up date long past, so the overdue follow-ups view
// shows it.

// assignmentStep is the seed Step of the demo tenant's assignments; it runs
// after the risk points exist.
func assignmentStep(spec tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		if spec.code != TenantDemo {
			return nil
		}
		team := []string{"bureau.inspector1", "bureau.inspector2"}
		found := day(2023, 4, 12)
		insp, err := seedInspection(ctx, c, b, inspection.TypeSPECIAL, nil, nil, CodeDeptIndustryCommerce, CodeCNPCStation, team,
			found, domain.SectorFuel, append(pass("FUEL-01", "FUEL-02", "FUEL-05", "FUEL-10"),
				fail("FUEL-04", "卸油口静电接地夹损坏"), fail("FUEL-03", "配电室应急照明失效")), "发现隐患2处，责令限期整改")
		if err != nil {
			return err
		}
		followUp := day(2023, 5, 20)
		seeded := []struct {
			hz                 seedHazard
			riskPoint          string
			assigner, assignee string
			by                 string
		}{
			{seedHazard{subject: CodeCNPCStation, inspection: insp, source: domain.SourceInspection, level: domain.LevelGeneral,
				category: "防静电", location: "卸油口", description: "卸油口静电接地夹损坏", requirement: "更换静电接地夹并检测合格",
				found: found, deadline: day(2023, 5, 12), responsible: "周建国",
				events: followedUpHistory("bureau.inspector1", "bureau.inspector2", found, day(2023, 4, 14), day(2023, 5, 8))},
				"卸油作业", CodeCounty, CodeDeptIndustryCommerce, "county.head"},
			{seedHazard{subject: CodeCNPCStation, inspection: insp, source: domain.SourceInspection, level: domain.LevelGeneral,
				category: "电气安全", location: "配电室", description: "配电室应急照明失效", requirement: "修复应急照明，每月检查",
				found: found, deadline: day(2023, 5, 12), responsible: "周建国",
				events: followedUpHistory("bureau.inspector1", "bureau.inspector2", found, day(2023, 4, 15), day(2023, 5, 10))},
				"配电室", CodeCounty, CodeTownChengguan, "county.head"},
		}
		var hazardIDs []int
		for _, s := range seeded {
			hz, err := s.hz.create(ctx, c, b)
			if err != nil {
				return err
			}
			rp, err := c.RiskPoint.Query().Where(riskpoint.UnitID(hz.SubjectID), riskpoint.Name(s.riskPoint)).Only(ctx)
			if err != nil {
				return fmt.Errorf("assignment: risk point %s: %w", s.riskPoint, err)
			}
			if err := c.Hazard.UpdateOneID(hz.ID).SetRiskPointID(rp.ID).Exec(ctx); err != nil {
				return fmt.Errorf("assignment: link hazard: %w", err)
			}
			if err := seedAssignment(ctx, c, b, hz, s.assigner, s.assignee, s.by, day(2023, 4, 13), followUp); err != nil {
				return err
			}
			hazardIDs = append(hazardIDs, hz.ID)
		}
		return seedFollowUp(ctx, c, b, team, hazardIDs)
	}
}

// followedUpHistory is a GENERAL hazard rectified and submitted, closed by
// the follow-up inspection (the CLOSE event is the follow-up's).
func followedUpHistory(reporter, rectifier string, found, started, submitted time.Time) []seedEvent {
	return []seedEvent{
		{domain.HazardReport, domain.HazardReported, reporter, found, "检查组当场提出整改要求"},
		{domain.HazardStartRectification, domain.HazardRectifying, rectifier, started, "已安排整改"},
		{domain.HazardSubmit, domain.HazardSubmitted, rectifier, submitted, "整改完成，申请复查"},
		{domain.HazardClose, domain.HazardClosed, "bureau.inspector1", day(2023, 5, 18), "事后督查：整改到位，予以销号"},
	}
}

// seedAssignment writes one assignment of hz and the hazard's current one.
func seedAssignment(ctx context.Context, c *ent.Client, b *Built, hz *ent.Hazard, assigner, assignee, by string, at, followUp time.Time) error {
	from, err := b.Unit(assigner)
	if err != nil {
		return err
	}
	to, err := b.Unit(assignee)
	if err != nil {
		return err
	}
	user, err := b.User(by)
	if err != nil {
		return err
	}
	create := c.HazardAssignment.Create().SetTenantID(b.TenantID).SetHazardID(hz.ID).SetSubjectID(hz.SubjectID).
		SetAssignerID(from).SetAssigneeID(to).SetFollowUpOn(followUp).SetNote("按责任单位职能交办督导").
		SetAssignedByID(user).SetAssignedAt(at)
	if posts := b.Posts[by]; len(posts) > 0 {
		create.SetPostID(posts[0])
	}
	if _, err := create.Save(ctx); err != nil {
		return fmt.Errorf("assignment: %w", err)
	}
	if err := c.Hazard.UpdateOneID(hz.ID).SetAssigneeID(to).SetFollowUpOn(followUp).SetAssignerID(from).Exec(ctx); err != nil {
		return fmt.Errorf("assignment: hazard: %w", err)
	}
	return nil
}

// seedFollowUp writes the bureau's follow-up inspection of the 中国石油
// station, which found both hazards rectified, and assigns the
// supermarket's overdue hazard.
func seedFollowUp(ctx context.Context, c *ent.Client, b *Built, team []string, hazardIDs []int) error {
	rec, err := seedInspection(ctx, c, b, inspection.TypeFOLLOW_UP, nil, nil, CodeDeptIndustryCommerce, CodeCNPCStation, team,
		day(2023, 5, 18), domain.SectorFuel, pass("FUEL-03", "FUEL-04"), "事后督查：交办隐患2处均已整改到位，予以销号")
	if err != nil {
		return err
	}
	for _, id := range hazardIDs {
		hz, err := c.Hazard.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("assignment: follow-up check: %w", err)
		}
		// Scoped by the hazard, as the inspections service writes it.
		err = inspections.NewFollowUpCheck(c, rec.ID, hz).SetOutcome(domain.FollowUpRectified).
			SetStateBefore(string(domain.HazardSubmitted)).SetStateAfter(string(domain.HazardClosed)).
			SetNote("整改到位").Exec(ctx)
		if err != nil {
			return fmt.Errorf("assignment: follow-up check: %w", err)
		}
	}
	market, err := b.Unit(CodeSupermarket)
	if err != nil {
		return err
	}
	open, err := c.Hazard.Query().Where(hazard.SubjectID(market), hazard.StateNEQ(domain.HazardClosed)).Only(ctx)
	if err != nil {
		return fmt.Errorf("assignment: the supermarket's hazard: %w", err)
	}
	return seedAssignment(ctx, c, b, open, CodeCounty, CodeTownChengguan, "county.head", day(2023, 2, 6), day(2023, 2, 28))
}
