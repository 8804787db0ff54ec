package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDefaultsAreValid(t *testing.T) {
	cfg := Default()
	require.NoError(t, cfg.Verify())
}

func TestVerifyNamesEachBadValue(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"an address without a port is refused", func(c *Config) { c.Addr = "localhost" }, "addr"},
		{"an empty data directory is refused", func(c *Config) { c.DataDir = "" }, "data-dir"},
		{"a MySQL URL is refused", func(c *Config) { c.DatabaseURL = "mysql://u:p@h/db" }, "database-url"},
		{"an unknown log level is refused", func(c *Config) { c.LogLevel = "loud" }, "log-level"},
		{"an empty issuer is refused", func(c *Config) { c.JWTIssuer = "" }, "jwt-issuer"},
		{"an access lifetime under a minute is refused", func(c *Config) { c.AccessTTL = time.Second }, "access-ttl"},
		{"a refresh lifetime shorter than the access lifetime is refused", func(c *Config) { c.RefreshTTL = time.Minute; c.AccessTTL = time.Hour }, "refresh-ttl"},
		{"a missing key file is refused", func(c *Config) { c.JWTSigningKeyFile = "/nonexistent/key.pem" }, "key file"},
		{"a zero depth limit is refused", func(c *Config) { c.MaxDepth = 0 }, "max-depth"},
		{"a negative complexity limit is refused", func(c *Config) { c.MaxComplexity = -1 }, "max-complexity"},
		{"a default page above the maximum is refused", func(c *Config) { c.DefaultPage = 600 }, "default-page"},
		{"a tiny body limit is refused", func(c *Config) { c.MaxBodyBytes = 10 }, "max-body-bytes"},
		{"a zero alias limit is refused", func(c *Config) { c.MaxAliases = 0 }, "max-aliases"},
		{"a trusted proxy that is not a CIDR or an address is refused", func(c *Config) { c.TrustedProxies = []string{"10.0.0.0/8", "the-proxy"} }, "trusted-proxies"},
		{"an address ceiling below the per-account limit is refused", func(c *Config) { c.LoginMaxAddressFailures = 2 }, "login-max-address-failures"},
		{"a negative drain is refused", func(c *Config) { c.ShutdownDrain = -time.Second }, "shutdown-drain"},
		{"a files bucket of an unknown kind is refused", func(c *Config) { c.FilesURL = "gs://files" }, "files-url"},
		{"a read replica without a primary is refused", func(c *Config) { c.ReadReplica.URL = "postgres://r/db" }, "needs database-url"},
		{"a read replica that is not PostgreSQL is refused", func(c *Config) {
			c.DatabaseURL, c.ReadReplica.URL = "postgres://p/db", "mysql://r/db"
		}, "database-read-url"},
		{"a replica wait over ten seconds is refused", func(c *Config) {
			c.DatabaseURL, c.ReadReplica.URL, c.ReadReplica.Wait = "postgres://p/db", "postgres://r/db", time.Minute
		}, "replica-wait"},
		{"an S3 files bucket without a name is refused", func(c *Config) { c.FilesURL = "s3:///?region=x" }, "files-url"},
		{"not working the job queue on the embedded database is refused", func(c *Config) { c.WorkJobs = false }, "jobs=false"},
		{"an import retention under an hour is refused", func(c *Config) { c.ImportRetention = time.Minute }, "import-retention"},
		{"an import retention over a year is refused", func(c *Config) { c.ImportRetention = 400 * 24 * time.Hour }, "import-retention"},
		{"a zero loader wait is refused", func(c *Config) { c.LoaderWait = 0 }, "loader-wait"},
		{"a loader wait over 100ms is refused", func(c *Config) { c.LoaderWait = time.Second }, "loader-wait"},
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
}

func TestAnAPIOnlyReplicaOfAPostgreSQLDeploymentIsValid(t *testing.T) {
	cfg := Default()
	cfg.DatabaseURL, cfg.WorkJobs = "postgres://p/db", false
	require.NoError(t, cfg.Verify())
}

