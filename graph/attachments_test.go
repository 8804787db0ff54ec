package graph_test

// Attachments of letters over HTTP on every available database: GraphQL
// multipart upload, the size and content-type checks, content addressing,
// and the download URL's authentication and jurisdiction check.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/seed"
)

const attachMutation = `mutation($id: ID!, $file: Upload!, $d: String) {
  attachLetterFile(input: {letterID: $id, file: $file, description: $d}) { file { id filename contentType size sha256 url description uploaderName } }
}`

type fileOut struct {
	ID, Filename, ContentType, Sha256, URL, UploaderName string
	Description                                          *string
	Size                                                 int
}

func attach(t testing.TB, s *apitest.Server, token, letter, name string, content []byte) (fileOut, *apitest.Response) {
	t.Helper()
	r := s.DoUpload(token, attachMutation, map[string]any{"id": letter, "file": nil, "d": "扫描件"},
		map[string]apitest.File{"variables.file": {Name: name, Content: content}})
	apitest.RequireNoLeak(t, r)
	var out struct{ AttachLetterFile struct{ File fileOut } }
	if len(r.Errors) == 0 {
		r.Decode(t, &out)
	}
	return out.AttachLetterFile.File, r
}

// A minimal PDF, a PNG header and things that are neither.
var (
	pdf  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	png  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)
	text = []byte("责任书内容，不是扫描件。")
	exe  = append([]byte("MZ\x90\x00\x03"), bytes.Repeat([]byte{0}, 200)...)
	html = []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
)

const uploadLimit = 64 << 10

