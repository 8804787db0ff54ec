package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/imports"
	"github.com/dutychain/dutychain/internal/kernel"
	"github.com/dutychain/dutychain/internal/notify"
	"github.com/dutychain/dutychain/internal/readiness"
)

// ScanArgs is the reminder scan: find what is due, queue one RemindArgs
// per reminder.
type ScanArgs struct{}

// Kind names the job in River's tables.
func (ScanArgs) Kind() string { return "dutychain.reminder_scan" }

// RemindArgs is one reminder to store (and deliver). Its unique fields are
// those of the notification's unique key: queued twice on one day, it is
// queued once.
type RemindArgs struct {
	Tenant     int         `json:"tenant"`
	UserID     int         `json:"user_id" river:"unique"`
	What       notify.Kind `json:"kind" river:"unique"`
	ObjectID   int         `json:"object_id" river:"unique"`
	Day        string      `json:"day" river:"unique"`
	UnitID     int         `json:"unit_id"`
	DueAt      time.Time   `json:"due_at"`
	Escalation bool        `json:"escalation"`
	Why        string      `json:"why"`
}

// Kind names the job in River's tables.
func (RemindArgs) Kind() string { return "dutychain.remind" }

// DeliverArgs delivers one notification, retried until the gateway takes
// it (or the attempts run out).
type DeliverArgs struct {
	NotificationID int `json:"notification_id" river:"unique"`
}

// Kind names the job in River's tables.
func (DeliverArgs) Kind() string { return "dutychain.deliver" }

// deliveryAttempts bounds the retries of a delivery: with River's backoff
// (attempts⁴ seconds) the last is about a day after the first.
const deliveryAttempts = 12

type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	notify        *notify.Service
	now           func() time.Time
	policy        func() *authz.Policy
	escalateAfter time.Duration
	// page is how many due records one step of the scan plans and queues.
	page   int
	insert func(context.Context, []river.InsertManyParams) (int, error)
}

func (w *scanWorker) Work(ctx context.Context, _ *river.Job[ScanArgs]) error {
	_, err := w.run(ctx)
	return err
}

// run queues the reminders due now; a reminder already queued today is
// skipped by River's unique check.
func (w *scanWorker) run(ctx context.Context) (int, error) {
	now := kernel.Now(w.now)
	zones, err := (&readiness.Service{Client: w.notify.Client}).Zones(ctx)
	if err != nil {
		return 0, err
	}
	// Page by page: the memory and the statements' sizes stay bounded by
	// the page, however many records a county has overdue.
	queued := 0
	err = notify.EachDue(ctx, w.notify.Client, now, zones, w.page, func(dues []notify.Due) error {
		var policy *authz.Policy
		if w.policy != nil {
			policy = w.policy()
		}
		reminders, err := notify.Plan(ctx, w.notify.Client, policy, dues, now, w.escalateAfter, zones)
		if err != nil {
			return err
		}
		params := make([]river.InsertManyParams, 0, len(reminders))
		for _, r := range reminders {
			params = append(params, river.InsertManyParams{
				Args: RemindArgs{Tenant: r.Tenant, UserID: r.UserID, What: r.Kind, ObjectID: r.ObjectID, Day: r.Day,
					UnitID: r.UnitID, DueAt: r.DueAt, Escalation: r.Escalation, Why: r.Why},
				InsertOpts: &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}},
			})
		}
		n, err := w.insert(ctx, params)
		if err != nil {
			return fmt.Errorf("queue reminders: %w", err)
		}
		queued += n
		return nil
	})
	return queued, err
}

type remindWorker struct {
	river.WorkerDefaults[RemindArgs]
	notify  *notify.Service
	deliver bool
	insert  func(context.Context, river.JobArgs, *river.InsertOpts) (bool, error)
}

func (w *remindWorker) Work(ctx context.Context, job *river.Job[RemindArgs]) error {
	a := job.Args
	n, created, err := w.notify.Record(ctx, notify.Reminder{
		Due:    notify.Due{Tenant: a.Tenant, Kind: a.What, ObjectID: a.ObjectID, UnitID: a.UnitID, DueAt: a.DueAt, Why: a.Why},
		UserID: a.UserID, Escalation: a.Escalation, Day: a.Day,
	})
	if err != nil {
		return err
	}
	// A retry after a failure between storing and queueing its delivery
	// queues it now; the delivery job is unique per notification.
	if w.deliver && (created || job.Attempt > 1) {
		if _, err := w.insert(ctx, DeliverArgs{NotificationID: n.ID},
			&river.InsertOpts{MaxAttempts: deliveryAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}); err != nil {
			return fmt.Errorf("queue delivery: %w", err)
		}
	}
	return nil
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	client    *ent.Client
	deliverer notify.Deliverer
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	sys := authz.SystemContext(ctx)
	n, err := w.client.Notification.Get(sys, job.Args.NotificationID)
	if ent.IsNotFound(err) {
		return river.JobCancel(fmt.Errorf("notification %d no longer exists", job.Args.NotificationID))
	}
	if err != nil {
		return fmt.Errorf("load notification: %w", err)
	}
	u, err := w.client.User.Get(sys, n.UserID)
	if err != nil {
		return fmt.Errorf("load recipient: %w", err)
	}
	return w.deliverer.Deliver(ctx, notify.NewPayload(n, u))
}

// SweepArgs is the hourly import sweep: clear the workbooks kept past the
// retention, fail the import jobs whose work is gone.
type SweepArgs struct{}

// Kind names the job in River's tables.
func (SweepArgs) Kind() string { return "dutychain.import_sweep" }

// importWorker runs a directory import job (imports.Args) as its creator.
type importWorker struct {
	river.WorkerDefaults[imports.Args]
	imports *imports.Service
}

// Timeout bounds one run: a whole import is one transaction.
func (w *importWorker) Timeout(*river.Job[imports.Args]) time.Duration { return imports.Timeout }

func (w *importWorker) Work(ctx context.Context, job *river.Job[imports.Args]) error {
	err := w.imports.Run(ctx, job.Args, job.Attempt, job.MaxAttempts)
	var refusal *imports.Refusal
	if errors.As(err, &refusal) {
		return river.JobCancel(err) // the job ended FAILED: nothing to try again
	}
	return err
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	imports   *imports.Service
	retention time.Duration
	live      func(context.Context) (map[int]bool, error)
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	_, err := w.imports.Sweep(ctx, w.retention, w.live)
	return err
}
