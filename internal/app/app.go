// Package app assembles the server from a configuration and an open
// database; `dutychain serve` and the end-to-end tests build it the same way.
package app

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/dashboard"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/education"
	"github.com/dutychain/dutychain/internal/emergency"
	"github.com/dutychain/dutychain/internal/enforcement"
	"github.com/dutychain/dutychain/internal/events"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/hazards"
	"github.com/dutychain/dutychain/internal/imports"
	"github.com/dutychain/dutychain/internal/inspections"
	"github.com/dutychain/dutychain/internal/jobs"
	"github.com/dutychain/dutychain/internal/letters"
	"github.com/dutychain/dutychain/internal/notices"
	"github.com/dutychain/dutychain/internal/notify"
	"github.com/dutychain/dutychain/internal/org"
	"github.com/dutychain/dutychain/internal/organisation"
	"github.com/dutychain/dutychain/internal/prevention"
	"github.com/dutychain/dutychain/internal/readiness"
	"github.com/dutychain/dutychain/internal/staffing"
	"github.com/dutychain/dutychain/internal/summary"
	"github.com/dutychain/dutychain/internal/tally"
	"github.com/dutychain/dutychain/server"
)

// PolicyChannel is the PostgreSQL NOTIFY channel of policy changes.
const PolicyChannel = "dutychain_policy"

// App is an assembled server.
type App struct {
	Config config.Config
	// Files keeps uploaded files.
	Files   *files.Service
	DB      *db.DB
	Policy  *authz.Store
	Auth    *auth.Service
	Handler http.Handler
	// Admin serves /metrics and pprof on the private admin address.
	Admin http.Handler
	Log   *slog.Logger
	// Health is the readiness of the server (/readyz), drained at shutdown.
	Health *server.Health
	// Viewers keeps the viewers of recent requests (authz.ViewerCache).
	Viewers *authz.ViewerCache
	// ViewerWatch, on PostgreSQL with a viewer lease, lets Viewers skip the
	// per-request generation read while it holds the lease; Watch runs it.
	ViewerWatch *authz.ViewerWatch
	// Events feeds the GraphQL subscriptions.
	Events *events.Bus
	// Imports starts, confirms and reads the directory import jobs, which
	// run on Jobs (queue "imports").
	Imports *imports.Service
	// Jobs is the job queue (reminders, deliveries): `dutychain serve`
	// starts and stops it; tests start it when they need it.
	Jobs *jobs.Runner
}

