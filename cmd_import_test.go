package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/importjob"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/app"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/directory"
	"github.com/dutychain/dutychain/internal/domain"
)

// directoryFile writes a workbook of the 企业 sheet with rows to a file.
func directoryFile(t *testing.T, rows ...[]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetName("Sheet1", directory.SheetEnterprises))
	require.NoError(t, f.SetSheetRow(directory.SheetEnterprises, "A1", &[]any{"名称", "编码", "所属镇街编码", "统一社会信用代码", "行业"}))
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		require.NoError(t, err)
		require.NoError(t, f.SetSheetRow(directory.SheetEnterprises, cell, &r))
	}
	path := filepath.Join(t.TempDir(), "directory.xlsx")
	require.NoError(t, f.SaveAs(path))
	return path
}

func TestImportDirectoryPrintsProgressAndEveryProblem(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		require.NoError(t, app.EnsurePolicies(ctx, d), "as serve and seed do")
		good, err := domain.CreditCodeWithCheck("91341100MA2N00008")
		require.NoError(t, err)
		written := func(name string) bool {
			n, err := d.Client.Enterprise.Query().Where(enterprise.Name(name)).Count(authz.SystemContext(ctx))
			require.NoError(t, err)
			return n > 0
		}
		var progress bytes.Buffer // the last run's stderr
		run := func(user, path string, dryRun bool) (string, error) {
			var out bytes.Buffer
			progress.Reset()
			err := importDirectory(ctx, d, "demo", user, path, dryRun, &out, &progress)
			return out.String(), err
		}

		t.Run("a file with problems prints each one, exits with an error and writes nothing", func(t *testing.T) {
			path := directoryFile(t, []any{"命令行企业", "ENT-CLI-1", "TOWN-CG", good, "工业"}, []any{"坏企业", "ENT-CLI-2", "TOWN-NOWHERE", "bad", "养殖"})
			out, err := run("admin", path, false)
			require.ErrorIs(t, err, errImportProblems)
			for _, want := range []string{"企业 row 3 所属镇街编码", "企业 row 3 统一社会信用代码", "企业 row 3 行业", "nothing was written"} {
				require.Contains(t, out, want)
			}
			for _, want := range []string{"import: 0/2 rows", "import: 2/2 rows", ": FAILED"} {
				require.Contains(t, progress.String(), want, "progress goes to stderr")
			}
			require.NotContains(t, out, "import: 0/2 rows")
			require.False(t, written("命令行企业"))
		})
		t.Run("a dry run of a good file writes nothing, the import writes it", func(t *testing.T) {
			path := directoryFile(t, []any{"命令行企业", "ENT-CLI-1", "TOWN-CG", good, "工业"})
			out, err := run("admin", path, true)
			require.NoError(t, err, out)
			require.Contains(t, out, "would import 1 enterprises")
			require.False(t, written("命令行企业"))
			out, err = run("admin", path, false)
			require.NoError(t, err, out)
			require.Contains(t, out, "imported 1 enterprises")
			require.True(t, written("命令行企业"))
		})
		t.Run("a town's administrator importing into another town is told it is out of scope", func(t *testing.T) {
			path := directoryFile(t, []any{"越界企业", "ENT-CLI-3", "TOWN-XH", good, "工业"})
			out, err := run("chengguan.admin", path, false)
			require.ErrorIs(t, err, errImportProblems)
			require.True(t, strings.Contains(out, "企业 row 2"), out)
			require.False(t, written("越界企业"))
		})
		t.Run("the import is an import job: it ends with its counts, and no queued work is left", func(t *testing.T) {
			sys := authz.SystemContext(ctx)
			before, err := d.Client.ImportJob.Query().Count(sys)
			require.NoError(t, err)
			other, err := domain.CreditCodeWithCheck("91341100MA2N00009")
			require.NoError(t, err)
			path := directoryFile(t, []any{"作业企业", "ENT-CLI-4", "TOWN-CG", other, "工业"})
			out, err := run("admin", path, true)
			require.NoError(t, err, out)
			job, err := d.Client.ImportJob.Query().Order(ent.Desc(importjob.FieldID)).First(sys)
			require.NoError(t, err)
			require.Equal(t, before+1, d.Client.ImportJob.Query().CountX(sys))
			require.Equal(t, importjob.StateSUCCEEDED, job.State)
			require.True(t, job.DryRun)
			require.Equal(t, "directory.xlsx", job.FileName)
			require.Equal(t, 1, job.Enterprises)
			require.Equal(t, 1, job.RowsDone)
			require.NotEmpty(t, job.Content, "the workbook is kept, to confirm in GraphQL")
			require.Contains(t, progress.String(), ": SUCCEEDED")
			var works int
			require.NoError(t, d.SQL.QueryRow(`SELECT COUNT(*) FROM river_job WHERE kind = 'dutychain.import'`).Scan(&works))
			require.Zero(t, works, "the work done here is not left for a server")
		})
		t.Run("a missing file or an unknown user is an error", func(t *testing.T) {
			_, err := run("admin", filepath.Join(t.TempDir(), "none.xlsx"), false)
			require.ErrorIs(t, err, os.ErrNotExist)
			_, err = run("nobody", directoryFile(t), false)
			require.Error(t, err)
		})
	})
}
