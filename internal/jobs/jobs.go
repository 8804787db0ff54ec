// Package jobs runs the server's scheduled work on River, a job queue kept
// in the platform's own database (PostgreSQL through database/sql and
// lib/pq, or the embedded SQLite): the reminder scan, one job per reminder,
// and one delivery job per notification. River's tables are migrated with
// the platform's (internal/db); its leader election runs the periodic scan
// on one replica, and unique jobs with the notifications' unique index make
// every step safe to repeat, across restarts and replicas.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/notify"
)

// Options configure a Runner.
type Options struct {
	// ScanPeriod is how often the reminder scan runs (also once at start).
	ScanPeriod time.Duration
	// EscalateAfter is how long a record stays overdue before it escalates.
	EscalateAfter time.Duration
	// Deliverer sends each new notification on; nil: none is sent.
	Deliverer notify.Deliverer
	// Now is the clock of the scan; nil: the wall clock.
	Now func() time.Time
	Log *slog.Logger
	// RetryPolicy spaces the retries of failed jobs; nil: River's
	// exponential backoff.
	RetryPolicy river.ClientRetryPolicy
	// PollInterval is how often idle workers look for jobs; 0: River's
	// default (1s).
	PollInterval time.Duration
	// ID names this replica's client; empty: River's own.
	ID string
	// ScanPage is how many due records the reminder scan reads, plans and
	// queues at a time; 0: notify.DefaultDuePage.
	ScanPage int
}

// Runner is the job queue of one server: start it with Start, stop it with
// Stop.
type Runner struct {
	client *river.Client[*sql.Tx]
	scan   *scanWorker
}

// New builds the queue on d (not started).
func New(d *db.DB, opts Options) (*Runner, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.ScanPeriod <= 0 {
		return nil, errors.New("jobs: the scan period must be positive")
	}
	var drv riverdriver.Driver[*sql.Tx]
	switch d.Dialect {
	case dialect.SQLite:
		drv = riversqlite.New(d.SQL)
	case dialect.Postgres:
		drv = riverdatabasesql.New(d.SQL)
	default:
		return nil, fmt.Errorf("jobs: unsupported dialect %q", d.Dialect)
	}
	svc := &notify.Service{Client: d.Client, Now: opts.Now}
	r := &Runner{}
	r.scan = &scanWorker{notify: svc, now: opts.Now, escalateAfter: opts.EscalateAfter, page: opts.ScanPage, insert: r.insertMany}
	workers := river.NewWorkers()
	river.AddWorker(workers, r.scan)
	river.AddWorker(workers, &remindWorker{notify: svc, deliver: opts.Deliverer != nil, insert: r.insert})
	if opts.Deliverer != nil {
		river.AddWorker(workers, &deliverWorker{client: d.Client, deliverer: opts.Deliverer})
	}
	period := opts.ScanPeriod
	client, err := river.NewClient(drv, &river.Config{
		ID:                opts.ID,
		Logger:            opts.Log,
		PollOnly:          true, // lib/pq and SQLite: no LISTEN through River
		FetchPollInterval: opts.PollInterval,
		FetchCooldown:     min(opts.PollInterval, 100*time.Millisecond),
		RetryPolicy:       opts.RetryPolicy,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:           workers,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(period),
			func() (river.JobArgs, *river.InsertOpts) {
				return ScanArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: period}}
			}, &river.PeriodicJobOpts{ID: "reminder-scan", RunOnStart: true})},
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	r.client = client
	return r, nil
}

// Start starts working jobs (and, on the elected leader, the periodic
// scan) until Stop.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start the job queue: %w", err)
	}
	return nil
}

// Stop lets running jobs finish within ctx, then cancels what still runs;
// unfinished jobs are worked again after the next start.
func (r *Runner) Stop(ctx context.Context) error {
	err := r.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err = r.client.StopAndCancel(hard)
	}
	if err != nil {
		return fmt.Errorf("stop the job queue: %w", err)
	}
	return nil
}

// Scan runs the reminder scan now in this process, as the periodic job
// does: reminders due today that were queued already are not queued again.
func (r *Runner) Scan(ctx context.Context) (queued int, err error) {
	return r.scan.run(ctx)
}

// Notify is the notification service the jobs store with.
func (r *Runner) Notify() *notify.Service { return r.scan.notify }

func (r *Runner) insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (bool, error) {
	res, err := r.client.Insert(ctx, args, opts)
	if err != nil {
		return false, err
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

func (r *Runner) insertMany(ctx context.Context, params []river.InsertManyParams) (int, error) {
	if len(params) == 0 {
		return 0, nil
	}
	res, err := r.client.InsertMany(ctx, params)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, x := range res {
		if !x.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n, nil
}
