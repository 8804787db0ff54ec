// Package letters runs responsibility letters (安全生产责任书) through their
// lifecycle: drafted and issued by the heads of the issuer unit, signed by
// the heads of the signee unit (both PARTY_SECRETARY and GOVERNMENT_HEAD for
// a town or department, 党政同责; the PRINCIPAL otherwise), revoked or
// archived by the issuer side; bulk issue from a template; attachments; and
// the chain-coverage view (coverage.go). The legal steps are the table of
// machine.go. Every step validates, decides with
// casbin through authz (the role rules are policy rows, the "post held at
// this unit" rule is authz.CheckAt), runs in one transaction, and records
// who did it, in which post, when. See docs/LETTERS.md.
package letters

import (
	"slices"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
)

// Limits of the letter text, in characters.
const (
	MaxTitle       = 200
	MaxBody        = 20000
	MaxTargets     = 50
	MaxTarget      = 500
	MaxIndicator   = 200
	MaxReason      = 500
	MaxDescription = 500
)

// Service performs the letter mutations and answers the coverage query.
type Service struct {
	Client *ent.Client
	// Dialect is the database dialect (for the coverage SQL).
	Dialect string
	Files   *files.Service
	Now     func() time.Time
}

// RequiredRoles are the signatures a letter to a unit of kind needs: both
// heads of a government unit (党政同责), the PRINCIPAL of an enterprise-side
// unit.
func RequiredRoles(kind domain.UnitKind) []domain.Role {
	if kind.IsGovernment() {
		return []domain.Role{domain.RolePartySecretary, domain.RoleGovernmentHead}
	}
	return []domain.Role{domain.RolePrincipal}
}

// Missing returns the roles of RequiredRoles(kind) not among signed.
func Missing(kind domain.UnitKind, signed []domain.Role) []domain.Role {
	out := []domain.Role{}
	for _, r := range RequiredRoles(kind) {
		if !slices.Contains(signed, r) {
			out = append(out, r)
		}
	}
	return out
}