// New builds the server on d: it writes the default policy of any tenant
// without one, loads the policy and the signing keys, and wires HTTP.
func New(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger, now func() time.Time) (*App, error) {
	if now == nil {
		now = time.Now
	}
	if err := EnsurePolicies(ctx, d); err != nil {
		return nil, err
	}
	if r := cfg.ReadReplica; r.URL != "" && !d.Reads.Configured() {
		if err := d.OpenReplica(ctx, r.URL, r.MaxLag, r.Wait); err != nil {
			return nil, err
		}
		if s := d.Reads.Status(); !s.Healthy {
			log.Warn("read replica not usable yet; reads use the primary", "reason", s.Reason)
		}
	}
	store, err := authz.NewStore(ctx, d.Client, log)
	if err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	if d.Dialect == dialect.Postgres {
		store.SetNotifier(func(ctx context.Context) error {
			_, err := d.SQL.ExecContext(ctx, "SELECT pg_notify($1, '')", PolicyChannel)
			return err
		})
	}
	keys, err := auth.OpenKeySet(ctx, cfg, d.Client, d.Dialect, now, log)
	if err != nil {
		return nil, fmt.Errorf("load signing keys: %w", err)
	}
	authSvc := auth.NewService(d.Client, keys, cfg)
	authSvc.Now = now
	authSvc.Tokens = authSvc.Tokens.WithClock(now)
	blobs, err := openFileStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	fileSvc := &files.Service{Store: blobs, MaxBytes: cfg.MaxUploadBytes}
	fileURLs, err := newURLSigner(cfg, keys, now)
	if err != nil {
		return nil, err
	}
	resolver := NewResolver(d.Client, d.Dialect, authSvc, store, fileSvc, now, cfg.MaxPage)
	resolver.Imports.Log = log
	resolver.FileURLs = fileURLs
	bus := events.NewBus(log)
	if d.Dialect == dialect.Postgres {
		bus.SetNotifier(events.PostgresNotifier(d.SQL))
	}
	d.Client.Use(events.Hook(bus, now))
	resolver.Events, resolver.EventQueue = bus, cfg.SubscriptionQueue
	var persisted map[string]string
	if cfg.PersistedDocumentsFile != "" {
		if persisted, err = server.LoadPersistedDocuments(cfg.PersistedDocumentsFile); err != nil {
			return nil, err
		}
	}
	metrics := server.NewMetrics()
	metrics.ObserveReads(d.Reads)
	health := &server.Health{Checks: append(server.DatabaseChecks(d),
		server.Check{Name: "files", Run: blobs.Ready})}
	if d.Reads.Configured() {
		health.Checks = append(health.Checks, server.Check{Name: "replica", Run: d.Reads.Check, Advisory: true})
	}
	var watch *authz.ViewerWatch
	var barrier server.ViewerBarrier
	var barrierWaits prometheus.Observer
	if d.Dialect == dialect.Postgres {
		// Every PostgreSQL replica waits for the watching ones after its
		// own viewer changes, whether it watches or not.
		barrier = func(ctx context.Context) error { return authz.ViewerBarrier(ctx, d.SQL, cfg.ViewerLease) }
		barrierWaits = metrics.ObserveViewerBarrier()
		if cfg.ViewerLease > 0 && cfg.DatabaseURL != "" {
			watch = authz.NewViewerWatch(d.SQL, cfg.DatabaseURL, cfg.ViewerLease, log)
			metrics.ObserveViewerWatch(watch)
		}
	}
	viewers := authz.NewViewerCache(d.Client, d.QueryUnwatched, 0, authz.WatchedBy(watch))
	metrics.ObserveViewers(viewers)
	metrics.ObserveTokens(authSvc.Tokens)
	h := server.New(server.Deps{
		Config: cfg, Client: d.Client, Resolver: resolver, Tokens: authSvc.Tokens, Policy: store, Log: log,
		Health: health, Now: now, Files: fileSvc, FileURLs: fileURLs, Metrics: metrics, PersistedDocuments: persisted,
		Idempotency: server.NewIdempotencyStore(d.SQL, d.Dialect, cfg.IdempotencyTTL, now), Reads: d.Reads,
		Viewers: viewers, ViewerBarrier: barrier, BarrierWaits: barrierWaits,
	})
	resolver.Imports.SQL = d.SQL
	jobOpts := JobOptions(cfg, log, now)
	jobOpts.Imports = resolver.Imports
	jobOpts.Policy = store.Current
	runner, err := jobs.New(d, jobOpts)
	if err != nil {
		return nil, err
	}
	return &App{Config: cfg, DB: d, Policy: store, Auth: authSvc, Handler: h, Admin: server.Admin(cfg, metrics),
		Log: log, Files: fileSvc, Health: health, Events: bus, Jobs: runner, Viewers: viewers, Imports: resolver.Imports, ViewerWatch: watch}, nil
}

// newURLSigner signs file URLs with the secret in cfg.FileURLSecretFile or,
// without one, a secret derived from the JWT signing key: either way every
// replica of one configuration accepts the others' URLs.
func newURLSigner(cfg config.Config, keys *auth.KeySet, now func() time.Time) (*files.URLSigner, error) {
	key := keys.DeriveKey("file URLs")
	if cfg.FileURLSecretFile != "" {
		secret, err := os.ReadFile(cfg.FileURLSecretFile)
		if err != nil {
			return nil, fmt.Errorf("read the file URL secret: %w", err)
		}
		key = bytes.TrimSpace(secret)
	}
	ttl := cfg.FileURLTTL
	if ttl == 0 {
		ttl = config.DefaultFileURLTTL
	}
	s, err := files.NewURLSigner(key, ttl, now)
	if err != nil {
		return nil, fmt.Errorf("file URLs: %w", err)
	}
	return s, nil
}

