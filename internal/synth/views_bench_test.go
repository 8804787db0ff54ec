package synth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/synth"
	"github.com/dutychain/dutychain/internal/testdb"
)

// EnvBenchScale names the synthetic scale BenchmarkViews loads: county or
// province. Unset, the benchmark is skipped: loading takes half a minute
// (county) to several minutes (province).
const EnvBenchScale = "DUTYCHAIN_BENCH_SCALE"

// views are the record views timed at scale: each one a GraphQL document
// whose statement count must not grow with the data. $unit is the
// caller's own unit; the year is the one the synthetic records fill (the
// benchmark's Now, 2023-03-01, minus 150 days).
var views = []struct{ name, doc string }{
	{"noticeCoverage", `{ noticeCoverage(first: 50) { totalCount summary { total received overdue }
		edges { node { notice { documentNumber } recipientKind town { name } counts { total overdue } } } } }`},
	{"noticeCoverage-overdue-enterprises", `{ noticeCoverage(first: 50, where: {recipientKinds: [ENTERPRISE]}) {
		totalCount summary { overdue } edges { node { counts { overdue } } } } }`},
	{"dashboard", `{ dashboard { hazardTotal inspectionTotal hazards { month town { name } sector level state count }
		inspections { month type status count } enforcementTotal enforcement { month town { name } kind state count }
		indicators { kind numerator denominator source } } }`},
	{"trainingCoverage", `{ trainingCoverage(year: 2022, first: 50) { totalCount summary { enterprises covered gaps trainees hours }
		edges { node { enterprise { name } months missing trainees status } } } }`},
	{"certificateStatus-gaps", `{ certificateStatus(first: 50, where: {withGaps: true}) { totalCount
		summary { valid expiring90 expiring30 expired required held missing heldPercent }
		edges { node { enterprise { name } counts { expired missing heldPercent } } } } }`},
	{"dutyListGaps", `{ dutyListGaps(first: 50) { totalCount edges { node { reason post { title } } } } }`},
	{"drillCompliance-behind", `{ drillCompliance(year: 2022, first: 50, where: {statuses: [BEHIND, NONE]}) {
		totalCount edges { node { enterprise { name } status missing planGap } } } }`},
	{"drillCompliance-planGaps", `{ drillCompliance(year: 2022, first: 50, where: {planGap: true}) {
		totalCount edges { node { enterprise { name } hasComprehensivePlan overduePlans } } } }`},
	{"emergencyPlans-reviewDue", `{ emergencyPlans(first: 50, where: {state: EFFECTIVE, reviewDueLT: "2023-05-30T00:00:00Z"}) {
		totalCount edges { node { title reviewDue status } } } }`},
	{"dutyRostersWithGaps", `query($unit: ID!) { dutyRostersWithGaps(unitID: $unit, first: 50,
		from: "2022-01-01T00:00:00+08:00", to: "2023-01-01T00:00:00+08:00") {
		totalCount edges { node { title gaps { start end minutes } } } } }`},
	{"riskMap", `query($unit: ID!) { riskMap(unitID: $unit) { total { red orange yellow blue total }
		byTown { town { name } counts { red orange total } } bySector { sector counts { red total } } } }`},
	{"overdueFollowUps", `{ overdueFollowUps(first: 50) { totalCount edges { node { description followUpOn assignee { name } } } } }`},
	{"enforcementActions", `{ enforcementActions(first: 50, where: {state: ISSUED}) { totalCount
		edges { node { documentNumber kind deadline target { name } issuer { name } } } } }`},
	{"riskPoints-overdueChecks", `query($unit: ID!) { node(id: $unit) { ... on Unit { riskPoints(first: 50, overdueOnly: true) {
		totalCount edges { node { name colour nextCheckDue checklistItems { item dueAt overdue } } } } } } }`},
}

// BenchmarkViews times the record views over HTTP on a synthetic county or
// province (DUTYCHAIN_BENCH_SCALE), as a county head, a town head and an
// enterprise principal of county 1, on every available database; it reports
// the statements per request (X-SQL-Statements) beside the time.
//
//	DUTYCHAIN_BENCH_SCALE=county ./scripts/test.sh ./internal/synth -run '^$' -bench Views -benchtime 50x
func BenchmarkViews(b *testing.B) {
	scale := os.Getenv(EnvBenchScale)
	if scale == "" {
		b.Skipf("set %s=county or province to load a synthetic tenant and time the views", EnvBenchScale)
	}
	for _, dl := range testdb.Dialects(b) {
		d := testdb.Open(b, dl)
		o := synth.DefaultOptions()
		if err := o.ApplyScale(scale); err != nil {
			b.Fatal(err)
		}
		o.Now = time.Date(2023, time.March, 1, 0, 0, 0, 0, time.UTC)
		res, err := synth.Generate(context.Background(), d, o)
		if err != nil {
			b.Fatalf("generate: %v", err)
		}
		if dl == "postgres" {
			if _, err := d.SQL.Exec("VACUUM ANALYZE"); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%s: %d rows in %v", testdb.Name(dl), res.Counts.Total(), res.Elapsed.Round(time.Second))
		for _, table := range res.Counts.Tables() {
			b.Logf("%s: %d %s", testdb.Name(dl), res.Counts.Get(table), table)
		}
		for _, table := range []string{"hazard_tallies", "hazard_month_tallies", "inspection_month_tallies", "enforcement_month_tallies"} {
			var n int
			if err := d.SQL.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d %s rows", testdb.Name(dl), n, table)
		}
		s := apitest.Start(b, d, func(c *config.Config) { c.StatementHeader = true })
		// The server's day is the data's: certificates, reviews and checks
		// are due relative to it.
		s.Clock.Set(o.Now)
		users := []struct{ level, username, unit string }{
			{"county", synth.Username(1, synth.LevelCounty, 0, synth.RoleHead), synth.UnitCode(1, synth.LevelCounty, 0)},
			{"town", synth.Username(1, synth.LevelTown, 1, synth.RoleHead), synth.UnitCode(1, synth.LevelTown, 1)},
			{"enterprise", synth.Username(1, synth.LevelEnterprise, 1, synth.RolePrincipal), synth.UnitCode(1, synth.LevelEnterprise, 1)},
		}
		for _, v := range views {
			for _, u := range users {
				tok := s.LoginWith(o.Tenant, u.username, synth.Password)
				var unitID int
				if err := d.SQL.QueryRow("SELECT id FROM units WHERE tenant_id = $1 AND code = $2", res.TenantID, u.unit).Scan(&unitID); err != nil {
					b.Fatalf("unit %s: %v", u.unit, err)
				}
				body := []byte(fmt.Sprintf(`{"query":%q}`, v.doc))
				if strings.Contains(v.doc, "$unit") {
					body = []byte(fmt.Sprintf(`{"query":%q,"variables":{"unit":%q}}`, v.doc, gid.Encode(unitID)))
				}
				b.Run(fmt.Sprintf("%s/%s/%s", testdb.Name(dl), v.name, u.level), func(b *testing.B) {
					statements := 0
					for b.Loop() {
						res, out := s.DoRaw(tok, "application/json", body)
						var r apitest.Response
						if err := json.Unmarshal(out, &r); err != nil || res.StatusCode != http.StatusOK || len(r.Errors) > 0 {
							b.Fatalf("status %d: %s", res.StatusCode, out)
						}
						statements, _ = strconv.Atoi(res.Header.Get("X-SQL-Statements"))
					}
					b.ReportMetric(float64(statements), "statements/op")
				})
			}
		}
	}
}
