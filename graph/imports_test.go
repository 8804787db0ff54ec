package graph_test

// Directory import jobs through GraphQL (schema/imports.graphql) on every
// available database: a dry run names every bad cell and writes nothing; a
// clean dry run confirmed imports the rows the export then holds; a dry run
// is confirmed once, also by two confirms at the same time; a poller sees
// the rows done while the import runs; a job is read from the territory
// holding the unit it was started from; another tenant sees no job.

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dutychain/dutychain/authz"
	entpost "github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/directory"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/seed"
)

const startImportDoc = `mutation($file: Upload!, $dryRun: Boolean!) {
  startDirectoryImport(file: $file, dryRun: $dryRun) { id state dryRun fileName } }`

const confirmImportDoc = `mutation($id: ID!) { confirmDirectoryImport(jobID: $id) { id state dryRun dryRunJobID } }`

const importJobDoc = `query($id: ID!) { importJob(id: $id) {
  id state dryRun fileName rowsDone rowsTotal enterprises users posts createdByName dryRunJobID finishedAt confirmedAt workbookClearedAt
  usersWithoutPassword problems { sheet row column value code message } } }`

// importJob is the job as importJob answers it.
type importJob struct {
	ID, State, FileName, CreatedByName string
	DryRun                             bool
	RowsDone, RowsTotal                int
	Enterprises, Users, Posts          int
	DryRunJobID                        *string
	FinishedAt, ConfirmedAt            *string
	WorkbookClearedAt                  *string
	UsersWithoutPassword               []string
	Problems                           []struct {
		Sheet, Column, Value, Code, Message string
		Row                                 int
	}
}

// workbook is a directory workbook with the rows of each sheet (the first
// row of each is its header).
func workbook(t testing.TB, sheets map[string][][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	first := true
	for _, name := range []string{directory.SheetEnterprises, directory.SheetUsers, directory.SheetPosts} {
		rows, ok := sheets[name]
		if !ok {
			continue
		}
		if first {
			require.NoError(t, f.SetSheetName("Sheet1", name))
			first = false
		} else {
			_, err := f.NewSheet(name)
			require.NoError(t, err)
		}
		for i, r := range rows {
			require.NoError(t, f.SetSheetRow(name, fmt.Sprintf("A%d", i+1), &r))
		}
	}
	var b bytes.Buffer
	_, err := f.WriteTo(&b)
	require.NoError(t, err)
	return b.Bytes()
}

// emptyWorkbook is the template: headers only, a clean dry run of nothing.
func emptyWorkbook(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, directory.WriteTemplate(&b))
	return b.Bytes()
}

// startImport starts a job of content as token and returns its id.
func startImport(t testing.TB, s *apitest.Server, token string, content []byte, dryRun bool) string {
	t.Helper()
	r := s.DoUpload(token, startImportDoc, map[string]any{"file": nil, "dryRun": dryRun},
		map[string]apitest.File{"variables.file": {Name: "名录.xlsx", Content: content}})
	require.Empty(t, r.Errors, "startDirectoryImport")
	var out struct{ StartDirectoryImport importJob }
	r.Decode(t, &out)
	require.Equal(t, dryRun, out.StartDirectoryImport.DryRun)
	require.Equal(t, "名录.xlsx", out.StartDirectoryImport.FileName)
	return out.StartDirectoryImport.ID
}

// jobOf reads job id as token.
func jobOf(t testing.TB, s *apitest.Server, token, id string) importJob {
	t.Helper()
	var out struct{ ImportJob importJob }
	gqOK(t, s, token, importJobDoc, map[string]any{"id": id}).Decode(t, &out)
	return out.ImportJob
}

// cleanDryRun is a finished, clean dry run of the empty template by token:
// the job a confirm is made from in the mutation tables.
func cleanDryRun(t testing.TB, s *apitest.Server, token string) string {
	t.Helper()
	s.StartJobs()
	id := startImport(t, s, token, emptyWorkbook(t), true)
	s.App.Imports.Wait()
	require.Equal(t, "SUCCEEDED", jobOf(t, s, token, id).State)
	return id
}

// countRows is the number of rows of table.
func countRows(t testing.TB, s *apitest.Server, table string) int {
	t.Helper()
	var n int
	require.NoError(t, s.DB.SQL.QueryRow("SELECT COUNT(*) FROM "+table).Scan(&n))
	return n
}

