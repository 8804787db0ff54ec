package server

import (
	"net"
	"net/http"
	"strings"

	"github.com/dutychain/dutychain/internal/config"
)

// proxies are the trusted reverse proxies of the configuration.
type proxies []*net.IPNet

// trustedProxies parses cfg.TrustedProxies (checked by config.Verify; an
// entry that does not parse is ignored).
func trustedProxies(cfg config.Config) proxies {
	var out proxies
	for _, p := range cfg.TrustedProxies {
		if n, err := config.ParseProxy(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func (ps proxies) trusts(ip net.IP) bool {
	for _, n := range ps {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// clientIP is the address a request comes from: the peer's, unless the
// peer is a trusted proxy; then X-Forwarded-For is read from the right
// (each proxy appends the address it saw), skipping trusted proxies, and the
// first address that is not one is the client. Anyone else's
// X-Forwarded-For is ignored: a client cannot choose its address, so it
// cannot escape the login throttle or frame another address.
func (ps proxies) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer := net.ParseIP(host)
	if peer == nil || !ps.trusts(peer) {
		return host
	}
	client := peer
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		ip := net.ParseIP(strings.TrimSpace(hops[i]))
		if ip == nil {
			break // a malformed hop: trust nothing further left
		}
		client = ip
		if !ps.trusts(ip) {
			break
		}
	}
	return client.String()
}
