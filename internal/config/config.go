// Package config holds the server configuration: defaults, then DUTYCHAIN_*
// environment variables, then flags, then Verify.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything `dutychain serve` needs.
type Config struct {
	// Addr is the HTTP listen address.
	Addr string
	// DataDir holds the embedded SQLite database, signing keys and files.
	DataDir string
	// DatabaseURL selects PostgreSQL (postgres://…); empty means embedded SQLite.
	DatabaseURL string
	// AutoMigrate applies pending migrations at start.
	AutoMigrate bool
	// SeedDemo loads the demo tenants into an empty embedded database at start.
	SeedDemo bool
	// LogLevel is debug, info, warn or error.
	LogLevel string

	// JWT settings.
	JWTIssuer   string
	JWTAudience string
	AccessTTL   time.Duration
	RefreshTTL  time.Duration
	// JWTSigningKeyFile is a PEM PKCS#8 Ed25519 private key; its kid is derived
	// from the public key. Empty: a key generated and kept under DataDir.
	JWTSigningKeyFile string
	// JWTVerifyKeyFiles are extra PEM public keys accepted for verification
	// (rotation), comma-separated.
	JWTVerifyKeyFiles []string
	// JWTKeySecret (base64, from the environment only) or JWTKeySecretFile
	// seals the signing keys kept in the database: with one of them and no
	// signing key file, every replica shares those keys.
	JWTKeySecret     string
	JWTKeySecretFile string

	// Abuse limits.
	MaxDepth      int
	MaxComplexity int
	MaxTokens     int
	MaxBatch      int
	MaxAliases    int
	DefaultPage   int
	MaxPage       int
	MaxBodyBytes  int64
	// MaxUploadBytes is the largest file accepted by an upload (multipart
	// requests may be this much larger than MaxBodyBytes).
	MaxUploadBytes int64
	Introspection  bool

	// Login throttling: failures allowed per window per account and per address.
	LoginMaxFailures int
	LoginWindow      time.Duration
	// LoginMaxAccountFailures bounds the failures of one account from all
	// addresses together (LoginMaxFailures bounds those from one address).
	LoginMaxAccountFailures int
	// LoginMaxAddressFailures is the much higher ceiling of failures per
	// client address (all accounts together), so that one address cannot
	// spray guesses yet an office behind one NAT is not locked out.
	LoginMaxAddressFailures int
	// TrustedProxies are the networks (CIDRs) of reverse proxies whose
	// X-Forwarded-For is believed; from anyone else it is ignored.
	TrustedProxies []string
	// ShutdownTimeout is the grace in-flight requests get at shutdown.
	ShutdownTimeout time.Duration
	// ShutdownDrain is how long the server keeps serving with /readyz
	// failing before it stops accepting (set to the load balancer's probe
	// period).
	ShutdownDrain    time.Duration
	PolicyPollPeriod time.Duration
	// IdempotencyTTL is how long an Idempotency-Key and the response it
	// stored are kept: a retry within it gets the stored response.
	IdempotencyTTL time.Duration
	// SubscriptionQueue is how many events a subscription holds for a
	// client that reads slowly; more are dropped and counted as missed.
	SubscriptionQueue int
	// SubscriptionRecheck is how often a subscription's session, user and
	// posts are checked again (the token's expiry ends it at once).
	SubscriptionRecheck time.Duration

	// Metrics serves Prometheus metrics at GET /metrics on AdminAddr.
	Metrics bool
	// LoaderWait is how long a request's batch loader collects keys after
	// the first before it runs one statement for all of them. Longer waits
	// batch more reliably on a loaded machine and add that much latency to
	// each nested level.
	LoaderWait time.Duration
	// StatementCache is how many statements each PostgreSQL connection
	// keeps prepared, so that a statement sent before costs one round trip
	// instead of two; 0 turns it off (poolers in transaction mode).
	StatementCache int
	// ViewerLease is how long a replica's viewer lease lasts on PostgreSQL
	// (authz.ViewerWatch): while it holds one, authenticated requests skip
	// the per-request viewer-generation read. 0 turns the watch off. A
	// request that changed users, posts, sessions or units waits at most
	// this long for a replica that stopped answering.
	ViewerLease time.Duration
	// StatementHeader reports each request's SQL statement count in the
	// X-SQL-Statements response header (benchmarks, diagnosis).
	StatementHeader bool
	// WorkJobs runs the background job queue (reminders, deliveries) in
	// this process. An API-only replica of a PostgreSQL deployment turns it
	// off; another replica must keep it on.
	WorkJobs bool
	// AdminAddr, when set, is a second, private listener for /metrics and
	// pprof; the public listener serves neither.
	AdminAddr string
	// Pprof serves net/http/pprof under /debug/pprof/ on AdminAddr.
	Pprof bool

	// CORSOrigins are the browser origins (scheme://host[:port]) allowed to
	// call the API; empty turns CORS off.
	CORSOrigins []string
	// CORSMaxAge is how long browsers may cache a preflight answer.
	CORSMaxAge time.Duration
	// APQCacheSize is how many automatic persisted queries are kept (0: off).
	APQCacheSize int
	// PersistedDocumentsFile, when set, is a JSON object of SHA-256 hash →
	// document: only these documents run (persisted-only mode).
	PersistedDocumentsFile string
	// FileURLTTL is how long a signed file URL (File.url) works.
	FileURLTTL time.Duration
	// FileURLSecretFile holds the secret that signs file URLs; empty: a
	// secret derived from the JWT signing key.
	FileURLSecretFile string
	// FilesURL is the gocloud.dev/blob bucket of uploaded files, shared by
	// every replica (s3://bucket?endpoint=…&region=…&use_path_style=true);
	// empty: the directory files/ under DataDir, which only one server sees.
	FilesURL string
	// RateLimits are the per-caller request limits.
	RateLimits RateLimits
	// Tracing is where OpenTelemetry spans are exported (off by default).
	Tracing Tracing
	// Notifications are the settings of reminders and their delivery.
	Notifications Notifications
	// ReadReplica routes read-only requests to a streaming replica.
	ReadReplica ReadReplica
	// ImportRetention is how long an import job's workbook is kept after
	// the job ended; then the hourly import sweep clears it (the job's
	// summary and problems stay).
	ImportRetention time.Duration
}

