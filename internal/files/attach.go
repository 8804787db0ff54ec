package files

import (
	"context"
	"errors"
	"fmt"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/file"
)

// Owner is the record files are attached to: its global id, which names its
// table too, and its scope columns, copied onto each File row so that a
// file is readable exactly where its owner is.
type Owner struct {
	ID           int
	Tenant       int
	Path         string
	Sector       *string
	EnterpriseID *int
	IssuerPath   *string
	// IssuerOnly: the owner is read by its issuer side only (a DRAFT
	// letter), and so is the file.
	IssuerOnly bool
}

// Attach checks and stores uploads and writes their File rows, owned by
// owner, through c (the owner's transaction), in upload order. The owner's
// service has already decided that the caller may attach; the rows are
// written as the system. The bytes are stored before the rows commit: a
// rolled-back transaction leaves unreferenced content behind, never a row
// without bytes.
func (s *Service) Attach(ctx context.Context, c *ent.Client, owner Owner, by Uploader, ups ...Upload) ([]*ent.File, error) {
	if owner.ID == 0 || owner.Tenant == 0 || owner.Path == "" {
		return nil, fmt.Errorf("files: attach to an owner without an id or a scope: %+v", owner)
	}
	out := make([]*ent.File, 0, len(ups))
	for _, up := range ups {
		f, err := s.attachOne(ctx, c, owner, by, up)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func (s *Service) attachOne(ctx context.Context, c *ent.Client, owner Owner, by Uploader, up Upload) (*ent.File, error) {
	ct, content, err := s.Check(up)
	if err != nil {
		return nil, err
	}
	blob, err := s.Store.Put(ctx, content)
	if errors.Is(err, errTooLarge) {
		return nil, TooLarge(s.maxBytes())
	}
	if err != nil {
		return nil, err
	}
	create := c.File.Create().SetOwnerID(owner.ID).SetTenantID(owner.Tenant).SetScopePath(owner.Path).
		SetNillableScopeSector(owner.Sector).SetNillableScopeEnterpriseID(owner.EnterpriseID).
		SetNillableIssuerScopePath(owner.IssuerPath).SetIssuerOnly(owner.IssuerOnly).
		SetSha256(blob.SHA256).SetSize(blob.Size).SetContentType(ct).SetFilename(CleanName(up.Filename)).
		SetUploaderName(by.Name).SetNillableUploadedByUserID(by.UserID).SetNillableUploadedByPostID(by.PostID)
	if up.Description != "" {
		create.SetDescription(up.Description)
	}
	f, err := create.Save(authz.SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("files: record file: %w", err)
	}
	return f, nil
}

// Of queries the files of the owners, oldest first, through the caller's
// read filter: one statement for any number of owners of any types.
func Of(c *ent.Client, ownerIDs ...int) *ent.FileQuery {
	return c.File.Query().Where(file.OwnerIDIn(ownerIDs...)).Order(ent.Asc(file.FieldID))
}

// Remove deletes the File rows of an owner that its service is deleting,
// as the system (the service decided). The content stays in the store,
// where other rows may share it.
func Remove(ctx context.Context, c *ent.Client, ownerID int) error {
	if _, err := c.File.Delete().Where(file.OwnerID(ownerID)).Exec(authz.SystemContext(ctx)); err != nil {
		return fmt.Errorf("files: remove the files of %d: %w", ownerID, err)
	}
	return nil
}
