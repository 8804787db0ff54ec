package letters

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// UpdateInput is what updateLetter accepts; nil fields are left unchanged.
type UpdateInput struct {
	Title      *string
	Body       *string
	Targets    []Target
	SetTargets bool
}

// Update edits a DRAFT.
func (s *Service) Update(ctx context.Context, id int, in UpdateInput) (*ent.ResponsibilityLetter, error) {
	var title, body string
	var targets []domain.LetterTarget
	var p kernel.Problems
	var err error
	if in.Title != nil {
		title, err = cleanTitle(*in.Title)
		p.Add(err)
	}
	body, err = cleanBody(in.Body)
	p.Add(err)
	if in.SetTargets {
		targets, err = cleanTargets(in.Targets)
		p.Add(err)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.transition(ctx, id, domain.LetterEdit, func(c *ent.Client, l *ent.ResponsibilityLetter, _ domain.LetterState, a actor) error {
		out, err := s.step(ctx, c, l, policyOf(domain.LetterEdit), func(u *ent.ResponsibilityLetterUpdateOne) {
			if in.Title != nil {
				u.SetTitle(title)
			}
			if in.Body != nil {
				u.SetBody(body)
			}
			if in.SetTargets {
				u.SetTargets(targets)
			}
		})
		if err != nil {
			return err
		}
		return s.record(ctx, c, out, letterevent.ActionUPDATED, &l.State, a, "")
	})
}

// issuerStep starts an issuer-side step on letter id: it loads the letter
// through the caller's scope (NOT_FOUND), decides the action's policy for
// their posts at the issuer (FORBIDDEN) and checks the step against the
// state machine (BAD_USER_INPUT). It returns the letter, the state the step
// leads to and who acts.
func issuerStep(ctx context.Context, c *ent.Client, id int, action domain.LetterAction) (*ent.ResponsibilityLetter, domain.LetterState, actor, error) {
	l, err := loadLetter(ctx, c, id)
	if err != nil {
		return nil, "", actor{}, err
	}
	o, err := object(ctx, c, l)
	if err != nil {
		return nil, "", actor{}, err
	}
	grants, err := mayTake(ctx, l, o, action, nil, nil)
	if err != nil {
		return nil, "", actor{}, err
	}
	a, err := actorOf(ctx, c, grants[0])
	if err != nil {
		return nil, "", actor{}, err
	}
	next, err := nextState(l.State, action, false)
	if err != nil {
		return nil, "", actor{}, err
	}
	return l, next, a, nil
}

// transition runs issuerStep and then fn, which writes the step, in one
// transaction, and returns the letter as the caller now reads it.
func (s *Service) transition(ctx context.Context, id int, action domain.LetterAction, fn func(c *ent.Client, l *ent.ResponsibilityLetter, next domain.LetterState, a actor) error) (*ent.ResponsibilityLetter, error) {
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.ResponsibilityLetter, error) {
		l, next, a, err := issuerStep(ctx, c, id, action)
		if err != nil {
			return nil, err
		}
		if err := fn(c, l, next, a); err != nil {
			return nil, err
		}
		return c.ResponsibilityLetter.Get(ctx, l.ID)
	})
}

// Delete discards a DRAFT with its history and attachment rows (the stored
// bytes stay: content is shared by hash and swept separately).
func (s *Service) Delete(ctx context.Context, id int) error {
	return kernel.InTx(ctx, s.Client, func(tx *ent.Tx) error {
		c := tx.Client()
		l, _, _, err := issuerStep(ctx, c, id, domain.LetterDiscard)
		if err != nil {
			return err
		}
		sys := authz.SystemContext(ctx)
		if _, err := c.LetterEvent.Delete().Where(letterevent.LetterID(l.ID)).Exec(sys); err != nil {
			return fmt.Errorf("delete events: %w", err)
		}
		if err := files.Remove(ctx, c, l.ID); err != nil {
			return err
		}
		return kernel.Claim("letter", func() (int, error) {
			n, err := c.ResponsibilityLetter.Delete().Where(responsibilityletter.ID(l.ID), responsibilityletter.Version(l.Version)).Exec(sys)
			if err != nil {
				return 0, fmt.Errorf("delete letter: %w", err)
			}
			return n, nil
		}, currentState(ctx, c, l.ID))
	})
}

// Issue moves a DRAFT to ISSUED.
func (s *Service) Issue(ctx context.Context, id int) (*ent.ResponsibilityLetter, error) {
	return s.transition(ctx, id, domain.LetterIssue, func(c *ent.Client, l *ent.ResponsibilityLetter, next domain.LetterState, a actor) error {
		now := kernel.Now(s.Now)
		if err := openToSignee(ctx, c, l.ID); err != nil {
			return err
		}
		out, err := s.step(ctx, c, l, policyOf(domain.LetterIssue), func(u *ent.ResponsibilityLetterUpdateOne) {
			u.SetState(next).SetIssuedAt(now).SetIssuerOnly(false)
		})
		if err != nil {
			return err
		}
		return s.record(ctx, c, out, letterevent.ActionISSUED, &l.State, a, "")
	})
}

// Revoke moves an ISSUED or PARTIALLY_SIGNED letter to REVOKED; the
// (year, issuer, signee) slot is free again.
func (s *Service) Revoke(ctx context.Context, id int, reason string) (*ent.ResponsibilityLetter, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return nil, apperr.Invalid("reason", "say why the letter is revoked")
	case utf8.RuneCountInString(reason) > MaxReason:
		return nil, tooLong("reason", MaxReason)
	}
	return s.transition(ctx, id, domain.LetterRevoke, func(c *ent.Client, l *ent.ResponsibilityLetter, next domain.LetterState, a actor) error {
		now := kernel.Now(s.Now)
		out, err := s.step(ctx, c, l, policyOf(domain.LetterRevoke), func(u *ent.ResponsibilityLetterUpdateOne) {
			u.SetState(next).SetRevokedAt(now).SetRevokeReason(reason).ClearLive()
		})
		if err != nil {
			return err
		}
		return s.record(ctx, c, out, letterevent.ActionREVOKED, &l.State, a, reason)
	})
}

// Archive moves a SIGNED letter to ARCHIVED.
func (s *Service) Archive(ctx context.Context, id int) (*ent.ResponsibilityLetter, error) {
	return s.transition(ctx, id, domain.LetterArchive, func(c *ent.Client, l *ent.ResponsibilityLetter, next domain.LetterState, a actor) error {
		now := kernel.Now(s.Now)
		out, err := s.step(ctx, c, l, policyOf(domain.LetterArchive), func(u *ent.ResponsibilityLetterUpdateOne) {
			u.SetState(next).SetArchivedAt(now)
		})
		if err != nil {
			return err
		}
		return s.record(ctx, c, out, letterevent.ActionARCHIVED, &l.State, a, "")
	})
}
