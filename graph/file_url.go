package graph

import (
	"context"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/files"
)

// fileURL is File.url: a URL signed for the caller, who read f through
// their scope (a File row is only reachable through its owner's), so a
// browser can show or download it without an Authorization header until
// it expires. Without a signer or a user viewer: the header-authenticated
// path.
func (r *Resolver) fileURL(ctx context.Context, f *ent.File) string {
	v := authz.FromContext(ctx)
	if r.FileURLs == nil || v == nil || v.IsSystem() || v.UserID == 0 {
		return files.URL(f.ID)
	}
	return r.FileURLs.Sign(f.ID, f.TenantID, v.UserID)
}
