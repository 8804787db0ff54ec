package prevention

import (
	"context"

	"github.com/dutychain/dutychain/authz"
)

// MayGrade decides whether the caller may regrade a risk point (o its
// decision object): risk_point:grade in a post on the enterprise side.
// Regrade and the point's allowedActions ask it.
func MayGrade(ctx context.Context, o authz.Object) (*authz.Grant, error) {
	return authz.EnterpriseAct(ctx, o, "grade")
}

// MayCheck decides whether the caller may record checks of a risk point's
// control measures: risk_point:check in a post on the enterprise side.
func MayCheck(ctx context.Context, o authz.Object) (*authz.Grant, error) {
	return authz.EnterpriseAct(ctx, o, "check")
}
