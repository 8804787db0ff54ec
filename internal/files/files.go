package files

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dutychain/dutychain/internal/apperr"
)

// DefaultTypes are the content types accepted by default: scanned documents
// and photos.
var DefaultTypes = []string{"application/pdf", "image/jpeg", "image/png"}

// DefaultMaxBytes is the default size limit of one file.
const DefaultMaxBytes = 10 << 20

// Service checks, stores and serves files.
type Service struct {
	Store Store
	// MaxBytes is the largest file accepted.
	MaxBytes int64
	// Types are the accepted content types, as sniffed from the content.
	Types []string
}

// Upload is a file received from a client.
type Upload struct {
	Filename string
	// Size is the size the transport reports (-1 when unknown); the limit is
	// also enforced while reading.
	Size    int64
	Content io.Reader
	// Description is the uploader's note on the file, if any.
	Description string
}

// Uploader is who attached the file, for the record.
type Uploader struct {
	Name   string
	UserID *int
	PostID *int
}

var errTooLarge = errors.New("files: larger than the limit")

// limitReader fails with errTooLarge once more than n bytes were read, so a
// transport that under-reports the size cannot slip a large file through.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

func (s *Service) maxBytes() int64 {
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return DefaultMaxBytes
}

func (s *Service) types() []string {
	if len(s.Types) > 0 {
		return s.Types
	}
	return DefaultTypes
}

// TooLarge is the error of a file over limit bytes.
func TooLarge(limit int64) *apperr.Error {
	return &apperr.Error{Code: apperr.BadUserInput, Field: "file", Reason: "FILE_TOO_LARGE",
		Message: fmt.Sprintf("the file is larger than the limit of %s", humanBytes(limit))}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// Check validates an upload before anything is stored: the size the
// transport reports, at least one byte, and the content type sniffed from the
// first 512 bytes (http.DetectContentType), never the client's claim. It
// returns the sniffed type and a reader yielding the whole content, which
// fails if the content turns out larger than the limit.
func (s *Service) Check(up Upload) (string, io.Reader, error) {
	limit := s.maxBytes()
	if up.Size > limit {
		return "", nil, TooLarge(limit)
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(up.Content, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", nil, apperr.Wrap(apperr.BadUserInput, "the file could not be read", err)
	}
	head = head[:n]
	if n == 0 {
		return "", nil, &apperr.Error{Code: apperr.BadUserInput, Field: "file", Reason: "EMPTY_FILE", Message: "the file is empty"}
	}
	ct, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	ok := false
	for _, t := range s.types() {
		ok = ok || t == ct
	}
	if !ok {
		return "", nil, &apperr.Error{Code: apperr.BadUserInput, Field: "file", Reason: "UNSUPPORTED_FILE_TYPE",
			Message: fmt.Sprintf("files must be %s; this one is %s", strings.Join(s.types(), ", "), ct)}
	}
	return ct, &limitReader{r: io.MultiReader(bytes.NewReader(head), up.Content), n: limit}, nil
}

// CleanName returns a safe display name for an uploaded file: the base name
// (either slash), without control characters, at most 255 bytes, cut at a
// character boundary; "attachment" when nothing is left.
func CleanName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == "/" || name == ".." {
		return "attachment"
	}
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}
