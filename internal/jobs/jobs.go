// Package jobs runs the server's scheduled work on River, a job queue kept
// in the platform's own database (PostgreSQL through database/sql and
// lib/pq, or the embedded SQLite): the reminder scan, one job per reminder,
// one delivery job per notification, the directory import jobs (queue
// "imports", internal/imports) and the hourly import sweep. River's tables are migrated with
// the platform's (internal/db); its leader election runs the periodic scan
// on one replica, and unique jobs with the notifications' unique index make
// every step safe to repeat, across restarts and replicas.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/imports"
	"github.com/dutychain/dutychain/internal/notify"
)

// QueueImports is the queue of the directory import jobs: a few at a time,
// so that long imports leave the default queue's workers to the reminders.
const QueueImports = "imports"

// ImportSweepPeriod is how often the import sweep runs (also once at
// start).
const ImportSweepPeriod = time.Hour

// Options configure a Runner.
type Options struct {
	// ScanPeriod is how often the reminder scan runs (also once at start).
	ScanPeriod time.Duration
	// EscalateAfter is how long a record stays overdue before it escalates.
	EscalateAfter time.Duration
	// Deliverer sends each new notification on; nil: none is sent.
	Deliverer notify.Deliverer
	// Policy is the policy snapshot the reminder scan decides its
	// recipients with (authz.Store.Current); nil: the policy stored when
	// each page is planned.
	Policy func() *authz.Policy
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
	// Imports, when set, runs the directory import jobs here; New makes
	// itself their queue.
	Imports *imports.Service
	// ImportRetention is how long the sweep keeps a finished import job's
	// workbook; 0: config.DefaultImportRetention's week.
	ImportRetention time.Duration
}

// Runner is the job queue of one server: start it with Start, stop it with
// Stop.
type Runner struct {
	client  *river.Client[*sql.Tx]
	scan    *scanWorker
	sweep   *sweepWorker
	working atomic.Bool
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
	r.scan = &scanWorker{notify: svc, now: opts.Now, policy: opts.Policy, escalateAfter: opts.EscalateAfter, page: opts.ScanPage, insert: r.insertMany}
	workers := river.NewWorkers()
	river.AddWorker(workers, r.scan)
	river.AddWorker(workers, &remindWorker{notify: svc, deliver: opts.Deliverer != nil, insert: r.insert})
	if opts.Deliverer != nil {
		river.AddWorker(workers, &deliverWorker{client: d.Client, deliverer: opts.Deliverer})
	}
	period := opts.ScanPeriod
	periodic := []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(period),
		func() (river.JobArgs, *river.InsertOpts) {
			return ScanArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: period}}
		}, &river.PeriodicJobOpts{ID: "reminder-scan", RunOnStart: true})}
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}
	if opts.Imports != nil {
		retention := opts.ImportRetention
		if retention <= 0 {
			retention = 7 * 24 * time.Hour
		}
		river.AddWorker(workers, &importWorker{imports: opts.Imports})
		r.sweep = &sweepWorker{imports: opts.Imports, retention: retention, live: r.liveImports}
		river.AddWorker(workers, r.sweep)
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(ImportSweepPeriod),
			func() (river.JobArgs, *river.InsertOpts) {
				return SweepArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: ImportSweepPeriod}}
			}, &river.PeriodicJobOpts{ID: "import-sweep", RunOnStart: true}))
		// An import is picked up within a quarter second of its request.
		poll := 250 * time.Millisecond
		if opts.PollInterval > 0 {
			poll = min(poll, opts.PollInterval)
		}
		queues[QueueImports] = river.QueueConfig{MaxWorkers: 2, FetchPollInterval: poll, FetchCooldown: min(poll, 100*time.Millisecond)}
	}
	client, err := river.NewClient(drv, &river.Config{
		ID:                opts.ID,
		Logger:            opts.Log,
		PollOnly:          true, // lib/pq and SQLite: no LISTEN through River
		FetchPollInterval: opts.PollInterval,
		FetchCooldown:     min(opts.PollInterval, 100*time.Millisecond),
		RetryPolicy:       opts.RetryPolicy,
		Queues:            queues,
		Workers:           workers,
		PeriodicJobs:      periodic,
		// A job running this long was left by a server that died: it is
		// run again (the imports' runs are bounded by imports.Timeout, the
		// others by River's minute).
		RescueStuckJobsAfter: imports.RescueAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	r.client = client
	if opts.Imports != nil {
		opts.Imports.Queue = r
	}
	return r, nil
}

// Start starts working jobs (and, on the elected leader, the periodic
// scan) until Stop.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start the job queue: %w", err)
	}
	r.working.Store(true)
	return nil
}

// StartUnscheduled is Start without the periodic jobs (the reminder scan,
// the import sweep), for good: it works what is queued (tests that run
// import jobs).
func (r *Runner) StartUnscheduled(ctx context.Context) error {
	r.client.PeriodicJobs().Clear()
	return r.Start(ctx)
}

// Working reports whether the queue was started and not stopped
// (imports.Queue).
func (r *Runner) Working() bool { return r.working.Load() }

// EnqueueImport queues the work of an import job in tx (imports.Queue).
func (r *Runner) EnqueueImport(ctx context.Context, tx *sql.Tx, a imports.Args, at time.Time) (int64, error) {
	res, err := r.client.InsertTx(ctx, tx, a, &river.InsertOpts{Queue: QueueImports, MaxAttempts: imports.Attempts, ScheduledAt: at})
	if err != nil {
		return 0, err
	}
	return res.Job.ID, nil
}

// ForgetImport deletes the queued work id of an import job run in process
// (imports.Queue); work already gone is no error.
func (r *Runner) ForgetImport(ctx context.Context, id int64) error {
	_, err := r.client.JobDelete(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return nil
	}
	return err
}

// liveImports are the import jobs whose work is queued or running.
func (r *Runner) liveImports(ctx context.Context) (map[int]bool, error) {
	out := map[int]bool{}
	params := river.NewJobListParams().Kinds(imports.Args{}.Kind()).
		States(rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled).
		First(1000)
	for {
		res, err := r.client.JobList(ctx, params)
		if err != nil {
			return nil, err
		}
		for _, j := range res.Jobs {
			var a imports.Args
			if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
				return nil, fmt.Errorf("import job args of %d: %w", j.ID, err)
			}
			out[a.JobID] = true
		}
		if len(res.Jobs) < 1000 || res.LastCursor == nil {
			return out, nil
		}
		params = params.After(res.LastCursor)
	}
}

// Stop lets running jobs finish within ctx, then cancels what still runs;
// unfinished jobs are worked again after the next start.
func (r *Runner) Stop(ctx context.Context) error {
	defer r.working.Store(false)
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

// SweepImports runs the import sweep now in this process, as the periodic
// job does.
func (r *Runner) SweepImports(ctx context.Context) (imports.SweepResult, error) {
	if r.sweep == nil {
		return imports.SweepResult{}, errors.New("jobs: no import jobs here")
	}
	return r.sweep.imports.Sweep(ctx, r.sweep.retention, r.sweep.live)
}
