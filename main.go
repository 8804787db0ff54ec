// Command dutychain runs the county work-safety responsibility platform:
// `dutychain serve`, `migrate`, `seed`, `audit`, `report`, `export`, `import`, `bench`, `version`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the GraphQL server (embedded SQLite with the demo tenant by default)", serveCommand},
		{"migrate", "apply, inspect, revert or repair database migrations (up, status, down N, force V)", migrateCommand},
		{"seed", "load data: `seed demo` loads the demo tenants", seedCommand},
		{"audit", "check the audit log: `audit verify` walks the hash chains, `audit head` prints their heads", auditCommand},
		{"report", "write the yearly work summary of a unit from the data (HTML, DOCX or JSON)", reportCommand},
		{"export", "write a ledger (台账) as XLSX or CSV, scoped to a user: `export hazards --tenant demo --user …`", exportCommand},
		{"import", "import the enterprise directory, users and posts from XLSX: `import directory --tenant demo --user … FILE`", importCommand},
		{"keys", "token signing keys kept in the database: `keys list`, `keys rotate`", keysCommand},
		{"bench", "benchmark the API against raw SQL and a hand-written handler (PostgreSQL, synthetic data)", benchCommand},
		{"version", "print the version", func(context.Context, []string) error {
			fmt.Println("dutychain", version)
			return nil
		}},
	}
}

func usage() {
	fmt.Fprintf(os.Stderr, "Usage: dutychain <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(os.Stderr, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(os.Stderr, "\nRun `dutychain <command> --help` for the flags of a command.\n")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, c := range commands() {
		if c.name == os.Args[1] {
			if err := c.run(ctx, os.Args[2:]); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return
				}
				fmt.Fprintf(os.Stderr, "dutychain %s: %v\n", c.name, err)
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintf(os.Stderr, "dutychain: unknown command %q\n\n", os.Args[1])
	usage()
	os.Exit(2)
}
