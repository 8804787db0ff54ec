package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/emergency"
	"github.com/dutychain/dutychain/internal/readiness"
	"github.com/dutychain/dutychain/internal/summary"
)

const reportUsage = `Usage: dutychain report summary --tenant CODE --user USERNAME --year YEAR [flags]

Write the yearly work summary (年度工作总结) of a unit from the data, as the
given user would see it in GraphQL (yearlySummary): only the records of
their jurisdiction are counted.

  --unit CODE      the unit summarised (default: the user's highest post's unit)
  --format F       html (print, with charts), docx (to edit) or json (default html)
  --plan FILE      a text file with the office's own items of part 五, one per line
  -o FILE          write there instead of standard output

and the database flags of "serve" (--data-dir, --database-url).
`

// reportCommand runs `dutychain report summary`.
func reportCommand(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "summary" {
		fmt.Fprint(os.Stderr, reportUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return flag.ErrHelp
		}
		return errors.New("missing or unknown subcommand (want: summary)")
	}
	fs := flag.NewFlagSet("dutychain report summary", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, reportUsage) }
	cfg := config.Default()
	check := cfg.Bind(fs)
	tenantCode := fs.String("tenant", "", "tenant code")
	username := fs.String("user", "", "the user whose jurisdiction is summarised")
	year := fs.Int("year", 0, "the year")
	unitCode := fs.String("unit", "", "unit code (default: the user's highest post)")
	format := fs.String("format", "html", "html, docx or json")
	planFile := fs.String("plan", "", "file with part 五's items, one per line")
	outPath := fs.String("o", "", "output file (default: standard output)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := errors.Join(check(), cfg.Verify()); err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	if *tenantCode == "" || *username == "" || *year == 0 {
		fs.Usage()
		return errors.New("--tenant, --user and --year are required")
	}
	if *format != "html" && *format != "docx" && *format != "json" {
		return fmt.Errorf("--format %q: want html, docx or json", *format)
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer d.Close()
	in := summary.Input{Year: *year}
	if *planFile != "" {
		if in.Plan, err = readLines(*planFile); err != nil {
			return err
		}
	}
	viewerCtx, err := signIn(ctx, d, *tenantCode, *username, *unitCode, &in)
	if err != nil {
		return err
	}
	svc := &summary.Service{Client: d.Client, Emergency: &emergency.Service{Client: d.Client, Dialect: d.Dialect, Now: time.Now},
		Zones: &readiness.Service{Client: d.Client, Now: time.Now}, Now: time.Now}
	s, err := svc.Build(viewerCtx, in)
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	if *outPath != "" {
		f, err := os.Create(*outPath)
		if err != nil {
			return fmt.Errorf("create %s: %w", *outPath, err)
		}
		defer f.Close()
		w = f
	}
	switch *format {
	case "docx":
		return summary.WriteDOCX(w, s)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	default:
		return summary.WriteHTML(w, s)
	}
}

// signIn returns ctx carrying username's viewer in tenant, and sets the
// unit of unitCode in in.
func signIn(ctx context.Context, d *db.DB, tenantCode, username, unitCode string, in *summary.Input) (context.Context, error) {
	sys := authz.SystemContext(ctx)
	t, err := authz.TenantByCode(sys, d.Client, tenantCode)
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", tenantCode, err)
	}
	u, err := d.Client.User.Query().Where(user.TenantID(t.ID), user.Username(username)).Only(sys)
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", username, err)
	}
	if unitCode != "" {
		id, err := d.Client.Unit.Query().Where(unit.TenantID(t.ID), unit.Code(unitCode)).OnlyID(sys)
		if err != nil {
			return nil, fmt.Errorf("unit %q: %w", unitCode, err)
		}
		in.UnitID = &id
	}
	store, err := authz.NewStore(ctx, d.Client, nil)
	if err != nil {
		return nil, fmt.Errorf("load the policy: %w", err)
	}
	v, err := authz.LoadViewer(ctx, d.Client, store.Current(), u.ID, t.ID, time.Now())
	if err != nil {
		return nil, fmt.Errorf("sign in %q: %w", username, err)
	}
	return authz.NewContext(ctx, v), nil
}

// readLines reads the non-empty lines of path.
func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}
