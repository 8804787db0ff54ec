package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/education"
)

// The demo county's trainings and publicity, from the seed document: "每月、
// 每季度对工业、商贸和成品油企业安全生产业务人员进行集中培训" — the bureau trains the
// industrial enterprises' staff in the first month of every quarter, the
// commercial ones (with their fire-control-room operators and guards) in
// the second and the fuel stations in the third; 城关镇 and 西河镇 train their
// own enterprises; the cement plant trains its kiln operators. A few
// enterprises have gaps: the biotech plant missed the second half-year, the
// market the second quarter, five fuel stations every quarter after the
// first. 2023 has its first quarter. Publicity: "共对**家企业进行入企宣传，发放宣传
// 资料**份" — the bureau's 2022 activities visited PublicityVisited2022
// distinct enterprises and distributed PublicityMaterials2022 copies.

// The bureau's 2022 publicity, as its publicity summary counts it.
const (
	PublicityVisited2022   = 48
	PublicityMaterials2022 = 2600
)

// TrainingGaps2022 are the demo enterprises with a quarter of 2022 without
// a training of their staff.
var TrainingGaps2022 = []string{CodeBio, CodeMarket, "FUEL-31", "FUEL-32", "FUEL-33", "FUEL-34", "FUEL-35"}

// TrainingInfo describes one demo training.
type TrainingInfo struct {
	Organiser, Topic string
	HeldOn           time.Time
	Hours            int
	Assessed         bool
	Trainees         []TraineeInfo
}

// TraineeInfo is one demo trainee: a person of an enterprise (by code).
type TraineeInfo struct {
	Enterprise, Name string
	PostKind         domain.TraineePostKind
	Failed           bool
}

// PublicityInfo describes one demo publicity activity.
type PublicityInfo struct {
	Organiser, Title        string
	Kind                    domain.PublicityKind
	HeldOn                  time.Time
	Visited                 []string
	Materials, Participants int
}

// staffOf trains the safety staff of the enterprises codes; with extra,
// the commercial enterprises' fire-control operators and guards too.
func staffOf(spec tenantSpec, codes []string, kind domain.TraineePostKind, extra bool) []TraineeInfo {
	safety := map[string]entSpec{}
	for _, e := range spec.ents {
		safety[e.code] = e
	}
	var out []TraineeInfo
	for i, code := range codes {
		e := safety[code]
		name := e.safety
		if kind == domain.TraineePrincipal {
			name = e.legal
		}
		out = append(out, TraineeInfo{Enterprise: code, Name: name, PostKind: kind})
		if extra {
			out = append(out, TraineeInfo{Enterprise: code, Name: Person(300 + 2*i), PostKind: domain.TraineeFireControl},
				TraineeInfo{Enterprise: code, Name: Person(301 + 2*i), PostKind: domain.TraineeSecurity})
		}
	}
	return out
}

func without(codes []string, drop ...string) []string {
	var out []string
	for _, c := range codes {
		skip := false
		for _, d := range drop {
			skip = skip || c == d
		}
		if !skip {
			out = append(out, c)
		}
	}
	return out
}

