package staffing

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/dutychain/dutychain/internal/apperr"
)

// Page asks for a page of a view: the First rows after After, or, when
// Last is set, the Last rows before Before (before the end without it).
// Cursors are opaque positions.
type Page struct {
	First  int
	After  string
	Last   *int
	Before string
}

// PageInfo is where a page lies.
type PageInfo struct {
	HasNextPage, HasPreviousPage bool
	StartCursor, EndCursor       string
}

const cursorPrefix = "staff:"

// cursorAt is the cursor of the row at position pos (from 1).
func cursorAt(pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(pos)))
}

func position(c, field string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && strings.HasPrefix(string(b), cursorPrefix) {
		if n, err := strconv.Atoi(string(b[len(cursorPrefix):])); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, apperr.Invalid(field, "malformed cursor")
}

// window turns p into an offset and a limit over total rows.
func (p Page) window(total int) (offset, limit int, err error) {
	if p.First < 0 || p.First > MaxPage {
		return 0, 0, apperr.Invalid("first", "first must be between 0 and 500")
	}
	if p.Last != nil && (*p.Last < 0 || *p.Last > MaxPage) {
		return 0, 0, apperr.Invalid("last", "last must be between 0 and 500")
	}
	start, end := 0, total
	if p.After != "" {
		if start, err = position(p.After, "after"); err != nil {
			return 0, 0, err
		}
	}
	if p.Before != "" {
		b, err := position(p.Before, "before")
		if err != nil {
			return 0, 0, err
		}
		end = min(end, max(b-1, 0))
	}
	start = min(start, total)
	end = max(end, start)
	if p.Last != nil {
		from := max(start, end-*p.Last)
		return from, end - from, nil
	}
	return start, min(p.First, end-start), nil
}

// info is the page information of n rows from offset among total.
func info(offset, n, total int) PageInfo {
	pi := PageInfo{HasPreviousPage: offset > 0, HasNextPage: offset+n < total}
	if n > 0 {
		pi.StartCursor, pi.EndCursor = cursorAt(offset+1), cursorAt(offset+n)
	}
	return pi
}
