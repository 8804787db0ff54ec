package domain

import "io"

// UnitKind is the kind of a node of the unit tree.
type UnitKind string

// Unit kinds, from the root down.
const (
	KindCity       UnitKind = "CITY"
	KindCounty     UnitKind = "COUNTY"
	KindTown       UnitKind = "TOWN"
	KindDepartment UnitKind = "DEPARTMENT"
	KindEnterprise UnitKind = "ENTERPRISE"
	KindWorkshop   UnitKind = "WORKSHOP"
	KindTeam       UnitKind = "TEAM"
)

// Values lists the unit kinds (ent enum contract).
func (UnitKind) Values() []string {
	return []string{"CITY", "COUNTY", "TOWN", "DEPARTMENT", "ENTERPRISE", "WORKSHOP", "TEAM"}
}

// IsGovernment reports whether units of this kind belong to the government
// directory (readable by every user of the tenant, never sector-restricted).
func (k UnitKind) IsGovernment() bool {
	switch k {
	case KindCity, KindCounty, KindTown, KindDepartment:
		return true
	}
	return false
}

// AllowedParents lists the kinds a unit of kind k may hang under.
func (k UnitKind) AllowedParents() []UnitKind {
	switch k {
	case KindCity:
		return nil
	case KindCounty:
		return []UnitKind{KindCity}
	case KindTown, KindDepartment:
		return []UnitKind{KindCounty, KindCity}
	case KindEnterprise:
		return []UnitKind{KindTown}
	case KindWorkshop:
		return []UnitKind{KindEnterprise}
	case KindTeam:
		return []UnitKind{KindWorkshop}
	}
	return nil
}

// MarshalGQL implements graphql.Marshaler.
func (k UnitKind) MarshalGQL(w io.Writer) { writeQuoted(w, string(k)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (k *UnitKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, k.Values(), (*string)(k), "UnitKind")
}

// Sector is a supervised line of business (行业). Extensible by adding values.
type Sector string

// Sectors.
const (
	SectorIndustry     Sector = "INDUSTRY"
	SectorCommerce     Sector = "COMMERCE"
	SectorFuel         Sector = "FUEL"
	SectorConstruction Sector = "CONSTRUCTION"
	SectorChemicals    Sector = "CHEMICALS"
	SectorTransport    Sector = "TRANSPORT"
	SectorOther        Sector = "OTHER"
)

// Values lists the sectors (ent enum contract).
func (Sector) Values() []string {
	return []string{"INDUSTRY", "COMMERCE", "FUEL", "CONSTRUCTION", "CHEMICALS", "TRANSPORT", "OTHER"}
}

// Valid reports whether s is a known sector.
func (s Sector) Valid() bool {
	return isValue(s.Values(), string(s))
}

// MarshalGQL implements graphql.Marshaler.
func (s Sector) MarshalGQL(w io.Writer) { writeQuoted(w, string(s)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (s *Sector) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s.Values(), (*string)(s), "Sector")
}

// Role is the role a post carries.
type Role string

// Roles of posts (docs/DOMAIN.md).
const (
	RolePartySecretary Role = "PARTY_SECRETARY"
	RoleGovernmentHead Role = "GOVERNMENT_HEAD"
	RolePrincipal      Role = "PRINCIPAL"
	RoleDeputy         Role = "DEPUTY"
	RoleSafetyOfficer  Role = "SAFETY_OFFICER"
	RoleInspector      Role = "INSPECTOR"
	RoleAuditor        Role = "AUDITOR"
	RoleAdmin          Role = "ADMIN"
)

// Values lists the roles (ent enum contract).
func (Role) Values() []string {
	return []string{"PARTY_SECRETARY", "GOVERNMENT_HEAD", "PRINCIPAL", "DEPUTY", "SAFETY_OFFICER", "INSPECTOR", "AUDITOR", "ADMIN"}
}

// MarshalGQL implements graphql.Marshaler.
func (r Role) MarshalGQL(w io.Writer) { writeQuoted(w, string(r)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (r *Role) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, r.Values(), (*string)(r), "Role")
}
