package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/internal/audit"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
)

const auditUsage = `Usage: dutychain audit <verify|head> [--tenant CODE] [flags]

Check the tamper-evident audit log (see docs/AUDIT.md).

  verify   walk each tenant's hash chain (or only --tenant's) and report the first
           broken link: the sequence number, row id, expected and stored hash.
           Exits with status 1 when a chain is broken. With --expect SEQ:HASH (a
           head printed earlier by "audit head" and kept elsewhere) it also checks
           that event SEQ still carries HASH, which catches a rewritten chain.
  head     print each chain's head: tenant, last sequence number and its hash,
           to be stored outside the database.

Flags: --tenant CODE, --expect SEQ:HASH, and the database flags of "serve"
(--data-dir, --database-url). Chain "-" holds sign-ins to unknown tenants.
`

// errChainBroken makes `audit verify` exit non-zero; the details are printed.
var errChainBroken = errors.New("audit chain broken")

// auditCommand runs `dutychain audit verify|head`.
func auditCommand(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, auditUsage)
		return errors.New("missing subcommand (want: verify or head)")
	}
	sub := args[0]
	switch sub {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(os.Stderr, auditUsage)
		return flag.ErrHelp
	case "verify", "head":
	default:
		fmt.Fprint(os.Stderr, auditUsage)
		return fmt.Errorf("unknown subcommand %q (want: verify or head)", sub)
	}
	fs := flag.NewFlagSet("dutychain audit "+sub, flag.ContinueOnError)
	cfg := config.Default()
	check := cfg.Bind(fs)
	tenantCode := fs.String("tenant", "", "only this tenant's chain (tenant code)")
	expect := fs.String("expect", "", "verify: SEQ:HASH of a head recorded earlier, to check it is still in the chain (needs --tenant)")
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
	if sub == "head" {
		return auditHead(ctx, d, *tenantCode, os.Stdout)
	}
	return auditVerify(ctx, d, *tenantCode, *expect, os.Stdout)
}

// chains returns the chains to look at: one tenant's, or every chain.
func chains(ctx context.Context, d *db.DB, tenantCode string) ([]int, map[int]string, error) {
	sys := authz.SystemContext(ctx)
	ts, err := d.Client.Tenant.Query().All(sys)
	if err != nil {
		return nil, nil, fmt.Errorf("list tenants: %w", err)
	}
	names := map[int]string{0: "-"}
	for _, t := range ts {
		names[t.ID] = t.Code
	}
	if tenantCode != "" {
		t, err := d.Client.Tenant.Query().Where(tenant.Code(tenantCode)).Only(sys)
		if err != nil {
			return nil, nil, fmt.Errorf("tenant %q: %w", tenantCode, err)
		}
		return []int{t.ID}, names, nil
	}
	ids, err := audit.Tenants(ctx, d.SQL)
	return ids, names, err
}

// auditVerify verifies the chains and prints one line per chain; a broken
// chain is described and makes it return errChainBroken.
func auditVerify(ctx context.Context, d *db.DB, tenantCode, expect string, w io.Writer) error {
	ids, names, err := chains(ctx, d, tenantCode)
	if err != nil {
		return err
	}
	broken := false
	for _, id := range ids {
		rep, err := audit.Verify(ctx, d.SQL, id)
		if err != nil {
			return err
		}
		if b := rep.Break; b != nil {
			broken = true
			fmt.Fprintf(w, "tenant %s: BROKEN at seq %d (event id %d): %s\n  expected: %s\n  stored:   %s\n",
				names[id], b.Seq, b.ID, b.Reason, b.Expected, b.Stored)
			continue
		}
		fmt.Fprintf(w, "tenant %s: ok, %d events, head seq %d hash %s\n", names[id], rep.Events, rep.HeadSeq, rep.HeadHash)
	}
	if expect != "" {
		if tenantCode == "" || len(ids) != 1 {
			return errors.New("--expect needs --tenant")
		}
		seqText, hash, ok := strings.Cut(expect, ":")
		seq, err := strconv.ParseInt(seqText, 10, 64)
		if !ok || err != nil || seq < 1 {
			return fmt.Errorf("--expect %q: want SEQ:HASH as printed by `dutychain audit head`", expect)
		}
		stored, err := audit.HashAt(ctx, d.SQL, ids[0], seq)
		if err != nil {
			return err
		}
		if stored != hash {
			broken = true
			fmt.Fprintf(w, "tenant %s: BROKEN: the recorded head seq %d is not in the chain any more\n  expected: %s\n  stored:   %s\n",
				names[ids[0]], seq, hash, orNone(stored))
		} else {
			fmt.Fprintf(w, "tenant %s: the recorded head seq %d is in the chain\n", names[ids[0]], seq)
		}
	}
	if broken {
		return errChainBroken
	}
	return nil
}

// auditHead prints "tenant seq hash" per chain.
func auditHead(ctx context.Context, d *db.DB, tenantCode string, w io.Writer) error {
	ids, names, err := chains(ctx, d, tenantCode)
	if err != nil {
		return err
	}
	for _, id := range ids {
		seq, hash, err := audit.Head(ctx, d.SQL, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s %d:%s\n", names[id], seq, orNone(hash))
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
