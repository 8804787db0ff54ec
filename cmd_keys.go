package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
)

const keysUsage = `Usage: dutychain keys <list|rotate> [flags]

  list     print the token signing keys kept in the database
  rotate   make a new signing key the deployment's; the previous one still
           verifies until the tokens it signed have expired
           (access-ttl + 30s leeway + 30s for replicas to notice)

Both read the database and key secret settings of serve
(--database-url, --jwt-key-secret-file or $DUTYCHAIN_JWT_KEY_SECRET, --access-ttl).
`

func keysCommand(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "rotate") {
		fmt.Fprint(os.Stderr, keysUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return flag.ErrHelp
		}
		return errors.New("want a subcommand: list or rotate")
	}
	sub := args[0]
	fs := flag.NewFlagSet("dutychain keys "+sub, flag.ContinueOnError)
	cfg := config.Default()
	check := cfg.Bind(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := errors.Join(check(), cfg.Verify()); err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer d.Close()
	if sub == "list" {
		return listKeys(ctx, d.Client)
	}
	secret, err := cfg.KeySecret()
	if err != nil {
		return err
	}
	if secret == nil {
		return errors.New("rotate needs the key secret of the replicas (--jwt-key-secret-file or $" + config.EnvJWTKeySecret +
			"); keys configured as files are rotated by configuration (docs/DEPLOY.md)")
	}
	kid, err := auth.RotateWithSecret(ctx, d.Client, secret, cfg.AccessTTL, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("new signing key %s; the previous key verifies for %s more\n", kid, auth.RetirementWindow(cfg.AccessTTL))
	return nil
}

func listKeys(ctx context.Context, client *ent.Client) error {
	keys, err := client.SigningKey.Query().Order(ent.Asc("id")).All(authz.SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("read signing keys: %w", err)
	}
	for _, k := range keys {
		state := "signs"
		if k.RetiredAt != nil {
			state = "verifies until " + k.VerifyUntil.UTC().Format(time.RFC3339)
		}
		kind := "sealed"
		if !auth.Sealed(k) {
			kind = "configured"
		}
		fmt.Printf("%s  %-10s  created %s  %s\n", k.Kid, kind, k.CreatedAt.UTC().Format(time.RFC3339), state)
	}
	return nil
}
