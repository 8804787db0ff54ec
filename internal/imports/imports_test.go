package imports_test

// Import jobs on the job queue, on every available database: a job left
// RUNNING by a server that died is run again by the next server and imports
// once; the sweep clears the workbooks of jobs ended longer ago than the
// retention, keeping their summary and problems, and ends FAILED the jobs
// whose work is gone.

import (
	"bytes"
	"context"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/importjob"
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/directory"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/imports"
	"github.com/dutychain/dutychain/internal/seed"
)

// enterprises is a workbook of the 企业 sheet with one row per name (each
// in the town 城关镇; an empty code makes the row bad).
func enterprises(t *testing.T, names ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetName("Sheet1", directory.SheetEnterprises))
	require.NoError(t, f.SetSheetRow(directory.SheetEnterprises, "A1", &[]any{"名称", "编码", "所属镇街编码", "统一社会信用代码", "行业"}))
	for i, name := range names {
		credit, err := domain.CreditCodeWithCheck("91341100MA2N2000" + string(rune('0'+i)))
		require.NoError(t, err)
		row := []any{name, "ENT-SWEEP-" + string(rune('A'+i)), seed.CodeTownChengguan, credit, "工业"}
		if name == "" {
			row = []any{"坏企业", "", seed.CodeTownChengguan, "bad", "工业"}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		require.NoError(t, err)
		require.NoError(t, f.SetSheetRow(directory.SheetEnterprises, cell, &row))
	}
	var b bytes.Buffer
	_, err := f.WriteTo(&b)
	require.NoError(t, err)
	return b.Bytes()
}

// as is a context of username of the demo tenant, as a request has it.
func as(t *testing.T, s *apitest.Server, username string) context.Context {
	t.Helper()
	sys := authz.SystemContext(t.Context())
	tn, err := s.DB.Client.Tenant.Query().Where(tenant.Code("demo")).Only(sys)
	require.NoError(t, err)
	u, err := s.DB.Client.User.Query().Where(user.Username(username), user.TenantID(tn.ID)).Only(sys)
	require.NoError(t, err)
	v, err := authz.LoadViewer(sys, s.DB.Client, s.App.Policy.Current(), u.ID, u.TenantID, s.Clock.Now())
	require.NoError(t, err)
	return authz.NewContext(t.Context(), v)
}

// jobRow is job id as stored, with its workbook.
func jobRow(t *testing.T, s *apitest.Server, id int) *ent.ImportJob {
	t.Helper()
	j, err := s.DB.Client.ImportJob.Get(authz.SystemContext(t.Context()), id)
	require.NoError(t, err)
	return j
}

func countEnterprises(t *testing.T, s *apitest.Server, name string) int {
	t.Helper()
	n, err := s.DB.Client.Enterprise.Query().Where(enterprise.Name(name)).Count(authz.SystemContext(t.Context()))
	require.NoError(t, err)
	return n
}

