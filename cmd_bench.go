package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dutychain/dutychain/internal/bench"
	"github.com/dutychain/dutychain/internal/synth"
)

const benchUsage = `Usage: dutychain bench [flags]
       dutychain bench floor [flags]   (started by the harness itself)

Benchmark the API against its floors on PostgreSQL holding a synthetic tenant
(dutychain seed synthetic): the same SQL through database/sql + lib/pq, and a
minimal hand-written net/http handler. Starts the server and the floor as
child processes, logs users of several levels in, measures each scenario one
request at a time and then a request mix with --concurrency clients, and
prints latency percentiles, throughput, SQL statements and allocations per
request with the ratios API / floor. See docs/PERFORMANCE.md.

Flags:
`

// userFlags collects repeated --user level=username flags.
type userFlags []bench.User

func (u *userFlags) String() string { return fmt.Sprint(*u) }

func (u *userFlags) Set(s string) error {
	level, name, ok := strings.Cut(s, "=")
	if !ok || level == "" || name == "" {
		return errors.New("want level=username")
	}
	*u = append(*u, bench.User{Level: level, Username: name})
	return nil
}

func benchCommand(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "floor" {
		return benchFloor(ctx, args[1:])
	}
	fs := flag.NewFlagSet("dutychain bench", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(os.Stderr, benchUsage)
		fs.PrintDefaults()
	}
	var (
		o     bench.Options
		users userFlags
	)
	fs.StringVar(&o.DatabaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL of the database with the synthetic tenant (default $DATABASE_URL)")
	fs.StringVar(&o.Tenant, "tenant", "synth", "tenant code")
	fs.StringVar(&o.Password, "password", synth.Password, "password of the benchmark users")
	fs.Var(&users, "user", "level=username of a benchmark user, repeatable (default: c01.head, c01.deputy.industry, c01.t001.head, c01.e00001.principal)")
	fs.IntVar(&o.Concurrency, "concurrency", 50, "clients of the load phase")
	fs.IntVar(&o.Samples, "samples", 200, "sequential requests per scenario, user and target")
	fs.IntVar(&o.Warmup, "warmup", 20, "unmeasured requests before each cell")
	fs.DurationVar(&o.Duration, "duration", 15*time.Second, "length of the load phase per target")
	fs.BoolVar(&o.Check, "check", false, "exit non-zero when a latency, throughput or memory target is missed")
	fs.StringVar(&o.Baseline, "baseline", "", "report JSON of a smaller-scale run: check how p50 grew since")
	fs.StringVar(&o.Save, "save", "", "write the report as JSON to this file")
	fs.StringVar(&o.ProfileDir, "profile", "", "save the server's CPU and allocation profiles of the load phase in this directory")
	fs.StringVar(&o.ServerURL, "server-url", "", "use this running server (started with --statement-header) instead of starting one")
	fs.StringVar(&o.AdminURL, "admin-url", "", "admin address of the --server-url server (its --admin-addr), where /metrics is read")
	scenarios := fs.String("scenarios", "", "comma-separated scenarios to measure, e.g. count,dashboard (default: all of "+strings.Join(bench.ScenarioNames(), ", ")+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(o.DatabaseURL, "postgres") {
		return errors.New("bench needs --database-url postgres://… (the floors use lib/pq)")
	}
	o.Users = users
	if *scenarios != "" {
		o.Scenarios = strings.Split(*scenarios, ",")
	}
	_, err := bench.Run(ctx, o)
	return err
}

func benchFloor(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dutychain bench floor", flag.ContinueOnError)
	var (
		o     bench.FloorOptions
		users userFlags
	)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:0", "listen address")
	fs.StringVar(&o.DatabaseURL, "database-url", "", "PostgreSQL URL")
	fs.StringVar(&o.Tenant, "tenant", "synth", "tenant code")
	fs.Var(&users, "user", "level=username, repeatable")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, u := range users {
		o.Usernames = append(o.Usernames, u.Username)
	}
	o.Log = newLogger("warn")
	return bench.ServeFloor(ctx, o)
}
