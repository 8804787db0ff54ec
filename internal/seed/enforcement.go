package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/enforcement"
)

// SeedOrderNumber is the document number of the demo county's
// rectification order; NeighborOrderNumber the neighbour's.
const (
	SeedOrderNumber     = "工信执改〔2022〕1号"
	NeighborOrderNumber = "邻应急执改〔2023〕1号"
)

// seedOrder is one rectification order of the seed, from the inspection
// of target and about its hazard, optionally found complied with.
type seedOrder struct {
	issuer, target, number, findings, issuedBy string
	issued, deadline                           time.Time
	complied                                   *time.Time
	note                                       string
}

// orderOf is the rectification order of tenant code: the demo bureau's to
// the paper mill's station to repair its vapour recovery, complied with
// when the hazard was closed; the neighbour department's to its building
// materials plant, still ISSUED.
func orderOf(code string) seedOrder {
	if code != TenantDemo {
		return seedOrder{issuer: CodeNeighborDept, target: CodeNeighborBuilding, number: NeighborOrderNumber,
			findings: "搅拌车间灭火器过期，责令限期更换", issuedBy: "孔德胜",
			issued: day(2023, time.March, 1), deadline: day(2030, time.March, 31)}
	}
	complied := day(2022, time.June, 28)
	return seedOrder{issuer: CodeDeptIndustryCommerce, target: CodePaperStation, number: SeedOrderNumber,
		findings: "油气回收装置出现故障不能启动，责令于2022年6月30日前维修并检测合格", issuedBy: "高峰",
		issued: day(2022, time.June, 8), deadline: day(2022, time.June, 30), complied: &complied, note: "复查：油气回收装置已修复，检测合格"}
}

// enforcementStep is the seed Step writing a tenant's rectification order
// (责令限期整改), from the inspection of its target that found the hazard.
func enforcementStep(spec tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		o := orderOf(spec.code)
		issuer, err := b.Unit(o.issuer)
		if err != nil {
			return err
		}
		target, err := b.Unit(o.target)
		if err != nil {
			return err
		}
		insp, err := c.Inspection.Query().Where(inspection.TargetID(target), inspection.TypeNEQ(inspection.TypeSELF_CHECK)).
			Order(ent.Asc(inspection.FieldID)).First(ctx)
		if err != nil {
			return fmt.Errorf("enforcement: the inspection of %s: %w", o.target, err)
		}
		h, err := c.Hazard.Query().Where(hazard.SubjectID(target), hazard.InspectionID(insp.ID)).Only(ctx)
		if err != nil {
			return fmt.Errorf("enforcement: the hazard of %s: %w", o.target, err)
		}
		create := c.EnforcementAction.Create().SetTenantID(b.TenantID).SetIssuerUnitID(issuer).SetTargetUnitID(target).
			SetInspectionID(insp.ID).SetKind(domain.RectificationOrder).SetDocumentNumber(o.number).SetYear(o.issued.Year()).
			SetIssuedOn(o.issued).SetDeadline(o.deadline).SetFindings(o.findings).SetIssuedBy(o.issuedBy)
		if o.complied != nil {
			create.SetState(domain.EnforcementComplied).SetStateChangedAt(*o.complied).SetStateNote(o.note)
		}
		a, err := create.Save(ctx)
		if err != nil {
			return fmt.Errorf("enforcement: order: %w", err)
		}
		err = enforcement.NewHazardLink(c, a.ID, h).Exec(ctx)
		if err != nil {
			return fmt.Errorf("enforcement: link hazard: %w", err)
		}
		return nil
	}
}
