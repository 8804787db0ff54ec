package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/testdb"
)

// BenchmarkNoisyNeighbour measures what a colleague's request costs while
// another user floods the server from the same address with eight
// connections: alone, beside the flood with per-user limits (100 requests/s,
// burst 20), and beside it with limits off. The colleague sends at half their
// limit. One op is one colleague request (a page of hazards); p50/p99 are the
// colleague's, flood-ok and flood-429 the flood's answers per colleague
// request.
//
//	go test ./server -run '^$' -bench NoisyNeighbour -benchtime 300x
func BenchmarkNoisyNeighbour(b *testing.B) {
	const flooders, userRate = 8, 100
	pace := time.Second / (userRate / 2)
	query, err := json.Marshal(map[string]any{"query": `{ hazards(first: 20) { totalCount edges { node { id state description } } } }`})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		limits bool
		flood  bool
	}{
		{"alone", true, false},
		{"beside a noisy user with the default limits", true, true},
		{"beside a noisy user with limits off", false, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := apitest.Start(b, testdb.Open(b, "sqlite3"), func(cfg *config.Config) {
				cfg.RateLimits = config.Default().RateLimits
				cfg.RateLimits.Enabled = c.limits
				cfg.RateLimits.UserRate, cfg.RateLimits.UserBurst = userRate, 20
			})
			noisy, colleague := s.As("admin"), s.As("county.head")
			send := func(token string) int {
				req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(query))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return 0
				}
				res.Body.Close()
				return res.StatusCode
			}
			ctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			var ok, limited atomic.Int64
			if c.flood {
				for range flooders {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for ctx.Err() == nil {
							switch send(noisy) {
							case http.StatusOK:
								ok.Add(1)
							case http.StatusTooManyRequests:
								limited.Add(1)
							}
						}
					}()
				}
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			next := time.Now()
			for range b.N {
				time.Sleep(time.Until(next))
				next = next.Add(pace)
				start := time.Now()
				if code := send(colleague); code != http.StatusOK {
					b.Fatalf("the colleague was answered %d", code)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			stop()
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(ok.Load())/float64(b.N), "flood-ok/op")
			b.ReportMetric(float64(limited.Load())/float64(b.N), "flood-429/op")
		})
	}
}
