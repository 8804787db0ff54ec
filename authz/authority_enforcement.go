package authz

import (
	"context"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// EnforcementAct decides an enforcement act (执法) — issuing an action or
// moving it through its states — done in the name of department issuer:
// only a DEPARTMENT enforces (a town, the county or the governed
// enterprise never does), and the caller needs a post at it whose policy
// allows action on o (ActFor). To issue, o carries no issuer side, so the
// department must cover the target itself (by supervision and sector);
// later acts may rely on the issuer side. field names the input that
// chose the issuer. It returns the posts at issuer that may act.
func EnforcementAct(ctx context.Context, o Object, action string, issuer Place, issuerName, field string) ([]Grant, error) {
	if issuer.Kind.IsGovernment() && issuer.Kind != domain.KindDepartment {
		return nil, apperr.Invalid(field, issuerName+" is not a department: enforcement actions are issued by enforcement departments")
	}
	return ActFor(ctx, o, action, issuer, issuerName, true, field)
}
