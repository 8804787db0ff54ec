package server_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/files/s3test"
	"github.com/dutychain/dutychain/internal/seed"
)

// TestFilesUploadedOnOneReplicaDownloadOnAnother runs two servers on one
// database and one S3-compatible bucket (--files-url), with one file-URL
// secret, as a deployment of replicas does: a file attached through A is
// served by B, by bearer token and by A's signed URL.
func TestFilesUploadedOnOneReplicaDownloadOnAnother(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		secret := filepath.Join(t.TempDir(), "file-url.secret")
		require.NoError(t, os.WriteFile(secret, bytes.Repeat([]byte("k"), 32), 0o600))
		bucket := s3test.Bucket(t, "replicas")
		shared := func(c *config.Config) { c.FilesURL, c.FileURLSecretFile = bucket, secret }
		a := apitest.Serve(t, d, shared)
		b := apitest.Serve(t, d, shared)
		tokA, tokB := a.As("county.head"), b.As("county.head")

		var town, letters struct {
			Units struct {
				Edges []struct{ Node struct{ ID string } }
			}
			ResponsibilityLetters struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		a.MustDo(tokA, `{ units(where: {code: "`+seed.CodeTownChengguan+`"}) { edges { node { id } } } }`, nil).Decode(t, &town)
		require.Len(t, town.Units.Edges, 1)
		a.MustDo(tokA, `query($u: ID!) { responsibilityLetters(first: 1, where: {year: 2022, signeeUnitID: $u, stateNEQ: REVOKED}) { edges { node { id } } } }`,
			map[string]any{"u": town.Units.Edges[0].Node.ID}).Decode(t, &letters)
		require.Len(t, letters.ResponsibilityLetters.Edges, 1)
		content := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
		r := a.DoUpload(tokA, `mutation($id: ID!, $file: Upload!) { attachLetterFile(input: {letterID: $id, file: $file}) { file { id url } } }`,
			map[string]any{"id": letters.ResponsibilityLetters.Edges[0].Node.ID, "file": nil},
			map[string]apitest.File{"variables.file": {Name: "签字件.pdf", Content: content}})
		require.Empty(t, r.Errors)
		var out struct {
			AttachLetterFile struct{ File struct{ ID, URL string } }
		}
		r.Decode(t, &out)

		t.Run("the other replica serves the file to a signed-in user", func(t *testing.T) {
			res, body := b.Get(tokB, "/files/"+out.AttachLetterFile.File.ID)
			require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
			require.Equal(t, content, body)
		})
		t.Run("the other replica accepts the signed URL minted by the first", func(t *testing.T) {
			res, body := b.Get("", out.AttachLetterFile.File.URL)
			require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
			require.Equal(t, content, body)
		})
		t.Run("both replicas report the bucket ready", func(t *testing.T) {
			for _, s := range []*apitest.Server{a, b} {
				res, body := s.Get("", "/readyz")
				require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
			}
		})
	})
}
