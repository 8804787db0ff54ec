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
	"github.com/dutychain/dutychain/ent/enterprise"
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
		run := func(user, path string, dryRun bool) (string, error) {
			var out bytes.Buffer
			err := importDirectory(ctx, d, "demo", user, path, dryRun, &out)
			return out.String(), err
		}

		t.Run("a file with problems prints each one, exits with an error and writes nothing", func(t *testing.T) {
			path := directoryFile(t, []any{"命令行企业", "ENT-CLI-1", "TOWN-CG", good, "工业"}, []any{"坏企业", "ENT-CLI-2", "TOWN-NOWHERE", "bad", "养殖"})
			out, err := run("admin", path, false)
			require.ErrorIs(t, err, errImportProblems)
			for _, want := range []string{"import: 0/2 rows", "import: 2/2 rows", "企业 row 3 所属镇街编码", "企业 row 3 统一社会信用代码", "企业 row 3 行业", "nothing was written"} {
				require.Contains(t, out, want)
			}
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
		t.Run("a missing file or an unknown user is an error", func(t *testing.T) {
			_, err := run("admin", filepath.Join(t.TempDir(), "none.xlsx"), false)
			require.ErrorIs(t, err, os.ErrNotExist)
			_, err = run("nobody", directoryFile(t), false)
			require.Error(t, err)
		})
	})
}
