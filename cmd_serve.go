package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/internal/app"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/tracing"
	"github.com/dutychain/dutychain/server"

	_ "github.com/dutychain/dutychain/ent/runtime"
)

// parseConfig reads defaults, environment and flags, then verifies.
func parseConfig(name string, args []string) (config.Config, *flag.FlagSet, error) {
	return parseConfigWith(name, args, nil)
}

// parseConfigWith is parseConfig with a command's own flags bound by extra.
func parseConfigWith(name string, args []string, extra func(fs *flag.FlagSet)) (config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("dutychain "+name, flag.ContinueOnError)
	cfg := config.Default()
	check := cfg.Bind(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, fs, err
	}
	if err := errors.Join(check(), cfg.Verify()); err != nil {
		return cfg, fs, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return cfg, fs, nil
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// openMigrated opens the configured database and, unless --migrate=false,
// applies pending migrations. It refuses a dirty database or one newer than
// this binary, and with --migrate=false one that is behind it.
func openMigrated(ctx context.Context, cfg config.Config) (*db.DB, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir, db.WithStatementCache(cfg.StatementCache))
	if err != nil {
		return nil, err
	}
	if cfg.AutoMigrate {
		err = d.Migrate(ctx)
	} else {
		err = d.CheckServable(ctx, true)
	}
	if err != nil {
		d.Close()
		var state *db.StateError
		if errors.As(err, &state) {
			return nil, fmt.Errorf("not serving %s: %w", d, state)
		}
		return nil, err
	}
	return d, nil
}

// serveCommand runs the server until SIGINT/SIGTERM, then stops gracefully
// (see server.Serve).
func serveCommand(ctx context.Context, args []string) error {
	cfg, _, err := parseConfig("serve", args)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	slog.SetDefault(log)
	// Tracing comes first: the database and the handler are traced only
	// when built while it is on.
	stopTracing, err := tracing.Setup(ctx, cfg.Tracing)
	if err != nil {
		return err
	}
	defer func() { _ = stopTracing(context.WithoutCancel(ctx)) }()
	d, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if cfg.SeedDemo && cfg.DatabaseURL == "" {
		hasTenants, err := d.Client.Tenant.Query().Exist(authz.SystemContext(ctx))
		if err != nil {
			return fmt.Errorf("check for tenants: %w", err)
		}
		if !hasTenants {
			res, err := seed.Demo(ctx, d.Client)
			if err != nil {
				return fmt.Errorf("seed demo tenants: %w", err)
			}
			log.Info("loaded demo tenants", "result", fmt.Sprint(res))
		}
	}
	a, err := app.New(ctx, cfg, d, log, nil)
	if err != nil {
		return err
	}
	watchCtx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		a.Watch(watchCtx, cfg.DatabaseURL)
	}()
	defer func() { // before the pool closes: the viewer lease is given up with it
		stopWatch()
		select {
		case <-watched:
		case <-time.After(10 * time.Second):
		}
	}()

	if cfg.AdminAddr != "" {
		go serveAdmin(ctx, cfg.AdminAddr, a.Admin, log)
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if cfg.WorkJobs {
		if err := a.Jobs.Start(ctx); err != nil {
			return err
		}
		// Stopping lets running jobs (an import: at most directory.MaxRows
		// rows) end within the shutdown timeout; one cancelled is run again
		// from the start by the next server (it wrote nothing).
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
			defer cancel()
			if err := a.Jobs.Stop(stopCtx); err != nil {
				log.Error("job queue", "err", err)
			}
		}()
	} else {
		log.Info("job queue not worked here (--jobs=false): another replica works reminders, deliveries and imports")
	}
	log.Info("dutychain serving", "url", "http://"+ln.Addr().String()+"/", "graphql", "http://"+ln.Addr().String()+"/graphql",
		"database", d.String(), "version", version)
	return server.Serve(ctx, srv, ln, server.Shutdown{Health: a.Health, Drain: cfg.ShutdownDrain, Grace: cfg.ShutdownTimeout, Log: log})
}

// serveAdmin serves /metrics and pprof on their own (private) address:
// never on the public listener.
func serveAdmin(ctx context.Context, addr string, h http.Handler, log *slog.Logger) {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	log.Info("admin listening (metrics, pprof)", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("admin listener", "err", err)
	}
}
