package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
)

const migrateUsage = `Usage: dutychain migrate <up|status> [flags]

Subcommands:
  up       apply every pending migration (safe to repeat)
  status   print the applied version, whether it is dirty, the newest
           shipped migration and how many are pending

The database is the embedded SQLite file <data-dir>/dutychain.db, or
PostgreSQL when --database-url / DATABASE_URL is set.

Flags:
`

// migrateCommand applies or inspects the database migrations embedded in
// the binary (migrations/, applied with golang-migrate).
func migrateCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dutychain migrate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), migrateUsage)
		fs.PrintDefaults()
	}
	cfg := config.Default()
	check := cfg.Bind(fs)

	// Accept the subcommand before or after the flags.
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if sub == "" && fs.NArg() > 0 {
		sub = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	switch {
	case sub == "help":
		fs.SetOutput(os.Stdout)
		fs.Usage()
		return nil
	case sub == "":
		return errors.New("missing subcommand: up or status (see `dutychain migrate --help`)")
	case sub != "up" && sub != "status":
		return fmt.Errorf("unknown subcommand %q: want up or status (see `dutychain migrate --help`)", sub)
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err := errors.Join(check(), cfg.Verify()); err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}

	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer d.Close()

	switch sub {
	case "up":
		before, err := d.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		if err := d.Migrate(ctx); err != nil {
			return err
		}
		after, err := d.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		if after.Version == before.Version {
			fmt.Printf("%s: already at version %d, nothing to apply\n", d, after.Version)
		} else {
			fmt.Printf("%s: migrated from version %d to %d (%d applied)\n", d, before.Version, after.Version, before.Pending-after.Pending)
		}
		return nil
	default: // status
		st, err := d.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("database: %s\nversion:  %d\ndirty:    %t\nlatest:   %d\npending:  %d\n",
			d, st.Version, st.Dirty, st.Latest, st.Pending)
		if st.Dirty {
			fmt.Println("The last migration failed halfway: repair the database by hand, then mark the version with golang-migrate's `force`.")
		}
		return nil
	}
}
