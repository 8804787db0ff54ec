package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/dutychain/dutychain/internal/app"
	"os"
	"strings"

	"github.com/dutychain/dutychain/internal/seed"
)

const seedUsage = `Usage: dutychain seed <what> [flags]

Load data into the database (migrating it first unless --migrate=false).

What:
  demo   the demo tenants: 示范县 (tenant "demo") and 邻县 (tenant "neighbor").
         Idempotent: a tenant that already exists is left untouched.
         Every demo user has the password ` + seed.DemoPassword + `.

Run "dutychain seed demo --help" for the flags (--data-dir, --database-url, …).
`

// seedCommand runs `dutychain seed demo`.
func seedCommand(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, seedUsage)
		return errors.New("missing what to seed (want: demo)")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(os.Stderr, seedUsage)
		return flag.ErrHelp
	case "demo":
		return seedDemo(ctx, args[1:])
	default:
		fmt.Fprint(os.Stderr, seedUsage)
		return fmt.Errorf("unknown seed %q (want: demo)", args[0])
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
