// Package imports runs directory imports as stored jobs: the uploaded
// workbook is kept in the job's row, and the import (internal/directory, the
// library of POST /import/directory) runs on the job queue (internal/jobs,
// River) as the user who started it, their viewer loaded afresh when the
// work runs. The job's row and its queued work are inserted in one
// transaction, so a job always has its work; a run interrupted by a server
// that died is run again from the start by another (River's rescuer), which
// is safe because the import is one transaction and its outcome commits
// with it. A job that cannot run ends FAILED with a public reason. A clean
// dry run is confirmed once, into a second job that names it. The hourly
// import sweep clears the workbooks of jobs ended longer ago than the
// retention and fails the jobs whose work is gone.
//
// Progress is published outside the import's transaction: in memory for the
// pollers of the server running the job and, on PostgreSQL, also written to
// the job's row through the service's own client now and then. SQLite has
// one writer and the import's transaction holds it (_txlock=immediate) until
// it ends, so there the row gets its counts when the job ends.
package imports

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/importjob"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/directory"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/org"
	"github.com/dutychain/dutychain/internal/reqctx"
)

// DefaultMaxBytes bounds an uploaded workbook when MaxBytes is 0.
const DefaultMaxBytes = 10 << 20

// DefaultFlushEvery is how often a running job's progress is written to its
// row on PostgreSQL when FlushEvery is 0.
const DefaultFlushEvery = 500 * time.Millisecond

// Timeout bounds one run of a job (at most directory.MaxRows rows in one
// transaction): its context is cancelled then, and the run fails.
const Timeout = 10 * time.Minute

// RescueAfter is how long after a run started the queue takes it for
// interrupted (its server died) and runs it again: longer than Timeout, so
// a run still going is never run twice.
const RescueAfter = Timeout + 5*time.Minute

// Attempts is how many times a job's work is run: a run interrupted, or
// failed for a passing reason (the database unreachable), is run again from
// the start; after the last the job ends FAILED.
const Attempts = 3

// Args is the queued work of one import job (River job kind
// "dutychain.import"): the job's row holds the rest.
type Args struct {
	JobID int `json:"job_id"`
	// RequestID is the id of the request that started the job: the audit
	// events of the rows it imports carry it.
	RequestID string `json:"request_id,omitempty"`
}

// Kind names the work in River's tables.
func (Args) Kind() string { return "dutychain.import" }

// Queue inserts the work of import jobs (internal/jobs).
type Queue interface {
	// EnqueueImport inserts the work a in tx, to be worked at once or, when
	// at is not zero, from at; it returns the work's id.
	EnqueueImport(ctx context.Context, tx *sql.Tx, a Args, at time.Time) (int64, error)
	// ForgetImport deletes the queued work id (done in process already).
	ForgetImport(ctx context.Context, id int64) error
	// Working reports whether this process works the queue.
	Working() bool
}

// Service starts, confirms, runs and reads import jobs.
type Service struct {
	Client *ent.Client
	// SQL is the connection pool under Client: a new job's row and its
	// work are inserted in one transaction on it.
	SQL     *sql.DB
	Org     *org.Service
	Dialect string
	Now     func() time.Time
	// Queue takes the work of new jobs; internal/jobs sets it.
	Queue Queue
	// Policy is the current policy, which a job's viewer is loaded with
	// when its work runs.
	Policy func() *authz.Policy
	// MaxBytes is the largest workbook accepted; 0: DefaultMaxBytes.
	MaxBytes int64
	// FlushEvery spaces the progress writes on PostgreSQL.
	FlushEvery time.Duration
	// Log receives the failures of background jobs; nil: slog.Default().
	Log *slog.Logger
	// Observe, when set, is told each progress step of a running job
	// after it is published, inside the import's transaction (tests hold a
	// job RUNNING with it; it must not write).
	Observe func(jobID, done, total int)
	// BeforeRun, when set, is called when a job's work starts, before the
	// viewer is loaded (tests change the world there).
	BeforeRun func(jobID int)

	live    sync.Map // job id → *progress, while the job runs here
	pending sync.Map // job id → struct{}: enqueued here, not seen ended
}

