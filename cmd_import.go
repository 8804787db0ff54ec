package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/imports"
	"github.com/dutychain/dutychain/internal/jobs"
	"github.com/dutychain/dutychain/internal/org"
)

const importUsage = `Usage: dutychain import directory --tenant CODE --user USERNAME [--dry-run] FILE.xlsx

Import the enterprises, users and posts of a workbook in the layout of
GET /import/directory-template.xlsx, as the user: every row goes through
the same service and authority as the GraphQL mutations, all in one
transaction, as an import job (importJob in GraphQL) run in this process;
progress goes to stderr. With any problem nothing is written; every problem
is printed (sheet, row, column) and the exit status is 1. --dry-run checks
without writing. See docs/REPORTS.md.

Flags: --tenant, --user, --dry-run, and the database flags of "serve"
(--data-dir, --database-url).
`

// errImportProblems is returned when the workbook has problems: they were
// printed and nothing was written.
var errImportProblems = errors.New("the workbook has problems; nothing was written")

// importCommand runs `dutychain import directory`.
func importCommand(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "directory" {
		fmt.Fprint(os.Stderr, importUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return errors.New("what to import: `import directory`")
	}
	var tenantCode, username string
	var dryRun bool
	cfg, fs, err := parseConfigWith("import directory", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&tenantCode, "tenant", "", "tenant code (required)")
		fs.StringVar(&username, "user", "", "import as this user: their authority and scope (required)")
		fs.BoolVar(&dryRun, "dry-run", false, "check every row and write nothing")
	})
	if err != nil {
		return err
	}
	// The file may come before the import's own flags (FILE --dry-run).
	var files []string
	for fs.NArg() > 0 {
		files = append(files, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if tenantCode == "" || username == "" || len(files) != 1 {
		fmt.Fprint(os.Stderr, importUsage)
		return errors.New("--tenant, --user and one FILE are required")
	}
	d, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	return importDirectory(ctx, d, tenantCode, username, files[0], dryRun, os.Stdout, os.Stderr)
}

// importMaxBytes bounds a workbook imported from the command line, which
// is kept in its job's row like an upload.
const importMaxBytes = 256 << 20

// importDirectory imports the workbook at path as username of the tenant
// through an import job run in this process (internal/imports: the job's
// row and its queued work are stored first, so a server finishes the job
// if this process dies), showing progress on progressOut and then the
// report on out; errImportProblems when the workbook has problems.
func importDirectory(ctx context.Context, d *db.DB, tenantCode, username, path string, dryRun bool, out, progressOut io.Writer) error {
	ctx, err := exportViewer(ctx, d.Client, tenantCode, username)
	if err != nil {
		return err
	}
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	svc := &imports.Service{Client: d.Client, SQL: d.SQL, Dialect: d.Dialect, Now: time.Now, MaxBytes: importMaxBytes,
		Org: &org.Service{Client: d.Client, Dialect: d.Dialect, Now: time.Now}, Log: slog.New(slog.DiscardHandler)}
	// The queue is not started: it only stores the job's work, which this
	// process does.
	if _, err := jobs.New(d, jobs.Options{ScanPeriod: time.Hour, Imports: svc}); err != nil {
		return err
	}
	progress := newImportProgress(progressOut)
	job, err := svc.StartHere(ctx, filepath.Base(path), file, dryRun, progress.update)
	progress.finish()
	if job != nil {
		fmt.Fprintf(progressOut, "import job %s: %s\n", gid.Encode(job.ID), job.State)
	}
	if err != nil {
		return err
	}
	for _, p := range job.Problems {
		fmt.Fprintf(out, "%s row %d %s: %s (%s)\n", p.Sheet, p.Row, p.Column, p.Message, p.Code)
	}
	verb := "imported"
	if dryRun {
		verb = "would import"
	}
	if len(job.Problems) > 0 {
		fmt.Fprintf(out, "%d problems; nothing was written\n", len(job.Problems))
		return errImportProblems
	}
	fmt.Fprintf(out, "%s %d enterprises, %d users, %d posts\n", verb, job.Enterprises, job.Users, job.Posts)
	for _, u := range job.UsersWithoutPassword {
		fmt.Fprintf(out, "user %s has no password: reset it before they sign in\n", u)
	}
	return nil
}

// importProgressEvery is how often a plain progress line is printed when
// the output is not a terminal.
const importProgressEvery = 2 * time.Second

// importProgress shows a bar on a terminal and a plain line now and then
// elsewhere (logs, pipes).
type importProgress struct {
	out         io.Writer
	bar         *progressbar.ProgressBar
	last        time.Time
	done, total int
	printed     bool
}

func newImportProgress(out io.Writer) *importProgress {
	p := &importProgress{out: out}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(0, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription("import"),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetWidth(30))
	}
	return p
}

func (p *importProgress) update(done, total int) {
	p.done, p.total = done, total
	if p.bar != nil {
		p.bar.ChangeMax(total)
		_ = p.bar.Set(done)
		return
	}
	if now := time.Now(); !p.printed || now.Sub(p.last) >= importProgressEvery {
		p.line()
		p.last = now
	}
}

func (p *importProgress) line() {
	p.printed = true
	fmt.Fprintf(p.out, "import: %d/%d rows\n", p.done, p.total)
}

// finish ends the bar, or prints the last line.
func (p *importProgress) finish() {
	switch {
	case p.bar != nil:
		_ = p.bar.Finish()
		fmt.Fprintln(p.out)
	case p.printed:
		p.line()
	}
}
