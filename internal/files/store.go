// Package files keeps uploaded files: a content-addressed Store (bytes by
// SHA-256) behind an interface so that an object store can replace the local
// directory, the checks every upload passes (size, sniffed content type,
// file name), the File rows that place a file in its owner's jurisdiction,
// and the authenticated, scope-checked download handler.
//
// A file belongs to one owner record (a responsibility letter now, hazards
// later): the owner's service decides whether the caller may attach, then
// calls Service.Attach, which stores the bytes and writes the row with the
// owner's scope columns. Reading a File row, and so downloading it, follows
// the owner's jurisdiction.
package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// Blob is stored content: its hex SHA-256 and size in bytes.
type Blob struct {
	SHA256 string
	Size   int64
}

// ErrNotExist is returned for content the store does not hold.
var ErrNotExist = errors.New("files: no such content")

// Store keeps file contents by their SHA-256. Identical content is stored
// once, whoever uploads it and whatever it is called. Implementations must
// be safe for concurrent use by several replicas of the server when they
// share the backing storage (an object store; a shared directory).
type Store interface {
	// Put reads r to EOF and stores its content. Putting content already
	// present is harmless. When reading r fails, nothing is stored and the
	// error is returned (wrapped).
	Put(ctx context.Context, r io.Reader) (Blob, error)
	// Open returns the content of sum, or ErrNotExist.
	Open(ctx context.Context, sum string) (io.ReadSeekCloser, error)
	// Stat returns the size of sum, or ErrNotExist.
	Stat(ctx context.Context, sum string) (int64, error)
	// Delete removes sum. Callers delete only content no row refers to.
	Delete(ctx context.Context, sum string) error
}

// FSStore is a Store in a local directory: objects/ab/cd/<sha256>, written
// through tmp/ and renamed into place, so a reader never sees a partial file.
type FSStore struct {
	root string
}

// NewFSStore returns a store rooted at dir, creating it when needed.
func NewFSStore(dir string) (*FSStore, error) {
	for _, sub := range []string{"objects", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o750); err != nil {
			return nil, fmt.Errorf("files: create store directory: %w", err)
		}
	}
	return &FSStore{root: dir}, nil
}

var hexSum = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *FSStore) path(sum string) (string, error) {
	if !hexSum.MatchString(sum) {
		return "", ErrNotExist
	}
	return filepath.Join(s.root, "objects", sum[:2], sum[2:4], sum), nil
}

// Put implements Store.
func (s *FSStore) Put(ctx context.Context, r io.Reader) (Blob, error) {
	tmp, err := os.CreateTemp(filepath.Join(s.root, "tmp"), "upload-*")
	if err != nil {
		return Blob{}, fmt.Errorf("files: create temporary file: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return Blob{}, fmt.Errorf("files: read upload: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Blob{}, err
	}
	if err := tmp.Sync(); err != nil {
		return Blob{}, fmt.Errorf("files: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Blob{}, fmt.Errorf("files: close: %w", err)
	}
	b := Blob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	dst, _ := s.path(b.SHA256)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Blob{}, fmt.Errorf("files: create directory: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		_ = os.Remove(tmp.Name()) // already stored: same bytes, nothing to do
	} else if err := os.Rename(tmp.Name(), dst); err != nil {
		return Blob{}, fmt.Errorf("files: store: %w", err)
	}
	done = true
	return b, nil
}

// Open implements Store.
func (s *FSStore) Open(_ context.Context, sum string) (io.ReadSeekCloser, error) {
	p, err := s.path(sum)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotExist
	}
	if err != nil {
		return nil, fmt.Errorf("files: open: %w", err)
	}
	return f, nil
}

// Stat implements Store.
func (s *FSStore) Stat(_ context.Context, sum string) (int64, error) {
	p, err := s.path(sum)
	if err != nil {
		return 0, err
	}
	fi, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0, ErrNotExist
	}
	if err != nil {
		return 0, fmt.Errorf("files: stat: %w", err)
	}
	return fi.Size(), nil
}

// Delete implements Store.
func (s *FSStore) Delete(_ context.Context, sum string) error {
	p, err := s.path(sum)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("files: delete: %w", err)
	}
	return nil
}
