package files_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/gid"
)

// errorBody is the JSON error body of a refused download.
type errorBody struct {
	Errors []struct {
		Message    string
		Extensions struct{ Code, Reason string }
	}
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) errorBody {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || len(b.Errors) != 1 {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	return b
}

// TestDownloadFailuresSayWhetherToRetry: a download the server cannot serve
// is 503 UNAVAILABLE with Retry-After while the storage is down, and 404
// CONTENT_MISSING when the row is there but its bytes are not — never a bare
// 500 with a cause in the body.
func TestDownloadFailuresSayWhetherToRetry(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(authz.SystemContext(context.Background()), time.Minute)
		t.Cleanup(cancel)
		dir := t.TempDir()
		store, err := files.OpenDirStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		s := &files.Service{Store: store}
		hazard := d.Client.Hazard.Query().FirstX(ctx)
		owner := files.Owner{ID: hazard.ID, Tenant: hazard.TenantID, Path: hazard.ScopePath,
			Sector: hazard.ScopeSector, EnterpriseID: hazard.ScopeEnterpriseID}
		saved, err := s.Attach(ctx, d.Client, owner, files.Uploader{Name: "Tester"}, upload("photo.pdf"))
		if err != nil {
			t.Fatal(err)
		}

		t.Run("a database outage while checking a signed URL is 503 with Retry-After", func(t *testing.T) {
			key := make([]byte, 32)
			signer, err := files.NewURLSigner(key, time.Minute, nil)
			if err != nil {
				t.Fatal(err)
			}
			down := func(context.Context, int, int) (*authz.Viewer, error) {
				return nil, fmt.Errorf("load viewer: %w", syscall.ECONNREFUSED)
			}
			h := s.SignedHandler(d.Client, signer, down)
			u := signer.Sign(saved[0].ID, hazard.TenantID, 1)
			r := httptest.NewRequest(http.MethodGet, u, nil)
			r.SetPathValue("id", gid.Encode(saved[0].ID))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			b := decodeError(t, rec)
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
				b.Errors[0].Extensions.Code != "UNAVAILABLE" || b.Errors[0].Extensions.Reason != "DATABASE_UNAVAILABLE" {
				t.Fatalf("status %d, Retry-After %q, body %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
			}
			if strings.Contains(rec.Body.String(), "refused") {
				t.Errorf("the cause reached the client: %s", rec.Body)
			}
		})
		t.Run("a file whose bytes are gone is 404 CONTENT_MISSING", func(t *testing.T) {
			err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
				if err == nil && !e.IsDir() {
					return os.Remove(p)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodGet, files.URL(saved[0].ID), nil).WithContext(ctx)
			r.SetPathValue("id", gid.Encode(saved[0].ID))
			rec := httptest.NewRecorder()
			s.Handler(d.Client).ServeHTTP(rec, r)
			b := decodeError(t, rec)
			if rec.Code != http.StatusNotFound || b.Errors[0].Extensions.Code != "NOT_FOUND" || b.Errors[0].Extensions.Reason != files.ReasonContentMissing {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
		})
	})
}