// DefaultImportRetention keeps an import job's workbook a week after the
// job ended: time to confirm a clean dry run.
const DefaultImportRetention = 7 * 24 * time.Hour

// DefaultLoaderWait is the batch loaders' wait: gqlgen resolves a list's
// items concurrently, and on a served machine their fields reach a loader
// well within 2 ms of each other.
const DefaultLoaderWait = 2 * time.Millisecond

// Default returns the built-in defaults.
func Default() Config {
	return Config{
		Addr:                    "127.0.0.1:8080",
		DataDir:                 "./data",
		AutoMigrate:             true,
		SeedDemo:                true,
		LogLevel:                "info",
		JWTIssuer:               "dutychain",
		JWTAudience:             "dutychain-api",
		AccessTTL:               15 * time.Minute,
		RefreshTTL:              30 * 24 * time.Hour,
		MaxDepth:                12,
		MaxComplexity:           20000,
		MaxTokens:               5000,
		MaxBatch:                10,
		LoaderWait:              DefaultLoaderWait,
		MaxAliases:              100,
		DefaultPage:             50,
		MaxPage:                 500,
		MaxBodyBytes:            1 << 20,
		MaxUploadBytes:          10 << 20,
		Introspection:           true,
		LoginMaxFailures:        5,
		LoginWindow:             15 * time.Minute,
		ShutdownTimeout:         15 * time.Second,
		LoginMaxAccountFailures: 20,
		LoginMaxAddressFailures: 100,
		PolicyPollPeriod:        2 * time.Second,
		IdempotencyTTL:          24 * time.Hour,
		SubscriptionQueue:       64,
		SubscriptionRecheck:     time.Minute,
		Metrics:                 true,
		WorkJobs:                true,
		CORSMaxAge:              10 * time.Minute,
		APQCacheSize:            1000,
		StatementCache:          128,
		ViewerLease:             2 * time.Second,
		FileURLTTL:              DefaultFileURLTTL,
		RateLimits:              DefaultRateLimits,
		Tracing:                 DefaultTracing,
		Notifications:           DefaultNotifications,
		ReadReplica:             DefaultReadReplica,
		ImportRetention:         DefaultImportRetention,
	}
}

