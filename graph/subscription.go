package graph

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/privacy"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/events"
	"github.com/dutychain/dutychain/internal/readiness"
	"github.com/dutychain/dutychain/internal/reqctx"
	"github.com/dutychain/dutychain/internal/tasks"
)

// defaultEventQueue is a subscription's queue length when none is set.
const defaultEventQueue = 64

// change is one record of an event, read again through the subscriber's
// scope; missed counts the events lost before it.
type change struct {
	ev     events.Event
	id     int
	missed int
}

// follow subscribes the caller to their tenant's events of topics and sends
// on the returned channel what each makes of every changed record (ok false:
// nothing to send, e.g. the record is out of the caller's scope). The
// channel closes when the subscription's context ends.
func follow[T any](ctx context.Context, r *Resolver, topics []events.Topic, each func(ctx context.Context, c change) (T, bool, error)) (<-chan T, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	if r.Events == nil {
		return nil, apperr.New(apperr.Unavailable, "subscriptions are not available on this server")
	}
	queue := r.EventQueue
	if queue <= 0 {
		queue = defaultEventQueue
	}
	sub := r.Events.Subscribe(v.Tenant, queue, topics...)
	out := make(chan T, 1)
	go func() {
		defer close(out)
		defer sub.Close()
		missed := 0
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-sub.Events():
				missed += sub.Missed()
				if !eventAllowed(ctx) {
					// The caller's posts or policy changed (the server ends
					// the stream), or they could not be read: not delivered.
					missed++
					continue
				}
				// Fresh loaders per event: nothing read for an earlier one is reused.
				ectx := context.WithValue(readiness.WithZoneMemo(ctx), loadersKey{}, NewLoaders(r.Client))
				for _, id := range ev.IDs {
					item, ok, err := each(ectx, change{ev: ev, id: id, missed: missed})
					if err != nil {
						reqctx.Logger(ctx).WarnContext(ctx, "subscription event skipped", "topic", ev.Topic, "id", id, "err", err)
						continue
					}
					if !ok {
						continue
					}
					select {
					case out <- item:
						missed = 0
					case <-ctx.Done():
						return
					}
				}
			}
		}
	}()
	return out, nil
}

type eventCheckKey struct{}

// WithEventCheck returns ctx whose subscriptions call check before each
// event they deliver, and deliver it only when check answers true. The
// server checks there that the caller's viewer is still the one the
// subscription started with (its grants and policy) and ends the stream
// when it is not: the records of an event are read with the viewer of ctx,
// which never changes.
func WithEventCheck(ctx context.Context, check func(context.Context) bool) context.Context {
	return context.WithValue(ctx, eventCheckKey{}, check)
}

// eventAllowed runs the event check of ctx, if any.
func eventAllowed(ctx context.Context) bool {
	check, _ := ctx.Value(eventCheckKey{}).(func(context.Context) bool)
	return check == nil || check(ctx)
}

// readable loads record id with get through the caller's scope; ok is false
// when the caller may not read it (or it is gone).
func readable[T any](ctx context.Context, get func(context.Context, int) (T, error), id int) (T, bool, error) {
	rec, err := get(ctx, id)
	if ent.IsNotFound(err) || privacyDenied(err) {
		var zero T
		return zero, false, nil
	}
	if err != nil {
		var zero T
		return zero, false, fmt.Errorf("read %d: %w", id, err)
	}
	return rec, true, nil
}

func privacyDenied(err error) bool { return errors.Is(err, privacy.Deny) }

func (r *Resolver) hazardChanges(ctx context.Context) (<-chan *model.HazardChange, error) {
	return follow(ctx, r, []events.Topic{events.Hazard}, func(ctx context.Context, c change) (*model.HazardChange, bool, error) {
		h, ok, err := readable(ctx, r.Client.Hazard.Get, c.id)
		if !ok {
			return nil, false, err
		}
		return &model.HazardChange{Kind: model.HazardChangeKind(c.ev.Kind), Hazard: h, At: c.ev.At, Missed: c.missed}, true, nil
	})
}

