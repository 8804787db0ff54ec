package synth_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/synth"
	"github.com/dutychain/dutychain/server"
)

// viewStatements pins the statements of each view of BenchmarkViews (the
// viewer's load included) for the county head, a town head and an
// enterprise principal of the small synthetic run. They must not grow with
// the data: the benchmark reports the same at county scale.
var viewStatements = map[string][3]int{
	"noticeCoverage":                     {5, 5, 5},
	"noticeCoverage-overdue-enterprises": {5, 5, 5},
	"dashboard":                          {16, 16, 16},
	"trainingCoverage":                   {4, 4, 4},
	"certificateStatus-gaps":             {4, 4, 2},
	"dutyListGaps":                       {5, 5, 2},
	"drillCompliance-behind":             {3, 3, 3},
	"drillCompliance-planGaps":           {3, 3, 3},
	"emergencyPlans-reviewDue":           {3, 3, 3},
	"dutyRostersWithGaps":                {4, 4, 4},
	"riskMap":                            {4, 4, 4},
	"overdueFollowUps":                   {4, 4, 3}, // the county's and the town's pages name assignees: one batched load
	"enforcementActions":                 {3, 3, 3},
	"riskPoints-overdueChecks":           {5, 5, 4},
}

// checkViewStatements calls every benchmarked view as the three callers and
// compares the statements the server counted with viewStatements.
func checkViewStatements(t *testing.T, s *apitest.Server, d *db.DB, tid int) {
	users := []struct{ username, unit string }{
		{synth.Username(1, synth.LevelCounty, 0, synth.RoleHead), synth.UnitCode(1, synth.LevelCounty, 0)},
		{synth.Username(1, synth.LevelTown, 1, synth.RoleHead), synth.UnitCode(1, synth.LevelTown, 1)},
		{synth.Username(1, synth.LevelEnterprise, 1, synth.RolePrincipal), synth.UnitCode(1, synth.LevelEnterprise, 1)},
	}
	var got []string
	for _, v := range views {
		var n [3]int
		for i, u := range users {
			var unitID int
			if err := d.SQL.QueryRow("SELECT id FROM units WHERE tenant_id = $1 AND code = $2", tid, u.unit).Scan(&unitID); err != nil {
				t.Fatal(err)
			}
			vars := map[string]any{}
			if strings.Contains(v.doc, "$unit") {
				vars["unit"] = gid.Encode(unitID)
			}
			body, err := json.Marshal(map[string]any{"query": v.doc, "variables": vars})
			if err != nil {
				t.Fatal(err)
			}
			// The loaders batch the rows that ask within their wait; on a
			// loaded machine a batch may split, which is timing, not a
			// statement per row: the fewest of three runs counts.
			for run := range 3 {
				res, out := s.DoRaw(s.LoginWith(synth.DefaultOptions().Tenant, u.username, synth.Password), "application/json", body)
				var r apitest.Response
				if err := json.Unmarshal(out, &r); err != nil || len(r.Errors) > 0 {
					t.Fatalf("%s as %s: %s %v", v.name, u.username, out, err)
				}
				m, err := strconv.Atoi(res.Header.Get(server.StatementsHeader))
				if err != nil {
					t.Fatalf("the statement header: %v", err)
				}
				if run == 0 || m < n[i] {
					n[i] = m
				}
			}
		}
		got = append(got, fmt.Sprintf("%q: {%d, %d, %d},", v.name, n[0], n[1], n[2]))
		if want, ok := viewStatements[v.name]; !ok || want != n {
			t.Errorf("%s: %v statements (county, town, enterprise), pinned %v", v.name, n, want)
		}
	}
	if t.Failed() {
		t.Logf("measured:\n%s", strings.Join(got, "\n"))
	}
}

// checkOtherTenantsCertificates plants a post of the demo tenant on a
// synthetic enterprise (a row no service writes) and checks that the
// certificate status of the synthetic county does not count it.
func checkOtherTenantsCertificates(t *testing.T, s *apitest.Server, d *db.DB, tid int) {
	tok := s.LoginWith(synth.DefaultOptions().Tenant, synth.Username(1, synth.LevelCounty, 0, synth.RoleHead), synth.Password)
	doc := `{ certificateStatus(first: 50) { summary { required held missing } edges { node { counts { required } } } } }`
	before := s.MustDo(tok, doc, nil)
	var entID, otherTenant, otherUser int
	var path string
	if err := d.SQL.QueryRow("SELECT id, scope_path FROM units WHERE tenant_id = $1 AND code = $2", tid,
		synth.UnitCode(1, synth.LevelEnterprise, 1)).Scan(&entID, &path); err != nil {
		t.Fatal(err)
	}
	if err := d.SQL.QueryRow("SELECT tenant_id, id FROM users WHERE tenant_id <> $1 ORDER BY id LIMIT 1", tid).Scan(&otherTenant, &otherUser); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL.Exec(`INSERT INTO posts (created_at, updated_at, tenant_id, scope_path, scope_enterprise_id, role, title, valid_from, unit_id, user_id)
		VALUES ($1, $1, $2, $3, $4, 'PRINCIPAL', '主要负责人', $5, $4, $6)`, now, otherTenant, path, entID, now.AddDate(-1, 0, 0), otherUser); err != nil {
		t.Fatal(err)
	}
	after := s.MustDo(tok, doc, nil)
	if a, b := string(after.Data), string(before.Data); a != b {
		t.Errorf("another tenant's post changed the certificate status:\nbefore %s\nafter  %s", b, a)
	}
}