func TestLetterAttachments(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		letter := letterID(t, s, admin, 2022, seed.CodeCounty, seed.CodeTownChengguan) // SIGNED
		cgHead := s.As("chengguan.head")

		var first fileOut
		t.Run("the signee side attaches its signed copy", func(t *testing.T) {
			f, r := attach(t, s, cgHead, letter, `C:\scans\..\城关镇责任状（签字版）.pdf`, pdf)
			require.Empty(t, r.Errors)
			sum := sha256.Sum256(pdf)
			require.Equal(t, hex.EncodeToString(sum[:]), f.Sha256)
			require.Equal(t, "application/pdf", f.ContentType)
			require.Equal(t, len(pdf), f.Size)
			require.Equal(t, "城关镇责任状（签字版）.pdf", f.Filename, "the base name only")
			require.Equal(t, "扫描件", *f.Description)
			require.Equal(t, "赵国强", f.UploaderName)
			require.True(t, strings.HasPrefix(f.URL, "/files/"+f.ID+"?"), "a signed URL: %s", f.URL)
			first = f

			r = gqOK(t, s, cgHead, `query($id: ID!) { node(id: $id) { ... on ResponsibilityLetter { attachments { id url } events { action note } } } }`,
				map[string]any{"id": letter})
			var out struct {
				Node struct {
					Attachments []struct{ ID, URL string }
					Events      []struct {
						Action string
						Note   *string
					}
				}
			}
			r.Decode(t, &out)
			require.Len(t, out.Node.Attachments, 1)
			require.Equal(t, f.ID, out.Node.Attachments[0].ID)
			last := out.Node.Events[len(out.Node.Events)-1]
			require.Equal(t, "ATTACHED", last.Action)
			require.Equal(t, f.Filename, *last.Note)
		})

		t.Run("the issuer side attaches too, and identical bytes are stored once", func(t *testing.T) {
			f, r := attach(t, s, s.As("county.secretary"), letter, "copy.pdf", pdf)
			require.Empty(t, r.Errors)
			require.Equal(t, first.Sha256, f.Sha256)
			require.NotEqual(t, first.ID, f.ID)
			n, err := s.App.Files.Store.Stat(t.Context(), f.Sha256)
			require.NoError(t, err)
			require.Equal(t, int64(len(pdf)), n)
			f, r = attach(t, s, cgHead, letter, "photo.png", png)
			require.Empty(t, r.Errors)
			require.Equal(t, "image/png", f.ContentType)
		})

		t.Run("download: authenticated and scoped", func(t *testing.T) {
			for _, who := range []string{"chengguan.head", "chengguan.secretary", "county.head", "county.deputy.industry", "auditor.chengguan", "admin"} {
				res, body := s.Get(tokenFor(s, who), "/files/"+first.ID)
				require.Equal(t, http.StatusOK, res.StatusCode, who)
				require.Equal(t, pdf, body, who)
				require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
				require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
				require.True(t, strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline;"), "a PDF is shown inline: %s", res.Header.Get("Content-Disposition"))
				require.Contains(t, res.Header.Get("Cache-Control"), "no-store")
			}
			notFound := func(who, path string) {
				res, body := s.Get(tokenFor(s, who), path)
				require.Equal(t, http.StatusNotFound, res.StatusCode, "%s %s", who, path)
				var e struct {
					Errors []struct {
						Message    string
						Extensions map[string]any
					}
				}
				require.NoError(t, json.Unmarshal(body, &e))
				require.Equal(t, "NOT_FOUND", e.Errors[0].Extensions["code"])
				require.Equal(t, "file not found", e.Errors[0].Message)
			}
			// Out of jurisdiction: exactly like a file that does not exist.
			for _, who := range []string{"xihe.head", "bureau.chief", "cement.principal", seed.NeighborSecretary} {
				notFound(who, "/files/"+first.ID)
			}
			notFound("chengguan.head", "/files/not-an-id")
			notFound("chengguan.head", "/files/"+letter) // an id, but not of a file

			res, body := s.Get("", "/files/"+first.ID)
			require.Equal(t, http.StatusUnauthorized, res.StatusCode)
			require.Contains(t, string(body), "UNAUTHENTICATED")
			res, _ = s.Get("forged-token", "/files/"+first.ID)
			require.Equal(t, http.StatusUnauthorized, res.StatusCode)
		})

		t.Run("refused uploads write nothing", func(t *testing.T) {
			xihe := letterID(t, s, admin, 2022, seed.CodeCounty, seed.CodeTownXihe)
			archived := letterID(t, s, admin, 2023, seed.CodeCounty, seed.CodeTownChengguan)
			draft := letterID(t, s, admin, 2023, seed.CodeCounty, seed.CodeTownQiaotou)
			step(t, s, s.As("county.head"), "archiveLetter", archived)
			cases := []struct {
				name, as, letter, file string
				content                []byte
				code, reason           string
			}{
				{"plain text", "chengguan.head", letter, "letter.pdf", text, "BAD_USER_INPUT", "UNSUPPORTED_FILE_TYPE"},
				{"a program", "chengguan.head", letter, "scan.pdf", exe, "BAD_USER_INPUT", "UNSUPPORTED_FILE_TYPE"},
				{"HTML", "chengguan.head", letter, "scan.html", html, "BAD_USER_INPUT", "UNSUPPORTED_FILE_TYPE"},
				{"empty", "chengguan.head", letter, "empty.pdf", nil, "BAD_USER_INPUT", "EMPTY_FILE"},
				{"over the limit", "chengguan.head", letter, "big.pdf", append(append([]byte{}, pdf...), bytes.Repeat([]byte{' '}, uploadLimit)...), "BAD_USER_INPUT", "FILE_TOO_LARGE"},
				{"an archived letter", "county.head", archived, "x.pdf", pdf, "BAD_USER_INPUT", ""},
				{"the signee side, to a draft it cannot read", "qiaotou.head", draft, "x.pdf", pdf, "NOT_FOUND", ""},
				{"another town's letter", "chengguan.head", xihe, "x.pdf", pdf, "NOT_FOUND", ""},
				{"no post at either side", "county.deputy.industry", letter, "x.pdf", pdf, "FORBIDDEN", ""},
				{"an auditor", "auditor.county", letter, "x.pdf", pdf, "FORBIDDEN", ""},
				{"the other tenant", seed.NeighborSecretary, letter, "x.pdf", pdf, "NOT_FOUND", ""},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before := snapshot(t, s)
					_, r := attach(t, s, tokenFor(s, c.as), c.letter, c.file, c.content)
					requireCode(t, r, c.code)
					if c.reason != "" {
						require.Equal(t, c.reason, r.Errors[0].Extensions["reason"], "%+v", r.Errors)
						require.Equal(t, "input.file", r.Errors[0].Extensions["field"])
					}
					requireUnchanged(t, s, before)
				})
			}
		})

		t.Run("a body far over the limit is refused before it is read", func(t *testing.T) {
			before := snapshot(t, s)
			big := append(append([]byte{}, pdf...), bytes.Repeat([]byte{' '}, 2<<20)...)
			ct, body := apitest.MultipartBody(attachMutation, map[string]any{"id": letter, "file": nil},
				map[string]apitest.File{"variables.file": {Name: "big.pdf", Content: big}})
			res, out := s.DoRaw(cgHead, ct, body)
			require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
			var e apitest.Response
			require.NoError(t, json.Unmarshal(out, &e))
			require.Equal(t, "BAD_USER_INPUT", e.Code())
			require.Equal(t, "FILE_TOO_LARGE", e.Errors[0].Extensions["reason"])
			requireUnchanged(t, s, before)
		})

		t.Run("a malformed multipart request gets a coded error", func(t *testing.T) {
			res, out := s.DoRaw(cgHead, "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{}\r\n--x--\r\n"))
			var e apitest.Response
			require.NoError(t, json.Unmarshal(out, &e), "status %d body %s", res.StatusCode, out)
			require.NotEmpty(t, e.Errors)
			require.Equal(t, "BAD_USER_INPUT", e.Code())
			apitest.RequireNoLeakInBody(t, out)
		})
	}, func(c *config.Config) { c.MaxUploadBytes = uploadLimit })
}