func TestVerifyReportsEveryBadValueAtOnce(t *testing.T) {
	cfg := Default()
	cfg.Addr = "nope"
	cfg.LogLevel = "loud"
	cfg.MaxPage = 0
	err := cfg.Verify()
	require.Error(t, err)
	for _, want := range []string{"addr", "log-level", "max-page"} {
		require.Contains(t, err.Error(), want)
	}
}

func TestFlagsOverrideEnvironmentWhichOverridesDefaults(t *testing.T) {
	t.Setenv("DUTYCHAIN_ADDR", "127.0.0.1:9000")
	t.Setenv("DUTYCHAIN_MAX_DEPTH", "7")
	t.Setenv("DATABASE_URL", "postgres://u@h:5432/db")
	cfg := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	check := cfg.Bind(fs)
	require.NoError(t, fs.Parse([]string{"--max-depth", "9"}))
	require.NoError(t, check())
	require.Equal(t, "127.0.0.1:9000", cfg.Addr, "environment beats the default")
	require.Equal(t, 9, cfg.MaxDepth, "the flag beats the environment")
	require.Equal(t, "postgres://u@h:5432/db", cfg.DatabaseURL)
}

func TestTrustedProxiesComeFromTheEnvironmentOrTheFlag(t *testing.T) {
	t.Setenv("DUTYCHAIN_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1")
	cfg := Default()
	require.Empty(t, cfg.TrustedProxies, "no proxy is trusted by default")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	check := cfg.Bind(fs)
	require.NoError(t, fs.Parse(nil))
	require.NoError(t, check())
	require.Equal(t, []string{"10.0.0.0/8", "192.168.1.1"}, cfg.TrustedProxies)
	require.NoError(t, cfg.Verify())

	cfg = Default()
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	check = cfg.Bind(fs)
	require.NoError(t, fs.Parse([]string{"--trusted-proxies", "172.16.0.0/12"}))
	require.NoError(t, check())
	require.Equal(t, []string{"172.16.0.0/12"}, cfg.TrustedProxies, "the flag beats the environment")
}

func TestMalformedEnvironmentValuesAreReported(t *testing.T) {
	t.Setenv("DUTYCHAIN_MAX_DEPTH", "deep")
	t.Setenv("DUTYCHAIN_ACCESS_TTL", "soon")
	t.Setenv("DUTYCHAIN_MIGRATE", "perhaps")
	cfg := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	check := cfg.Bind(fs)
	require.NoError(t, fs.Parse(nil))
	err := check()
	require.Error(t, err)
	for _, want := range []string{"DUTYCHAIN_MAX_DEPTH", "DUTYCHAIN_ACCESS_TTL", "DUTYCHAIN_MIGRATE"} {
		require.True(t, strings.Contains(err.Error(), want), "missing %s in %v", want, err)
	}
}

func TestVerifyRefusesABadTracingSetting(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*Tracing)
		want string
	}{
		{"an endpoint that is no http URL", func(tr *Tracing) { tr.OTLPEndpoint = "collector:4318" }, "otlp-endpoint"},
		{"a sample ratio above one", func(tr *Tracing) { tr.OTLPEndpoint = "http://c:4318"; tr.SampleRatio = 2 }, "trace-sample-ratio"},
		{"an empty service name", func(tr *Tracing) { tr.OTLPEndpoint = "http://c:4318"; tr.ServiceName = "" }, "trace-service-name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.set(&c.Tracing)
			if err := c.Verify(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Verify() = %v, want an error naming %s", err, tc.want)
			}
		})
	}
	c := Default()
	c.Tracing.OTLPEndpoint = "http://otel-collector:4318"
	if err := c.Verify(); err != nil {
		t.Fatalf("a collector URL is refused: %v", err)
	}
}

func TestImportRetentionIsReadFromTheEnvironment(t *testing.T) {
	require.Equal(t, 7*24*time.Hour, Default().ImportRetention, "a week by default")
	t.Setenv("DUTYCHAIN_IMPORT_RETENTION", "48h")
	cfg := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	check := cfg.Bind(fs)
	require.NoError(t, fs.Parse(nil))
	require.NoError(t, check())
	require.Equal(t, 48*time.Hour, cfg.ImportRetention)
	require.NoError(t, cfg.Verify())
}