// exportedSheets is GET /export/directory.xlsx as token: each sheet's data
// rows, joined.
func exportedSheets(t testing.TB, s *apitest.Server, token string) map[string][]string {
	t.Helper()
	res, body := s.Get(token, "/export/directory.xlsx")
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	f, err := excelize.OpenReader(bytes.NewReader(body))
	require.NoError(t, err)
	defer f.Close()
	out := map[string][]string{}
	for _, sheet := range []string{directory.SheetEnterprises, directory.SheetUsers, directory.SheetPosts} {
		rows, err := f.GetRows(sheet)
		require.NoError(t, err)
		for _, r := range rows[1:] {
			out[sheet] = append(out[sheet], fmt.Sprint(r))
		}
	}
	return out
}

// An import writes through the services' own input rules, the rules the
// GraphQL layer applies to the same fields (internal/input): a one-line
// text holds no control characters and keeps its field's limit. The bad
// cell is named with BAD_USER_INPUT and the import, not a dry run, writes
// nothing — neither the bad row nor the good row beside it.
func TestImportRefusesWhatGraphQLRefuses(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.StartJobs()
		admin := s.As("admin")
		credit := func(base string) string {
			c, err := domain.CreditCodeWithCheck(base)
			require.NoError(t, err)
			return c
		}
		enterprises := func(name, address string) map[string][][]any {
			return map[string][][]any{directory.SheetEnterprises: {
				{"名称", "编码", "所属镇街编码", "统一社会信用代码", "行业", "地址"},
				{name, "ENT-RULE-1", seed.CodeTownChengguan, credit("91341100MA2N30007"), "工业", address},
				{"规则测试好企业", "ENT-RULE-2", seed.CodeTownChengguan, credit("91341100MA2N30008"), "工业", "城关大道1号"}}}
		}
		users := func(displayName string) map[string][][]any {
			return map[string][][]any{directory.SheetUsers: {
				{"用户名", "姓名", "所属单位编码", "初始密码"},
				{"rule.user1", displayName, seed.CodeTownChengguan, "long-enough-password"},
				{"rule.user2", "规则好员", seed.CodeTownChengguan, "long-enough-password"}}}
		}
		for _, c := range []struct {
			name   string
			sheets map[string][][]any
			cell   string // sheet!row:column
			says   string // in the problem's message
		}{
			{"an enterprise name with a line feed is refused", enterprises("导入\n企业", ""), "企业!2:名称", "control characters"},
			{"an enterprise name with a C1 control character (CSI) is refused", enterprises("导入\u009b31m企业", ""), "企业!2:名称", "control characters"},
			{"an enterprise address with a C1 control character (NEL) is refused", enterprises("导入企业", "城关\u0085大道"), "企业!2:地址", "control characters"},
			{"a user's display name with a tab is refused", users("导入\t员"), "用户!2:姓名", "control characters"},
			{"a user's display name with DEL is refused", users("导入\x7f员"), "用户!2:姓名", "control characters"},
			{"a user's display name past GraphQL's 100 characters is refused", users(strings.Repeat("员", 101)), "用户!2:姓名", "at most 100 characters"},
			{"a post's title with a line feed is refused", map[string][][]any{
				directory.SheetUsers: {{"用户名", "姓名", "所属单位编码", "初始密码"}, {"rule.user3", "规则员", seed.CodeTownChengguan, "long-enough-password"}},
				directory.SheetPosts: {{"用户名", "单位编码", "角色", "职务"}, {"rule.user3", seed.CodeTownChengguan, "检查员", "驻点\n检查"}}},
				"岗位!2:职务", "control characters"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := map[string]int{}
				for _, tbl := range []string{"units", "enterprises", "users", "posts"} {
					before[tbl] = countRows(t, s, tbl)
				}
				id := startImport(t, s, admin, workbook(t, c.sheets), false)
				s.App.Imports.Wait()
				job := jobOf(t, s, admin, id)
				require.Equal(t, "FAILED", job.State, "%d enterprises, %d users, %d posts imported", job.Enterprises, job.Users, job.Posts)
				require.Len(t, job.Problems, 1, "only the bad cell is a problem: %+v", job.Problems)
				p := job.Problems[0]
				require.Equal(t, c.cell, fmt.Sprintf("%s!%d:%s", p.Sheet, p.Row, p.Column), "%+v", p)
				require.Equal(t, "BAD_USER_INPUT", p.Code, "%+v", p)
				require.Contains(t, p.Message, c.says)
				after := map[string]int{}
				for tbl := range before {
					after[tbl] = countRows(t, s, tbl)
				}
				require.Equal(t, before, after, "the import wrote nothing")
			})
		}
	})
}

