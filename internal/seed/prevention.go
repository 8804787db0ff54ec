package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/prevention"
)

// The demo county's risk points (风险分级管控): the seed's key locations
// (油罐区、加油区、配电室) and processes (卸油、加油、检修、施工) of the first fuel
// stations, in mixed colours, and the cement plant's kiln and special
// equipment. Checks are dated from the real clock so that the demo shows a
// few overdue ones whenever it is started; the paper mill station's
// vapour-recovery hazard names its 加油区.

// RiskPointInfo describes one demo risk point.
type RiskPointInfo struct {
	Unit, Name           string
	Kind                 domain.RiskPointKind
	Sources              string
	Likelihood, Severity int
	Measures             []RiskMeasureInfo
}

// RiskMeasureInfo describes one control measure; CheckedDaysAgo is its last
// check before now.
type RiskMeasureInfo struct {
	Description, Post string
	Frequency         domain.CheckFrequency
	CheckedDaysAgo    int
}

// RiskStations is how many of the fuel stations have demo risk points.
const RiskStations = 6

// RiskPoints lists the risk points of tenant tenantCode.
func RiskPoints(tenantCode string) []RiskPointInfo {
	if tenantCode != TenantDemo {
		return []RiskPointInfo{{CodeNeighborStation, "油罐区", domain.RiskLocation, "储罐油气泄漏遇明火引发火灾爆炸", 3, 5, []RiskMeasureInfo{
			{"储罐液位、呼吸阀、阻火器完好", "站长", domain.CheckWeekly, 2}}}}
	}
	var out []RiskPointInfo
	for i := 1; i <= RiskStations; i++ {
		code := fmt.Sprintf("FUEL-%02d", i)
		tank := 4 // 油罐区: red at even stations, orange at odd ones
		if i%2 == 1 {
			tank = 3
		}
		unloadCheck := 0 // 卸油 is checked daily; overdue at the paper mill's station
		if code == CodePaperStation {
			unloadCheck = 3
		}
		roomCheck := 10 // 配电室 monthly; overdue at the 中国石油 station
		if code == CodeCNPCStation {
			roomCheck = 45
		}
		out = append(out,
			RiskPointInfo{code, "油罐区", domain.RiskLocation, "汽油、柴油储罐油气泄漏，遇明火、静电、雷击引发火灾爆炸", tank, 5, []RiskMeasureInfo{
				{"储罐液位、呼吸阀、阻火器完好，人孔井无积油", "站长", domain.CheckWeekly, 2},
				{"防雷防静电接地检测合格", "安全员", domain.CheckQuarterly, 30}}},
			RiskPointInfo{code, "加油区", domain.RiskLocation, "加油机渗漏，油气回收失效，车辆未熄火、烟火", 3, 4, []RiskMeasureInfo{
				{"加油机无渗漏，油气回收装置运行正常", "当班班长", domain.CheckDaily, 0},
				{"灭火器、灭火毯配置到位", "安全员", domain.CheckWeekly, 3}}},
			RiskPointInfo{code, "配电室", domain.RiskLocation, "线路老化、过载短路引发电气火灾", 2, 4, []RiskMeasureInfo{
				{"配电柜、线路无过热老化，防鼠设施完好", "电工", domain.CheckMonthly, roomCheck}}},
			RiskPointInfo{code, "卸油作业", domain.RiskProcess, "卸油时油品溢出、静电积聚、油气扩散", 4, 5, []RiskMeasureInfo{
				{"卸油前静电接地、专人监护、停止加油", "站长", domain.CheckDaily, unloadCheck}}},
			RiskPointInfo{code, "加油作业", domain.RiskProcess, "向塑料桶加注汽油、车辆未熄火、接打手机", 3, 3, []RiskMeasureInfo{
				{"严禁向塑料桶加注汽油，散装汽油实名登记", "当班班长", domain.CheckDaily, 0}}},
			RiskPointInfo{code, "检修作业", domain.RiskProcess, "设备检修动火、进入受限空间", 3, 4, []RiskMeasureInfo{
				{"检修动火办理作业票，检测油气浓度", "站长", domain.CheckMonthly, 12}}},
			RiskPointInfo{code, "施工作业", domain.RiskProcess, "站内施工动火、挖掘损坏管线", 3, 5, []RiskMeasureInfo{
				{"施工审批、隔离警戒、专人监护", "站长", domain.CheckQuarterly, 40}}},
		)
	}
	return append(out,
		RiskPointInfo{CodeCementKiln, "回转窑", domain.RiskLocation, "高温熟料、煤粉爆炸、窑头正压喷料", 4, 5, []RiskMeasureInfo{
			{"窑头负压、煤粉仓温度和一氧化碳浓度监测正常", "车间主任", domain.CheckDaily, 0},
			{"窑体检修执行停机挂牌上锁", "安全员", domain.CheckWeekly, 9}}},
		RiskPointInfo{CodeCement, "特种设备（桥式起重机、压力容器）", domain.RiskLocation, "起重伤害、压力容器超压", 3, 4, []RiskMeasureInfo{
			{"特种设备定期检验合格，作业人员持证上岗", "设备科长", domain.CheckMonthly, 20}}},
	)
}