// Trainings lists the trainings of tenant tenantCode.
func Trainings(spec tenantSpec) []TrainingInfo {
	if spec.code != TenantDemo {
		return []TrainingInfo{{Organiser: CodeNeighborDept, Topic: "成品油经营安全培训", HeldOn: day(2022, time.May, 12), Hours: 3,
			Trainees: staffOf(spec, []string{CodeNeighborStation}, domain.TraineeSafetyManager, false)}}
	}
	industrial := []string{CodeCement, CodePaper, CodeFood, CodeMech, CodeElec, CodeAuto, CodeBio}
	commercial := []string{CodeLogistics, CodeSupermarket, CodeFruit, CodeHotel, CodeMarket, CodeMall}
	var stations []string
	for i := 1; i <= FuelStations; i++ {
		stations = append(stations, fmt.Sprintf("FUEL-%02d", i))
	}
	bureau := func(y int, m time.Month, topic string, assessed bool, trainees []TraineeInfo) TrainingInfo {
		return TrainingInfo{Organiser: CodeDeptIndustryCommerce, Topic: topic, HeldOn: day(y, m, 15), Hours: 4, Assessed: assessed, Trainees: trainees}
	}
	var out []TrainingInfo
	for q := range 4 {
		first, second, third := time.Month(3*q+1), time.Month(3*q+2), time.Month(3*q+3)
		ind, com, fuel := industrial, commercial, stations
		if q >= 2 {
			ind = without(ind, CodeBio)
		}
		if q == 1 {
			com = without(com, CodeMarket)
		}
		if q >= 1 {
			fuel = stations[:30]
		}
		indStaff := staffOf(spec, ind, domain.TraineeSafetyManager, false)
		if q == 0 {
			indStaff = append(staffOf(spec, ind, domain.TraineePrincipal, false), indStaff...)
		}
		fuelStaff := staffOf(spec, fuel, domain.TraineeSafetyManager, false)
		for i := range fuelStaff {
			fuelStaff[i].Failed = i == 4*q+1 // one fails each quarter's assessment
		}
		out = append(out,
			bureau(2022, first, fmt.Sprintf("2022年第%d季度工业企业安全生产业务培训", q+1), false, indStaff),
			bureau(2022, second, fmt.Sprintf("2022年第%d季度商贸企业消防安全培训", q+1), false, staffOf(spec, com, domain.TraineeSafetyManager, true)),
			bureau(2022, third, fmt.Sprintf("2022年第%d季度成品油经营企业安全培训及考核", q+1), true, fuelStaff),
			TrainingInfo{Organiser: CodeTownChengguan, Topic: fmt.Sprintf("城关镇2022年第%d季度企业安全生产培训", q+1), HeldOn: day(2022, third, 22),
				Hours: 2, Trainees: staffOf(spec, []string{CodeMech, CodeSupermarket, CodeHotel, CodeCNPCStation}, domain.TraineeEmployee, false)})
	}
	out = append(out,
		TrainingInfo{Organiser: CodeTownXihe, Topic: "西河镇企业防汛防灾及应急处置培训", HeldOn: day(2022, time.April, 20), Hours: 2,
			Trainees: staffOf(spec, []string{CodePaper, CodeFruit}, domain.TraineeEmployee, false)},
		TrainingInfo{Organiser: CodeTownXihe, Topic: "西河镇企业冬季消防安全培训", HeldOn: day(2022, time.October, 19), Hours: 2,
			Trainees: staffOf(spec, []string{CodePaper, CodeFruit}, domain.TraineeEmployee, false)})
	for i, m := range []time.Month{time.February, time.August} {
		out = append(out, TrainingInfo{Organiser: CodeCement, Topic: "回转窑车间特种作业安全操作培训", HeldOn: day(2022, m, 9), Hours: 3,
			Assessed: true, Trainees: []TraineeInfo{
				{Enterprise: CodeCement, Name: Person(400 + 3*i), PostKind: domain.TraineeSpecialOperator},
				{Enterprise: CodeCement, Name: Person(401 + 3*i), PostKind: domain.TraineeSpecialOperator},
				{Enterprise: CodeCement, Name: Person(402 + 3*i), PostKind: domain.TraineeSpecialOperator}}})
	}
	return append(out,
		bureau(2023, time.January, "2023年第1季度工业企业安全生产业务培训", false, staffOf(spec, industrial, domain.TraineeSafetyManager, false)),
		bureau(2023, time.February, "2023年第1季度商贸企业消防安全培训", false, staffOf(spec, commercial, domain.TraineeSafetyManager, true)),
		bureau(2023, time.March, "2023年第1季度成品油经营企业安全培训", false, staffOf(spec, stations[:20], domain.TraineeSafetyManager, false)))
}

