package letters

import (
	"context"
	"fmt"
	"slices"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/lettersignature"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// signedRoles lists the roles that signed letter id.
func signedRoles(ctx context.Context, c *ent.Client, id int) ([]domain.Role, error) {
	var roles []domain.Role
	sigs, err := c.LetterSignature.Query().Where(lettersignature.LetterID(id)).
		Select(lettersignature.FieldRole).All(authz.SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("load signatures: %w", err)
	}
	for _, s := range sigs {
		roles = append(roles, s.Role)
	}
	return roles, nil
}

// Sign signs a letter in one of the caller's posts at the signee unit. A
// government signee's letter is PARTIALLY_SIGNED until both its
// PARTY_SECRETARY and its GOVERNMENT_HEAD signed; one PRINCIPAL signs for an
// enterprise-side unit. postID picks the post when the caller holds several.
func (s *Service) Sign(ctx context.Context, id int, postID *int) (*ent.ResponsibilityLetter, error) {
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.ResponsibilityLetter, error) {
		l, err := loadLetter(ctx, c, id)
		if err != nil {
			return nil, err
		}
		o, err := object(ctx, c, l)
		if err != nil {
			return nil, err
		}
		signed, err := signedRoles(ctx, c, l.ID)
		if err != nil {
			return nil, err
		}
		grants, err := mayTake(ctx, l, o, domain.LetterSign, signed, postID)
		if err != nil {
			return nil, err
		}
		g := grants[0]
		a, err := actorOf(ctx, c, g)
		if err != nil {
			return nil, err
		}
		now := kernel.Now(s.Now)
		if err := NewSignature(c, l, domain.Role(g.Role), now).SetSignerName(a.name).SetSignerTitle(a.title).
			SetNillableUserID(a.userID).SetNillablePostID(a.postID).Exec(authz.SystemContext(ctx)); err != nil {
			return nil, fmt.Errorf("record signature: %w", err)
		}
		complete := len(Missing(l.SigneeKind, append(signed, domain.Role(g.Role)))) == 0
		next, err := nextState(l.State, domain.LetterSign, complete)
		if err != nil {
			return nil, err
		}
		saved, err := s.step(ctx, c, l, policyOf(domain.LetterSign), func(u *ent.ResponsibilityLetterUpdateOne) {
			u.SetState(next)
			if next == domain.LetterSigned {
				u.SetSignedAt(now)
			}
		})
		if err != nil {
			return nil, err
		}
		if err := s.record(ctx, c, saved, letterevent.ActionSIGNED, &l.State, a, ""); err != nil {
			return nil, err
		}
		return c.ResponsibilityLetter.Get(ctx, l.ID)
	})
}

// signers are the caller's posts at the signee unit that sign l: FORBIDDEN,
// naming who signs, when there is none.
func signers(ctx context.Context, o authz.Object, l *ent.ResponsibilityLetter) ([]authz.Grant, error) {
	required := RequiredRoles(l.SigneeKind)
	who := "the PRINCIPAL"
	if l.SigneeKind.IsGovernment() {
		who = "the PARTY_SECRETARY and the GOVERNMENT_HEAD"
	}
	grants, err := authz.CheckAt(ctx, o, policyOf(domain.LetterSign), l.SigneeUnitID)
	var eligible []authz.Grant
	for _, g := range grants {
		if slices.Contains(required, domain.Role(g.Role)) {
			eligible = append(eligible, g)
		}
	}
	if apperr.CodeOf(err) == apperr.Forbidden || (err == nil && len(eligible) == 0) {
		return nil, apperr.Newf(apperr.Forbidden, "a letter to %s is signed by %s of %s; you hold no such post there", l.SigneeName, who, l.SigneeName)
	}
	return eligible, err
}

// signingPost picks the post the caller signs in: the one postID names, or
// the first whose role has not signed yet.
func signingPost(l *ent.ResponsibilityLetter, eligible []authz.Grant, signed []domain.Role, postID *int) (authz.Grant, error) {
	var g *authz.Grant
	for i := range eligible {
		e := eligible[i]
		if postID != nil {
			if e.PostID == *postID {
				g = &e
			}
			continue
		}
		if g == nil && !slices.Contains(signed, domain.Role(e.Role)) {
			g = &e
		}
	}
	switch {
	case g == nil && postID != nil:
		return authz.Grant{}, apperr.Invalid("postID", fmt.Sprintf("you hold no post with this id at %s that signs its letters", l.SigneeName))
	case g == nil:
		return authz.Grant{}, apperr.Invalid("id", fmt.Sprintf("this letter already carries the %s's signature", eligible[0].Role))
	case slices.Contains(signed, domain.Role(g.Role)):
		return authz.Grant{}, apperr.Invalid("id", fmt.Sprintf("this letter already carries the %s's signature", g.Role))
	}
	return *g, nil
}
