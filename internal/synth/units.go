package synth

import (
	"strconv"
	"strings"

	"github.com/dutychain/dutychain/internal/domain"
)

// unitRef names a unit structurally (kind and indexes), independent of ids.
type unitRef struct {
	kind    domain.UnitKind
	cp      *countyPlan // nil for the city
	i, w, t int         // town/department/enterprise index; workshop; team
}

// unitInfo is what rows copy from a unit: id, name and scope columns.
type unitInfo struct {
	id     int
	path   string
	name   string
	sector string // "" for government units
	entID  int    // 0 for government units
}

func (p *plan) unit(r unitRef) unitInfo {
	cp := r.cp
	switch r.kind {
	case domain.KindCity:
		return unitInfo{id: p.unitBase, path: p.cityPath, name: p.cityName}
	case domain.KindCounty:
		return unitInfo{id: p.countyID(cp), path: cp.path, name: cp.name}
	case domain.KindTown:
		return unitInfo{id: p.townID(cp, r.i), path: cp.townPaths[r.i], name: townName(r.i)}
	case domain.KindDepartment:
		id := p.deptID(cp, r.i)
		return unitInfo{id: id, path: cp.path + strconv.Itoa(id) + "/", name: deptName(cp, r.i)}
	}
	e := &cp.ents[r.i]
	u := unitInfo{sector: string(e.sector), entID: p.entID(cp, r.i)}
	switch r.kind {
	case domain.KindEnterprise:
		u.id, u.path, u.name = u.entID, cp.entPaths[r.i], e.name
	case domain.KindWorkshop:
		u.id, u.path, u.name = p.shopID(cp, r.i, r.w), p.shopPath(cp, r.i, r.w), shopName(r.w)
	default:
		u.id, u.path, u.name = p.teamID(cp, r.i, r.w, r.t), p.teamPath(cp, r.i, r.w, r.t), teamName(r.w, r.t)
	}
	return u
}

func deptName(cp *countyPlan, d int) string {
	return strings.TrimSuffix(cp.name, "县") + "县" + departments[d].name
}

// signer returns the synthetic user holding role at unit r, or noUser when
// the unit has no such user (a department's party secretary, workshop
// heads): their signatures were transcribed from the paper copy.
func (p *plan) signer(r unitRef, role domain.Role) int {
	cp := r.cp
	switch r.kind {
	case domain.KindCity:
		if role == domain.RolePartySecretary {
			return 1
		}
		return 0
	case domain.KindCounty:
		if role == domain.RolePartySecretary {
			return cp.countyUser(uSecretary)
		}
		return cp.countyUser(uHead)
	case domain.KindTown:
		if role == domain.RolePartySecretary {
			return cp.townUser(r.i, uTownSecretary)
		}
		return cp.townUser(r.i, uTownHead)
	case domain.KindDepartment:
		if role == domain.RoleGovernmentHead {
			return cp.deptUser(r.i, uDeptHead)
		}
	case domain.KindEnterprise:
		return cp.entUser(r.i, uPrincipal)
	}
	return noUser
}

// paperName is the name of a signer without a user: deterministic in the
// unit's place in the tree.
func paperName(r unitRef, role domain.Role) string {
	c := 0
	if r.cp != nil {
		c = r.cp.c
	}
	return personName(c*7919 + r.i*31 + r.w*17 + r.t*5 + len(role))
}

// title is the post title of a synthetic user: the unit's name and the office.
func title(kind domain.UnitKind, unitName, suffix string, sector domain.Sector) string {
	office := map[domain.UnitKind]map[string]string{
		domain.KindCity:       {RoleHead: "市长", RoleSecretary: "市委书记"},
		domain.KindCounty:     {RoleHead: "县长", RoleSecretary: "县委书记"},
		domain.KindDepartment: {RoleHead: "局长", RoleInspector: "执法人员"},
		domain.KindTown:       {RoleHead: "镇长", RoleSecretary: "党委书记", RoleDeputy: "副镇长", RoleInspector: "安监员"},
		domain.KindEnterprise: {RolePrincipal: "主要负责人", RoleSafety: "安全员"},
	}[kind][suffix]
	if office == "" { // a county deputy
		office = "副县长（分管" + sectorNames[sector] + "）"
	}
	return unitName + office
}
