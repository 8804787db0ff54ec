package files

import (
	"context"
	"fmt"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
)

// Share writes, through c (the owner's transaction), one more File row for
// stored file f, owned by each of owners: the same content (no bytes are
// stored again), name, description and uploader, readable where each owner
// is. A document distributed to many units (a notice to its recipients) is
// shared with each delivered copy this way. The owners' service has already
// decided; the rows are written as the system, in one statement.
func (s *Service) Share(ctx context.Context, c *ent.Client, f *ent.File, owners ...Owner) error {
	if len(owners) == 0 {
		return nil
	}
	creates := make([]*ent.FileCreate, len(owners))
	for i, o := range owners {
		if o.ID == 0 || o.Tenant == 0 || o.Path == "" {
			return fmt.Errorf("files: share with an owner without an id or a scope: %+v", o)
		}
		cr := c.File.Create().SetOwnerID(o.ID).SetTenantID(o.Tenant).SetScopePath(o.Path).
			SetNillableScopeSector(o.Sector).SetNillableScopeEnterpriseID(o.EnterpriseID).
			SetNillableIssuerScopePath(o.IssuerPath).
			SetSha256(f.Sha256).SetSize(f.Size).SetContentType(f.ContentType).SetFilename(f.Filename).
			SetUploaderName(f.UploaderName).
			SetNillableUploadedByUserID(f.UploadedByUserID).SetNillableUploadedByPostID(f.UploadedByPostID)
		if f.Description != "" {
			cr.SetDescription(f.Description)
		}
		creates[i] = cr
	}
	if err := c.File.CreateBulk(creates...).Exec(authz.SystemContext(ctx)); err != nil {
		return fmt.Errorf("files: share file %d: %w", f.ID, err)
	}
	return nil
}