func TestImportJob(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.StartJobs()
		admin, nb, auditor := s.As("admin"), s.As(seed.NeighborSecretary), s.As("auditor.county")
		credit := func(base string) string {
			c, err := domain.CreditCodeWithCheck(base)
			require.NoError(t, err)
			return c
		}
		// A clean workbook: one enterprise, one user, one post each.
		clean := func(n int) []byte {
			user := fmt.Sprintf("import.user%d", n)
			return workbook(t, map[string][][]any{
				directory.SheetEnterprises: {{"名称", "编码", "所属镇街编码", "统一社会信用代码", "行业", "规模", "从业人数"},
					{fmt.Sprintf("导入测试企业%d", n), fmt.Sprintf("ENT-IMPORT-%d", n), seed.CodeTownChengguan,
						credit(fmt.Sprintf("91341100MA2N1000%d", n)), "工业", "规上工业", "12"}},
				directory.SheetUsers: {{"用户名", "姓名", "所属单位编码", "初始密码"},
					{user, fmt.Sprintf("导入员%d", n), seed.CodeTownChengguan, "long-enough-password"}},
				directory.SheetPosts: {{"用户名", "单位编码", "角色", "职务"},
					{user, seed.CodeTownChengguan, "检查员", "驻点"}},
			})
		}
		tables := []string{"units", "enterprises", "users", "posts"}
		counts := func() map[string]int {
			out := map[string]int{}
			for _, tbl := range tables {
				out[tbl] = countRows(t, s, tbl)
			}
			return out
		}

		t.Run("a dry run of a file with a bad value in each column lists every problem and writes nothing", func(t *testing.T) {
			bad := workbook(t, map[string][][]any{
				directory.SheetEnterprises: {{"名称", "编码", "所属镇街编码", "统一社会信用代码", "行业", "规模", "从业人数"},
					{"好企业", "ENT-NEW-1", seed.CodeTownChengguan, credit("91341100MA2N00007"), "工业", "规上工业", "10"},
					{"坏企业", "ENT-NEW-2", "TOWN-NOWHERE", "not-a-code", "养殖", "巨型", "many"}},
				directory.SheetUsers: {{"用户名", "姓名", "所属单位编码", "初始密码"},
					{"county.head", "重名", "COUNTY", "long-enough-password"},
					{"Bad Name!", "", "COUNTY", "short"}},
				directory.SheetPosts: {{"用户名", "单位编码", "角色", "职务", "分管行业", "起始日期"},
					{"nobody.here", seed.CodeTownChengguan, "检查员", "驻点", "", ""},
					{"county.head", "UNIT-NOWHERE", "检查员", "驻点", "", ""},
					{"county.head", seed.CodeTownChengguan, "国王", "驻点", "", ""},
					{"county.head", seed.CodeTownChengguan, "检查员", "驻点", "养殖", ""},
					{"county.head", seed.CodeTownChengguan, "检查员", "驻点", "", "not-a-date"}},
			})
			before := counts()
			id := startImport(t, s, admin, bad, true)
			s.App.Imports.Wait()
			job := jobOf(t, s, admin, id)
			require.Equal(t, "FAILED", job.State)
			require.NotNil(t, job.FinishedAt)
			require.Equal(t, job.RowsTotal, job.RowsDone)
			cells := map[string]string{}
			for _, p := range job.Problems {
				cells[fmt.Sprintf("%s!%d:%s", p.Sheet, p.Row, p.Column)] = p.Value
				require.NotEmpty(t, p.Message, "%+v", p)
				require.NotEqual(t, "INTERNAL", p.Code, "%+v", p)
			}
			for want, value := range map[string]string{"企业!3:所属镇街编码": "TOWN-NOWHERE", "企业!3:统一社会信用代码": "not-a-code",
				"企业!3:行业": "养殖", "企业!3:规模": "巨型", "企业!3:从业人数": "many",
				"用户!2:用户名": "county.head", "用户!3:姓名": "",
				"岗位!2:用户名": "nobody.here", "岗位!3:单位编码": "UNIT-NOWHERE", "岗位!4:角色": "国王", "岗位!5:分管行业": "养殖",
				"岗位!6:起始日期": "not-a-date"} {
				got, ok := cells[want]
				require.True(t, ok, "no problem named for %s; problems: %+v", want, job.Problems)
				require.Equal(t, value, got, "the value of %s", want)
			}
			require.Equal(t, before, counts(), "the dry run wrote nothing")
		})

		var dry string
		t.Run("a clean dry run writes nothing; confirmed, it imports what the export then lists", func(t *testing.T) {
			before, exportBefore := counts(), exportedSheets(t, s, admin)
			dry = startImport(t, s, admin, clean(1), true)
			s.App.Imports.Wait()
			job := jobOf(t, s, admin, dry)
			require.Equal(t, "SUCCEEDED", job.State, "%+v", job.Problems)
			require.Empty(t, job.Problems)
			require.Equal(t, [3]int{1, 1, 1}, [3]int{job.Enterprises, job.Users, job.Posts})
			require.Equal(t, before, counts(), "the dry run wrote nothing")

			var out struct{ ConfirmDirectoryImport importJob }
			gqOK(t, s, admin, confirmImportDoc, map[string]any{"id": dry}).Decode(t, &out)
			confirm := out.ConfirmDirectoryImport
			require.False(t, confirm.DryRun)
			require.Equal(t, dry, *confirm.DryRunJobID)
			s.App.Imports.Wait()
			job = jobOf(t, s, admin, confirm.ID)
			require.Equal(t, "SUCCEEDED", job.State, "%+v", job.Problems)
			require.Equal(t, [3]int{1, 1, 1}, [3]int{job.Enterprises, job.Users, job.Posts})
			require.NotNil(t, jobOf(t, s, admin, dry).ConfirmedAt, "the dry run is marked confirmed")

			after := exportedSheets(t, s, admin)
			for _, sheet := range []string{directory.SheetEnterprises, directory.SheetUsers, directory.SheetPosts} {
				require.Len(t, after[sheet], len(exportBefore[sheet])+1, "sheet %s holds one more row", sheet)
			}
			require.Contains(t, fmt.Sprint(after[directory.SheetEnterprises]), "导入测试企业1")
			require.Contains(t, fmt.Sprint(after[directory.SheetUsers]), "import.user1")
			require.Contains(t, fmt.Sprint(after[directory.SheetPosts]), "import.user1")
		})

		t.Run("a second confirm of the dry run is a CONFLICT and imports nothing more", func(t *testing.T) {
			require.NotEmpty(t, dry)
			before := counts()
			r := gq(t, s, admin, confirmImportDoc, map[string]any{"id": dry})
			requireCode(t, r, "CONFLICT")
			s.App.Imports.Wait()
			require.Equal(t, before, counts())
		})

		t.Run("of two concurrent confirms of one dry run, one imports and the other is a CONFLICT", func(t *testing.T) {
			id := startImport(t, s, admin, clean(2), true)
			s.App.Imports.Wait()
			require.Equal(t, "SUCCEEDED", jobOf(t, s, admin, id).State)
			before := counts()
			codes := make([]string, 2)
			var wg sync.WaitGroup
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := s.Do(admin, confirmImportDoc, map[string]any{"id": id})
					codes[i] = r.Code()
				}()
			}
			wg.Wait()
			s.App.Imports.Wait()
			require.ElementsMatch(t, []string{"", "CONFLICT"}, codes)
			after := counts()
			require.Equal(t, before["enterprises"]+1, after["enterprises"], "imported once")
			require.Equal(t, before["users"]+1, after["users"], "imported once")
		})

		t.Run("a dry run that found problems, or a confirm, cannot be confirmed", func(t *testing.T) {
			bad := startImport(t, s, admin, workbook(t, map[string][][]any{directory.SheetUsers: {{"用户名", "姓名", "所属单位编码"},
				{"county.head", "重名", "COUNTY"}}}), true)
			s.App.Imports.Wait()
			requireCode(t, gq(t, s, admin, confirmImportDoc, map[string]any{"id": bad}), "CONFLICT")
			real := startImport(t, s, admin, emptyWorkbook(t), false)
			s.App.Imports.Wait()
			requireCode(t, gq(t, s, admin, confirmImportDoc, map[string]any{"id": real}), "CONFLICT")
		})

		t.Run("a poller sees the rows done while the import runs, reaching the total", func(t *testing.T) {
			var armed atomic.Bool
			reached, release := make(chan int), make(chan struct{})
			s.App.Imports.Observe = func(_, done, _ int) {
				if done == 1 && armed.CompareAndSwap(true, false) {
					reached <- done
					<-release
				}
			}
			s.App.Imports.FlushEvery = 10 * time.Millisecond
			armed.Store(true)
			id := startImport(t, s, admin, clean(3), true)
			<-reached
			job := jobOf(t, s, admin, id)
			require.Equal(t, "RUNNING", job.State)
			require.Equal(t, 1, job.RowsDone)
			require.Equal(t, 3, job.RowsTotal)
			if s.DB.Dialect == dialect.Postgres {
				// Another replica reads the row: the progress is written to
				// it outside the import's transaction, which is still open.
				require.Eventually(t, func() bool {
					var done, total int
					err := s.DB.SQL.QueryRow(`SELECT rows_done, rows_total FROM import_jobs WHERE id = $1`, decodeID(t, id)).Scan(&done, &total)
					return err == nil && done == 1 && total == 3
				}, time.Minute, 10*time.Millisecond, "the row shows 1 of 3 rows done")
			}
			close(release)
			s.App.Imports.Wait()
			job = jobOf(t, s, admin, id)
			require.Equal(t, "SUCCEEDED", job.State)
			require.Equal(t, 3, job.RowsDone)
			require.Equal(t, job.RowsTotal, job.RowsDone)
		})

		t.Run("another tenant sees no job: importJob and node are NOT_FOUND", func(t *testing.T) {
			require.NotEmpty(t, dry)
			requireCode(t, gq(t, s, nb, importJobDoc, map[string]any{"id": dry}), "NOT_FOUND")
			r := gq(t, s, nb, `query($id: ID!) { node(id: $id) { id ... on ImportJob { fileName } } }`, map[string]any{"id": dry})
			require.JSONEq(t, `{"node": null}`, string(r.Data))
			if len(r.Errors) > 0 {
				requireCode(t, r, "NOT_FOUND")
			}
			r = gqOK(t, s, admin, `query($id: ID!) { node(id: $id) { id ... on ImportJob { fileName } } }`, map[string]any{"id": dry})
			require.Contains(t, string(r.Data), "名录.xlsx", "the creator reaches it through node")
		})

		t.Run("a town's job is read from the town and the county, not from another town", func(t *testing.T) {
			id := cleanDryRun(t, s, s.As("chengguan.admin"))
			require.Equal(t, "城关镇管理员", jobOf(t, s, s.As("chengguan.head"), id).CreatedByName)
			require.Equal(t, id, jobOf(t, s, s.As("county.head"), id).ID)
			requireCode(t, gq(t, s, s.As("xihe.head"), importJobDoc, map[string]any{"id": id}), "NOT_FOUND")
			requireCode(t, gq(t, s, s.As("xihe.head"), confirmImportDoc, map[string]any{"id": id}), "NOT_FOUND")
		})

		t.Run("a post ended after the confirm was accepted fails the confirm's job with the reason, and it writes nothing", func(t *testing.T) {
			town := s.As("chengguan.admin")
			dry := startImport(t, s, town, clean(5), true)
			s.App.Imports.Wait()
			require.Equal(t, "SUCCEEDED", jobOf(t, s, town, dry).State)
			var armed atomic.Bool
			reached, release := make(chan int), make(chan struct{})
			s.App.Imports.BeforeRun = func(id int) {
				if armed.CompareAndSwap(true, false) {
					reached <- id
					<-release
				}
			}
			defer func() { s.App.Imports.BeforeRun = nil }()
			armed.Store(true)
			var out struct{ ConfirmDirectoryImport importJob }
			gqOK(t, s, town, confirmImportDoc, map[string]any{"id": dry}).Decode(t, &out)
			confirm := out.ConfirmDirectoryImport.ID
			require.Equal(t, decodeID(t, confirm), <-reached)
			before := counts()
			// The county administrator ends the town administrator's post
			// while the confirm's job is about to run.
			sys := authz.SystemContext(t.Context())
			u, err := s.DB.Client.User.Query().Where(user.Username("chengguan.admin")).Only(sys)
			require.NoError(t, err)
			p, err := s.DB.Client.Post.Query().Where(entpost.UserID(u.ID), entpost.ValidToIsNil()).First(sys)
			require.NoError(t, err)
			gqOK(t, s, admin, `mutation($id: ID!) { endPost(input: {id: $id}) { post { id } } }`, map[string]any{"id": gid.Encode(p.ID)})
			close(release)
			s.App.Imports.Wait()
			job := jobOf(t, s, admin, confirm)
			require.Equal(t, "FAILED", job.State)
			require.Len(t, job.Problems, 1)
			require.Equal(t, "FORBIDDEN", job.Problems[0].Code)
			require.Contains(t, job.Problems[0].Message, "no longer holds a post")
			require.NotNil(t, job.FinishedAt)
			require.Equal(t, before, counts(), "nothing written")
		})

		t.Run("the auditor may not start an import: FORBIDDEN, nothing stored", func(t *testing.T) {
			before := countRows(t, s, "import_jobs")
			r := s.DoUpload(auditor, startImportDoc, map[string]any{"file": nil, "dryRun": true},
				map[string]apitest.File{"variables.file": {Name: "名录.xlsx", Content: emptyWorkbook(t)}})
			requireCode(t, r, "FORBIDDEN")
			require.Equal(t, before, countRows(t, s, "import_jobs"))
		})
	})
}
