package seed

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/domain"
)

// checkTree checks the structural invariants of a seeded tenant against the
// description Units gives.
func checkTree(t *testing.T, c *ent.Client, code string) {
	t.Helper()
	ctx := sys()
	b, byID := tenantUnits(t, c, code)
	infos := Units(code)
	if len(infos) != len(byID) {
		t.Fatalf("%s: %d units in the database, %d described", code, len(byID), len(infos))
	}
	for _, info := range infos {
		u := byID[b.Units[info.Code]]
		if u == nil {
			t.Errorf("%s: unit %s missing", code, info.Code)
			continue
		}
		if u.Name != info.Name || u.Kind != info.Kind {
			t.Errorf("%s: unit %s is %s %q, want %s %q", code, info.Code, u.Kind, u.Name, info.Kind, info.Name)
		}
		if info.Parent == "" {
			if u.ParentID != nil || u.Depth != 0 || u.ScopePath != "/"+strconv.Itoa(u.ID)+"/" {
				t.Errorf("%s: root %s: parent %v depth %d path %q", code, info.Code, u.ParentID, u.Depth, u.ScopePath)
			}
		} else {
			p := byID[b.Units[info.Parent]]
			if u.ParentID == nil || p == nil || *u.ParentID != p.ID {
				t.Errorf("%s: unit %s: parent %v, want %s", code, info.Code, u.ParentID, info.Parent)
				continue
			}
			if u.Depth != p.Depth+1 || u.ScopePath != p.ScopePath+strconv.Itoa(u.ID)+"/" {
				t.Errorf("%s: unit %s: depth %d path %q under %q (depth %d)", code, info.Code, u.Depth, u.ScopePath, p.ScopePath, p.Depth)
			}
			if !slices.Contains(u.Kind.AllowedParents(), p.Kind) {
				t.Errorf("%s: unit %s (%s) under a %s", code, info.Code, u.Kind, p.Kind)
			}
		}
		if u.Kind.IsGovernment() {
			if u.Sector != nil || u.ScopeSector != nil || u.ScopeEnterpriseID != nil {
				t.Errorf("%s: government unit %s carries sector %v / %v / enterprise %v", code, info.Code, u.Sector, u.ScopeSector, u.ScopeEnterpriseID)
			}
		} else {
			if u.Sector == nil || *u.Sector != info.Sector || u.ScopeSector == nil || *u.ScopeSector != string(info.Sector) {
				t.Errorf("%s: unit %s: sector %v scope sector %v, want %s", code, info.Code, u.Sector, u.ScopeSector, info.Sector)
			}
			if u.ScopeEnterpriseID == nil || byID[*u.ScopeEnterpriseID] == nil || byID[*u.ScopeEnterpriseID].Kind != domain.KindEnterprise ||
				!strings.HasPrefix(u.ScopePath, byID[*u.ScopeEnterpriseID].ScopePath) {
				t.Errorf("%s: unit %s: scope enterprise %v", code, info.Code, u.ScopeEnterpriseID)
			}
		}
		if info.Kind == domain.KindDepartment && !slices.Equal(u.SupervisedSectors, info.SupervisedSectors) {
			t.Errorf("%s: department %s supervises %v, want %v", code, info.Code, u.SupervisedSectors, info.SupervisedSectors)
		}
	}

	// Enterprise profiles: one per ENTERPRISE unit, valid unique credit code,
	// town and sector consistent with the unit, and one DEFAULT supervision
	// from each department supervising the sector.
	ents, err := c.Enterprise.Query().Where(enterprise.TenantID(b.TenantID)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, e := range ents {
		u := byID[e.UnitID]
		if u == nil || u.Kind != domain.KindEnterprise || u.Name != e.Name || *u.Sector != e.Sector {
			t.Errorf("%s: enterprise %q does not match its unit", code, e.Name)
			continue
		}
		if err := domain.ValidCreditCode(e.CreditCode); err != nil {
			t.Errorf("%s: enterprise %q: %v", code, e.Name, err)
		}
		if codes[e.CreditCode] {
			t.Errorf("%s: credit code %s used twice", code, e.CreditCode)
		}
		codes[e.CreditCode] = true
		if e.TownID == nil || u.ParentID == nil || *e.TownID != *u.ParentID || byID[*e.TownID].Kind != domain.KindTown {
			t.Errorf("%s: enterprise %q: town %v, unit parent %v", code, e.Name, e.TownID, u.ParentID)
		}
		if e.Address == "" || e.LegalRepresentative == "" || e.SafetyManager == "" || e.ContactPhone == "" ||
			e.EmployeeCount <= 0 || len(e.KeySites) == 0 || e.IndustryCategory == "" {
			t.Errorf("%s: enterprise %q has an incomplete profile: %+v", code, e.Name, e)
		}
		wantScale := map[domain.Sector][]enterprise.Scale{
			domain.SectorIndustry: {enterprise.ScaleABOVE_SCALE_INDUSTRY},
			domain.SectorCommerce: {enterprise.ScaleABOVE_QUOTA_COMMERCE},
			domain.SectorFuel:     {enterprise.ScaleBELOW_SCALE, enterprise.ScaleABOVE_QUOTA_COMMERCE},
		}[e.Sector]
		if !slices.Contains(wantScale, e.Scale) {
			t.Errorf("%s: enterprise %q: scale %s for sector %s", code, e.Name, e.Scale, e.Sector)
		}
		if e.Sector == domain.SectorFuel && !slices.Equal(e.KeySites, []string{"油罐区", "加油区", "配电室"}) {
			t.Errorf("%s: fuel station %q key sites %v", code, e.Name, e.KeySites)
		}
		sups, err := c.Supervision.Query().Where(supervision.EnterpriseID(u.ID)).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []int
		for _, s := range sups {
			got = append(got, s.DepartmentID)
			if s.Source != supervision.SourceDEFAULT || s.TenantID != b.TenantID {
				t.Errorf("%s: supervision of %q: source %s tenant %d", code, e.Name, s.Source, s.TenantID)
			}
		}
		for _, info := range infos {
			if info.Kind == domain.KindDepartment && slices.Contains(info.SupervisedSectors, e.Sector) {
				want = append(want, b.Units[info.Code])
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: enterprise %q supervised by %v, want %v", code, e.Name, got, want)
		}
	}
	if len(ents) != len(b.Enterprises) {
		t.Errorf("%s: %d enterprises, Load found %d", code, len(ents), len(b.Enterprises))
	}
}

// checkDemoCounty checks what the demo-county test vectors (docs/DOMAIN.md) rely on.
func checkDemoCounty(t *testing.T, c *ent.Client) {
	t.Helper()
	ctx := sys()
	b, err := Load(context.Background(), c, TenantDemo)
	if err != nil {
		t.Fatal(err)
	}
	ents, err := c.Enterprise.Query().Where(enterprise.TenantID(b.TenantID)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sectorsByTown := map[int]map[domain.Sector]int{}
	fuelTowns := map[int]bool{}
	for _, e := range ents {
		if sectorsByTown[*e.TownID] == nil {
			sectorsByTown[*e.TownID] = map[domain.Sector]int{}
		}
		sectorsByTown[*e.TownID][e.Sector]++
		if e.Sector == domain.SectorFuel {
			fuelTowns[*e.TownID] = true
		}
	}
	towns := []string{CodeTownChengguan, CodeTownDongcheng, CodeTownXihe, CodeTownNanshan, CodeTownBeiling, CodeTownQiaotou}
	for _, town := range towns {
		if n := len(sectorsByTown[b.Units[town]]); n < 2 {
			t.Errorf("town %s has enterprises of %d sectors, want ≥ 2: %v", town, n, sectorsByTown[b.Units[town]])
		}
	}
	if len(fuelTowns) < 3 {
		t.Errorf("fuel stations in %d towns, want ≥ 3", len(fuelTowns))
	}
	if n := sectorsByTown[b.Units[CodeTownXihe]][domain.SectorCommerce]; n < 1 {
		t.Errorf("西河镇 has no commerce (xihe.deputy sees nothing)")
	}
	if n := sectorsByTown[b.Units[CodeTownChengguan]][domain.SectorIndustry]; n < 1 {
		t.Errorf("城关镇 has no industry")
	}

	// The named units.
	named := map[string]struct {
		kind   domain.UnitKind
		name   string
		sector domain.Sector
	}{
		CodeCounty:               {domain.KindCounty, "示范县", ""},
		CodeTownChengguan:        {domain.KindTown, "城关镇", ""},
		CodeTownDongcheng:        {domain.KindTown, "东城街道", ""},
		CodeTownXihe:             {domain.KindTown, "西河镇", ""},
		CodeTownNanshan:          {domain.KindTown, "南山镇", ""},
		CodeDeptIndustryCommerce: {domain.KindDepartment, "县工信商务局", ""},
		CodeDeptEmergency:        {domain.KindDepartment, "县应急管理局", ""},
		CodeCement:               {domain.KindEnterprise, "水泥", domain.SectorIndustry},
		CodeCementKiln:           {domain.KindWorkshop, "回转窑车间", domain.SectorIndustry},
		CodePaper:                {domain.KindEnterprise, "纸业", domain.SectorIndustry},
		CodePaperStation:         {domain.KindEnterprise, "纸业有限公司加油站", domain.SectorFuel},
		CodeCNPCStation:          {domain.KindEnterprise, "中国石油", domain.SectorFuel},
		CodeMarket:               {domain.KindEnterprise, "市场", domain.SectorCommerce},
		CodeHotel:                {domain.KindEnterprise, "酒店", domain.SectorCommerce},
	}
	for code, w := range named {
		u, err := c.Unit.Get(ctx, b.Units[code])
		if err != nil {
			t.Errorf("unit %s: %v", code, err)
			continue
		}
		if u.Kind != w.kind || !strings.Contains(u.Name, w.name) || (w.sector != "" && (u.Sector == nil || *u.Sector != w.sector)) {
			t.Errorf("unit %s is %s %q sector %v, want %s containing %q sector %q", code, u.Kind, u.Name, u.Sector, w.kind, w.name, w.sector)
		}
	}
	kiln, err := c.Unit.Get(ctx, b.Units[CodeCementKiln])
	if err != nil {
		t.Fatal(err)
	}
	if *kiln.ParentID != b.Units[CodeCement] {
		t.Errorf("kiln workshop is not under the cement plant")
	}
	if n, err := c.Unit.Query().Where(unit.ParentID(kiln.ID), unit.KindEQ(domain.KindTeam)).Count(ctx); err != nil || n < 1 {
		t.Errorf("kiln workshop has %d teams (%v)", n, err)
	}
	if em, err := c.Unit.Get(ctx, b.Units[CodeDeptEmergency]); err != nil || len(em.SupervisedSectors) != 0 {
		t.Errorf("县应急管理局: %v, want a department without sectors", err)
	}
	// Industrial enterprises have 1–3 workshops of 1–2 teams each.
	for _, e := range ents {
		if e.Sector != domain.SectorIndustry {
			continue
		}
		wss, err := c.Unit.Query().Where(unit.ParentID(e.UnitID)).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(wss) < 1 || len(wss) > 3 {
			t.Errorf("%s has %d workshops", e.Name, len(wss))
		}
		for _, w := range wss {
			n, err := c.Unit.Query().Where(unit.ParentID(w.ID), unit.KindEQ(domain.KindTeam)).Count(ctx)
			if err != nil || n < 1 || n > 2 || w.Kind != domain.KindWorkshop {
				t.Errorf("%s / %s (%s) has %d teams (%v)", e.Name, w.Name, w.Kind, n, err)
			}
		}
	}
}
