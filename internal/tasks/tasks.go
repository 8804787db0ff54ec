// Package tasks is the caller's work inbox (待办): the records that wait on
// them, each with the action that does it. Which records are candidates is
// decided here in a fixed number of statements (Candidates); whether the
// caller may act on each is decided by the allowedActions of the record (the
// functions the mutations call), in the graph layer that batches their data.
package tasks

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dutychain/dutychain/internal/apperr"
)

// Kind is what a task asks; the values are the TaskKind enum's.
type Kind string

// The kinds of task, in the order of the TaskKind enum.
const (
	LetterToSign          Kind = "LETTER_TO_SIGN"
	HazardToDecide        Kind = "HAZARD_TO_DECIDE"
	HazardToRectify       Kind = "HAZARD_TO_RECTIFY"
	HazardOverdue         Kind = "HAZARD_OVERDUE"
	CertificateExpiring   Kind = "CERTIFICATE_EXPIRING"
	DutyListToAcknowledge Kind = "DUTY_LIST_TO_ACKNOWLEDGE"
	PlanToApprove         Kind = "PLAN_TO_APPROVE"
	NoticeToReceive       Kind = "NOTICE_TO_RECEIVE"
)

// Kinds lists every kind in enum order.
var Kinds = []Kind{LetterToSign, HazardToDecide, HazardToRectify, HazardOverdue, CertificateExpiring, DutyListToAcknowledge, PlanToApprove, NoticeToReceive}

func rank(k Kind) int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

// CertificateWarning is how long before its expiry a certificate becomes a
// task.
const CertificateWarning = 60 * 24 * time.Hour

// LetterSigningTime is how long after its issue a letter is due to be
// signed.
const LetterSigningTime = 30 * 24 * time.Hour

// Task is one record waiting on the caller.
type Task struct {
	Kind Kind
	// Action is the value of the object's allowedActions that does it.
	Action string
	// Why says in one sentence why it waits on the caller.
	Why string
	// DueAt is nil when nothing sets a date.
	DueAt *time.Time
	// Overdue: DueAt has passed.
	Overdue bool
	// Object is the record (an ent node).
	Object any
	// ObjectID breaks ties in the order.
	ObjectID int
}

// New returns a task on object (id objectID), overdue when due has passed at
// now.
func New(kind Kind, action, why string, due *time.Time, object any, objectID int, now time.Time) Task {
	return Task{Kind: kind, Action: action, Why: why, DueAt: due, Overdue: due != nil && due.Before(now),
		Object: object, ObjectID: objectID}
}

// Filter narrows the tasks; zero fields keep everything.
type Filter struct {
	Kinds     []Kind
	DueBefore *time.Time
	Overdue   *bool
}

// Wants reports whether tasks of kind k may pass the filter.
func (f Filter) Wants(k Kind) bool {
	if len(f.Kinds) == 0 {
		return true
	}
	for _, x := range f.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Keep reports whether t passes the filter.
func (f Filter) Keep(t Task) bool {
	if !f.Wants(t.Kind) {
		return false
	}
	if f.DueBefore != nil && (t.DueAt == nil || !t.DueAt.Before(*f.DueBefore)) {
		return false
	}
	return f.Overdue == nil || *f.Overdue == t.Overdue
}

// Order is the order of the tasks: by due date (none last) then kind, or
// by kind then due date; then by object id.
type Order struct {
	ByKind bool
	Desc   bool
}

// Sort orders ts.
func Sort(ts []Task, o Order) {
	due := func(a, b Task) int {
		switch {
		case a.DueAt == nil && b.DueAt == nil:
			return 0
		case a.DueAt == nil:
			return 1
		case b.DueAt == nil:
			return -1
		}
		return a.DueAt.Compare(*b.DueAt)
	}
	kind := func(a, b Task) int { return rank(a.Kind) - rank(b.Kind) }
	sort.SliceStable(ts, func(i, j int) bool {
		first, second := due, kind
		if o.ByKind {
			first, second = kind, due
		}
		c := first(ts[i], ts[j])
		if c == 0 {
			c = second(ts[i], ts[j])
		}
		if c == 0 {
			c = ts[i].ObjectID - ts[j].ObjectID
		}
		if o.Desc {
			return c > 0
		}
		return c < 0
	})
}

// Page is one page of the ordered tasks.
type Page struct {
	Tasks []Task
	// Start is the position of Tasks[0] among all tasks.
	Start                        int
	Total                        int
	HasNextPage, HasPreviousPage bool
}

// PageArgs are the Relay arguments; cursors are Cursor's.
type PageArgs struct {
	First, Last   *int
	After, Before string
}

// Paginate cuts the page args asks for out of all (ordered) tasks.
func Paginate(all []Task, args PageArgs) (Page, error) {
	lo, hi := 0, len(all)
	if args.After != "" {
		n, err := decodeCursor(args.After, "after")
		if err != nil {
			return Page{}, err
		}
		lo = min(n+1, hi)
	}
	if args.Before != "" {
		n, err := decodeCursor(args.Before, "before")
		if err != nil {
			return Page{}, err
		}
		hi = max(min(n, hi), lo)
	}
	first := args.First
	if first == nil && args.Last == nil {
		d := 50
		first = &d
	}
	start, end := lo, hi
	if first != nil && end-start > *first {
		end = start + *first
	}
	if args.Last != nil && end-start > *args.Last {
		start = end - *args.Last
	}
	return Page{Tasks: all[start:end], Start: start, Total: len(all),
		HasNextPage: end < hi || (args.Before != "" && hi < len(all)), HasPreviousPage: start > lo || (args.After != "" && lo > 0)}, nil
}

const cursorPrefix = "task:"

// Cursor is the cursor of the task at position pos.
func Cursor(pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(pos)))
}

func decodeCursor(c, field string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && strings.HasPrefix(string(b), cursorPrefix) {
		if n, err := strconv.Atoi(string(b[len(cursorPrefix):])); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, apperr.Invalid(field, "malformed cursor")
}