type binder struct {
	fs   *flag.FlagSet
	errs []error
}

func (b *binder) str(p *string, name, env, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		*p = v
	}
	b.fs.StringVar(p, name, *p, usage+" (env "+env+")")
}

func (b *binder) boolean(p *bool, name, env, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		x, err := strconv.ParseBool(v)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s=%q: want true or false", env, v))
		}
		*p = x
	}
	b.fs.BoolVar(p, name, *p, usage+" (env "+env+")")
}

func (b *binder) integer(p *int, name, env, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		x, err := strconv.Atoi(v)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s=%q: want an integer", env, v))
		}
		*p = x
	}
	b.fs.IntVar(p, name, *p, usage+" (env "+env+")")
}

func (b *binder) duration(p *time.Duration, name, env, usage string) {
	if v, ok := os.LookupEnv(env); ok {
		x, err := time.ParseDuration(v)
		if err != nil {
			b.errs = append(b.errs, fmt.Errorf("%s=%q: want a duration such as 15m", env, v))
		}
		*p = x
	}
	b.fs.DurationVar(p, name, *p, usage+" (env "+env+")")
}

// Bind registers the flags of c on fs after applying the environment, so
// that flags override environment variables, which override defaults. The
// returned function reports environment parse errors; call it after fs.Parse.
func (c *Config) Bind(fs *flag.FlagSet) func() error {
	b := &binder{fs: fs}
	b.str(&c.Addr, "addr", "DUTYCHAIN_ADDR", "HTTP listen address")
	b.str(&c.DataDir, "data-dir", "DUTYCHAIN_DATA_DIR", "directory for the embedded database, keys and files")
	if v, ok := os.LookupEnv("DATABASE_URL"); ok {
		c.DatabaseURL = v
	}
	b.str(&c.DatabaseURL, "database-url", "DUTYCHAIN_DATABASE_URL", "PostgreSQL URL (also DATABASE_URL); empty for embedded SQLite")
	b.str(&c.FilesURL, "files-url", "DUTYCHAIN_FILES_URL", "bucket URL of uploaded files (s3://bucket?endpoint=…&region=…), shared by replicas; empty: <data-dir>/files")
	b.boolean(&c.AutoMigrate, "migrate", "DUTYCHAIN_MIGRATE", "apply pending migrations at start")
	b.boolean(&c.SeedDemo, "seed-demo", "DUTYCHAIN_SEED_DEMO", "load the demo tenants into an empty embedded database")
	b.str(&c.LogLevel, "log-level", "DUTYCHAIN_LOG_LEVEL", "debug, info, warn or error")
	b.str(&c.JWTIssuer, "jwt-issuer", "DUTYCHAIN_JWT_ISSUER", "token issuer")
	b.str(&c.JWTAudience, "jwt-audience", "DUTYCHAIN_JWT_AUDIENCE", "token audience")
	b.duration(&c.AccessTTL, "access-ttl", "DUTYCHAIN_ACCESS_TTL", "access token lifetime")
	b.duration(&c.RefreshTTL, "refresh-ttl", "DUTYCHAIN_REFRESH_TTL", "refresh token lifetime")
	b.str(&c.JWTSigningKeyFile, "jwt-signing-key", "DUTYCHAIN_JWT_SIGNING_KEY_FILE", "PEM Ed25519 private key file")
	verify := strings.Join(c.JWTVerifyKeyFiles, ",")
	b.str(&verify, "jwt-verify-keys", "DUTYCHAIN_JWT_VERIFY_KEY_FILES", "extra PEM Ed25519 public key files, comma-separated")
	b.integer(&c.MaxDepth, "max-depth", "DUTYCHAIN_MAX_DEPTH", "maximum query depth")
	b.integer(&c.MaxComplexity, "max-complexity", "DUTYCHAIN_MAX_COMPLEXITY", "maximum query complexity (connections weigh by page size)")
	b.integer(&c.MaxTokens, "max-tokens", "DUTYCHAIN_MAX_TOKENS", "maximum parser tokens per document")
	b.integer(&c.MaxAliases, "max-aliases", "DUTYCHAIN_MAX_ALIASES", "maximum aliased fields per operation")
	b.integer(&c.MaxBatch, "max-batch", "DUTYCHAIN_MAX_BATCH", "maximum operations in one batched request")
	b.integer(&c.DefaultPage, "default-page", "DUTYCHAIN_DEFAULT_PAGE", "page size when first/last is omitted")
	b.integer(&c.MaxPage, "max-page", "DUTYCHAIN_MAX_PAGE", "largest allowed first/last")
	maxBody := int(c.MaxBodyBytes)
	b.integer(&maxBody, "max-body-bytes", "DUTYCHAIN_MAX_BODY_BYTES", "largest request body")
	maxUpload := int(c.MaxUploadBytes)
	b.integer(&maxUpload, "max-upload-bytes", "DUTYCHAIN_MAX_UPLOAD_BYTES", "largest uploaded file (attachments)")
	b.boolean(&c.Introspection, "introspection", "DUTYCHAIN_INTROSPECTION", "allow schema introspection")
	b.integer(&c.LoginMaxFailures, "login-max-failures", "DUTYCHAIN_LOGIN_MAX_FAILURES", "failed logins allowed per account, and per account from one address, in the window")
	b.integer(&c.LoginMaxAccountFailures, "login-max-account-failures", "DUTYCHAIN_LOGIN_MAX_ACCOUNT_FAILURES", "failed logins allowed per account from all addresses in the window")
	b.integer(&c.LoginMaxAddressFailures, "login-max-address-failures", "DUTYCHAIN_LOGIN_MAX_ADDRESS_FAILURES", "failed logins allowed per client address (all accounts) in the window")
	b.duration(&c.LoginWindow, "login-window", "DUTYCHAIN_LOGIN_WINDOW", "login throttling window")
	proxies := strings.Join(c.TrustedProxies, ",")
	b.str(&proxies, "trusted-proxies", "DUTYCHAIN_TRUSTED_PROXIES", "CIDRs of reverse proxies whose X-Forwarded-For gives the client address, comma-separated (empty: none)")
	b.duration(&c.ShutdownTimeout, "shutdown-timeout", "DUTYCHAIN_SHUTDOWN_TIMEOUT", "time given to in-flight requests at shutdown")
	b.duration(&c.ShutdownDrain, "shutdown-drain", "DUTYCHAIN_SHUTDOWN_DRAIN", "time the server keeps serving with /readyz failing before it stops accepting")
	b.duration(&c.PolicyPollPeriod, "policy-poll", "DUTYCHAIN_POLICY_POLL", "how often replicas check for policy changes")
	b.integer(&c.SubscriptionQueue, "subscription-queue", "DUTYCHAIN_SUBSCRIPTION_QUEUE", "events a subscription holds for a slow client before it drops them")
	b.duration(&c.SubscriptionRecheck, "subscription-recheck", "DUTYCHAIN_SUBSCRIPTION_RECHECK", "how often a subscription's session and posts are checked again")
	b.duration(&c.IdempotencyTTL, "idempotency-ttl", "DUTYCHAIN_IDEMPOTENCY_TTL", "how long an Idempotency-Key and its stored response are kept")
	b.duration(&c.ImportRetention, "import-retention", "DUTYCHAIN_IMPORT_RETENTION", "how long an import job's uploaded workbook is kept after the job ended (its summary and problems stay)")
	b.boolean(&c.Metrics, "metrics", "DUTYCHAIN_METRICS", "serve Prometheus metrics at GET /metrics on the admin address")
	b.str(&c.AdminAddr, "admin-addr", "DUTYCHAIN_ADMIN_ADDR", "private listen address for /metrics and pprof (empty: neither is served)")
	b.boolean(&c.Pprof, "pprof", "DUTYCHAIN_PPROF", "serve net/http/pprof under /debug/pprof/ on the admin address")
	origins := strings.Join(c.CORSOrigins, ",")
	b.str(&origins, "cors-origins", "DUTYCHAIN_CORS_ORIGINS", "browser origins allowed to call the API, comma-separated, e.g. https://app.example.org (empty: CORS off)")
	b.duration(&c.CORSMaxAge, "cors-max-age", "DUTYCHAIN_CORS_MAX_AGE", "how long browsers may cache a CORS preflight answer")
	b.integer(&c.APQCacheSize, "apq-cache-size", "DUTYCHAIN_APQ_CACHE_SIZE", "automatic persisted queries kept in memory (0: off)")
	b.str(&c.PersistedDocumentsFile, "persisted-documents", "DUTYCHAIN_PERSISTED_DOCUMENTS", "JSON file of SHA-256 hash → document; when set only these documents run")
	c.bindFiles(b)
	c.bindRateLimits(b)
	c.bindReplica(b)
	c.bindKeys(b)
	c.bindTracing(b)
	c.bindNotifications(b)
	b.boolean(&c.WorkJobs, "jobs", "DUTYCHAIN_JOBS", "work the background job queue (reminders, webhook deliveries) in this process; false for API-only replicas of a PostgreSQL deployment")
	b.duration(&c.LoaderWait, "loader-wait", "DUTYCHAIN_LOADER_WAIT", "how long a batch loader collects the keys of sibling fields before it runs one statement")
	b.integer(&c.StatementCache, "statement-cache", "DUTYCHAIN_STATEMENT_CACHE", "statements each PostgreSQL connection keeps prepared (0: none, behind a pooler in transaction mode)")
	b.duration(&c.ViewerLease, "viewer-lease", "DUTYCHAIN_VIEWER_LEASE", "PostgreSQL: how long a replica's viewer lease lasts; while held, requests skip the viewer-generation read (0: read on every request)")
	b.boolean(&c.StatementHeader, "statement-header", "DUTYCHAIN_STATEMENT_HEADER", "report each request's SQL statement count in the X-SQL-Statements header")
	return func() error {
		c.MaxBodyBytes = int64(maxBody)
		c.MaxUploadBytes = int64(maxUpload)
		c.JWTVerifyKeyFiles = splitList(verify)
		c.CORSOrigins = splitList(origins)
		c.TrustedProxies = splitList(proxies)
		return errors.Join(b.errs...)
	}
}

