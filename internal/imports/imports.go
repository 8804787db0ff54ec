// Package imports runs directory imports as stored jobs for GraphQL: the
// uploaded workbook is kept in the job's row, the import (internal/directory,
// the library of POST /import/directory and `dutychain import directory`)
// runs in the background as the user who started it, and the job records its
// state, progress and every problem. A clean dry run is confirmed once, into
// a second job that names it.
//
// Progress is published outside the import's transaction: in memory for the
// pollers of this server and, on PostgreSQL, also written to the job's row
// through the service's own client now and then. SQLite has one writer and
// the import's transaction holds it (_txlock=immediate) until it ends, so
// there the row gets its counts when the job ends.
package imports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/importjob"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/directory"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/org"
)

// DefaultMaxBytes bounds an uploaded workbook when MaxBytes is 0.
const DefaultMaxBytes = 10 << 20

// DefaultFlushEvery is how often a running job's progress is written to its
// row on PostgreSQL when FlushEvery is 0.
const DefaultFlushEvery = 500 * time.Millisecond

// Service starts, confirms and reads import jobs.
type Service struct {
	Client  *ent.Client
	Org     *org.Service
	Dialect string
	Now     func() time.Time
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

	live sync.Map // job id → *progress, while the job runs here
	wg   sync.WaitGroup
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

// Wait blocks until every job started by this service has ended.
func (s *Service) Wait() { s.wg.Wait() }

// importTypes are the records an import creates: a viewer allowed to
// create any of them may start one (each row is still decided by its
// service, as the HTTP import's are).
var importTypes = []string{"enterprise", "user", "post"}

// authority is the viewer and the grant the job is started (and read) from:
// the first of the viewer's posts whose role may create an enterprise, a
// user or a post. FORBIDDEN without one.
func authority(ctx context.Context) (*authz.Viewer, authz.Grant, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, authz.Grant{}, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	if v.Policy != nil {
		for _, g := range v.Grants {
			if g.DirectoryOnly || g.PostID == 0 {
				continue
			}
			for _, typ := range importTypes {
				if v.Policy.GrantAllows(g, typ, "create") {
					return v, g, nil
				}
			}
		}
	}
	return nil, authz.Grant{}, apperr.New(apperr.Forbidden, "you may not import the directory: none of your posts may create enterprises, users or posts")
}

// Start stores the workbook in a new job and runs it in the background:
// a dry run checks every row and writes nothing.
func (s *Service) Start(ctx context.Context, filename string, r io.Reader, dryRun bool) (*ent.ImportJob, error) {
	v, g, err := authority(ctx)
	if err != nil {
		return nil, err
	}
	limit := s.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	content, err := io.ReadAll(io.LimitReader(r, limit+1))
	switch {
	case err != nil:
		return nil, apperr.Invalid("file", "the workbook could not be read")
	case int64(len(content)) > limit:
		return nil, files.TooLarge(limit)
	case !bytes.HasPrefix(content, []byte("PK\x03\x04")):
		// An .xlsx is a zip archive: refuse anything else now rather than
		// in a job that could only fail.
		return nil, apperr.Invalid("file", "not an Excel workbook (.xlsx)")
	}
	sys := authz.SystemContext(ctx)
	u, err := s.Client.User.Get(sys, v.UserID)
	if err != nil {
		return nil, fmt.Errorf("import job: load the user: %w", err)
	}
	name := files.CleanName(filename)
	if name == "" {
		name = "directory.xlsx"
	}
	job, err := s.Client.ImportJob.Create().SetTenantID(v.Tenant).SetCreatedByUserID(v.UserID).SetCreatedByName(u.DisplayName).
		SetUnitID(g.UnitID).SetUnitPath(g.Path).SetFileName(name).SetContent(content).SetDryRun(dryRun).Save(sys)
	if err != nil {
		return nil, fmt.Errorf("import job: store: %w", err)
	}
	s.run(ctx, job)
	return job, nil
}

// Confirm imports the workbook of the clean dry run id, as the caller, in a
// new job naming it. The dry run is marked confirmed by an update
// conditional on the state decided from, so of two concurrent confirms one
// imports and the other is refused.
func (s *Service) Confirm(ctx context.Context, id int) (*ent.ImportJob, error) {
	v, g, err := authority(ctx)
	if err != nil {
		return nil, err
	}
	src, err := s.Get(ctx, id)
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
		return nil, apperr.New(apperr.Conflict, "the dry run was confirmed already")
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
	tx, err := s.Client.Tx(sys)
	if err != nil {
		return nil, fmt.Errorf("import job: confirm: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	n, err := tx.ImportJob.Update().Where(importjob.ID(src.ID), importjob.DryRun(true), importjob.StateEQ(importjob.StateSUCCEEDED),
		importjob.ConfirmedAtIsNil()).SetConfirmedAt(s.now()).Save(sys)
	if err != nil {
		return nil, fmt.Errorf("import job: confirm: %w", err)
	}
	if n == 0 {
		return nil, apperr.New(apperr.Conflict, "the dry run was confirmed already")
	}
	job, err := tx.ImportJob.Create().SetTenantID(v.Tenant).SetCreatedByUserID(v.UserID).SetCreatedByName(u.DisplayName).
		SetUnitID(g.UnitID).SetUnitPath(g.Path).SetFileName(src.FileName).SetContent(stored.Content).SetDryRun(false).
		SetDryRunJobID(src.ID).Save(sys)
	if ent.IsConstraintError(err) {
		return nil, apperr.New(apperr.Conflict, "the dry run was confirmed already")
	}
	if err != nil {
		return nil, fmt.Errorf("import job: confirm: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("import job: confirm: %w", err)
	}
	job = job.Unwrap()
	s.run(ctx, job)
	return job, nil
}

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

// run runs job in the background with a context of its own that keeps the
// request's viewer and request id (the audit log records the import's
// rows as the caller's) but not its cancellation.
func (s *Service) run(ctx context.Context, job *ent.ImportJob) {
	p := &progress{}
	s.live.Store(job.ID, p)
	s.wg.Add(1)
	bg := context.WithoutCancel(ctx)
	go func() {
		defer s.wg.Done()
		defer s.live.Delete(job.ID)
		if err := s.execute(bg, job, p); err != nil {
			s.log().Error("import job failed", "job", job.ID, "err", err)
		}
	}()
}

// execute runs the import and records its outcome.
func (s *Service) execute(ctx context.Context, job *ent.ImportJob, p *progress) error {
	sys := authz.SystemContext(ctx)
	if err := s.Client.ImportJob.UpdateOneID(job.ID).SetState(importjob.StateRUNNING).Exec(sys); err != nil {
		return fmt.Errorf("mark running: %w", err)
	}
	stop := s.flush(sys, job.ID, p)
	im := &directory.Importer{Client: s.Client, Org: s.Org, Progress: func(done, total int) {
		p.total.Store(int64(total))
		p.done.Store(int64(done))
		if s.Observe != nil {
			s.Observe(job.ID, done, total)
		}
	}}
	rep, err := im.Import(ctx, bytes.NewReader(job.Content), job.DryRun)
	stop()
	upd := s.Client.ImportJob.UpdateOneID(job.ID).SetFinishedAt(s.now()).
		SetRowsDone(int(p.done.Load())).SetRowsTotal(int(p.total.Load()))
	if err != nil {
		problem := domain.ImportProblem{Code: string(apperr.Internal), Message: "the import failed; nothing was written"}
		if ps := apperr.ProblemsOf(err); len(ps) > 0 {
			problem.Code, problem.Message = string(ps[0].Code), ps[0].Message
		} else {
			s.log().Error("import job: the import failed", "job", job.ID, "err", err)
		}
		upd.SetState(importjob.StateFAILED).SetProblems([]domain.ImportProblem{problem})
	} else {
		problems := make([]domain.ImportProblem, len(rep.Problems))
		for i, pr := range rep.Problems {
			problems[i] = domain.ImportProblem{Sheet: pr.Sheet, Row: pr.Row, Column: pr.Column, Value: pr.Value, Code: string(pr.Code), Message: pr.Message}
		}
		state := importjob.StateSUCCEEDED
		if len(problems) > 0 {
			state = importjob.StateFAILED
		}
		upd.SetState(state).SetProblems(problems).SetUsersWithoutPassword(rep.UsersWithoutPassword).
			SetEnterprises(rep.Enterprises).SetUsers(rep.Users).SetPosts(rep.Posts)
	}
	if err := upd.Exec(sys); err != nil {
		return fmt.Errorf("record the outcome: %w", err)
	}
	return nil
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
