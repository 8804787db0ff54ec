package server

import (
	"net/http"
	"net/http/pprof"

	"github.com/dutychain/dutychain/internal/config"
)

// Admin returns the handler of the private admin listener (--admin-addr):
// GET /metrics when metrics are on, net/http/pprof under /debug/pprof/ when
// pprof is. The public handler serves neither.
func Admin(cfg config.Config, m *Metrics) http.Handler {
	mux := http.NewServeMux()
	if cfg.Metrics {
		mux.Handle("GET /metrics", m.handler())
	}
	if cfg.Pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}
