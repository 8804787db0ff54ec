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
// sent. Returns the notice's own row.
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
