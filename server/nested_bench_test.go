package server_test

import (
	"testing"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/bench"
	"github.com/dutychain/dutychain/internal/testdb"
)

// BenchmarkNestedQuery measures the API's cost per field on the nested
// query over real HTTP on the demo tenant (SQLite), for allocation and CPU
// profiles of the GraphQL execution around the statements:
//
//	go test ./server -run '^$' -bench NestedQuery -benchmem -memprofile /tmp/nested.mem
func BenchmarkNestedQuery(b *testing.B) {
	d := testdb.Open(b, dialect.SQLite)
	s := apitest.Start(b, d)
	token := s.Login("demo", "admin")
	vars := map[string]any{"units": 5, "hazards": 10}
	r := s.MustDo(token, bench.NestedDoc, vars)
	var out struct {
		Units struct {
			Edges []struct {
				Node struct {
					EnterpriseHazards struct {
						Edges []any `json:"edges"`
					} `json:"enterpriseHazards"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"units"`
	}
	r.Decode(b, &out)
	hazards := 0
	for _, e := range out.Units.Edges {
		hazards += len(e.Node.EnterpriseHazards.Edges)
	}
	if len(out.Units.Edges) == 0 || hazards == 0 {
		b.Fatalf("the nested query found %d enterprises and %d hazards; the benchmark needs both", len(out.Units.Edges), hazards)
	}
	b.ReportMetric(float64(hazards), "hazards/op")
	b.ReportAllocs()
	for b.Loop() {
		s.MustDo(token, bench.NestedDoc, vars)
	}
}
