package letters

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/file"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// NewEvent returns the builder of an event of l, carrying l's scope columns
// (an event is read as part of its letter). Save it as the system.
func NewEvent(c *ent.Client, l *ent.ResponsibilityLetter, action letterevent.Action, from *domain.LetterState, to domain.LetterState, at time.Time) *ent.LetterEventCreate {
	return c.LetterEvent.Create().SetTenantID(l.TenantID).SetScopePath(l.ScopePath).
		SetNillableScopeSector(l.ScopeSector).SetNillableScopeEnterpriseID(l.ScopeEnterpriseID).
		SetNillableIssuerScopePath(l.IssuerScopePath).SetIssuerOnly(l.IssuerOnly).
		SetLetterID(l.ID).SetAction(action).SetNillableFromState(from).SetToState(to).SetAt(at)
}

// NewSignature returns the builder of a signature on l, carrying l's scope
// columns. Save it as the system.
func NewSignature(c *ent.Client, l *ent.ResponsibilityLetter, role domain.Role, at time.Time) *ent.LetterSignatureCreate {
	return c.LetterSignature.Create().SetTenantID(l.TenantID).SetScopePath(l.ScopePath).
		SetNillableScopeSector(l.ScopeSector).SetNillableScopeEnterpriseID(l.ScopeEnterpriseID).
		SetNillableIssuerScopePath(l.IssuerScopePath).SetIssuerOnly(l.IssuerOnly).
		SetLetterID(l.ID).SetRole(role).SetSignedAt(at)
}

func (s *Service) record(ctx context.Context, c *ent.Client, l *ent.ResponsibilityLetter, action letterevent.Action, from *domain.LetterState, a actor, note string) error {
	ev := NewEvent(c, l, action, from, l.State, kernel.Now(s.Now)).
		SetActorName(a.name).SetActorTitle(a.title).SetNillableActorRole(a.role).
		SetNillableActorUserID(a.userID).SetNillableActorPostID(a.postID)
	if note != "" {
		ev.SetNote(note)
	}
	if err := ev.Exec(authz.SystemContext(ctx)); err != nil {
		return fmt.Errorf("record %s: %w", action, err)
	}
	return nil
}

// step applies a version-checked update to l, decided by the hooks as the
// policy action, and returns the letter after it. A concurrent step that
// committed first makes this one a CONFLICT (kernel.Claim), so two steps
// never both build on the same state.
func (s *Service) step(ctx context.Context, c *ent.Client, l *ent.ResponsibilityLetter, policy string, set func(*ent.ResponsibilityLetterUpdateOne)) (*ent.ResponsibilityLetter, error) {
	upd := c.ResponsibilityLetter.UpdateOneID(l.ID).Where(responsibilityletter.Version(l.Version)).SetVersion(l.Version + 1)
	set(upd)
	var out *ent.ResponsibilityLetter
	err := kernel.Claim("letter", func() (int, error) {
		var err error
		out, err = upd.Save(authz.WithAction(ctx, policy))
		return kernel.Affected(err)
	}, currentState(ctx, c, l.ID))
	return out, err
}

// currentState reads the state of letter id for a CONFLICT.
func currentState(ctx context.Context, c *ent.Client, id int) func() (string, error) {
	return func() (string, error) {
		l, err := c.ResponsibilityLetter.Get(authz.SystemContext(ctx), id)
		if err != nil {
			return "", err
		}
		return string(l.State), nil
	}
}

// openToSignee opens a letter's events and attachments, written while it was
// a DRAFT (read by its issuer side only), to its signee side: the letter is
// issued. Its signatures come later and are open from the start.
func openToSignee(ctx context.Context, c *ent.Client, letterID int) error {
	sys := authz.SystemContext(ctx)
	if err := c.LetterEvent.Update().Where(letterevent.LetterID(letterID), letterevent.IssuerOnly(true)).
		SetIssuerOnly(false).Exec(sys); err != nil {
		return fmt.Errorf("open the draft's events: %w", err)
	}
	if err := c.File.Update().Where(file.OwnerID(letterID), file.IssuerOnly(true)).SetIssuerOnly(false).Exec(sys); err != nil {
		return fmt.Errorf("open the draft's attachments: %w", err)
	}
	return nil
}
