package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/input"
	"github.com/dutychain/dutychain/internal/ledger"
)

const exportUsage = `Usage: dutychain export <ledger> --tenant CODE --user USERNAME [--format xlsx|csv] [--where JSON] [-o FILE]

Write a ledger (台账) as the user sees it in the API: their scope, filtered
by --where, the JSON of the where input of the ledger's GraphQL list (e.g.
'{"level":"MAJOR","stateNEQ":"CLOSED"}'). Without -o the file goes to
standard output. See docs/REPORTS.md.

Ledgers: %s

Flags: --tenant, --user, --format (default xlsx), --where, -o, and the
database flags of "serve" (--data-dir, --database-url).
`

// exportCommand runs `dutychain export <ledger>`.
func exportCommand(ctx context.Context, args []string) error {
	names := make([]string, 0, len(ledger.Kinds()))
	for _, k := range ledger.Kinds() {
		names = append(names, k.Name)
	}
	usage := fmt.Sprintf(exportUsage, strings.Join(names, ", "))
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(os.Stderr, usage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return errors.New("missing the ledger to export")
	}
	kind, err := ledger.KindNamed(args[0])
	if err != nil {
		return err
	}
	var tenantCode, username, format, where, out string
	cfg, _, err := parseConfigWith("export "+kind.Name, args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&tenantCode, "tenant", "", "tenant code (required)")
		fs.StringVar(&username, "user", "", "export as this user sees it: their scope (required)")
		fs.StringVar(&format, "format", "xlsx", "xlsx or csv")
		fs.StringVar(&where, "where", "", "JSON of the where input of the ledger's GraphQL list")
		fs.StringVar(&out, "o", "", "output file (default: standard output)")
	})
	if err != nil {
		return err
	}
	if tenantCode == "" || username == "" {
		return errors.New("--tenant and --user are required")
	}
	if format != "xlsx" && format != "csv" {
		return fmt.Errorf("--format %q: want xlsx or csv", format)
	}
	d, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	var w io.Writer = os.Stdout
	var file *os.File
	if out != "" {
		if file, err = os.Create(out); err != nil {
			return err
		}
		w = file
	}
	err = writeLedger(ctx, d.Client, kind, tenantCode, username, format, where, w)
	if file != nil {
		err = errors.Join(err, file.Close())
		if err != nil {
			_ = os.Remove(out)
		}
	}
	return err
}

// writeLedger writes kind's ledger in format to w as username of the
// tenant sees it, filtered by where (JSON of the list's where input).
func writeLedger(ctx context.Context, c *ent.Client, kind *ledger.Kind, tenantCode, username, format, where string, w io.Writer) error {
	ctx, err := exportViewer(ctx, c, tenantCode, username)
	if err != nil {
		return err
	}
	rules, err := input.FromSchema(graph.ServedSchema())
	if err != nil {
		return err
	}
	filter, vs, err := ledger.ParseWhere(ctx, c, rules, kind, where)
	if len(vs) > 0 {
		msgs := make([]string, len(vs))
		for i, v := range vs {
			msgs[i] = v.Message
		}
		return fmt.Errorf("--where: %s", strings.Join(msgs, "; "))
	}
	if err != nil {
		return fmt.Errorf("--where: %w", err)
	}
	x := &ledger.Exporter{Client: c}
	none := func() error { return nil }
	if format == "csv" {
		return x.WriteCSV(ctx, kind, filter, w, none)
	}
	return x.WriteXLSX(ctx, kind, filter, w, none)
}

// exportViewer returns ctx with the viewer of username in tenant, loaded
// as a request would load it (valid posts, the current policy).
func exportViewer(ctx context.Context, c *ent.Client, tenantCode, username string) (context.Context, error) {
	sys := authz.SystemContext(ctx)
	t, err := c.Tenant.Query().Where(tenant.Code(tenantCode)).Only(sys)
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", tenantCode, err)
	}
	u, err := c.User.Query().Where(user.TenantID(t.ID), user.Username(username)).Only(sys)
	if err != nil {
		return nil, fmt.Errorf("user %q of tenant %q: %w", username, tenantCode, err)
	}
	store, err := authz.NewStore(sys, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	v, err := authz.LoadViewer(sys, c, store.Current(), u.ID, t.ID, time.Now())
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", username, err)
	}
	return authz.NewContext(ctx, v), nil
}
