package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/files/s3test"
)

var pdf = []byte("%PDF-1.4\n%%EOF\n")

func TestDirStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Put(ctx, bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pdf)
	if b.SHA256 != hex.EncodeToString(sum[:]) || b.Size != int64(len(pdf)) {
		t.Fatalf("Put = %+v", b)
	}
	// Content addressed: the same bytes again are the same object.
	again, err := s.Put(ctx, bytes.NewReader(pdf))
	if err != nil || again != b {
		t.Fatalf("second Put = %+v, %v", again, err)
	}
	objects := 0
	_ = filepath.WalkDir(filepath.Join(dir, "objects"), func(_ string, d os.DirEntry, _ error) error {
		if !d.IsDir() {
			objects++
		}
		return nil
	})
	if objects != 1 {
		t.Fatalf("%d objects stored, want 1", objects)
	}
	f, err := s.Open(ctx, b.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	_ = f.Close()
	if !bytes.Equal(got, pdf) {
		t.Fatalf("Open read %q", got)
	}
	if n, err := s.Stat(ctx, b.SHA256); err != nil || n != int64(len(pdf)) {
		t.Fatalf("Stat = %d, %v", n, err)
	}
	// Names that are not hex digests never reach the file system.
	for _, bad := range []string{"../../etc/passwd", strings.Repeat("A", 64), "", b.SHA256[:10]} {
		if _, err := s.Open(ctx, bad); !errors.Is(err, ErrNotExist) {
			t.Errorf("Open(%q) = %v, want ErrNotExist", bad, err)
		}
	}
	// A failing reader stores nothing and leaves no temporary file.
	_, err = s.Put(ctx, io.MultiReader(strings.NewReader("partial"), iotestErr{}))
	if err == nil {
		t.Fatal("Put of a failing reader succeeded")
	}
	tmp, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	if len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
	if err := s.Delete(ctx, b.SHA256); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, b.SHA256); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Stat after Delete: %v", err)
	}
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestCheck(t *testing.T) {
	s := &Service{MaxBytes: 1024}
	reason := func(err error) string {
		e, ok := apperr.As(err)
		if !ok || e.Code != apperr.BadUserInput {
			return "not BAD_USER_INPUT: " + errString(err)
		}
		return e.Reason
	}
	cases := []struct {
		name    string
		content []byte
		size    int64
		want    string // reason, "" for accepted
		ct      string
	}{
		{"pdf", pdf, int64(len(pdf)), "", "application/pdf"},
		{"jpeg", append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 100)...), 111, "", "image/jpeg"},
		{"text", []byte("just text"), 9, "UNSUPPORTED_FILE_TYPE", ""},
		{"html", []byte("<html><body>x</body></html>"), 27, "UNSUPPORTED_FILE_TYPE", ""},
		{"zip", []byte("PK\x03\x04rest"), 8, "UNSUPPORTED_FILE_TYPE", ""},
		{"empty", nil, 0, "EMPTY_FILE", ""},
		{"announced too large", pdf, 2048, "FILE_TOO_LARGE", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct, r, err := s.Check(Upload{Filename: "x", Size: c.size, Content: bytes.NewReader(c.content)})
			if c.want != "" {
				if got := reason(err); got != c.want {
					t.Fatalf("reason %q, want %q", got, c.want)
				}
				return
			}
			if err != nil || ct != c.ct {
				t.Fatalf("Check = %q, %v; want %q", ct, err, c.ct)
			}
			all, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(all, c.content) {
				t.Fatalf("the checked reader gives %d bytes, %v", len(all), err)
			}
		})
	}
	// A transport that under-reports the size: the reader stops at the limit.
	big := append(append([]byte{}, pdf...), make([]byte, 2000)...)
	_, r, err := s.Check(Upload{Size: 10, Content: bytes.NewReader(big)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(r); !errors.Is(err, errTooLarge) {
		t.Fatalf("reading past the limit: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"scan.pdf":               "scan.pdf",
		"../../etc/passwd":       "passwd",
		`C:\Users\张三\责任书.pdf`:    "责任书.pdf",
		"  spaced.png ":          "spaced.png",
		"evil\x00name\r\n.pdf":   "evilname.pdf",
		"":                       "attachment",
		"..":                     "attachment",
		"/":                      "attachment",
		strings.Repeat("责", 100): strings.Repeat("责", 85),
	} {
		if got := CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBucketStore runs the store's contract on an S3-compatible object
// store (in-process), as replicas sharing --files-url use it.
func TestBucketStore(t *testing.T) {
	ctx := context.Background()
	spool := t.TempDir()
	s, err := OpenBucketStore(ctx, s3test.Bucket(t, "dutychain-files"), spool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	t.Run("content is stored once under its SHA-256 and read back with seeks", func(t *testing.T) {
		b, err := s.Put(ctx, bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		if again, err := s.Put(ctx, bytes.NewReader(pdf)); err != nil || again != b {
			t.Fatalf("second Put = %+v, %v", again, err)
		}
		f, err := s.Open(ctx, b.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Seek(5, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(f); !bytes.Equal(got, pdf[5:]) {
			t.Fatalf("read after seek %q", got)
		}
		if n, err := s.Stat(ctx, b.SHA256); err != nil || n != int64(len(pdf)) {
			t.Fatalf("Stat = %d, %v", n, err)
		}
		if err := s.Delete(ctx, b.SHA256); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, b.SHA256); !errors.Is(err, ErrNotExist) {
			t.Fatalf("Open after Delete = %v, want ErrNotExist", err)
		}
	})
	t.Run("a missing object is ErrNotExist, never another error", func(t *testing.T) {
		missing := strings.Repeat("ab", 32)
		if _, err := s.Open(ctx, missing); !errors.Is(err, ErrNotExist) {
			t.Errorf("Open = %v", err)
		}
		if _, err := s.Stat(ctx, missing); !errors.Is(err, ErrNotExist) {
			t.Errorf("Stat = %v", err)
		}
		if err := s.Delete(ctx, missing); err != nil {
			t.Errorf("Delete = %v", err)
		}
	})
	t.Run("a failing upload stores nothing and leaves no spooled file", func(t *testing.T) {
		if _, err := s.Put(ctx, io.MultiReader(strings.NewReader("partial"), iotestErr{})); err == nil {
			t.Fatal("Put of a failing reader succeeded")
		}
		if left, _ := os.ReadDir(spool); len(left) != 0 {
			t.Fatalf("spooled files left: %v", left)
		}
	})
}
