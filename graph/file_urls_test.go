package graph_test

// Signed file URLs over HTTP on every available database: File.url works
// without an Authorization header until it expires, for the user it was
// minted for while they stay active, and for that file only; the response
// says how a browser should show the file.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/seed"
)

// getSigned fetches a signed file URL with no Authorization header, from
// origin when set.
func getSigned(t *testing.T, s *apitest.Server, path, origin string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.HTTP.URL+path, nil)
	require.NoError(t, err)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := s.HTTP.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var body bytes.Buffer
	_, err = body.ReadFrom(res.Body)
	require.NoError(t, err)
	return res, body.Bytes()
}

// requireRefused checks a refusal's status and extensions.reason.
func requireRefused(t *testing.T, res *http.Response, body []byte, status int, reason string) {
	t.Helper()
	require.Equal(t, status, res.StatusCode, string(body))
	var out struct {
		Errors []struct {
			Message    string
			Extensions map[string]string
		}
	}
	require.NoError(t, json.Unmarshal(body, &out), string(body))
	require.Len(t, out.Errors, 1)
	require.Equal(t, reason, out.Errors[0].Extensions["reason"])
	require.NotEmpty(t, out.Errors[0].Message)
}

// withQuery returns u with its query parameter name set to value.
func withQuery(t *testing.T, u, name, value string) string {
	t.Helper()
	p, err := url.Parse(u)
	require.NoError(t, err)
	q := p.Query()
	q.Set(name, value)
	p.RawQuery = q.Encode()
	return p.String()
}

const appOrigin = "https://app.example.org"

