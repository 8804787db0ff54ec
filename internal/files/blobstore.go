package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/s3blob" // s3:// bucket URLs: AWS S3 and any S3-compatible store
	"gocloud.dev/gcerrors"
)

// BlobStore is a Store on a gocloud.dev/blob bucket: a local directory
// (file://, the default under the data directory) or an object store
// (s3://, shared by every replica). Objects are keyed
// objects/ab/cd/<sha256>. An upload is spooled to a local temporary file
// while its SHA-256 is computed, then written to the bucket in one put, so a
// reader never sees part of an object.
type BlobStore struct {
	bucket *blob.Bucket
	spool  string
	where  string // safe description for messages: the bucket URL's scheme and host
}

// OpenDirStore returns the store of a local directory, created when needed;
// uploads are spooled in its tmp/. Objects are plain files at their key
// (no metadata side files), written beside their final name and renamed, so
// a data directory written by earlier versions reads unchanged.
func OpenDirStore(dir string) (*BlobStore, error) {
	for _, sub := range []string{"objects", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o750); err != nil {
			return nil, fmt.Errorf("files: create store directory: %w", err)
		}
	}
	b, err := fileblob.OpenBucket(dir, &fileblob.Options{Metadata: fileblob.MetadataDontWrite, NoTempDir: true})
	if err != nil {
		return nil, fmt.Errorf("files: open %s: %w", dir, err)
	}
	return &BlobStore{bucket: b, spool: filepath.Join(dir, "tmp"), where: "file store " + filepath.Clean(dir)}, nil
}

// OpenBucketStore returns the store of a gocloud.dev/blob bucket URL, e.g.
// s3://bucket?endpoint=https://minio:9000&region=us-east-1&use_path_style=true
// (credentials from the AWS environment). Uploads are spooled in spoolDir.
func OpenBucketStore(ctx context.Context, bucketURL, spoolDir string) (*BlobStore, error) {
	if err := os.MkdirAll(spoolDir, 0o750); err != nil {
		return nil, fmt.Errorf("files: create spool directory: %w", err)
	}
	b, err := blob.OpenBucket(ctx, bucketURL)
	if err != nil {
		return nil, fmt.Errorf("files: open the bucket: %w", err)
	}
	return &BlobStore{bucket: b, spool: spoolDir, where: "bucket " + describeURL(bucketURL)}, nil
}

var hexSum = regexp.MustCompile(`^[0-9a-f]{64}$`)

func key(sum string) (string, error) {
	if !hexSum.MatchString(sum) {
		return "", ErrNotExist
	}
	return "objects/" + sum[:2] + "/" + sum[2:4] + "/" + sum, nil
}

// Put implements Store.
func (s *BlobStore) Put(ctx context.Context, r io.Reader) (Blob, error) {
	tmp, err := os.CreateTemp(s.spool, "upload-*")
	if err != nil {
		return Blob{}, fmt.Errorf("files: create temporary file: %w", err)
	}
	defer func() {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return Blob{}, fmt.Errorf("files: read upload: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Blob{}, err
	}
	b := Blob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	k, _ := key(b.SHA256)
	if ok, err := s.bucket.Exists(ctx, k); err != nil {
		return Blob{}, fmt.Errorf("files: %s: %w", s.where, err)
	} else if ok {
		return b, nil // already stored: same bytes, nothing to do
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return Blob{}, fmt.Errorf("files: rewind upload: %w", err)
	}
	if err := s.bucket.Upload(ctx, k, tmp, &blob.WriterOptions{ContentType: "application/octet-stream"}); err != nil {
		return Blob{}, fmt.Errorf("files: store in %s: %w", s.where, err)
	}
	return b, nil
}

// Open implements Store. The reader seeks (ranges of a download).
func (s *BlobStore) Open(ctx context.Context, sum string) (io.ReadSeekCloser, error) {
	k, err := key(sum)
	if err != nil {
		return nil, err
	}
	r, err := s.bucket.NewReader(ctx, k, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, ErrNotExist
	}
	if err != nil {
		return nil, fmt.Errorf("files: open in %s: %w", s.where, err)
	}
	return r, nil
}

// Stat implements Store.
func (s *BlobStore) Stat(ctx context.Context, sum string) (int64, error) {
	k, err := key(sum)
	if err != nil {
		return 0, err
	}
	a, err := s.bucket.Attributes(ctx, k)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return 0, ErrNotExist
	}
	if err != nil {
		return 0, fmt.Errorf("files: stat in %s: %w", s.where, err)
	}
	return a.Size, nil
}

// Delete implements Store.
func (s *BlobStore) Delete(ctx context.Context, sum string) error {
	k, err := key(sum)
	if err != nil {
		return err
	}
	if err := s.bucket.Delete(ctx, k); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("files: delete in %s: %w", s.where, err)
	}
	return nil
}

// Ready reports whether the store can take an upload now: the spool
// directory accepts a file and the bucket answers.
func (s *BlobStore) Ready(ctx context.Context) error {
	f, err := os.CreateTemp(s.spool, ".readyz-*")
	if err != nil {
		return fmt.Errorf("file store spool %s is not writable: %w", s.spool, err)
	}
	_, werr := f.Write([]byte("ready\n"))
	serr := f.Sync()
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	if err := errors.Join(werr, serr, cerr, rerr); err != nil {
		return fmt.Errorf("file store spool %s is not writable: %w", s.spool, err)
	}
	ok, err := s.bucket.IsAccessible(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", s.where, err)
	case !ok:
		return fmt.Errorf("%s is not accessible", s.where)
	}
	return nil
}

// Close releases the bucket.
func (s *BlobStore) Close() error { return s.bucket.Close() }

// describeURL is a bucket URL without its query (which may hold keys).
func describeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Scheme + "://" + u.Host + u.Path
}
