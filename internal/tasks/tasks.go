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
	FollowUpDue           Kind = "FOLLOW_UP_DUE"
	PlanReviewDue         Kind = "PLAN_REVIEW_DUE"
	DrillDue              Kind = "DRILL_DUE"
)

// Kinds lists every kind in enum order.
var Kinds = []Kind{LetterToSign, HazardToDecide, HazardToRectify, HazardOverdue, CertificateExpiring, DutyListToAcknowledge,
	PlanToApprove, NoticeToReceive, FollowUpDue, PlanReviewDue, DrillDue}

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
	cmp := o.compare
	sort.SliceStable(ts, func(i, j int) bool { return cmp(ts[i], ts[j]) < 0 })
}

// compare orders a before b (< 0) or after (> 0) in o; only the same task
// (kind and object) compares equal.
func (o Order) compare(a, b Task) int {
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
	first, second := due, kind
	if o.ByKind {
		first, second = kind, due
	}
	c := first(a, b)
	if c == 0 {
		c = second(a, b)
	}
	if c == 0 {
		c = a.ObjectID - b.ObjectID
	}
	if c == 0 {
		c = strings.Compare(string(a.Kind), string(b.Kind))
	}
	if o.Desc {
		return -c
	}
	return c
}

// Page is one page of the ordered tasks.
type Page struct {
	Tasks []Task
	// Start is the position of Tasks[0] among all tasks.
	Start                        int
	Total                        int
	HasNextPage, HasPreviousPage bool
}

// PageArgs are the Relay arguments; cursors are CursorOf's.
type PageArgs struct {
	First, Last   *int
	After, Before string
}

// Paginate cuts the page args asks for out of all, ordered by o. Cursors
// are keys, not positions: a page after a cursor starts after the place
// the cursor's task has in the order, whether or not it is still a task, so
// tasks that appear or go between two requests never shift a page.
func Paginate(all []Task, args PageArgs, o Order) (Page, error) {
	lo, hi := 0, len(all)
	if args.After != "" {
		k, err := decodeCursor(args.After, "after")
		if err != nil {
			return Page{}, err
		}
		lo = sort.Search(len(all), func(i int) bool { return o.compare(all[i], k) > 0 })
	}
	if args.Before != "" {
		k, err := decodeCursor(args.Before, "before")
		if err != nil {
			return Page{}, err
		}
		hi = max(sort.Search(len(all), func(i int) bool { return o.compare(all[i], k) >= 0 }), lo)
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

// CursorOf is the cursor of task t: its kind, due time and object, what
// the order compares.
func CursorOf(t Task) string {
	due := "-"
	if t.DueAt != nil {
		due = strconv.FormatInt(t.DueAt.UnixNano(), 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + string(t.Kind) + ":" + due + ":" + strconv.Itoa(t.ObjectID)))
}

// decodeCursor is the task key a cursor names.
func decodeCursor(c, field string) (Task, error) {
	bad := apperr.Invalid(field, "malformed cursor")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) {
		return Task{}, bad
	}
	parts := strings.Split(string(b[len(cursorPrefix):]), ":")
	if len(parts) != 3 || rank(Kind(parts[0])) == len(Kinds) {
		return Task{}, bad
	}
	k := Task{Kind: Kind(parts[0])}
	if parts[1] != "-" {
		n, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			return Task{}, bad
		}
		due := time.Unix(0, n).UTC()
		k.DueAt = &due
	}
	id, err := strconv.Atoi(parts[2])
	if err != nil || id < 0 {
		return Task{}, bad
	}
	k.ObjectID = id
	return k, nil
}