// progress is a running job's rows done and total.
type progress struct{ done, total atomic.Int64 }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Wait blocks until every job enqueued through this service has ended,
// while this process works the queue (tests; `dutychain serve` lets the
// queue's Stop wait for the running ones).
func (s *Service) Wait() {
	for {
		var ids []int
		s.pending.Range(func(k, _ any) bool {
			ids = append(ids, k.(int))
			return true
		})
		if len(ids) == 0 || s.Queue == nil || !s.Queue.Working() {
			return
		}
		sys := authz.SystemContext(context.Background())
		ended, err := s.Client.ImportJob.Query().Where(importjob.IDIn(ids...),
			importjob.StateIn(importjob.StateSUCCEEDED, importjob.StateFAILED)).IDs(sys)
		if err != nil {
			s.log().Warn("import jobs: wait", "err", err)
			return
		}
		for _, id := range ended {
			s.pending.Delete(id)
		}
		if len(ended) < len(ids) {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// importTypes are the records an import creates: a viewer allowed to
// create any of them may start one (each row is still decided by its
// service, as the HTTP import's are).
var importTypes = []string{"enterprise", "user", "post"}

// mayImport reports whether grant g of a viewer under policy p may start an
// import.
func mayImport(p *authz.Policy, g authz.Grant) bool {
	if p == nil || g.DirectoryOnly || g.PostID == 0 {
		return false
	}
	for _, typ := range importTypes {
		if p.GrantAllows(g, typ, "create") {
			return true
		}
	}
	return false
}

// authority is the viewer and the grant the job is started (and read) from:
// the first of the viewer's posts whose role may create an enterprise, a
// user or a post. FORBIDDEN without one.
func authority(ctx context.Context) (*authz.Viewer, authz.Grant, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, authz.Grant{}, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	for _, g := range v.Grants {
		if mayImport(v.Policy, g) {
			return v, g, nil
		}
	}
	return nil, authz.Grant{}, apperr.New(apperr.Forbidden, "you may not import the directory: none of your posts may create enterprises, users or posts")
}

// Start stores the workbook in a new job and queues its work: a dry run
// checks every row and writes nothing.
func (s *Service) Start(ctx context.Context, filename string, r io.Reader, dryRun bool) (*ent.ImportJob, error) {
	job, _, err := s.start(ctx, filename, r, dryRun, time.Time{})
	return job, err
}

// start is Start with the work queued from at (zero: at once).
func (s *Service) start(ctx context.Context, filename string, r io.Reader, dryRun bool, at time.Time) (*ent.ImportJob, int64, error) {
	v, g, err := authority(ctx)
	if err != nil {
		return nil, 0, err
	}
	limit := s.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	content, err := io.ReadAll(io.LimitReader(r, limit+1))
	switch {
	case err != nil:
		return nil, 0, apperr.Invalid("file", "the workbook could not be read")
	case int64(len(content)) > limit:
		return nil, 0, files.TooLarge(limit)
	case !bytes.HasPrefix(content, []byte("PK\x03\x04")):
		// An .xlsx is a zip archive: refuse anything else now rather than
		// in a job that could only fail.
		return nil, 0, apperr.Invalid("file", "not an Excel workbook (.xlsx)")
	}
	sys := authz.SystemContext(ctx)
	u, err := s.Client.User.Get(sys, v.UserID)
	if err != nil {
		return nil, 0, fmt.Errorf("import job: load the user: %w", err)
	}
	name := files.CleanName(filename)
	if name == "" {
		name = "directory.xlsx"
	}
	return s.enqueue(ctx, at, func(c *ent.Client) (*ent.ImportJob, error) {
		return c.ImportJob.Create().SetTenantID(v.Tenant).SetCreatedByUserID(v.UserID).SetCreatedByName(u.DisplayName).
			SetUnitID(g.UnitID).SetScopePath(g.Path).SetScopeSector(authz.GrantSectorKey(g)).
			SetFileName(name).SetContent(content).SetDryRun(dryRun).Save(sys)
	})
}

// errConfirmed is the refusal of a dry run confirmed already.
var errConfirmed = apperr.New(apperr.Conflict, "the dry run was confirmed already")

// Confirm imports the workbook of the clean dry run id, as the caller, in a
// new job naming it. The dry run is marked confirmed by an update
// conditional on the state decided from, so of two concurrent confirms one
// imports and the other is refused.
func (s *Service) Confirm(ctx context.Context, id int) (*ent.ImportJob, error) {
	v, _, err := authority(ctx)
	if err != nil {
		return nil, err
	}
	src, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	g, err := confirmer(v, src)
	if err != nil {
		return nil, err
	}
	switch {
	case !src.DryRun:
		return nil, apperr.New(apperr.Conflict, "only a dry run is confirmed; this job imported already")
	case src.State == importjob.StateQUEUED || src.State == importjob.StateRUNNING:
		return nil, apperr.New(apperr.Conflict, "the dry run has not finished; confirm it when it has succeeded")
	case src.State == importjob.StateFAILED:
		return nil, apperr.New(apperr.Conflict, "the dry run found problems; fix the workbook and start a new dry run")
	case src.ConfirmedAt != nil:
		return nil, errConfirmed
	case src.WorkbookClearedAt != nil:
		return nil, errCleared
	}
	sys := authz.SystemContext(ctx)
	u, err := s.Client.User.Get(sys, v.UserID)
	if err != nil {
		return nil, fmt.Errorf("import job: load the user: %w", err)
	}
	stored, err := s.Client.ImportJob.Query().Where(importjob.ID(src.ID)).Select(importjob.FieldContent).Only(sys)
	if err != nil {
		return nil, fmt.Errorf("import job: load the workbook: %w", err)
	}
	if stored.Content == nil {
		return nil, errCleared
	}
	job, _, err := s.enqueue(ctx, time.Time{}, func(c *ent.Client) (*ent.ImportJob, error) {
		n, err := c.ImportJob.Update().Where(importjob.ID(src.ID), importjob.DryRun(true), importjob.StateEQ(importjob.StateSUCCEEDED),
			importjob.ConfirmedAtIsNil(), importjob.WorkbookClearedAtIsNil()).SetConfirmedAt(s.now()).Save(sys)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, errConfirmed
		}
		job, err := c.ImportJob.Create().SetTenantID(v.Tenant).SetCreatedByUserID(v.UserID).SetCreatedByName(u.DisplayName).
			SetUnitID(g.UnitID).SetScopePath(g.Path).SetScopeSector(authz.GrantSectorKey(g)).
			SetFileName(src.FileName).SetContent(stored.Content).SetDryRun(false).
			SetDryRunJobID(src.ID).Save(sys)
		if ent.IsConstraintError(err) {
			return nil, errConfirmed
		}
		return job, err
	})
	return job, err
}

// jobObject is the decision object of a job: the scope of the post it was
// started under.
func jobObject(job *ent.ImportJob) authz.Object {
	o := authz.Object{Type: "import_job", Tenant: job.TenantID, Path: job.ScopePath}
	if job.ScopeSector != nil {
		o.Sector = domain.Sector(*job.ScopeSector)
	}
	return o
}

// confirmer is the post a dry run is confirmed under: the first of v's posts
// that may import and reads the dry run. The confirmation is stamped with
// that post's scope, which lies within the dry run's (its territory holds
// the dry run's unit, its sectors hold the dry run's), so whoever reads the
// confirmation read the dry run too. FORBIDDEN when no such post is v's.
func confirmer(v *authz.Viewer, src *ent.ImportJob) (authz.Grant, error) {
	importers := v.Only(func(g authz.Grant) bool { return mayImport(v.Policy, g) })
	if g, ok := importers.GrantFor(jobObject(src), "read"); ok {
		return g, nil
	}
	return authz.Grant{}, apperr.New(apperr.Forbidden,
		"you may not confirm this dry run: none of your posts that may import covers the unit and the sectors it was started from")
}

// errCleared is the refusal of a dry run whose workbook is no longer kept.
var errCleared = apperr.New(apperr.Conflict, "the workbook of this dry run is no longer kept; start a new dry run")

// enqueue runs create on a client over a new transaction of the pool, then
// queues the job's work (from at; zero: at once) in that transaction, and
// commits both: a job never exists without its work.
func (s *Service) enqueue(ctx context.Context, at time.Time, create func(*ent.Client) (*ent.ImportJob, error)) (*ent.ImportJob, int64, error) {
	if s.Queue == nil || s.SQL == nil {
		return nil, 0, errors.New("import job: no job queue")
	}
	tx, err := s.SQL.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("import job: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	c := ent.NewClient(ent.Driver(inTx{entsql.NewDriver(s.Dialect, entsql.Conn{ExecQuerier: tx})}))
	job, err := create(c)
	if err != nil {
		if _, ok := apperr.As(err); ok {
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("import job: store: %w", err)
	}
	work, err := s.Queue.EnqueueImport(ctx, tx, Args{JobID: job.ID, RequestID: reqctx.RequestID(ctx)}, at)
	if err != nil {
		return nil, 0, fmt.Errorf("import job: queue: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, 0, fmt.Errorf("import job: commit: %w", err)
	}
	s.pending.Store(job.ID, struct{}{})
	job.Content = nil // the caller gets the job, not its workbook
	return job, work, nil
}

// inTx is a driver over one open transaction: the client's own Tx joins it.
type inTx struct{ *entsql.Driver }

// Tx implements dialect.Driver.
func (d inTx) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d.Driver), nil }

// Get is the job id as the caller reads it: NOT_FOUND when it does not
// exist or the caller may not read it.
func (s *Service) Get(ctx context.Context, id int) (*ent.ImportJob, error) {
	if v := authz.FromContext(ctx); v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	job, err := s.Client.ImportJob.Query().Where(importjob.ID(id)).Select(withoutContent...).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "no such import job")
	}
	if err != nil {
		return nil, fmt.Errorf("import job %d: %w", id, err)
	}
	return job, nil
}

// withoutContent are the job's columns but the workbook, which a poll
// does not need.
var withoutContent = func() []string {
	var out []string
	for _, c := range importjob.Columns {
		if c != importjob.FieldContent {
			out = append(out, c)
		}
	}
	return out
}()

// RowsDone is the job's rows done: the running job's live count here, else
// the stored one.
func (s *Service) RowsDone(job *ent.ImportJob) int {
	if p, ok := s.live.Load(job.ID); ok {
		return max(job.RowsDone, int(p.(*progress).done.Load()))
	}
	return job.RowsDone
}

// RowsTotal is the job's rows total, live while it runs here.
func (s *Service) RowsTotal(job *ent.ImportJob) int {
	if p, ok := s.live.Load(job.ID); ok {
		return max(job.RowsTotal, int(p.(*progress).total.Load()))
	}
	return job.RowsTotal
}

// Refusal is a job that must not run: it ends FAILED with the public
// reason, and its work is not tried again.
type Refusal struct{ Problem domain.ImportProblem }

func (r *Refusal) Error() string { return r.Problem.Message }

func refuse(code apperr.Code, msg string) *Refusal {
	return &Refusal{Problem: domain.ImportProblem{Code: string(code), Message: msg}}
}

// Run does the work of a job, attempt of attempts (the queue's worker
// calls it): as the job's creator, loaded afresh, from the start. A job
// that ended already is left as it is (its work was queued twice, or ran in
// process). A *Refusal, or an error on the last attempt, ends the job
// FAILED with a public reason; another error is returned for the queue to
// try again.
func (s *Service) Run(ctx context.Context, a Args, attempt, attempts int) error {
	err := s.run(ctx, a, nil)
	var refusal *Refusal
	switch {
	case err == nil:
		return nil
	case errors.As(err, &refusal):
		s.log().Info("import job refused", "job", a.JobID, "reason", refusal.Problem.Message)
		if ferr := s.fail(ctx, a.JobID, refusal.Problem); ferr != nil {
			return errors.Join(err, ferr)
		}
		return err
	case attempt >= attempts:
		s.log().Error("import job failed", "job", a.JobID, "attempt", attempt, "err", err)
		problem := domain.ImportProblem{Code: string(apperr.Internal),
			Message: fmt.Sprintf("the import could not run (%d attempts); nothing was written: start it again", attempts)}
		if ferr := s.fail(ctx, a.JobID, problem); ferr != nil {
			return errors.Join(err, ferr)
		}
		return err
	default:
		s.log().Warn("import job: run failed, to be tried again", "job", a.JobID, "attempt", attempt, "err", err)
		return err
	}
}

// fail ends job id FAILED with problem unless it ended already.
func (s *Service) fail(ctx context.Context, id int, problem domain.ImportProblem) error {
	sys := authz.SystemContext(context.WithoutCancel(ctx))
	_, err := s.Client.ImportJob.Update().Where(importjob.ID(id), importjob.StateIn(importjob.StateQUEUED, importjob.StateRUNNING)).
		SetState(importjob.StateFAILED).SetFinishedAt(s.now()).SetProblems([]domain.ImportProblem{problem}).Save(sys)
	if err != nil {
		return fmt.Errorf("import job %d: record the failure: %w", id, err)
	}
	return nil
}

// run does the work of a job: loads it, marks it RUNNING, loads its
// creator's viewer and checks their post at the job's unit, imports, and
// records the outcome. observe, when set, is told the progress too.
func (s *Service) run(ctx context.Context, a Args, observe func(done, total int)) error {
	sys := authz.SystemContext(ctx)
	job, err := s.Client.ImportJob.Get(sys, a.JobID)
	if ent.IsNotFound(err) {
		return nil // deleted with its tenant: nothing to do
	}
	if err != nil {
		return fmt.Errorf("load the job: %w", err)
	}
	if job.State == importjob.StateSUCCEEDED || job.State == importjob.StateFAILED {
		s.pending.Delete(job.ID)
		return nil
	}
	if job.Content == nil {
		return refuse(apperr.Conflict, "the workbook is no longer kept; nothing was written: start the import again")
	}
	p := &progress{}
	s.live.Store(job.ID, p)
	defer s.live.Delete(job.ID)
	// From the start: a run interrupted before left nothing (one
	// transaction) but perhaps its progress.
	n, err := s.Client.ImportJob.Update().Where(importjob.ID(job.ID), importjob.StateIn(importjob.StateQUEUED, importjob.StateRUNNING)).
		SetState(importjob.StateRUNNING).SetRowsDone(0).Save(sys)
	if err != nil {
		return fmt.Errorf("mark running: %w", err)
	}
	if n == 0 {
		return nil // ended meanwhile
	}
	if s.BeforeRun != nil {
		s.BeforeRun(job.ID)
	}
	v, err := s.viewer(sys, job)
	if err != nil {
		return err
	}
	ctx = authz.NewContext(ctx, v)
	if a.RequestID != "" {
		ctx = reqctx.WithRequestID(ctx, a.RequestID)
	}
	return s.execute(ctx, job, p, observe)
}

// viewer is the job's creator as they are now, with the policy in force: a
// *Refusal when they may no longer sign in, or none of their posts at the
// job's unit may start an import any more.
func (s *Service) viewer(sys context.Context, job *ent.ImportJob) (*authz.Viewer, error) {
	var policy *authz.Policy
	if s.Policy != nil {
		policy = s.Policy()
	}
	if policy == nil {
		store, err := authz.NewStore(sys, s.Client, slog.New(slog.DiscardHandler))
		if err != nil {
			return nil, fmt.Errorf("load the policy: %w", err)
		}
		policy = store.Current()
	}
	v, err := authz.LoadViewer(sys, s.Client, policy, job.CreatedByUserID, job.TenantID, s.now())
	if e, ok := apperr.As(err); ok {
		return nil, refuse(apperr.Forbidden, fmt.Sprintf("%s started the import and may no longer sign in (%s); nothing was written", job.CreatedByName, e.Message))
	}
	if err != nil {
		return nil, fmt.Errorf("load the viewer: %w", err)
	}
	for _, g := range v.Grants {
		if g.UnitID == job.UnitID && mayImport(policy, g) {
			return v, nil
		}
	}
	return nil, refuse(apperr.Forbidden, fmt.Sprintf("%s no longer holds a post at the unit the import was started from that may import (ended, or its role may no longer create enterprises, users or posts); nothing was written", job.CreatedByName))
}

// errSuperseded rolls back an import whose job ended meanwhile (another run
// of it finished first).
var errSuperseded = errors.New("the job ended meanwhile")

// execute runs the import and records its outcome: a written import's
// outcome commits with its rows, conditional on the job still RUNNING.
func (s *Service) execute(ctx context.Context, job *ent.ImportJob, p *progress, observe func(done, total int)) error {
	sys := authz.SystemContext(ctx)
	stop := s.flush(sys, job.ID, p)
	im := &directory.Importer{Client: s.Client, Org: s.Org, Progress: func(done, total int) {
		p.total.Store(int64(total))
		p.done.Store(int64(done))
		if observe != nil {
			observe(done, total)
		}
		if s.Observe != nil {
			s.Observe(job.ID, done, total)
		}
	}, BeforeCommit: func(ctx context.Context, rep *directory.Report) error {
		n, err := s.outcome(ent.TxFromContext(ctx).ImportJob.Update(), job.ID, p, rep).Save(authz.SystemContext(ctx))
		if err != nil {
			return fmt.Errorf("record the outcome: %w", err)
		}
		if n == 0 {
			return errSuperseded
		}
		return nil
	}}
	rep, err := im.Import(ctx, bytes.NewReader(job.Content), job.DryRun)
	stop()
	switch {
	case errors.Is(err, errSuperseded):
		return nil
	case err != nil && len(apperr.ProblemsOf(err)) > 0:
		ps := apperr.ProblemsOf(err)
		return &Refusal{Problem: domain.ImportProblem{Code: string(ps[0].Code), Message: ps[0].Message}}
	case err != nil:
		return fmt.Errorf("import: %w", err)
	case rep.Written:
		s.pending.Delete(job.ID)
		return nil // recorded with the rows
	}
	if _, err := s.outcome(s.Client.ImportJob.Update(), job.ID, p, rep).Save(sys); err != nil {
		return fmt.Errorf("record the outcome: %w", err)
	}
	s.pending.Delete(job.ID)
	return nil
}

// outcome is u made to record rep on job id, if it is still RUNNING.
func (s *Service) outcome(u *ent.ImportJobUpdate, id int, p *progress, rep *directory.Report) *ent.ImportJobUpdate {
	problems := make([]domain.ImportProblem, len(rep.Problems))
	for i, pr := range rep.Problems {
		problems[i] = domain.ImportProblem{Sheet: pr.Sheet, Row: pr.Row, Column: pr.Column, Value: pr.Value, Code: string(pr.Code), Message: pr.Message}
	}
	state := importjob.StateSUCCEEDED
	if len(problems) > 0 {
		state = importjob.StateFAILED
	}
	return u.Where(importjob.ID(id), importjob.StateEQ(importjob.StateRUNNING)).
		SetFinishedAt(s.now()).SetRowsDone(int(p.done.Load())).SetRowsTotal(int(p.total.Load())).
		SetState(state).SetProblems(problems).SetUsersWithoutPassword(rep.UsersWithoutPassword).
		SetEnterprises(rep.Enterprises).SetUsers(rep.Users).SetPosts(rep.Posts)
}

// flush writes p to the job's row every FlushEvery until stopped, through
// the service's client (not the import's transaction), on PostgreSQL only:
// on SQLite the import's transaction holds the only write lock.
func (s *Service) flush(ctx context.Context, id int, p *progress) (stop func()) {
	if s.Dialect != dialect.Postgres {
		return func() {}
	}
	every := s.FlushEvery
	if every <= 0 {
		every = DefaultFlushEvery
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		var last int64 = -1
		for {
			select {
			case <-done:
				return
			case <-t.C:
				d := p.done.Load()
				if d == last {
					continue
				}
				err := s.Client.ImportJob.UpdateOneID(id).SetRowsDone(int(d)).SetRowsTotal(int(p.total.Load())).Exec(ctx)
				if err != nil && !errors.Is(err, context.Canceled) {
					s.log().Warn("import job: progress not written", "job", id, "err", err)
				}
				last = d
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// StartHere is Start for a process that does the work itself (`dutychain
// import directory`): the job's work is queued to start only after
// RescueAfter, so that a server takes it over only when this process died
// before it ended; the work is then run here, progress told each step, and
// its queued copy deleted. It returns the ended job (without its workbook)
// and, when the import could not run, why (the job then ended FAILED with a
// public reason).
func (s *Service) StartHere(ctx context.Context, filename string, r io.Reader, dryRun bool, progress func(done, total int)) (*ent.ImportJob, error) {
	// River compares the schedule with the database's clock, not the
	// service's.
	job, work, err := s.start(ctx, filename, r, dryRun, time.Now().Add(RescueAfter))
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithTimeout(ctx, Timeout)
	runErr := s.run(runCtx, Args{JobID: job.ID, RequestID: reqctx.RequestID(ctx)}, progress)
	cancel()
	if runErr != nil {
		problem := domain.ImportProblem{Code: string(apperr.Internal), Message: "the import could not run; nothing was written: start it again"}
		var refusal *Refusal
		if errors.As(runErr, &refusal) {
			problem = refusal.Problem
		}
		if err := s.fail(ctx, job.ID, problem); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	if err := s.Queue.ForgetImport(context.WithoutCancel(ctx), work); err != nil {
		s.log().Warn("import job: its queued work was not deleted; a server will find the job ended", "job", job.ID, "err", err)
	}
	s.pending.Delete(job.ID)
	ended, err := s.Client.ImportJob.Query().Where(importjob.ID(job.ID)).Select(withoutContent...).Only(authz.SystemContext(ctx))
	if err != nil {
		return nil, errors.Join(runErr, fmt.Errorf("import job %d: %w", job.ID, err))
	}
	return ended, runErr
}

// SweepResult is what one sweep did.
type SweepResult struct {
	// Cleared is the number of workbooks cleared.
	Cleared int
	// Failed is the number of jobs ended FAILED because their work is gone.
	Failed int
}

// Sweep clears the workbooks of the jobs that ended before now - retention
// (their summary and problems stay; workbook_cleared_at records when), and
// ends FAILED, with a public reason, the jobs still QUEUED or RUNNING whose
// work is gone from the queue (its attempts used up by runs interrupted by
// servers that died): live lists the ids of the jobs whose work is queued or
// running.
func (s *Service) Sweep(ctx context.Context, retention time.Duration, live func(context.Context) (map[int]bool, error)) (SweepResult, error) {
	var res SweepResult
	sys := authz.SystemContext(ctx)
	now := s.now()
	n, err := s.Client.ImportJob.Update().Where(importjob.FinishedAtLT(now.Add(-retention)), importjob.ContentNotNil()).
		ClearContent().SetWorkbookClearedAt(now).Save(sys)
	if err != nil {
		return res, fmt.Errorf("import sweep: clear workbooks: %w", err)
	}
	res.Cleared = n
	// The rows first, then the queue: work that ended in between ended its
	// row first, which the conditional update below then leaves alone.
	open, err := s.Client.ImportJob.Query().Where(importjob.StateIn(importjob.StateQUEUED, importjob.StateRUNNING)).IDs(sys)
	if err != nil || len(open) == 0 {
		return res, err
	}
	alive, err := live(ctx)
	if err != nil {
		return res, fmt.Errorf("import sweep: the queue: %w", err)
	}
	var gone []int
	for _, id := range open {
		if !alive[id] {
			gone = append(gone, id)
		}
	}
	if len(gone) == 0 {
		return res, nil
	}
	problem := domain.ImportProblem{Code: string(apperr.Internal),
		Message: "the import was interrupted and could not be run again; nothing was written: start it again"}
	n, err = s.Client.ImportJob.Update().Where(importjob.IDIn(gone...), importjob.StateIn(importjob.StateQUEUED, importjob.StateRUNNING)).
		SetState(importjob.StateFAILED).SetFinishedAt(now).SetProblems([]domain.ImportProblem{problem}).Save(sys)
	if err != nil {
		return res, fmt.Errorf("import sweep: fail the jobs without work: %w", err)
	}
	res.Failed = n
	if n > 0 {
		s.log().Warn("import sweep: jobs whose work is gone ended FAILED", "jobs", gone)
	}
	return res, nil
}