func TestImportJobInterruptedByADeadServerRunsAgainAndImportsOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		admin := as(t, s, "admin")
		// No queue works yet: the job waits, as if its server died before
		// running it.
		job, err := s.App.Imports.Start(admin, "名录.xlsx", bytes.NewReader(enterprises(t, "重跑企业")), false)
		require.NoError(t, err)
		require.Equal(t, importjob.StateQUEUED, job.State)
		var works int
		require.NoError(t, s.DB.SQL.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'dutychain.import'`).Scan(&works))
		require.Equal(t, 1, works, "the job's work was queued with its row")

		// The server that took it died two hours ago, the job RUNNING with
		// some progress and its work running.
		stale := `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() - interval '2 hours',
			attempted_by = ARRAY['dead-server'] WHERE kind = 'dutychain.import'`
		if s.DB.Dialect == dialect.SQLite {
			stale = `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = datetime('now', '-2 hours', 'subsec'),
				attempted_by = json_array('dead-server') WHERE kind = 'dutychain.import'`
		}
		_, err = s.DB.SQL.Exec(stale)
		require.NoError(t, err)
		require.NoError(t, s.DB.Client.ImportJob.UpdateOneID(job.ID).SetState(importjob.StateRUNNING).SetRowsDone(1).
			Exec(authz.SystemContext(t.Context())))

		t.Run("the next server rescues the work and the job succeeds, importing its row once", func(t *testing.T) {
			s.StartJobs()
			require.Eventually(t, func() bool {
				return jobRow(t, s, job.ID).State == importjob.StateSUCCEEDED
			}, 2*time.Minute, 50*time.Millisecond, "the job ends")
			got := jobRow(t, s, job.ID)
			require.Equal(t, 1, got.Enterprises)
			require.Equal(t, 1, got.RowsDone)
			require.Equal(t, 1, countEnterprises(t, s, "重跑企业"))
			var attempt int
			require.NoError(t, s.DB.SQL.QueryRow(`SELECT attempt FROM river_job WHERE kind = 'dutychain.import'`).Scan(&attempt))
			require.Equal(t, 2, attempt, "run a second time")
		})
		t.Run("its work run once more finds the job ended and writes nothing", func(t *testing.T) {
			require.NoError(t, s.App.Imports.Run(t.Context(), imports.Args{JobID: job.ID}, 1, 3))
			require.Equal(t, 1, countEnterprises(t, s, "重跑企业"))
			require.Equal(t, importjob.StateSUCCEEDED, jobRow(t, s, job.ID).State)
		})
	})
}

func TestImportSweep(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		s.Clock.Set(t0)
		s.StartJobs()
		admin := as(t, s, "admin")
		clean, err := s.App.Imports.Start(admin, "干净.xlsx", bytes.NewReader(enterprises(t, "保留企业")), true)
		require.NoError(t, err)
		bad, err := s.App.Imports.Start(admin, "有问题.xlsx", bytes.NewReader(enterprises(t, "好企业", "")), true)
		require.NoError(t, err)
		s.App.Imports.Wait()
		require.Equal(t, importjob.StateSUCCEEDED, jobRow(t, s, clean.ID).State)
		require.Equal(t, importjob.StateFAILED, jobRow(t, s, bad.ID).State)
		problems := jobRow(t, s, bad.ID).Problems
		require.NotEmpty(t, problems)

		t.Run("a day before the retention ends, the workbooks are kept", func(t *testing.T) {
			s.Clock.Set(t0.Add(s.Config.ImportRetention - 24*time.Hour))
			res, err := s.App.Jobs.SweepImports(t.Context())
			require.NoError(t, err)
			require.Zero(t, res.Cleared)
			require.NotNil(t, jobRow(t, s, clean.ID).Content)
		})
		t.Run("past the retention, the workbooks are cleared and the summary and problems stay", func(t *testing.T) {
			now := t0.Add(s.Config.ImportRetention + time.Hour)
			s.Clock.Set(now)
			res, err := s.App.Jobs.SweepImports(t.Context())
			require.NoError(t, err)
			require.Equal(t, 2, res.Cleared)
			c, b := jobRow(t, s, clean.ID), jobRow(t, s, bad.ID)
			require.Nil(t, c.Content)
			require.Nil(t, b.Content)
			require.NotNil(t, c.WorkbookClearedAt)
			require.True(t, now.Equal(*c.WorkbookClearedAt), "cleared at %v", c.WorkbookClearedAt)
			require.Equal(t, 1, c.Enterprises)
			require.Equal(t, importjob.StateSUCCEEDED, c.State)
			require.Equal(t, problems, b.Problems)
			again, err := s.App.Jobs.SweepImports(t.Context())
			require.NoError(t, err)
			require.Zero(t, again.Cleared, "cleared once")
		})
		t.Run("a clean dry run whose workbook was cleared is not confirmed: CONFLICT", func(t *testing.T) {
			_, err := s.App.Imports.Confirm(admin, clean.ID)
			require.ErrorContains(t, err, "no longer kept")
			require.Zero(t, countEnterprises(t, s, "保留企业"))
		})
		t.Run("a job whose work is gone from the queue ends FAILED with the reason", func(t *testing.T) {
			// Its attempts used up by servers that died: River discarded
			// the work, the row is left RUNNING.
			orphan, err := s.App.Imports.Start(admin, "中断.xlsx", bytes.NewReader(enterprises(t, "中断企业")), true)
			require.NoError(t, err)
			s.App.Imports.Wait()
			require.Eventually(t, func() bool {
				var unfinished int
				require.NoError(t, s.DB.SQL.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'dutychain.import'
					AND state NOT IN ('completed', 'discarded', 'cancelled')`).Scan(&unfinished))
				return unfinished == 0
			}, time.Minute, 20*time.Millisecond, "the queue finalized the work")
			require.NoError(t, s.DB.Client.ImportJob.UpdateOneID(orphan.ID).SetState(importjob.StateRUNNING).ClearFinishedAt().
				Exec(authz.SystemContext(t.Context())))
			res, err := s.App.Jobs.SweepImports(t.Context())
			require.NoError(t, err)
			require.Equal(t, 1, res.Failed)
			got := jobRow(t, s, orphan.ID)
			require.Equal(t, importjob.StateFAILED, got.State)
			require.Len(t, got.Problems, 1)
			require.Contains(t, got.Problems[0].Message, "interrupted")
			require.NotNil(t, got.FinishedAt)
		})
	}, func(c *config.Config) { c.ImportRetention = 48 * time.Hour })
}
