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
	"errors"
	"io"
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
