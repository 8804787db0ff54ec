package graph_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/directory"
	"github.com/dutychain/dutychain/internal/seed"
)

// An import job's problems and the usernames it imported without a password
// describe the rows of its workbook: users and enterprises of every sector
// in the territory of the post it was started under. A job is scoped by that
// post — its unit's path and the sector key of its sectors, every sector for
// a post without — so it is read (and confirmed) only by posts that read
// everything it may write: at or above the unit, with those sectors or none.
// (The job used to be read by every non-directory grant whose path held the
// unit, whatever the grant's sectors.)
func TestImportJobsShowOnlyRowsOfTheReadersSectors(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.StartJobs()
		admin := s.As("admin")
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
		require.Empty(t, names(s, s.As("county.deputy.industry"), "users", `{usernameContains: "hotel"}`), "the industry deputy reads no user of the hotel")

		for _, tc := range []struct {
			name, user string
			reads      bool
		}{
			{"the county administrator reads the job they started", "admin", true},
			{"the county head reads the county administrator's job", "county.head", true},
			{"the county auditor reads it", "auditor.county", true},
			{"the county's industry deputy does not read the hotel's rows through the county administrator's job", "county.deputy.industry", false},
			{"the administrator of 城关镇 does not read a job of the county", "chengguan.admin", false},
			{"the commerce deputy of 西河镇 does not read it", "xihe.deputy", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := gq(t, s, s.As(tc.user), importJobDoc, map[string]any{"id": id})
				if !tc.reads {
					requireCode(t, r, "NOT_FOUND")
					require.NotContains(t, string(r.Data), "hotel.cashier")
					return
				}
				require.Empty(t, r.Errors)
				var out struct{ ImportJob importJob }
				r.Decode(t, &out)
				require.Equal(t, []string{"hotel.cashier"}, out.ImportJob.UsersWithoutPassword)
			})
		}
	})
}

// A dry run is confirmed only by a post that may import and reads it, and
// the confirmation is scoped by that post: a sector-restricted administrator
// confirms neither another's all-sector dry run nor reads it; their own dry
// run is read by the county's unrestricted posts, and by no post of other
// sectors.
func TestImportJobsOfASectorAdministrator(t *testing.T) {
	apitest.Each(t, func(t *testing.T, s *apitest.Server) {
		s.StartJobs()
		admin, head := s.As("admin"), s.As("county.head")
		county := unitID(t, s, admin, seed.CodeCounty)
		// The industry deputy is also made the county's administrator for
		// INDUSTRY.
		gqOK(t, s, admin, `mutation($in: CreatePostInput!) { createPost(input: $in) { post { id } } }`, map[string]any{"in": map[string]any{
			"userID": userID(t, s, admin, "county.deputy.industry"), "unitID": county, "role": "ADMIN",
			"sectors": []string{"INDUSTRY"}, "title": "县安委办工业系统管理员"}})
		industry := s.As("county.deputy.industry")

		theirs := cleanDryRun(t, s, industry)
		all := cleanDryRun(t, s, admin)

		for _, tc := range []struct {
			name, user, job string
			reads           bool
		}{
			{"the industry administrator reads their own dry run", "county.deputy.industry", theirs, true},
			{"the county administrator reads the industry administrator's dry run", "admin", theirs, true},
			{"the county head reads it", "county.head", theirs, true},
			{"the commerce deputy of 西河镇 does not read it", "xihe.deputy", theirs, false},
			{"the industry administrator does not read the county administrator's dry run of every sector", "county.deputy.industry", all, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := gq(t, s, s.As(tc.user), importJobDoc, map[string]any{"id": tc.job})
				if tc.reads {
					require.Empty(t, r.Errors)
				} else {
					requireCode(t, r, "NOT_FOUND")
				}
			})
		}

		t.Run("the industry administrator does not confirm the county administrator's dry run", func(t *testing.T) {
			requireCode(t, gq(t, s, industry, confirmImportDoc, map[string]any{"id": all}), "NOT_FOUND")
			require.Nil(t, jobOf(t, s, head, all).ConfirmedAt)
		})

		t.Run("the administrator of 城关镇 does not confirm a dry run of the county", func(t *testing.T) {
			requireCode(t, gq(t, s, s.As("chengguan.admin"), confirmImportDoc, map[string]any{"id": theirs}), "NOT_FOUND")
			require.Nil(t, jobOf(t, s, head, theirs).ConfirmedAt)
		})

		t.Run("the county administrator confirms the industry administrator's dry run, and the confirmation is scoped by the county administrator's post", func(t *testing.T) {
			var out struct{ ConfirmDirectoryImport importJob }
			gqOK(t, s, admin, confirmImportDoc, map[string]any{"id": theirs}).Decode(t, &out)
			s.App.Imports.Wait()
			// The confirmation is scoped by the confirming post (the county
			// administrator's, every sector): the industry administrator,
			// who read the dry run, does not read it.
			requireCode(t, gq(t, s, industry, importJobDoc, map[string]any{"id": out.ConfirmDirectoryImport.ID}), "NOT_FOUND")
			require.Equal(t, "SUCCEEDED", jobOf(t, s, head, out.ConfirmDirectoryImport.ID).State)
		})

		t.Run("the industry administrator confirms their own dry run", func(t *testing.T) {
			again := cleanDryRun(t, s, industry)
			var out struct{ ConfirmDirectoryImport importJob }
			gqOK(t, s, industry, confirmImportDoc, map[string]any{"id": again}).Decode(t, &out)
			s.App.Imports.Wait()
			require.Equal(t, "SUCCEEDED", jobOf(t, s, industry, out.ConfirmDirectoryImport.ID).State)
			requireCode(t, gq(t, s, s.As("xihe.deputy"), importJobDoc, map[string]any{"id": out.ConfirmDirectoryImport.ID}), "NOT_FOUND")
		})
	})
}