func (r *Resolver) letterChanges(ctx context.Context) (<-chan *model.LetterChange, error) {
	return follow(ctx, r, []events.Topic{events.Letter}, func(ctx context.Context, c change) (*model.LetterChange, bool, error) {
		l, ok, err := readable(ctx, r.Client.ResponsibilityLetter.Get, c.id)
		if !ok {
			return nil, false, err
		}
		return &model.LetterChange{Kind: model.LetterChangeKind(c.ev.Kind), Letter: l, At: c.ev.At, Missed: c.missed}, true, nil
	})
}

// inboxKey names a record of the task inbox.
type inboxKey struct {
	topic events.Topic
	id    int
}

// taskKinds are the tasks that hazard and letter changes make or undo.
var taskKinds = []tasks.Kind{tasks.LetterToSign, tasks.HazardToDecide, tasks.HazardToRectify, tasks.HazardOverdue}

// taskChanges follows the caller's inbox: it starts from the hazard and
// letter tasks of myTasks and, for every change to a record the caller may
// read, decides again (as myTasks does) whether it waits on them.
func (r *Resolver) taskChanges(ctx context.Context) (<-chan *model.TaskChange, error) {
	if _, err := viewer(ctx); err != nil {
		return nil, err
	}
	initial, err := r.tasksOf(ctx, tasks.Filter{Kinds: taskKinds})
	if err != nil {
		return nil, err
	}
	inbox := map[inboxKey]bool{}
	for _, t := range initial {
		topic := events.Hazard
		if t.Kind == tasks.LetterToSign {
			topic = events.Letter
		}
		inbox[inboxKey{topic, t.ObjectID}] = true
	}
	return follow(ctx, r, []events.Topic{events.Hazard, events.Letter}, func(ctx context.Context, c change) (*model.TaskChange, bool, error) {
		task, obj, ok, err := r.taskNow(ctx, c)
		key := inboxKey{c.ev.Topic, c.id}
		if err != nil || obj == nil {
			delete(inbox, key) // out of sight: no longer the caller's task
			return nil, false, err
		}
		out := &model.TaskChange{Object: obj, At: c.ev.At, Missed: c.missed}
		switch {
		case ok && inbox[key]:
			out.Kind = model.TaskChangeKindChanged
		case ok:
			out.Kind = model.TaskChangeKindAppeared
		case inbox[key]:
			out.Kind = model.TaskChangeKindDone
		default:
			return nil, false, nil
		}
		if !ok {
			delete(inbox, key)
			return out, true, nil
		}
		inbox[key] = true
		out.Task = &model.Task{Kind: model.TaskKind(task.Kind), Action: task.Action, Why: task.Why, DueAt: task.DueAt, Overdue: task.Overdue, Object: obj}
		return out, true, nil
	})
}

// taskNow reads the changed record through the caller's scope (obj nil when
// they may not) and decides whether it is their task at the change's time.
func (r *Resolver) taskNow(ctx context.Context, c change) (t tasks.Task, obj ent.Noder, ok bool, err error) {
	now := c.ev.At
	if c.ev.Topic == events.Letter {
		l, readOK, err := readable(ctx, r.Client.ResponsibilityLetter.Get, c.id)
		if !readOK {
			return t, nil, false, err
		}
		allowed, err := r.letterAllowed(ctx, l)
		if err != nil || !slices.Contains(allowed, domain.LetterSign) {
			return t, l, false, err
		}
		var due *time.Time
		if l.IssuedAt != nil {
			d := l.IssuedAt.Add(tasks.LetterSigningTime)
			due = &d
		}
		return tasks.New(tasks.LetterToSign, string(domain.LetterSign),
			fmt.Sprintf("%s issued the letter “%s” to %s and it awaits your signature.", l.IssuerName, l.Title, l.SigneeName), due, l, l.ID, now), l, true, nil
	}
	h, readOK, err := readable(ctx, r.Client.Hazard.Get, c.id)
	if !readOK {
		return t, nil, false, err
	}
	allowed, err := r.hazardAllowed(ctx, h)
	if err != nil {
		return t, h, false, err
	}
	kind, action, isTask := tasks.HazardKind(h, allowed, now)
	if !isTask {
		return t, h, false, nil
	}
	due := h.Deadline
	return tasks.New(kind, string(action), hazardWhy(kind, h), &due, h, h.ID, now), h, true, nil
}