func TestSignedFileURLs(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := s.As("admin")
		letter := letterID(t, s, admin, 2022, seed.CodeCounty, seed.CodeTownChengguan) // SIGNED
		cgHead := s.As("chengguan.head")
		scan, r := attach(t, s, cgHead, letter, "城关镇责任状 (签字版).pdf", pdf)
		require.Empty(t, r.Errors)
		photo, r := attach(t, s, cgHead, letter, "photo.png", png)
		require.Empty(t, r.Errors)

		t.Run("the url downloads the file without an Authorization header, shown inline", func(t *testing.T) {
			require.True(t, strings.HasPrefix(scan.URL, "/files/"+scan.ID+"?"), scan.URL)
			res, body := getSigned(t, s, scan.URL, "")
			require.Equal(t, http.StatusOK, res.StatusCode, string(body))
			require.Equal(t, pdf, body)
			require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
			require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			require.Contains(t, res.Header.Get("Content-Security-Policy"), "sandbox")
			require.Equal(t, `inline; filename="______ (___).pdf"; filename*=UTF-8''%E5%9F%8E%E5%85%B3%E9%95%87%E8%B4%A3%E4%BB%BB%E7%8A%B6%20%28%E7%AD%BE%E5%AD%97%E7%89%88%29.pdf`,
				res.Header.Get("Content-Disposition"), "RFC 6266: an ASCII fallback and the UTF-8 name")
			res, _ = getSigned(t, s, photo.URL, "")
			require.True(t, strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline;"), "an image is shown inline")
		})
		t.Run("download=1 asks for an attachment", func(t *testing.T) {
			res, _ := getSigned(t, s, photo.URL+"&download=1", "")
			require.Equal(t, http.StatusOK, res.StatusCode)
			require.Equal(t, `attachment; filename="photo.png"; filename*=UTF-8''photo.png`, res.Header.Get("Content-Disposition"))
		})
		t.Run("the header-authenticated download keeps working", func(t *testing.T) {
			res, body := s.Get(cgHead, "/files/"+scan.ID)
			require.Equal(t, http.StatusOK, res.StatusCode)
			require.Equal(t, pdf, body)
			res, _ = s.Get("", "/files/"+scan.ID)
			require.Equal(t, http.StatusUnauthorized, res.StatusCode, "without a signature the header is needed")
		})
		t.Run("a tampered signature, expiry or user is refused with 403", func(t *testing.T) {
			sig := withQuery(t, scan.URL, "signature", strings.Repeat("A", 43))
			res, body := getSigned(t, s, sig, "")
			requireRefused(t, res, body, http.StatusForbidden, files.ReasonURLInvalid)
			later := withQuery(t, scan.URL, "expires", "4102444800")
			res, body = getSigned(t, s, later, "")
			requireRefused(t, res, body, http.StatusForbidden, files.ReasonURLInvalid)
			other := withQuery(t, scan.URL, "user", gid.Encode(userIDInt(t, s, "admin")))
			res, body = getSigned(t, s, other, "")
			requireRefused(t, res, body, http.StatusForbidden, files.ReasonURLInvalid)
			res, body = getSigned(t, s, strings.Replace(scan.URL, scan.ID, photo.ID, 1), "")
			requireRefused(t, res, body, http.StatusForbidden, files.ReasonURLInvalid)
		})
		t.Run("a url used for another tenant's file is refused with 403", func(t *testing.T) {
			ctx := authz.SystemContext(context.Background())
			nb, err := authz.TenantByCode(ctx, s.DB.Client, "neighbor")
			require.NoError(t, err)
			root := s.DB.Client.Unit.Query().Where(unit.TenantID(nb.ID)).FirstX(ctx)
			theirs, err := s.App.Files.Attach(ctx, s.DB.Client, files.Owner{ID: root.ID, Tenant: nb.ID, Path: root.ScopePath},
				files.Uploader{Name: "邻县"}, files.Upload{Filename: "邻县.pdf", Size: -1, Content: bytes.NewReader(pdf)})
			require.NoError(t, err)
			res, body := getSigned(t, s, strings.Replace(scan.URL, scan.ID, gid.Encode(theirs[0].ID), 1), "")
			requireRefused(t, res, body, http.StatusForbidden, files.ReasonURLInvalid)
			res, body = getSigned(t, s, withQuery(t, scan.URL, "tenant", "1"), "")
			requireRefused(t, res, body, http.StatusForbidden, files.ReasonURLInvalid)
		})
		t.Run("the file endpoint follows the CORS allow-list", func(t *testing.T) {
			res, _ := getSigned(t, s, scan.URL, appOrigin)
			require.Equal(t, appOrigin, res.Header.Get("Access-Control-Allow-Origin"))
			require.Contains(t, res.Header.Get("Access-Control-Expose-Headers"), "Content-Disposition")
			res, _ = getSigned(t, s, scan.URL, "https://evil.example.org")
			require.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
		})
		t.Run("an expired url is refused with 410", func(t *testing.T) {
			s.Clock.Set(time.Now().Add(s.Config.FileURLTTL + time.Second))
			defer s.Clock.Set(time.Time{})
			res, body := getSigned(t, s, scan.URL, "")
			requireRefused(t, res, body, http.StatusGone, files.ReasonURLExpired)
		})
		t.Run("a url of a user disabled since is refused with 403", func(t *testing.T) {
			ctx := authz.SystemContext(context.Background())
			s.DB.Client.User.Update().Where(user.Username("chengguan.head")).SetStatus(user.StatusDISABLED).ExecX(ctx)
			defer s.DB.Client.User.Update().Where(user.Username("chengguan.head")).SetStatus(user.StatusACTIVE).ExecX(ctx)
			res, body := getSigned(t, s, scan.URL, "")
			requireRefused(t, res, body, http.StatusForbidden, files.ReasonURLRevoked)
		})
	}, func(c *config.Config) { c.CORSOrigins = []string{appOrigin} })
}

// userIDInt is the database id of a demo user.
func userIDInt(t *testing.T, s *apitest.Server, username string) int {
	t.Helper()
	id, err := gid.Decode(userID(t, s, s.As("admin"), username))
	require.NoError(t, err)
	return id
}
