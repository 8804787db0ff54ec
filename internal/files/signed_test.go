package files_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dutychain/dutychain/internal/files"
)

func TestSignedURLs(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	minting, err := files.NewURLSigner(key, 5*time.Minute, clock)
	if err != nil {
		t.Fatal(err)
	}
	replica, _ := files.NewURLSigner(append([]byte(nil), key...), 5*time.Minute, clock)
	stranger, _ := files.NewURLSigner(bytes.Repeat([]byte{8}, 32), 5*time.Minute, clock)
	query := func(t *testing.T, u string) url.Values {
		p, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		return p.Query()
	}
	signed := minting.Sign(42, 3, 99)
	t.Run("a replica with the same secret accepts the URL", func(t *testing.T) {
		g, err := replica.Verify(42, query(t, signed))
		if err != nil || g != (files.Grant{File: 42, Tenant: 3, User: 99}) {
			t.Fatalf("got %+v, %v", g, err)
		}
	})
	t.Run("another secret, another file or an altered parameter is invalid", func(t *testing.T) {
		if _, err := stranger.Verify(42, query(t, signed)); err != files.ErrURLInvalid {
			t.Errorf("another secret: %v", err)
		}
		if _, err := minting.Verify(43, query(t, signed)); err != files.ErrURLInvalid {
			t.Errorf("another file: %v", err)
		}
		for _, p := range []string{"expires", "tenant", "signature"} {
			q := query(t, signed)
			q.Set(p, q.Get(p)+"1")
			if _, err := minting.Verify(42, q); err != files.ErrURLInvalid {
				t.Errorf("altered %s: %v", p, err)
			}
		}
	})
	t.Run("a URL past its expiry has expired", func(t *testing.T) {
		now = now.Add(5*time.Minute + time.Second)
		defer func() { now = now.Add(-5*time.Minute - time.Second) }()
		if _, err := minting.Verify(42, query(t, signed)); err != files.ErrURLExpired {
			t.Errorf("got %v, want expired", err)
		}
	})
	t.Run("a short secret is refused", func(t *testing.T) {
		if _, err := files.NewURLSigner(key[:31], time.Minute, nil); err == nil {
			t.Error("a 31-byte secret was accepted")
		}
	})
}

func TestDisposition(t *testing.T) {
	for _, c := range []struct {
		name, contentType, file string
		download                bool
		want                    string
	}{
		{"an image is inline", "image/png", "a.png", false, `inline; filename="a.png"; filename*=UTF-8''a.png`},
		{"a PDF is inline", "application/pdf", "b.pdf", false, `inline; filename="b.pdf"; filename*=UTF-8''b.pdf`},
		{"download forces an attachment", "application/pdf", "b.pdf", true, `attachment; filename="b.pdf"; filename*=UTF-8''b.pdf`},
		{"other types are attachments", "text/plain; charset=utf-8", "c.txt", false, `attachment; filename="c.txt"; filename*=UTF-8''c.txt`},
		{"a Chinese name is encoded, with an ASCII fallback", "application/pdf", `责任书"x";1.pdf`, false,
			`inline; filename="____x_;1.pdf"; filename*=UTF-8''%E8%B4%A3%E4%BB%BB%E4%B9%A6%22x%22%3B1.pdf`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := files.Disposition(c.contentType, c.file, c.download)
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if strings.ContainsAny(got, "\r\n") {
				t.Error("a header value with a line break")
			}
		})
	}
}
