package letters

import (
	"context"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// ObjectOf is the decision object of letter l whose signee's enterprise (if
// any) is supervised by supervisors: its signee's position and its issuer's
// path.
func ObjectOf(l *ent.ResponsibilityLetter, supervisors []int) authz.Object {
	o := authz.ObjectOf("letter", l.TenantID, l.ScopePath, l.ScopeSector, l.ScopeEnterpriseID, supervisors)
	if l.IssuerScopePath != nil {
		o.IssuerPath = *l.IssuerScopePath
	}
	o.IssuerOnly = l.IssuerOnly
	return o
}

// mayTake is the whole decision on step a of letter l (o its decision
// object, signed the roles that signed it) for the caller: the posts they
// would act in, or the error the step's mutation answers. postID picks the
// signing post. Every step's mutation and Allowed ask it.
func mayTake(ctx context.Context, l *ent.ResponsibilityLetter, o authz.Object, a domain.LetterAction, signed []domain.Role, postID *int) ([]authz.Grant, error) {
	switch a {
	case domain.LetterSign:
		eligible, err := signers(ctx, o, l)
		if err != nil {
			return nil, err
		}
		if _, err := nextState(l.State, a, false); err != nil {
			return nil, err
		}
		g, err := signingPost(l, eligible, signed, postID)
		if err != nil {
			return nil, err
		}
		return []authz.Grant{g}, nil
	case domain.LetterAttach:
		grants, err := attachers(ctx, o, l)
		if err != nil {
			return nil, err
		}
		if _, err := nextState(l.State, a, false); err != nil {
			return nil, err
		}
		return grants, nil
	}
	grants, err := issuerSide(ctx, o, policyOf(a), l)
	if err != nil {
		return nil, err
	}
	if _, err := nextState(l.State, a, false); err != nil {
		return nil, err
	}
	if a == domain.LetterIssue && len(l.Targets) == 0 {
		return nil, apperr.Invalid("targets", "add at least one responsibility target before issuing")
	}
	return grants, nil
}

// attachers are the caller's posts that attach files to l: at the issuer
// unit, or once issued at the signee unit.
func attachers(ctx context.Context, o authz.Object, l *ent.ResponsibilityLetter) ([]authz.Grant, error) {
	policy := policyOf(domain.LetterAttach)
	grants, err := authz.CheckAt(ctx, o, policy, l.IssuerUnitID)
	if apperr.CodeOf(err) == apperr.Forbidden && l.State != domain.LetterDraft {
		grants, err = authz.CheckAt(ctx, o, policy, l.SigneeUnitID)
	}
	if apperr.CodeOf(err) == apperr.Forbidden {
		return nil, apperr.Newf(apperr.Forbidden, "files are attached by the heads of %s or, once issued, of %s", l.IssuerName, l.SigneeName)
	}
	return grants, err
}

// Allowed lists the steps the caller may take on l now (o its decision
// object, signed the roles that signed it), in the order of
// domain.LetterAction: the steps whose mutation would pass every check but
// its input's.
func Allowed(ctx context.Context, l *ent.ResponsibilityLetter, o authz.Object, signed []domain.Role) []domain.LetterAction {
	var out []domain.LetterAction
	for _, a := range domain.LetterAction("").Values() {
		if _, err := mayTake(ctx, l, o, domain.LetterAction(a), signed, nil); err == nil {
			out = append(out, domain.LetterAction(a))
		}
	}
	return out
}
