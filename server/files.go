package server

import (
	"context"
	"net/http"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/files"
)

// fileDownloads serves GET /files/{id}: a signed URL (File.url) without an
// Authorization header, any other request with one.
func fileDownloads(d Deps) http.Handler {
	withHeader := requireViewer(d.Files.Handler(d.Client))
	if d.FileURLs == nil {
		return withHeader
	}
	signed := d.Files.SignedHandler(d.Client, d.FileURLs, func(ctx context.Context, user, tenant int) (*authz.Viewer, error) {
		return authz.LoadViewer(ctx, d.Client, d.Policy.Current(), user, tenant, d.Now())
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if files.Signed(r.URL.Query()) {
			signed.ServeHTTP(w, r)
			return
		}
		withHeader.ServeHTTP(w, r)
	})
}
