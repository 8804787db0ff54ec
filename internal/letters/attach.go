package letters

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Attach stores an uploaded file and attaches it to a letter: the issuer side
// while it is a DRAFT, either side once issued (the signee side attaches its
// scanned signed copy), nobody once ARCHIVED or REVOKED. The letter must
// still take attachments when the file is written (holdAttachable).
func (s *Service) Attach(ctx context.Context, id int, up files.Upload, description *string) (*ent.File, error) {
	desc := ""
	if description != nil {
		desc = strings.TrimSpace(*description)
		if utf8.RuneCountInString(desc) > MaxDescription {
			return nil, tooLong("description", MaxDescription)
		}
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.File, error) {
		l, err := loadLetter(ctx, c, id)
		if err != nil {
			return nil, err
		}
		o, err := object(ctx, c, l)
		if err != nil {
			return nil, err
		}
		grants, err := mayTake(ctx, l, o, domain.LetterAttach, nil, nil)
		// The signee side (no issuer-side grant) attaches only once issued.
		_, asIssuer := authz.CheckAt(ctx, o, policyOf(domain.LetterAttach), l.IssuerUnitID)
		signeeSide := asIssuer != nil
		if err != nil {
			return nil, err
		}
		a, err := actorOf(ctx, c, grants[0])
		if err != nil {
			return nil, err
		}
		if l, err = s.holdAttachable(ctx, c, l, signeeSide); err != nil {
			return nil, err
		}
		up.Description = desc
		fs, err := s.Files.Attach(ctx, c, files.Owner{
			ID: l.ID, Tenant: l.TenantID, Path: l.ScopePath, Sector: l.ScopeSector, EnterpriseID: l.ScopeEnterpriseID,
			IssuerPath: l.IssuerScopePath, IssuerOnly: l.IssuerOnly,
		}, files.Uploader{Name: a.name, UserID: a.userID, PostID: a.postID}, up)
		if err != nil {
			return nil, err
		}
		f := fs[0]
		if err := s.record(ctx, c, l, letterevent.ActionATTACHED, &l.State, a, f.Filename); err != nil {
			return nil, err
		}
		return c.File.Get(ctx, f.ID)
	})
}

// holdAttachable is the condition the attachment is written under: it
// locks letter l's row (SELECT … FOR UPDATE; SQLite serialises writers)
// only while l is still in a state that takes attachments (once issued,
// when the signee side decided), and returns the letter as it is now. The
// lock holds until the transaction ends, so a revocation or archiving
// either commits first, making this a CONFLICT naming the letter's new
// state, or waits for the attachment. The row itself is not changed.
func (s *Service) holdAttachable(ctx context.Context, c *ent.Client, l *ent.ResponsibilityLetter, signeeSide bool) (*ent.ResponsibilityLetter, error) {
	states := rules[domain.LetterAttach].from
	if signeeSide {
		states = slices.DeleteFunc(slices.Clone(states), func(st domain.LetterState) bool { return st == domain.LetterDraft })
	}
	var now *ent.ResponsibilityLetter
	err := kernel.Claim("letter", func() (int, error) {
		var err error
		q := c.ResponsibilityLetter.Query().Where(responsibilityletter.ID(l.ID), responsibilityletter.StateIn(states...))
		if s.Dialect != dialect.SQLite {
			q = q.ForUpdate()
		}
		now, err = q.Only(authz.SystemContext(ctx))
		return kernel.Affected(err)
	}, currentState(ctx, c, l.ID))
	return now, err
}
