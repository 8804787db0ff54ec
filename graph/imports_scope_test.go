package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/directory"
	"github.com/dutychain/dutychain/internal/seed"
)

// An import job's problems and the usernames it imported without a password
// describe the rows of its workbook: users and enterprises of every sector.
// A post whose sectors do not cover them must not read them through the job
// (the job is read by every non-directory grant whose path holds the unit it
// was started from, whatever the grant's sectors).
func TestImportJobsShowOnlyRowsOfTheReadersSectors(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.StartJobs()
		admin, deputy := s.As("admin"), s.As("county.deputy.industry")
		// The county administrator imports a workbook: a user of the hotel
		// (a COMMERCE enterprise) without a password, and a post for them.
		content := workbook(t, map[string][][]any{
			directory.SheetUsers: {{"用户名", "姓名", "所属单位编码", "初始密码"},
				{"hotel.cashier", "酒店收银员王某", seed.CodeHotel, ""}},
			directory.SheetPosts: {{"用户名", "单位编码", "角色", "职务"},
				{"hotel.cashier", seed.CodeHotel, "安全管理人员", "收银兼安全员"}},
		})
		id := startImport(t, s, admin, content, false)
		s.App.Imports.Wait()
		done := jobOf(t, s, admin, id)
		require.Equal(t, "SUCCEEDED", done.State, "%+v", done.Problems)
		require.Equal(t, []string{"hotel.cashier"}, done.UsersWithoutPassword)
		require.Equal(t, []string{"hotel.cashier"}, names(s, admin, "users", `{usernameContains: "hotel"}`))
		require.Empty(t, names(s, deputy, "users", `{usernameContains: "hotel"}`), "the industry deputy reads no user of the hotel")

		t.Run("the county's industry deputy does not read the hotel's rows through the county administrator's job", func(t *testing.T) {
			r := gq(t, s, deputy, importJobDoc, map[string]any{"id": id})
			if len(r.Errors) > 0 {
				requireCode(t, r, "NOT_FOUND")
				return
			}
			var out struct{ ImportJob importJob }
			r.Decode(t, &out)
			job := out.ImportJob
			require.NotContains(t, job.UsersWithoutPassword, "hotel.cashier",
				"the job names a user of the hotel, whom users and node hide from the industry deputy (job: %d users, %d posts)", job.Users, job.Posts)
		})
	})
}
