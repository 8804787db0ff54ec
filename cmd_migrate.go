package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
)

const migrateUsage = `Usage: dutychain migrate <up|status|down N|force V> [flags]

Subcommands:
  up       apply every pending migration (safe to repeat)
  status   print the applied version, whether it is dirty, the newest
           shipped migration and how many are pending; exits 1 when the
           database is dirty or newer than this binary
  down N   revert the newest N migrations (their tables and columns, and
           the data in them, are dropped)
  force V  record version V as applied and clean without running anything
           (after repairing a dirty database by hand; 0 means none)

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

	// Accept the subcommand and its argument before or after the flags.
	var words []string
	for {
		for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			words, args = append(words, args[0]), args[1:]
		}
		if len(args) == 0 {
			break
		}
		if err := fs.Parse(args); err != nil {
			return err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
	}
	sub, operand, err := migrateWords(words)
	if err != nil {
		return err
	}
	if sub == "help" {
		fs.SetOutput(os.Stdout)
		fs.Usage()
		return nil
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
	case "status":
		st, err := d.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("database: %s\nversion:  %d\ndirty:    %t\nlatest:   %d\npending:  %d\n",
			d, st.Version, st.Dirty, st.Latest, st.Pending)
		// A database the server refuses makes status fail, for scripts.
		return d.CheckServable(ctx, false)
	case "down":
		st, err := d.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "WARNING: reverting %d migration(s) of %s drops their tables and columns and the data in them.\n", operand, d)
		if err := d.MigrateDown(ctx, int(operand)); err != nil {
			return err
		}
		after, err := d.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("%s: reverted from version %d to %d\n", d, st.Version, after.Version)
		return nil
	default: // force
		fmt.Fprintf(os.Stderr, "WARNING: forcing %s to version %d runs no migration; the schema must already match that version.\n", d, operand)
		if err := d.ForceVersion(ctx, operand); err != nil {
			return err
		}
		fmt.Printf("%s: recorded as version %d, clean\n", d, operand)
		return nil
	}
}

// migrateWords reads the subcommand and, for down and force, its number.
func migrateWords(words []string) (sub string, operand uint, err error) {
	if len(words) == 0 {
		return "", 0, errors.New("missing subcommand: up, status, down N or force V (see `dutychain migrate --help`)")
	}
	sub, rest := words[0], words[1:]
	want := 0
	switch sub {
	case "help", "up", "status":
	case "down", "force":
		want = 1
	default:
		return "", 0, fmt.Errorf("unknown subcommand %q: want up, status, down N or force V (see `dutychain migrate --help`)", sub)
	}
	if len(rest) != want {
		if want == 1 {
			return "", 0, fmt.Errorf("migrate %s needs one number (see `dutychain migrate --help`)", sub)
		}
		return "", 0, fmt.Errorf("unexpected arguments: %s", strings.Join(rest, " "))
	}
	if want == 1 {
		n, err := strconv.ParseUint(rest[0], 10, 32)
		if err != nil || (sub == "down" && n == 0) {
			return "", 0, fmt.Errorf("migrate %s %q: want a whole number (at least 1 for down)", sub, rest[0])
		}
		operand = uint(n)
	}
	return sub, operand, nil
}
