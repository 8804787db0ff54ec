package synth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/synth"
	"github.com/dutychain/dutychain/internal/testdb"
)

// EnvBenchScale names the synthetic scale BenchmarkViews loads: county or
// province. Unset, the benchmark is skipped: loading takes half a minute
// (county) to several minutes (province).
const EnvBenchScale = "DUTYCHAIN_BENCH_SCALE"

// views are the record views timed at scale: each one a GraphQL document
// whose statement count must not grow with the data.
var views = []struct{ name, doc string }{
	{"noticeCoverage", `{ noticeCoverage(first: 50) { totalCount summary { total received overdue }
		edges { node { notice { documentNumber } recipientKind town { name } counts { total overdue } } } } }`},
	{"noticeCoverage-overdue-enterprises", `{ noticeCoverage(first: 50, where: {recipientKinds: [ENTERPRISE]}) {
		totalCount summary { overdue } edges { node { counts { overdue } } } } }`},
	{"dashboard", `{ dashboard { hazardTotal inspectionTotal hazards { month town { name } sector level state count }
		inspections { month type status count } indicators { kind numerator denominator source } } }`},
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
		b.Logf("%s: %d rows (%d notices, %d receipts) in %v", testdb.Name(dl), res.Counts.Total(),
			res.Counts.Get("notices"), res.Counts.Get("notice_receipts"), res.Elapsed.Round(time.Second))
		s := apitest.Start(b, d, func(c *config.Config) { c.StatementHeader = true })
		users := []struct{ level, username string }{
			{"county", synth.Username(1, synth.LevelCounty, 0, synth.RoleHead)},
			{"town", synth.Username(1, synth.LevelTown, 1, synth.RoleHead)},
			{"enterprise", synth.Username(1, synth.LevelEnterprise, 1, synth.RolePrincipal)},
		}
		for _, v := range views {
			for _, u := range users {
				tok := s.LoginWith(o.Tenant, u.username, synth.Password)
				body := []byte(fmt.Sprintf(`{"query":%q}`, v.doc))
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
