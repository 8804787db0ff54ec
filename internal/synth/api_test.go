package synth_test

import (
	"testing"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/synth"
	"github.com/dutychain/dutychain/internal/testdb"
)

// TestSyntheticUsersSeeTheirJurisdiction signs the generated users in over
// HTTP and compares what the API lists with what SQL says their
// jurisdiction holds.
func TestSyntheticUsersSeeTheirJurisdiction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		res := generate(t, d, small())
		// Also loads the demo tenants beside it; the statement header serves checkViews.
		s := apitest.Start(t, d, func(c *config.Config) { c.StatementHeader = true })
		s.Clock.Set(now) // the records are due relative to the data's now
		tid := res.TenantID
		path := func(code string) string {
			var p string
			if err := d.SQL.QueryRow("SELECT scope_path FROM units WHERE tenant_id = $1 AND code = $2", tid, code).Scan(&p); err != nil {
				t.Fatalf("unit %s: %v", code, err)
			}
			return p
		}
		under := func(code string) int {
			return count(t, d, "SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND scope_path LIKE $2", tid, path(code)+"%")
		}
		county1, county2 := synth.UnitCode(1, synth.LevelCounty, 0), synth.UnitCode(2, synth.LevelCounty, 0)
		if under(county2) == 0 {
			t.Fatal("county 2 has no hazards: the test would prove nothing")
		}
		for _, tc := range []struct {
			name, username string
			want           int
		}{
			{"the city head sees every hazard of the tenant", synth.Username(0, synth.LevelCity, 0, synth.RoleHead), 3000},
			{"a county head sees their county's hazards and none of county 2's",
				synth.Username(1, synth.LevelCounty, 0, synth.RoleHead), under(county1)},
			{"a county secretary sees what the county head sees (党政同责)",
				synth.Username(1, synth.LevelCounty, 0, synth.RoleSecretary), under(county1)},
			{"a town head sees their town's hazards",
				synth.Username(1, synth.LevelTown, 1, synth.RoleHead), under(synth.UnitCode(1, synth.LevelTown, 1))},
			{"a town inspector sees their town's hazards",
				synth.Username(2, synth.LevelTown, 3, synth.RoleInspector), under(synth.UnitCode(2, synth.LevelTown, 3))},
			{"an enterprise principal sees only their enterprise's hazards",
				synth.Username(1, synth.LevelEnterprise, 1, synth.RolePrincipal), under(synth.UnitCode(1, synth.LevelEnterprise, 1))},
			{"the county's industry deputy sees only INDUSTRY hazards of the county",
				synth.Username(1, synth.LevelCounty, 0, "deputy.industry"),
				count(t, d, "SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND scope_path LIKE $2 AND scope_sector = 'INDUSTRY'", tid, path(county1)+"%")},
			{"the industry department's head sees the INDUSTRY enterprises it supervises",
				synth.Username(1, synth.LevelDepartment, 1, synth.RoleHead),
				count(t, d, `SELECT COUNT(*) FROM hazards WHERE tenant_id = $1 AND scope_enterprise_id IN
					(SELECT enterprise_id FROM supervisions WHERE department_id = (SELECT id FROM units WHERE tenant_id = $1 AND code = $2))`,
					tid, synth.UnitCode(1, synth.LevelDepartment, 1))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.want == 0 {
					t.Fatal("no hazard expected: the case proves nothing")
				}
				tok := s.LoginWith(synth.DefaultOptions().Tenant, tc.username, synth.Password)
				var out struct{ Hazards struct{ TotalCount int } }
				s.MustDo(tok, `{ hazards(first: 20) { totalCount } }`, nil).Decode(t, &out)
				if out.Hazards.TotalCount != tc.want {
					t.Errorf("%s sees %d hazards, SQL says %d", tc.username, out.Hazards.TotalCount, tc.want)
				}
			})
		}
		t.Run("a town head's receipt coverage counts the receipts of their town", func(t *testing.T) {
			town := synth.UnitCode(1, synth.LevelTown, 1)
			want := count(t, d, "SELECT COUNT(*) FROM notice_receipts WHERE tenant_id = $1 AND scope_path LIKE $2", tid, path(town)+"%")
			if want == 0 {
				t.Fatal("the town has no receipts: the case proves nothing")
			}
			tok := s.LoginWith(synth.DefaultOptions().Tenant, synth.Username(1, synth.LevelTown, 1, synth.RoleHead), synth.Password)
			var out struct {
				NoticeCoverage struct {
					Summary struct{ Total, Received, Overdue int }
				}
			}
			s.MustDo(tok, `{ noticeCoverage(first: 5) { summary { total received overdue } } }`, nil).Decode(t, &out)
			if got := out.NoticeCoverage.Summary; got.Total != want || got.Received == 0 {
				t.Errorf("coverage %+v, SQL says %d receipts", got, want)
			}
		})
		t.Run("the industry deputy's list holds no other sector", func(t *testing.T) {
			tok := s.LoginWith(synth.DefaultOptions().Tenant, synth.Username(1, synth.LevelCounty, 0, "deputy.industry"), synth.Password)
			var out struct{ Hazards struct{ TotalCount int } }
			s.MustDo(tok, `{ hazards(first: 1, where: {sector: COMMERCE}) { totalCount } }`, nil).Decode(t, &out)
			if out.Hazards.TotalCount != 0 {
				t.Errorf("%d COMMERCE hazards visible", out.Hazards.TotalCount)
			}
		})
		t.Run("the demo tenant's users see nothing of the synthetic tenant", func(t *testing.T) {
			var out struct{ Hazards struct{ TotalCount int } }
			s.MustDo(s.As("county.head"), `{ hazards(first: 1) { totalCount } }`, nil).Decode(t, &out)
			if out.Hazards.TotalCount >= 3000 {
				t.Errorf("county.head of demo sees %d hazards", out.Hazards.TotalCount)
			}
		})
		t.Run("the record views find the planted gaps", func(t *testing.T) { checkViews(t, s, d, tid) })
		t.Run("the views' statements are those pinned", func(t *testing.T) { checkViewStatements(t, s, d, tid) })
		t.Run("another tenant's posts do not count in the certificate status", func(t *testing.T) {
			checkOtherTenantsCertificates(t, s, d, tid)
		})
	})
}
