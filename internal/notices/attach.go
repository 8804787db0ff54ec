package notices

import (
	"context"
	"fmt"
	"strings"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/noticereceipt"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Attach stores an uploaded file (the scanned notice, its annex) and
// attaches it to a notice, by the issuer side: one File row for the notice
// and one for each receipt, so that every recipient reads the copy it was
// sent. The caller reads every recipient's receipt (seesRecipients): the
// FUEL deputy of a department does not send files to the industrial
// enterprises its department's notice went to. Returns the notice's own row.
func (s *Service) Attach(ctx context.Context, id int, up files.Upload, description string) (*ent.File, error) {
	up.Description = strings.TrimSpace(description)
	if err := checkText("description", up.Description, MaxNote, false); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.File, error) {
		n, err := kernel.Load(ctx, c.Notice.Get, id, "notice", "noticeID")
		if err != nil {
			return nil, err
		}
		o, err := noticeObject(ctx, c, n)
		if err != nil {
			return nil, err
		}
		issuer, err := c.Unit.Get(authz.SystemContext(ctx), n.IssuerUnitID)
		if err != nil {
			return nil, fmt.Errorf("load issuer: %w", err)
		}
		grants, err := authz.ActFor(ctx, o, "attach", authz.PlaceOf(issuer), issuer.Name, true, "noticeID")
		if err != nil {
			return nil, err
		}
		if err := s.seesRecipients(ctx, c, n); err != nil {
			return nil, err
		}
		a, err := actorOf(ctx, c, grants, nil, "")
		if err != nil {
			return nil, err
		}
		fs, err := s.Files.Attach(ctx, c, files.Owner{ID: n.ID, Tenant: n.TenantID, Path: n.ScopePath,
			Sector: n.ScopeSector, EnterpriseID: n.ScopeEnterpriseID, IssuerPath: n.IssuerScopePath},
			files.Uploader{Name: a.name, UserID: a.userID, PostID: a.postID}, up)
		if err != nil {
			return nil, err
		}
		receipts, err := c.NoticeReceipt.Query().Where(noticereceipt.NoticeID(n.ID)).All(authz.SystemContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("load receipts: %w", err)
		}
		owners := make([]files.Owner, len(receipts))
		for i, r := range receipts {
			owners[i] = files.Owner{ID: r.ID, Tenant: r.TenantID, Path: r.ScopePath, Sector: r.ScopeSector,
				EnterpriseID: r.ScopeEnterpriseID, IssuerPath: r.IssuerScopePath}
		}
		if err := s.Files.Share(ctx, c, fs[0], owners...); err != nil {
			return nil, err
		}
		return c.File.Get(ctx, fs[0].ID)
	})
}

// seesRecipients refuses an act of the issuer side on notice n unless the
// caller reads the receipt of every recipient (authz.SeesAll): the act
// reaches every recipient, so it needs a post covering all of them.
func (s *Service) seesRecipients(ctx context.Context, c *ent.Client, n *ent.Notice) error {
	read, err := c.NoticeReceipt.Query().Where(noticereceipt.NoticeID(n.ID)).Count(ctx)
	if err != nil {
		return fmt.Errorf("count receipts: %w", err)
	}
	all, err := c.NoticeReceipt.Query().Where(noticereceipt.NoticeID(n.ID)).Count(authz.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("count receipts: %w", err)
	}
	return authz.SeesAll(ctx, read, max(all, n.RecipientCount), "this notice has recipients")
}