// Verify checks every value and returns one error naming each bad one.
func (c *Config) Verify() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr %q: want host:port", c.Addr)
	}
	if c.DataDir == "" {
		bad("data-dir: must not be empty")
	}
	if c.FilesURL != "" {
		if u, err := url.Parse(c.FilesURL); err != nil || (u.Scheme != "s3" && u.Scheme != "file") || u.Host == "" && u.Scheme == "s3" {
			bad("files-url: want s3://bucket?region=…[&endpoint=…&use_path_style=true] or file:///absolute/dir")
		}
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("database-url: want postgres://user:pass@host:port/db (got a %s URL)", schemeOf(c.DatabaseURL))
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	if !c.WorkJobs && c.DatabaseURL == "" {
		bad("jobs=false: the embedded database has no other process to work the job queue; turn jobs off only on replicas of a PostgreSQL deployment")
	}
	errs = append(errs, c.verifyHTTP()...)
	errs = append(errs, c.verifyFiles()...)
	errs = append(errs, c.verifyRateLimits()...)
	errs = append(errs, c.verifyReplica()...)
	errs = append(errs, c.verifyKeys()...)
	errs = append(errs, c.verifyTracing()...)
	errs = append(errs, c.verifyNotifications()...)
	if c.ImportRetention < time.Hour || c.ImportRetention > 366*24*time.Hour {
		bad("import-retention %s: want between 1h and 8784h (366 days)", c.ImportRetention)
	}
	if c.StatementCache < 0 || c.StatementCache > 10000 {
		bad("statement-cache %d: want between 0 (off) and 10000", c.StatementCache)
	}
	if c.ViewerLease != 0 && (c.ViewerLease < 500*time.Millisecond || c.ViewerLease > 30*time.Second) {
		bad("viewer-lease %s: want 0 (off) or between 500ms and 30s", c.ViewerLease)
	}
	if c.LoaderWait <= 0 || c.LoaderWait > 100*time.Millisecond {
		bad("loader-wait %s: want more than 0 and at most 100ms", c.LoaderWait)
	}
	if c.JWTIssuer == "" || c.JWTAudience == "" {
		bad("jwt-issuer and jwt-audience must not be empty")
	}
	if c.AccessTTL < time.Minute || c.AccessTTL > 24*time.Hour {
		bad("access-ttl %s: want between 1m and 24h", c.AccessTTL)
	}
	if c.RefreshTTL < c.AccessTTL {
		bad("refresh-ttl %s: must not be shorter than access-ttl %s", c.RefreshTTL, c.AccessTTL)
	}
	for _, f := range append([]string{c.JWTSigningKeyFile}, c.JWTVerifyKeyFiles...) {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			bad("key file %q: %v", f, errors.Unwrap(err))
		}
	}
	positive := map[string]int{
		"max-depth": c.MaxDepth, "max-complexity": c.MaxComplexity, "max-tokens": c.MaxTokens,
		"max-batch": c.MaxBatch, "max-aliases": c.MaxAliases, "default-page": c.DefaultPage, "max-page": c.MaxPage,
		"login-max-failures": c.LoginMaxFailures, "login-max-address-failures": c.LoginMaxAddressFailures,
		"login-max-account-failures": c.LoginMaxAccountFailures,
	}
	for _, name := range []string{"max-depth", "max-complexity", "max-tokens", "max-batch", "max-aliases", "default-page", "max-page", "login-max-failures", "login-max-account-failures", "login-max-address-failures"} {
		if positive[name] <= 0 {
			bad("%s %d: must be positive", name, positive[name])
		}
	}
	if c.DefaultPage > c.MaxPage {
		bad("default-page %d: must not exceed max-page %d", c.DefaultPage, c.MaxPage)
	}
	if c.MaxBodyBytes < 1024 {
		bad("max-body-bytes %d: must be at least 1024", c.MaxBodyBytes)
	}
	if c.MaxUploadBytes < 1024 {
		bad("max-upload-bytes %d: must be at least 1024", c.MaxUploadBytes)
	}
	if c.LoginWindow <= 0 || c.ShutdownTimeout <= 0 || c.PolicyPollPeriod <= 0 || c.IdempotencyTTL <= 0 {
		bad("login-window, shutdown-timeout, policy-poll and idempotency-ttl must be positive")
	}
	if c.SubscriptionQueue < 1 || c.SubscriptionRecheck <= 0 {
		bad("subscription-queue must be at least 1 and subscription-recheck positive")
	}
	if c.ShutdownDrain < 0 {
		bad("shutdown-drain %s: must not be negative", c.ShutdownDrain)
	}
	if c.LoginMaxAccountFailures < c.LoginMaxFailures || c.LoginMaxAddressFailures < c.LoginMaxFailures {
		bad("login-max-account-failures %d and login-max-address-failures %d: must not be below login-max-failures %d",
			c.LoginMaxAccountFailures, c.LoginMaxAddressFailures, c.LoginMaxFailures)
	}
	for _, p := range c.TrustedProxies {
		if _, err := ParseProxy(p); err != nil {
			bad("trusted-proxies %q: want a CIDR such as 10.0.0.0/8 or an address", p)
		}
	}
	return errors.Join(errs...)
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ParseProxy reads one trusted-proxy entry: a CIDR, or a single address
// (a /32 or /128 network).
func ParseProxy(s string) (*net.IPNet, error) {
	if _, n, err := net.ParseCIDR(s); err == nil {
		return n, nil
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, fmt.Errorf("trusted proxy %q: not a CIDR or an address", s)
	}
	bits := 128
	if ip4 := ip.To4(); ip4 != nil {
		ip, bits = ip4, 32
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
}

// FilesDir holds uploaded files (content-addressed) on the local store.
func (c *Config) FilesDir() string { return filepath.Join(c.DataDir, "files") }

// SQLitePath is the embedded database file.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "dutychain.db") }

func schemeOf(s string) string {
	if i := strings.Index(s, "://"); i > 0 {
		return s[:i]
	}
	return "non-URL"
}
