package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dutychain/dutychain/internal/app"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/synth"
)

const seedUsage = `Usage: dutychain seed <what> [flags]

Load data into the database (migrating it first unless --migrate=false).

What:
  demo   the demo tenants: 示范县 (tenant "demo") and 邻县 (tenant "neighbor").
         Idempotent: a tenant that already exists is left untouched.
         Every demo user has the password ` + seed.DemoPassword + `.
  synthetic
         a generated tenant for benchmarks, deterministic from --seed: a
         county (or a city of --counties counties) with towns, departments,
         enterprises, workshops, teams, users at every level, hazards with
         their inspections and histories, and the annual letter chain.
         --scale county (default: 20 towns, 5,000 enterprises, 200,000
         hazards) or province (10 counties, 200 towns, 50,000 enterprises,
         2,000,000 hazards); explicit flags override the preset. Refuses a
         database holding a tenant that is not synthetic unless
         --allow-real-tenants. Every user has the password ` + synth.Password + `.

Run "dutychain seed demo --help" or "dutychain seed synthetic --help" for
the flags (--data-dir, --database-url, …).
`

// seedCommand runs `dutychain seed demo` and `dutychain seed synthetic`.
func seedCommand(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, seedUsage)
		return errors.New("missing what to seed (want: demo or synthetic)")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(os.Stderr, seedUsage)
		return flag.ErrHelp
	case "demo":
		return seedDemo(ctx, args[1:])
	case "synthetic":
		return seedSynthetic(ctx, args[1:])
	default:
		fmt.Fprint(os.Stderr, seedUsage)
		return fmt.Errorf("unknown seed %q (want: demo or synthetic)", args[0])
	}
}

func seedDemo(ctx context.Context, args []string) error {
	cfg, _, err := parseConfig("seed demo", args)
	if err != nil {
		return err
	}
	d, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := seed.Demo(ctx, d.Client)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing of that tenant was written)", d, err)
	}
	// Running servers pick the new tenants' default policy up at their next poll.
	if err := app.EnsurePolicies(ctx, d); err != nil {
		return err
	}
	fmt.Printf("Seeded %s:\n", d)
	created := false
	for _, t := range res.Tenants {
		fmt.Printf("  %-8s %s: %s\n", t.Code, t.Name, t.Status())
		fmt.Printf("           %v\n", t.Counts)
		created = created || t.Created
	}
	if created {
		fmt.Printf("Demo users, all with password %q:\n", seed.DemoPassword)
		for _, t := range res.Tenants {
			fmt.Printf("  %s: %s\n", t.Code, strings.Join(seed.Usernames(t.Code), ", "))
		}
	}
	return nil
}

// synthFlags binds the flags of `seed synthetic`; scale presets apply first
// and the flags given explicitly override them.
func synthFlags(fs *flag.FlagSet, o *synth.Options, scale, now *string, noProgress *bool) {
	d := synth.DefaultOptions()
	*o = d
	fs.StringVar(scale, "scale", "county", "preset: county (the defaults) or province (--counties 10 --towns 200 --enterprises 50000 --hazards 2000000)")
	fs.Int64Var(&o.Seed, "seed", d.Seed, "random seed: the same seed gives the same rows")
	fs.StringVar(&o.Tenant, "tenant", d.Tenant, "tenant code")
	fs.IntVar(&o.Counties, "counties", d.Counties, "counties (1: the root is a COUNTY; more: a CITY of counties)")
	fs.IntVar(&o.Towns, "towns", d.Towns, "towns in all, split evenly over the counties")
	fs.IntVar(&o.Departments, "departments", d.Departments, fmt.Sprintf("departments per county, one per sector group (0–%d)", synth.MaxDepartments))
	fs.IntVar(&o.Enterprises, "enterprises", d.Enterprises, "enterprises in all (skewed over towns)")
	fs.IntVar(&o.Workshops, "workshops", d.Workshops, "workshops per enterprise")
	fs.IntVar(&o.Teams, "teams", d.Teams, "teams per workshop")
	fs.IntVar(&o.Hazards, "hazards", d.Hazards, "hazards in all (skewed over enterprises)")
	fs.Var(synth.LettersFlag{N: &o.Letters}, "letters", "responsibility letters: true (the annual chain), false, or at most a count")
	fs.BoolVar(&o.Records, "records", d.Records, "the year's other records: notices with receipts, trainings, certificates, duty lists, emergency plans with drills, duty rosters, risk points")
	fs.BoolVar(&o.AllowRealTenants, "allow-real-tenants", false, "load even though the database holds tenants that are not synthetic")
	fs.StringVar(now, "now", "", "reference date YYYY-MM-DD (default today, UTC): hazards fall in the two years before it")
	fs.IntVar(&o.Workers, "workers", 0, "parallel transactions loading hazards on PostgreSQL (0: one per CPU)")
	fs.BoolVar(noProgress, "no-progress", false, "no progress bar or progress lines")
}

func seedSynthetic(ctx context.Context, args []string) error {
	var (
		opts       synth.Options
		scale, now string
		noProgress bool
	)
	cfg, fs, err := parseConfigWith("seed synthetic", args, func(fs *flag.FlagSet) {
		synthFlags(fs, &opts, &scale, &now, &noProgress)
	})
	if err != nil {
		return err
	}
	// The preset gives the totals no flag set explicitly.
	preset := synth.DefaultOptions()
	if err := preset.ApplyScale(scale); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, v := range map[string][2]*int{
		"counties": {&opts.Counties, &preset.Counties}, "towns": {&opts.Towns, &preset.Towns},
		"enterprises": {&opts.Enterprises, &preset.Enterprises}, "hazards": {&opts.Hazards, &preset.Hazards},
	} {
		if !given[name] {
			*v[0] = *v[1]
		}
	}
	if now != "" {
		if opts.Now, err = time.Parse(time.DateOnly, now); err != nil {
			return fmt.Errorf("--now %q: want YYYY-MM-DD", now)
		}
	}
	if !noProgress {
		opts.Progress = os.Stderr
	}
	d, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := synth.Generate(ctx, d, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", d, err)
	}
	fmt.Printf("Seeded %s with %s\n", d, res)
	fmt.Printf("Users (password %q) are named like %s, %s, %s, %s; see docs/PERFORMANCE.md.\n", synth.Password,
		synth.Username(1, synth.LevelCounty, 0, synth.RoleHead), synth.Username(1, synth.LevelTown, 1, synth.RoleHead),
		synth.Username(1, synth.LevelCounty, 0, "deputy.industry"), synth.Username(1, synth.LevelEnterprise, 1, synth.RolePrincipal))
	return nil
}
