package letters

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Attach stores an uploaded file and attaches it to a letter: the issuer side
// while it is a DRAFT, either side once issued (the signee side attaches its
// scanned signed copy), nobody once ARCHIVED or REVOKED.
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
		if err != nil {
			return nil, err
		}
		a, err := actorOf(ctx, c, grants[0])
		if err != nil {
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
