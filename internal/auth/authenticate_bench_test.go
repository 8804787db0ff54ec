package auth_test

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

var sink int

// cpuTime is this process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAuthenticate: the whole authentication of one server request —
// the bearer token verified, then the signed-in session's viewer from the
// viewer cache (a hit) — with a request's cancellable context, and CPU per
// request beside ns/op as authz's benchmarks report it. "remembered" is a
// token used before (the client's second and later requests), "verified"
// checks the signature every time. The generation read: "coalesced" is what
// a server runs (db.DB.QueryUnwatched, concurrent requests sharing one read),
// "unwatched" the same one read per request (authz.SingleGenerationReads),
// "client" one read per request through the ent client with the request's
// context. verified/client is what a request cost before any of them.
//
// "watched" (PostgreSQL) is a server holding its viewer lease
// (authz.ViewerWatch): a kept viewer is served with no generation read.
//
// parallel=N runs N goroutines at once (b.RunParallel), each signed in as one
// of four users, remembered tokens: CPU is the process's per request, reads
// the generation statements per request.
//
//	./scripts/test.sh ./internal/auth -run '^$' -bench Authenticate -benchtime 2000x
func BenchmarkAuthenticate(b *testing.B) {
	for _, dl := range testdb.Dialects(b) {
		ctx := context.Background()
		e := newAuthEnv(b, dl)
		d, svc, keys, cfg, store := e.d, e.svc, e.keys, e.cfg, e.store
		var bearers []string
		for _, name := range []string{"bureau.chief", "county.head", "county.deputy.industry", "cement.principal"} {
			session, err := svc.Login(ctx, seed.TenantDemo, name, seed.DemoPassword, "127.0.0.1")
			if err != nil {
				b.Fatal(err)
			}
			bearers = append(bearers, "Bearer "+session.AccessToken)
		}
		reads := []string{"coalesced", "unwatched", "client"}
		var watch *authz.ViewerWatch
		if dl == dialect.Postgres {
			watch, _ = testdb.StartViewerWatch(b, d, 0)
			reads = append([]string{"watched"}, reads...)
		}
		newCache := func(read string) *authz.ViewerCache {
			switch read {
			case "watched":
				return authz.NewViewerCache(d.Client, d.QueryUnwatched, 0, authz.WatchedBy(watch))
			case "coalesced":
				return authz.NewViewerCache(d.Client, d.QueryUnwatched, 0)
			case "unwatched":
				return authz.NewViewerCache(d.Client, d.QueryUnwatched, 0, authz.SingleGenerationReads())
			default:
				return authz.NewViewerCache(d.Client, nil, 0, authz.SingleGenerationReads())
			}
		}
		newService := func(tokens string) *auth.Service {
			s := *svc
			s.Tokens = auth.NewTokens(keys, cfg)
			if tokens == "verified" {
				s.Tokens.ForgetVerified()
			}
			return &s
		}
		authenticate := func(b *testing.B, ctx context.Context, s *auth.Service, viewers *authz.ViewerCache, bearer string) int {
			claims, err := s.Authenticate(ctx, bearer)
			if err != nil {
				b.Fatal(err)
			}
			v, err := viewers.Viewer(ctx, store.Current(), claims.UserID, claims.TenantID, claims.SessionID, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			return len(v.Grants)
		}
		for _, tokens := range []string{"remembered", "verified"} {
			for _, read := range reads {
				b.Run(testdb.Name(dl)+"/"+tokens+"/"+read, func(b *testing.B) {
					s, viewers := newService(tokens), newCache(read)
					ctx, cancel := context.WithCancel(ctx)
					defer cancel()
					b.ReportAllocs()
					start, n := cpuTime(), 0
					for b.Loop() {
						sink += authenticate(b, ctx, s, viewers, bearers[0])
						n++
					}
					b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
				})
			}
		}
		for _, goroutines := range []int{8, 50} {
			for _, read := range reads[:len(reads)-1] {
				b.Run(testdb.Name(dl)+"/remembered/"+read+"/parallel="+strconv.Itoa(goroutines), func(b *testing.B) {
					s, viewers := newService("remembered"), newCache(read)
					for _, bearer := range bearers { // verified once, the viewers kept
						authenticate(b, ctx, s, viewers, bearer)
					}
					b.SetParallelism(max(1, goroutines/runtime.GOMAXPROCS(0)))
					var next, served atomic.Int64
					before := viewers.Stats()
					b.ReportAllocs()
					b.ResetTimer()
					start := cpuTime()
					b.RunParallel(func(pb *testing.PB) {
						bearer := bearers[int(next.Add(1))%len(bearers)]
						ctx, cancel := context.WithCancel(ctx)
						defer cancel()
						grants, n := 0, int64(0)
						for pb.Next() {
							grants += authenticate(b, ctx, s, viewers, bearer)
							n++
						}
						served.Add(n)
						sinkMu.Lock()
						sink += grants
						sinkMu.Unlock()
					})
					cpu := cpuTime() - start
					b.StopTimer()
					n := float64(served.Load())
					b.ReportMetric(float64(cpu)/n, "cpu-ns/op")
					after := viewers.Stats()
					sent := n // one per request
					switch read {
					case "coalesced":
						sent = float64(after.GenerationReads - before.GenerationReads)
					case "watched":
						sent = float64(after.GenerationRequests - before.GenerationRequests)
					}
					b.ReportMetric(sent/n, "reads/op")
				})
			}
		}
	}
}

var sinkMu sync.Mutex
