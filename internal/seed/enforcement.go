package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/domain"
)

// SeedOrderNumber is the document number of the demo rectification order.
const SeedOrderNumber = "工信执改〔2022〕1号"

// enforcementStep is the seed Step writing the demo county's one
// enforcement action: the bureau's order to the paper mill's station to
// repair its vapour recovery (责令限期整改), from the campaign inspection
// that found it, complied with when the hazard was closed.
func enforcementStep(spec tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		if spec.code != TenantDemo {
			return nil
		}
		bureau, err := b.Unit(CodeDeptIndustryCommerce)
		if err != nil {
			return err
		}
		station, err := b.Unit(CodePaperStation)
		if err != nil {
			return err
		}
		insp, err := c.Inspection.Query().Where(inspection.TargetID(station), inspection.TypeEQ(inspection.TypeSPECIAL)).Only(ctx)
		if err != nil {
			return fmt.Errorf("enforcement: the station's inspection: %w", err)
		}
		h, err := c.Hazard.Query().Where(hazard.SubjectID(station), hazard.InspectionID(insp.ID)).Only(ctx)
		if err != nil {
			return fmt.Errorf("enforcement: the station's hazard: %w", err)
		}
		complied := day(2022, time.June, 28)
		a, err := c.EnforcementAction.Create().SetTenantID(b.TenantID).SetIssuerUnitID(bureau).SetTargetUnitID(station).
			SetInspectionID(insp.ID).SetKind(domain.RectificationOrder).SetDocumentNumber(SeedOrderNumber).SetYear(2022).
			SetIssuedOn(day(2022, time.June, 8)).SetDeadline(day(2022, time.June, 30)).
			SetFindings("油气回收装置出现故障不能启动，责令于2022年6月30日前维修并检测合格").SetIssuedBy("高峰").
			SetState(domain.EnforcementComplied).SetStateChangedAt(complied).SetStateNote("复查：油气回收装置已修复，检测合格").Save(ctx)
		if err != nil {
			return fmt.Errorf("enforcement: order: %w", err)
		}
		err = c.EnforcementHazard.Create().SetTenantID(b.TenantID).SetEnforcementActionID(a.ID).SetHazardID(h.ID).
			SetScopePath(a.ScopePath).SetNillableScopeSector(a.ScopeSector).SetNillableScopeEnterpriseID(a.ScopeEnterpriseID).
			SetNillableIssuerScopePath(a.IssuerScopePath).Exec(ctx)
		if err != nil {
			return fmt.Errorf("enforcement: link hazard: %w", err)
		}
		return nil
	}
}