// Publicities lists the publicity activities of tenant tenantCode.
func Publicities(spec tenantSpec) []PublicityInfo {
	if spec.code != TenantDemo {
		return []PublicityInfo{{Organiser: CodeNeighborDept, Title: "加油站入企宣传", Kind: domain.PublicityEnterpriseVisit,
			HeldOn: day(2022, time.June, 8), Visited: []string{CodeNeighborStation}, Materials: 40, Participants: 12}}
	}
	var stations []string
	for i := 1; i <= FuelStations; i++ {
		stations = append(stations, fmt.Sprintf("FUEL-%02d", i))
	}
	b := CodeDeptIndustryCommerce
	return []PublicityInfo{
		{b, "规上工业企业安全生产入企宣传", domain.PublicityEnterpriseVisit, day(2022, time.March, 10),
			[]string{CodeCement, CodePaper, CodeFood, CodeMech, CodeElec, CodeAuto, CodeBio}, 420, 350},
		{b, "限上商贸企业消防安全入企宣传", domain.PublicityEnterpriseVisit, day(2022, time.May, 18),
			[]string{CodeLogistics, CodeSupermarket, CodeFruit, CodeHotel, CodeMarket, CodeMall}, 360, 210},
		{b, "“安全生产月”集中宣传", domain.PublicitySafetyMonth, day(2022, time.June, 8),
			[]string{CodeCement, CodePaper, CodeAuto}, 800, 1200},
		{b, "安全生产宣传咨询日", domain.PublicityConsultationDay, day(2022, time.June, 16), nil, 300, 500},
		{b, "成品油经营企业入企宣传", domain.PublicityEnterpriseVisit, day(2022, time.August, 25), stations, 520, 140},
		{b, "国庆节前安全生产入企宣传", domain.PublicityEnterpriseVisit, day(2022, time.September, 26),
			[]string{CodeHotel, CodeMall, CodeSupermarket, CodePaper, CodeCNPCStation}, 200, 90},
		{CodeTownChengguan, "城关镇“安全生产月”入企宣传", domain.PublicitySafetyMonth, day(2022, time.June, 20),
			[]string{CodeMech, CodeSupermarket, CodeHotel}, 150, 80},
		{CodeTownXihe, "西河镇“11·9”消防宣传日活动", domain.PublicityOther, day(2022, time.November, 9),
			[]string{CodeFruit, CodeMarket}, 60, 45},
		{b, "2023年规上工业企业入企宣传", domain.PublicityEnterpriseVisit, day(2023, time.March, 14),
			[]string{CodeCement, CodeFood, CodeElec, CodeAuto}, 200, 160},
	}
}

// educationStep is the seed Step writing a tenant's trainings and publicity.
func educationStep(spec tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		for _, ti := range Trainings(spec) {
			t, err := c.Training.Create().SetTenantID(b.TenantID).SetOrganiserUnitID(b.Units[ti.Organiser]).SetHeldOn(ti.HeldOn).
				SetYear(ti.HeldOn.Year()).SetTopic(ti.Topic).SetHours(ti.Hours).SetAssessed(ti.Assessed).
				SetTraineeCount(len(ti.Trainees)).SetContent("安全生产法律法规、岗位安全操作规程、消防器材使用和应急处置。").Save(ctx)
			if err != nil {
				return fmt.Errorf("education: training %s: %w", ti.Topic, err)
			}
			trainees := make([]education.TraineeInput, len(ti.Trainees))
			for i, x := range ti.Trainees {
				a := domain.AssessmentNotAssessed
				if ti.Assessed {
					a = domain.AssessmentPassed
					if x.Failed {
						a = domain.AssessmentFailed
					}
				}
				trainees[i] = education.TraineeInput{PersonName: x.Name, EnterpriseUnitID: b.Units[x.Enterprise], PostKind: x.PostKind, Assessment: a}
			}
			if err := education.WriteTrainees(ctx, c, t, trainees); err != nil {
				return fmt.Errorf("education: training %s: %w", ti.Topic, err)
			}
		}
		for _, pi := range Publicities(spec) {
			ids := make([]int, len(pi.Visited))
			for i, code := range pi.Visited {
				ids[i] = b.Units[code]
			}
			p, err := c.Publicity.Create().SetTenantID(b.TenantID).SetOrganiserUnitID(b.Units[pi.Organiser]).SetKind(pi.Kind).
				SetTitle(pi.Title).SetHeldOn(pi.HeldOn).SetYear(pi.HeldOn.Year()).SetMaterials(pi.Materials).
				SetParticipants(pi.Participants).SetEnterpriseCount(len(ids)).
				SetDescription("发放安全生产宣传资料，讲解安全生产法律法规和消防、燃气安全常识。").Save(ctx)
			if err != nil {
				return fmt.Errorf("education: publicity %s: %w", pi.Title, err)
			}
			if err := education.WriteVisits(ctx, c, p, ids); err != nil {
				return fmt.Errorf("education: publicity %s: %w", pi.Title, err)
			}
		}
		return nil
	}
}
