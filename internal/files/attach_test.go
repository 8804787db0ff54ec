package files_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/testdb/demodb"
)

var pdf = []byte("%PDF-1.4\n%%EOF\n")

func upload(name string) files.Upload {
	return files.Upload{Filename: name, Size: int64(len(pdf)), Content: bytes.NewReader(pdf)}
}

// TestAnyRecordOwnsFiles: records of any type own files through their id
// alone, read back per owner in one query, scoped like their owner.
func TestAnyRecordOwnsFiles(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(authz.SystemContext(context.Background()), 2*time.Minute)
		t.Cleanup(cancel)
		store, err := files.OpenDirStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		s := &files.Service{Store: store}
		by := files.Uploader{Name: "Tester"}
		letter := d.Client.ResponsibilityLetter.Query().FirstX(ctx)
		hazard := d.Client.Hazard.Query().FirstX(ctx)
		ofLetter := files.Owner{ID: letter.ID, Tenant: letter.TenantID, Path: letter.ScopePath,
			Sector: letter.ScopeSector, EnterpriseID: letter.ScopeEnterpriseID, IssuerPath: letter.IssuerScopePath}
		ofHazard := files.Owner{ID: hazard.ID, Tenant: hazard.TenantID, Path: hazard.ScopePath,
			Sector: hazard.ScopeSector, EnterpriseID: hazard.ScopeEnterpriseID}

		first := upload("a.pdf")
		first.Description = "the signed copy"
		if _, err := s.Attach(ctx, d.Client, ofLetter, by, first, upload("b.pdf")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Attach(ctx, d.Client, ofHazard, by, upload("c.pdf")); err != nil {
			t.Fatal(err)
		}
		names := func(fs []*ent.File) (out []string) {
			for _, f := range fs {
				out = append(out, f.Filename)
			}
			return out
		}

		t.Run("owners of two types are read in one query, oldest first", func(t *testing.T) {
			fs := files.Of(d.Client, letter.ID, hazard.ID).AllX(ctx)
			if got := names(fs); len(got) != 3 || got[0] != "a.pdf" || got[1] != "b.pdf" || got[2] != "c.pdf" {
				t.Fatalf("files %v, want a.pdf, b.pdf, c.pdf", got)
			}
			if fs[0].OwnerID != letter.ID || fs[2].OwnerID != hazard.ID || fs[0].Description != "the signed copy" {
				t.Errorf("owners %d, %d and description %q", fs[0].OwnerID, fs[2].OwnerID, fs[0].Description)
			}
		})
		t.Run("each file carries its owner's scope columns", func(t *testing.T) {
			for _, f := range files.Of(d.Client, letter.ID, hazard.ID).AllX(ctx) {
				want := ofHazard
				if f.OwnerID == letter.ID {
					want = ofLetter
				}
				if f.TenantID != want.Tenant || f.ScopePath != want.Path || (f.IssuerScopePath == nil) != (want.IssuerPath == nil) {
					t.Errorf("%s: tenant %d, path %q, issuer %v; want the owner's", f.Filename, f.TenantID, f.ScopePath, f.IssuerScopePath)
				}
			}
		})
		t.Run("an owner without an id or a scope is refused", func(t *testing.T) {
			for _, o := range []files.Owner{{Tenant: letter.TenantID, Path: letter.ScopePath}, {ID: letter.ID}} {
				if _, err := s.Attach(ctx, d.Client, o, by, upload("d.pdf")); err == nil {
					t.Errorf("attached to %+v", o)
				}
			}
		})
		t.Run("removing an owner's files leaves the others", func(t *testing.T) {
			if err := files.Remove(ctx, d.Client, letter.ID); err != nil {
				t.Fatal(err)
			}
			if got := names(files.Of(d.Client, letter.ID, hazard.ID).AllX(ctx)); len(got) != 1 || got[0] != "c.pdf" {
				t.Fatalf("files left %v, want c.pdf", got)
			}
		})
	})
}
