package authz

import (
	"context"

	"github.com/dutychain/dutychain/internal/apperr"
)

// ActFor decides an act done in the name of unit u — issuing a notice from
// it, signing for one addressed to it, recording its meeting or training:
// the caller needs a post at u itself (not one merely covering it) whose
// policy allows action on o. With government set, the act is the
// government's own and u must be a government unit: the governed never
// record the government's acts (field names the input that chose u).
// It returns the posts at u that may act; none for the system.
func ActFor(ctx context.Context, o Object, action string, u Place, unitName string, government bool, field string) ([]Grant, error) {
	if _, err := actingViewer(ctx); err != nil {
		return nil, err
	}
	if government && !u.Kind.IsGovernment() {
		return nil, apperr.Invalid(field, "this is done in the name of a government unit (county, town or department), not of "+unitName)
	}
	grants, err := CheckAt(ctx, o, action, u.ID)
	if apperr.CodeOf(err) == apperr.Forbidden {
		return nil, apperr.Newf(apperr.Forbidden, "%s this %s in the name of %s needs a post there that may; you hold none", action, o.Type, unitName)
	}
	return grants, err
}
