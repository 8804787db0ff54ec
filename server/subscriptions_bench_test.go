package server_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/events"
	"github.com/dutychain/dutychain/internal/testdb"
)

// BenchmarkSubscriptionFanOut measures websocket fan-out on one server
// (embedded SQLite): `-subscribers` connections (default 1,000) subscribe
// to hazardChanges as a 城关镇 user, then `-events` changes to a 城关镇
// hazard are published; it reports the events delivered per second (each
// one re-read through the subscriber's viewer) and the heap and RSS added
// per connection. Clients run in the same process: the memory per
// connection counts both ends. Run it once:
//
//	go test ./server -run '^$' -bench SubscriptionFanOut -benchtime 1x
func BenchmarkSubscriptionFanOut(b *testing.B) {
	subscribers, events := envInt("DUTYCHAIN_BENCH_SUBSCRIBERS", 1000), envInt("DUTYCHAIN_BENCH_EVENTS", 20)
	s := apitest.Start(b, testdb.Open(b, dialect.SQLite))
	ctx := authz.SystemContext(context.Background())
	h := s.DB.Client.Hazard.Query().Where(hazard.HasSubjectWith(unit.Code("ENT-HOTEL"))).FirstX(ctx)
	token := s.As("chengguan.head")

	heap0, rss0 := memory()
	subs := make([]*wsSubscription, subscribers)
	for i := range subs {
		subs[i] = subscribeWS(b, s, token, hazardChangesDoc)
	}
	require.Eventually(b, func() bool { return s.App.Events.Stats().Subscriptions == subscribers }, time.Minute, 50*time.Millisecond)
	heap1, rss1 := memory()

	b.ResetTimer()
	for range b.N {
		var received atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for _, sub := range subs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range events {
					if _, err := sub.next(time.Minute); err != nil {
						return
					}
					received.Add(1)
				}
			}()
		}
		for range events {
			s.App.Events.Publish(ctx, eventsHazardUpdated(h.TenantID, h.ID))
		}
		wg.Wait()
		elapsed := time.Since(start)
		require.Equal(b, int64(subscribers*events), received.Load(), "every subscriber got every event (missed: %d)", s.App.Events.Stats().Missed)
		b.ReportMetric(float64(received.Load())/elapsed.Seconds(), "events/s")
	}
	b.StopTimer()
	b.ReportMetric(float64(heap1-heap0)/float64(subscribers), "heap-B/conn")
	b.ReportMetric(float64(rss1-rss0)/float64(subscribers), "rss-B/conn")
}

func eventsHazardUpdated(tenant, id int) events.Event {
	return events.Event{Tenant: tenant, Topic: events.Hazard, Kind: events.Updated, IDs: []int{id}}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// memory returns the live heap after a collection and the process's RSS.
func memory() (heap, rss int64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			rss = kb << 10
		}
	}
	return int64(m.HeapAlloc), rss
}
