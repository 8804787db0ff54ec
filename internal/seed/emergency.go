package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/emergency"
)

// The demo county's emergency readiness, from the seed document: every
// above-scale industrial enterprise has its comprehensive plan, a fire plan
// and an on-site plan, filed with 县应急管理局; two of them (the food and
// the bio enterprise) last approved their plans in 2018 and are overdue
// for review; the cement plant revised its comprehensive plan in 2022,
// superseding the 2019 version. In 2022 four enterprises drilled as the
// rule asks; three did not ("个别企业组织应急演练次数少"): the food plant
// held no on-site drill in the second half, the electrical plant only a
// tabletop drill of its comprehensive plan, the bio plant none at all.
// The county has its flood-season plan (防汛应急预案) and a draft of its
// 2023 revision. 邻县's building enterprise has a plan and a drill.

// PlanInfo describes one demo plan.
type PlanInfo struct {
	Unit, Title, Version string
	Kind                 domain.EmergencyPlanKind
	Topic                *domain.EmergencyPlanTopic
	ApprovedOn           time.Time
	// Filed: filed with 县应急管理局 two weeks after approval.
	Filed bool
	State domain.EmergencyPlanState
}

// DrillInfo describes one demo drill, on the unit's EFFECTIVE plan of kind.
type DrillInfo struct {
	Unit     string
	Kind     domain.EmergencyPlanKind
	HeldOn   time.Time
	Form     domain.DrillForm
	People   int
	Scenario string
	Problems []string
}

// IndustrialEnterprises are the seed's above-scale industrial enterprises.
var IndustrialEnterprises = []string{CodeCement, CodePaper, CodeFood, CodeMech, CodeElec, CodeAuto, CodeBio}

// DrillsBehind are the enterprises behind the drill rule in 2022.
var DrillsBehind = []string{CodeFood, CodeElec, CodeBio}

// PlansOverdue are the enterprises whose plans are overdue for review.
var PlansOverdue = []string{CodeFood, CodeBio}

// EmergencyPlans lists a tenant's demo plans, superseded versions first.
func EmergencyPlans(tenantCode string) []PlanInfo {
	if tenantCode != TenantDemo {
		return []PlanInfo{{Unit: CodeNeighborBuilding, Title: "生产安全事故综合应急预案", Version: "2021版",
			Kind: domain.PlanComprehensive, ApprovedOn: day(2021, time.May, 6), State: domain.PlanEffective}}
	}
	fire, flood := domain.TopicFire, domain.TopicFlood
	out := []PlanInfo{{Unit: CodeCement, Title: "生产安全事故综合应急预案", Version: "2019版", Kind: domain.PlanComprehensive,
		ApprovedOn: day(2019, time.March, 1), Filed: true, State: domain.PlanSuperseded}}
	for _, code := range IndustrialEnterprises {
		approved := day(2021, time.April, 20)
		switch code {
		case CodeCement:
			approved = day(2022, time.March, 1)
		case CodeFood, CodeBio:
			approved = day(2018, time.June, 1)
		}
		out = append(out,
			PlanInfo{Unit: code, Title: "生产安全事故综合应急预案", Version: fmt.Sprintf("%d版", approved.Year()),
				Kind: domain.PlanComprehensive, ApprovedOn: approved, Filed: true, State: domain.PlanEffective},
			PlanInfo{Unit: code, Title: "火灾事故专项应急预案", Version: fmt.Sprintf("%d版", approved.Year()),
				Kind: domain.PlanSpecial, Topic: &fire, ApprovedOn: approved, Filed: true, State: domain.PlanEffective},
			PlanInfo{Unit: code, Title: "配电室触电事故现场处置方案", Version: fmt.Sprintf("%d版", approved.Year()),
				Kind: domain.PlanOnSite, ApprovedOn: approved, State: domain.PlanEffective})
	}
	return append(out, PlanInfo{Unit: CodeCounty, Title: "示范县防汛应急预案", Version: "2022版", Kind: domain.PlanSpecial,
		Topic: &flood, ApprovedOn: day(2022, time.May, 10), State: domain.PlanEffective},
		PlanInfo{Unit: CodeCounty, Title: "示范县防汛应急预案", Version: "2023版（修订稿）", Kind: domain.PlanSpecial,
			Topic: &flood, State: domain.PlanDraft})
}

