package config

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVerifyChecksTheHTTPSurface(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"an admin address without a port is refused", func(c *Config) { c.AdminAddr = "localhost" }, "admin-addr"},
		{"an admin address equal to the public one is refused", func(c *Config) { c.AdminAddr = c.Addr }, "must differ from addr"},
		{"pprof without an admin address is refused", func(c *Config) { c.Pprof = true }, "pprof: needs admin-addr"},
		{"a wildcard origin is refused", func(c *Config) { c.CORSOrigins = []string{"*"} }, "wildcard"},
		{"an origin with a trailing slash is refused", func(c *Config) { c.CORSOrigins = []string{"https://app.example.org/"} }, "no path"},
		{"an origin without a scheme is refused", func(c *Config) { c.CORSOrigins = []string{"app.example.org"} }, "scheme://host"},
		{"an origin in upper case is refused", func(c *Config) { c.CORSOrigins = []string{"https://App.example.org"} }, "lower case"},
		{"a negative preflight max age is refused", func(c *Config) { c.CORSMaxAge = -1 }, "cors-max-age"},
		{"a negative APQ cache size is refused", func(c *Config) { c.APQCacheSize = -1 }, "apq-cache-size"},
		{"a missing persisted documents file is refused", func(c *Config) { c.PersistedDocumentsFile = "/nonexistent/docs.json" }, "persisted-documents"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			tc.change(&cfg)
			err := cfg.Verify()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	t.Run("exact origins with a port, an admin address and pprof are accepted", func(t *testing.T) {
		cfg := Default()
		cfg.CORSOrigins = []string{"http://localhost:5173", "https://app.example.org"}
		cfg.AdminAddr = "127.0.0.1:9090"
		cfg.Pprof = true
		require.NoError(t, cfg.Verify())
	})
}

func TestHTTPSettingsComeFromEnvironmentAndFlags(t *testing.T) {
	t.Setenv("DUTYCHAIN_CORS_ORIGINS", "http://localhost:5173, https://app.example.org")
	t.Setenv("DUTYCHAIN_ADMIN_ADDR", "127.0.0.1:9090")
	t.Setenv("DUTYCHAIN_APQ_CACHE_SIZE", "50")
	cfg := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	check := cfg.Bind(fs)
	require.NoError(t, fs.Parse([]string{"--pprof", "--cors-max-age", "1h"}))
	require.NoError(t, check())
	require.Equal(t, []string{"http://localhost:5173", "https://app.example.org"}, cfg.CORSOrigins)
	require.Equal(t, "127.0.0.1:9090", cfg.AdminAddr)
	require.Equal(t, 50, cfg.APQCacheSize)
	require.True(t, cfg.Pprof)
	require.Equal(t, "1h0m0s", cfg.CORSMaxAge.String())
	require.NoError(t, cfg.Verify())
}

func TestHTTPDefaultsKeepCORSAndAdminOff(t *testing.T) {
	cfg := Default()
	require.Empty(t, cfg.CORSOrigins, "CORS is off unless configured")
	require.Empty(t, cfg.AdminAddr, "no admin listener unless configured")
	require.False(t, cfg.Pprof)
	require.Positive(t, cfg.APQCacheSize, "APQ is on, bounded")
}
