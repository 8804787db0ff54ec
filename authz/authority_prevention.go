package authz

import (
	"context"

	"github.com/dutychain/dutychain/internal/apperr"
)

// EnterpriseAct decides an act the enterprise side does on its own record
// o — identifying, grading and checking its risk points (风险分级管控 is the
// enterprise's 主体责任): the caller needs a post at an enterprise-side unit
// whose policy allows action on o. A government post never qualifies,
// whatever the policy says: governments read these records, and act on
// what they find through hazards and enforcement. NOT_FOUND when the
// caller cannot read o. It returns the post that may act (nil for the
// system).
func EnterpriseAct(ctx context.Context, o Object, action string) (*Grant, error) {
	if err := Check(ctx, o, "read"); err != nil {
		return nil, err
	}
	v, err := actingViewer(ctx)
	if v == nil {
		return nil, err
	}
	for _, g := range v.Grants {
		if g.DirectoryOnly || g.UnitKind.IsGovernment() {
			continue
		}
		one := &Viewer{UserID: v.UserID, Tenant: v.Tenant, Username: v.Username, Grants: []Grant{g}, PostIDs: []int{g.PostID}, Policy: v.Policy, Now: v.Now}
		ok, err := v.Policy.Decide(one, o, action)
		if err != nil {
			return nil, apperr.Wrap(apperr.Internal, "internal error", err)
		}
		if ok {
			return &g, nil
		}
	}
	return nil, apperr.Newf(apperr.Forbidden, "%s this %s is the enterprise's own act: it needs a post on the enterprise side that may; governments read it", action, o.Type)
}