// Drills lists a tenant's demo drills.
func Drills(tenantCode string) []DrillInfo {
	if tenantCode != TenantDemo {
		return []DrillInfo{{Unit: CodeNeighborBuilding, Kind: domain.PlanComprehensive, HeldOn: day(2022, time.June, 20),
			Form: domain.DrillTabletop, People: 8, Scenario: "搅拌站机械伤害桌面推演"}}
	}
	var out []DrillInfo
	for _, code := range IndustrialEnterprises {
		switch code {
		case CodeBio:
			continue
		case CodeElec:
			out = append(out, DrillInfo{Unit: code, Kind: domain.PlanComprehensive, HeldOn: day(2022, time.November, 8),
				Form: domain.DrillTabletop, People: 12, Scenario: "车间火灾桌面推演"})
			continue
		}
		out = append(out,
			DrillInfo{Unit: code, Kind: domain.PlanSpecial, HeldOn: day(2022, time.June, 16), Form: domain.DrillFullScale, People: 60,
				Scenario: "安全生产月仓库火灾疏散与初期火灾扑救演练", Problems: []string{"部分员工不会使用灭火器，实际操作不规范"}},
			DrillInfo{Unit: code, Kind: domain.PlanOnSite, HeldOn: day(2022, time.April, 12), Form: domain.DrillFunctional, People: 15,
				Scenario: "配电室触电事故现场处置演练"})
		if code != CodeFood {
			out = append(out, DrillInfo{Unit: code, Kind: domain.PlanOnSite, HeldOn: day(2022, time.October, 18),
				Form: domain.DrillFunctional, People: 15, Scenario: "配电室触电事故现场处置演练（下半年）"})
		}
	}
	return append(out, DrillInfo{Unit: CodeCounty, Kind: domain.PlanSpecial, HeldOn: day(2022, time.June, 8),
		Form: domain.DrillFullScale, People: 120, Scenario: "主汛期山洪灾害群众转移避险演练",
		Problems: []string{"个别村预警信息传递不及时"}})
}

// emergencyStep is the seed Step writing a tenant's plans and drills.
func emergencyStep(spec tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		effective := map[string]*ent.EmergencyPlan{} // by unit code and kind
		filedWith := b.Units[CodeDeptEmergency]
		for _, pi := range EmergencyPlans(spec.code) {
			create := c.EmergencyPlan.Create().SetTenantID(b.TenantID).SetUnitID(b.Units[pi.Unit]).SetKind(pi.Kind).
				SetNillableTopic(pi.Topic).SetSeries(emergency.Series(pi.Kind, pi.Topic)).SetTitle(pi.Title).
				SetVersion(pi.Version).SetState(pi.State)
			if pi.State != domain.PlanDraft {
				create.SetApprovedOn(pi.ApprovedOn).SetReviewDue(pi.ApprovedOn.AddDate(emergency.ReviewYears, 0, 0))
			}
			if pi.Filed {
				create.SetFiledWithID(filedWith).SetFiledOn(pi.ApprovedOn.AddDate(0, 0, 14))
			}
			if prev := effective[pi.Unit+"/"+string(pi.Kind)]; prev != nil && prev.State == domain.PlanSuperseded {
				create.SetSupersedesID(prev.ID)
			}
			p, err := create.Save(ctx)
			if err != nil {
				return fmt.Errorf("emergency: plan %s of %s: %w", pi.Title, pi.Unit, err)
			}
			if pi.State != domain.PlanDraft {
				effective[pi.Unit+"/"+string(pi.Kind)] = p
			}
		}
		for _, di := range Drills(spec.code) {
			p := effective[di.Unit+"/"+string(di.Kind)]
			problems := make([]domain.DrillProblem, len(di.Problems))
			for i, text := range di.Problems {
				problems[i].Description = text
			}
			err := c.Drill.Create().SetTenantID(b.TenantID).SetPlanID(p.ID).SetUnitID(p.UnitID).SetPlanKind(p.Kind).
				SetHeldOn(di.HeldOn).SetForm(di.Form).SetParticipants(di.People).SetScenario(di.Scenario).
				SetEvaluation("演练组织有序，达到预期目的。").SetProblems(problems).Exec(ctx)
			if err != nil {
				return fmt.Errorf("emergency: drill %s of %s: %w", di.Scenario, di.Unit, err)
			}
		}
		return nil
	}
}