// preventionStep is the seed Step writing a tenant's risk points, their
// measures and first gradings, and linking the paper mill station's
// hazard to its 加油区.
func preventionStep(spec tenantSpec) Step {
	return func(ctx context.Context, c *ent.Client, b *Built) error {
		now := time.Now().UTC().Truncate(time.Second)
		graded := day(2022, time.March, 1)
		for _, ri := range RiskPoints(spec.code) {
			score, level := prevention.Grade(ri.Likelihood, ri.Severity)
			rp, err := c.RiskPoint.Create().SetTenantID(b.TenantID).SetUnitID(b.Units[ri.Unit]).SetName(ri.Name).
				SetKind(ri.Kind).SetHazardSources(ri.Sources).SetLikelihood(ri.Likelihood).SetSeverity(ri.Severity).
				SetScore(score).SetLevel(level).SetGradedAt(graded).Save(ctx)
			if err != nil {
				return fmt.Errorf("prevention: %s %s: %w", ri.Unit, ri.Name, err)
			}
			var first *time.Time
			for _, m := range ri.Measures {
				checked := now.AddDate(0, 0, -m.CheckedDaysAgo)
				due := prevention.NextDue(checked, m.Frequency)
				if first == nil || due.Before(*first) {
					first = &due
				}
				err := c.ControlMeasure.Create().SetTenantID(b.TenantID).SetRiskPointID(rp.ID).SetDescription(m.Description).
					SetResponsiblePost(m.Post).SetFrequency(m.Frequency).SetLastCheckedAt(checked).SetLastCheckedBy(m.Post).
					SetNextDue(due).SetScopePath(rp.ScopePath).SetNillableScopeSector(rp.ScopeSector).
					SetNillableScopeEnterpriseID(rp.ScopeEnterpriseID).Exec(ctx)
				if err != nil {
					return fmt.Errorf("prevention: measure of %s: %w", ri.Name, err)
				}
			}
			if err := c.RiskPoint.UpdateOneID(rp.ID).SetNillableNextCheckDue(first).Exec(ctx); err != nil {
				return fmt.Errorf("prevention: due of %s: %w", ri.Name, err)
			}
			err = c.RiskGrading.Create().SetTenantID(b.TenantID).SetRiskPointID(rp.ID).SetToLevel(level).
				SetLikelihood(ri.Likelihood).SetSeverity(ri.Severity).SetScore(score).SetGradedBy("安全员").
				SetReason("年度风险辨识评估（LS法）").SetGradedAt(graded).SetScopePath(rp.ScopePath).
				SetNillableScopeSector(rp.ScopeSector).SetNillableScopeEnterpriseID(rp.ScopeEnterpriseID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("prevention: grading of %s: %w", ri.Name, err)
			}
			if ri.Unit == CodePaperStation && ri.Name == "加油区" {
				_, err := c.Hazard.Update().Where(hazard.SubjectID(b.Units[ri.Unit]), hazard.Category("油气回收")).
					SetRiskPointID(rp.ID).Save(ctx)
				if err != nil {
					return fmt.Errorf("prevention: link hazard: %w", err)
				}
			}
		}
		return nil
	}
}