// EnsurePolicies writes the default policy for every tenant that has none.
func EnsurePolicies(ctx context.Context, d *db.DB) error {
	tenants, err := d.Client.Tenant.Query().IDs(authz.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	for _, id := range tenants {
		if err := authz.EnsureTenant(ctx, d.Client, id); err != nil {
			return fmt.Errorf("default policy of tenant %d: %w", id, err)
		}
	}
	return nil
}

// Watch keeps the policy in step with the database until ctx ends: it polls
// the revision and, on PostgreSQL, wakes on NOTIFY from other replicas, and
// there also receives their change events for this server's subscriptions
// and runs the viewer watch. It returns once the viewer lease is given up.
func (a *App) Watch(ctx context.Context, databaseURL string) {
	var wake chan struct{}
	if a.DB.Dialect == dialect.Postgres && databaseURL != "" {
		if err := a.Events.Listen(ctx, databaseURL); err != nil {
			a.Log.Warn("events of other replicas unavailable; subscriptions see this replica's changes only", "err", err)
		}
		wake = make(chan struct{}, 1)
		l := pq.NewListener(databaseURL, time.Second, time.Minute, func(ev pq.ListenerEventType, err error) {
			if err != nil {
				a.Log.Warn("policy listener", "event", ev, "err", err)
			}
		})
		if err := l.Listen(PolicyChannel); err != nil {
			a.Log.Warn("policy listener unavailable; relying on polling", "err", err)
		} else {
			go func() {
				defer l.Close()
				for {
					select {
					case <-ctx.Done():
						return
					case <-l.Notify:
						select {
						case wake <- struct{}{}:
						default:
						}
					}
				}
			}()
		}
	}
	viewersDone := make(chan struct{})
	go func() {
		defer close(viewersDone)
		if a.ViewerWatch == nil {
			return
		}
		if err := a.ViewerWatch.Run(ctx); err != nil {
			a.Log.Warn("viewer watch unavailable; viewers are read on each request", "err", err)
		}
	}()
	a.Policy.Watch(ctx, a.Config.PolicyPollPeriod, wake)
	<-viewersDone // the lease is given up: other replicas' writers stop waiting for this one
}

// NewResolver wires the domain services over client into the GraphQL
// resolver: the server and the tests that execute GraphQL in process build it
// here, so a new service reaches both.
func NewResolver(client *ent.Client, dialect string, authSvc *auth.Service, store *authz.Store, fileSvc *files.Service, now func() time.Time, maxIDs int) *graph.Resolver {
	emergencySvc := &emergency.Service{Client: client, Dialect: dialect, Files: fileSvc, Now: now}
	readinessSvc := &readiness.Service{Client: client, Now: now}
	r := &graph.Resolver{
		Client:        client,
		Org:           &org.Service{Client: client, Dialect: dialect, Now: now},
		Hazards:       &hazards.Service{Client: client, Now: now, Files: fileSvc},
		Inspections:   &inspections.Service{Client: client, Now: now},
		Auth:          authSvc,
		Policy:        store,
		Letters:       &letters.Service{Client: client, Dialect: dialect, Files: fileSvc, Now: now},
		NoticeService: &notices.Service{Client: client, Dialect: dialect, Files: fileSvc, Now: now},
		Organisation:  &organisation.Service{Client: client, Dialect: dialect, Files: fileSvc, Now: now},
		Education:     &education.Service{Client: client, Dialect: dialect, Files: fileSvc, Now: now},
		Staffing:      &staffing.Service{Client: client, Dialect: dialect, Now: now},
		Emergency:     emergencySvc,
		Readiness:     readinessSvc,
		Prevention:    &prevention.Service{Client: client, Now: now},
		Summary:       &summary.Service{Client: client, Emergency: emergencySvc, Zones: readinessSvc, Now: now},
		Enforcement:   &enforcement.Service{Client: client, Now: now},
		Tally:         &tally.Counter{Client: client, Dialect: dialect},
		Notify:        &notify.Service{Client: client, Now: now},
		MaxIDs:        maxIDs,
	}
	r.Imports = &imports.Service{Client: client, Org: r.Org, Dialect: dialect, Now: now}
	if store != nil {
		r.Imports.Policy = store.Current
	}
	if fileSvc != nil {
		r.Imports.MaxBytes = fileSvc.MaxBytes
	}
	r.Dashboard = &dashboard.Service{Client: client, Dialect: dialect, Now: now, Letters: r.Letters, Notices: r.NoticeService,
		Education: r.Education, Staffing: r.Staffing, Emergency: r.Emergency, Readiness: r.Readiness, Prevention: r.Prevention}
	return r
}

// openFileStore opens the bucket of cfg.FilesURL, spooling uploads under
// the data directory, or else the directory files/ there.
func openFileStore(ctx context.Context, cfg config.Config) (*files.BlobStore, error) {
	if cfg.FilesURL == "" {
		return files.OpenDirStore(cfg.FilesDir())
	}
	return files.OpenBucketStore(ctx, cfg.FilesURL, filepath.Join(cfg.DataDir, "spool"))
}

// JobOptions are the job queue's settings from cfg: the reminder schedule,
// the import jobs' retention and, when a webhook URL is configured, the
// delivery (the caller sets Imports).
func JobOptions(cfg config.Config, log *slog.Logger, now func() time.Time) jobs.Options {
	n := cfg.Notifications
	opts := jobs.Options{ScanPeriod: n.ScanPeriod, EscalateAfter: n.EscalateAfter, Now: now, Log: log, ImportRetention: cfg.ImportRetention}
	if n.WebhookURL != "" {
		opts.Deliverer = &notify.Webhook{URL: n.WebhookURL, Secret: []byte(n.WebhookSecret)}
	}
	return opts
}
