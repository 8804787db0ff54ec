package server

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/config"
)

func TestClientAddressComesFromForwardedForOnlyThroughTrustedProxies(t *testing.T) {
	cfg := config.Default()
	cfg.TrustedProxies = []string{"10.0.0.0/8", "192.168.1.1"}
	trusted := trustedProxies(cfg)
	tests := []struct {
		name, peer, forwarded, want string
	}{
		{"without a proxy the peer is the client", "203.0.113.7:5000", "", "203.0.113.7"},
		{"an untrusted peer cannot choose its address", "203.0.113.7:5000", "198.51.100.1", "203.0.113.7"},
		{"a trusted proxy's forwarded address is the client", "10.1.2.3:5000", "198.51.100.1", "198.51.100.1"},
		{"a chain of trusted proxies is skipped from the right", "10.1.2.3:5000", "198.51.100.1, 192.168.1.1, 10.9.9.9", "198.51.100.1"},
		{"an address the client prepended itself is not believed", "10.1.2.3:5000", "1.2.3.4, 198.51.100.1", "198.51.100.1"},
		{"a malformed hop stops the walk at the last good address", "10.1.2.3:5000", "198.51.100.1, junk", "10.1.2.3"},
		{"a single trusted address is a /32", "192.168.1.1:5000", "198.51.100.1", "198.51.100.1"},
		{"its neighbour is not trusted", "192.168.1.2:5000", "198.51.100.1", "192.168.1.2"},
		{"IPv6 peers work the same", "[2001:db8::1]:5000", "198.51.100.1", "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			if tt.forwarded != "" {
				r.Header.Set("X-Forwarded-For", tt.forwarded)
			}
			require.Equal(t, tt.want, trusted.clientIP(r))
		})
	}
}
