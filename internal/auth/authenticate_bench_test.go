package auth_test

import (
	"context"
	"syscall"
	"testing"
	"time"

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
// checks the signature every time; "unwatched" is the generation read a
// server runs (db.DB.QueryUnwatched), "client" the one through the ent
// client with the request's context. verified/client is what a request
// cost before either.
//
//	./scripts/test.sh ./internal/auth -run '^$' -bench Authenticate -benchtime 2000x
func BenchmarkAuthenticate(b *testing.B) {
	for _, dl := range testdb.Dialects(b) {
		ctx := context.Background()
		e := newAuthEnv(b, dl)
		d, svc, keys, cfg, store := e.d, e.svc, e.keys, e.cfg, e.store
		session, err := svc.Login(ctx, seed.TenantDemo, "bureau.chief", seed.DemoPassword, "127.0.0.1")
		if err != nil {
			b.Fatal(err)
		}
		bearer := "Bearer " + session.AccessToken
		for _, tokens := range []string{"remembered", "verified"} {
			for _, read := range []string{"unwatched", "client"} {
				b.Run(testdb.Name(dl)+"/"+tokens+"/"+read, func(b *testing.B) {
					s := *svc
					s.Tokens = auth.NewTokens(keys, cfg)
					if tokens == "verified" {
						s.Tokens.ForgetVerified()
					}
					var viewers *authz.ViewerCache
					if read == "unwatched" {
						viewers = authz.NewViewerCache(d.Client, d.QueryUnwatched, 0)
					} else {
						viewers = authz.NewViewerCache(d.Client, nil, 0)
					}
					ctx, cancel := context.WithCancel(ctx)
					defer cancel()
					b.ReportAllocs()
					start, n := cpuTime(), 0
					for b.Loop() {
						claims, err := s.Authenticate(ctx, bearer)
						if err != nil {
							b.Fatal(err)
						}
						v, err := viewers.Viewer(ctx, store.Current(), claims.UserID, claims.TenantID, claims.SessionID, time.Now())
						if err != nil {
							b.Fatal(err)
						}
						sink += len(v.Grants)
						n++
					}
					b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
				})
			}
		}
	}
}
