//go:build ignore

// Command gen plans the next versioned migration of one dialect from the ent
// schema (ent/schema → ent/migrate.Tables) and writes it, in golang-migrate
// format, into migrations/<dialect>/ as NNNN_<name>.up.sql and .down.sql,
// updating migrations/<dialect>/atlas.sum.
//
// It uses ent's own planner (schema.NewMigrate(...).NamedDiff) in replay mode:
// the committed files of the directory are replayed on an empty development
// database, which is then compared with the ent schema; the difference becomes
// the new migration. When nothing differs, no file is written.
//
// Regenerate both dialects (needs the local PostgreSQL binaries):
//
//	make migrations name=add_something
//
// which runs
//
//	go run migrations/gen/main.go --dialect sqlite --name add_something
//	./scripts/with-postgres.sh go run migrations/gen/main.go --dialect postgres --name add_something
//
// For SQLite the development database is a temporary file. For PostgreSQL,
// --dev-url (default $DUTYCHAIN_TEST_POSTGRES_URL, set by
// scripts/with-postgres.sh) names a server and a role that may create
// databases; a scratch database is created there and dropped afterwards.
//
// Hand-written migrations (triggers, data: what the ent schema cannot say)
// are added as the next NNNN_name.up.sql/.down.sql pair and recorded with
// `make migrations-hash` (--rehash). A generated file is edited only to keep
// data the change would lose (values copied before their column is dropped,
// and a down file that restores them), then rehashed. The
// drift test (internal/db) compares a
// database built from them with the ent schema, and atlas.sum guards them.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"text/template"
	"time"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqltool"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/dutychain/dutychain/ent/migrate"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("migrations/gen: ")
	var (
		dialectFlag = flag.String("dialect", "", "sqlite or postgres")
		name        = flag.String("name", "changes", "migration name (letters, digits, underscores)")
		dirFlag     = flag.String("dir", "", "migration directory (default migrations/<dialect>)")
		devURL      = flag.String("dev-url", "", "postgres only: server for the scratch database (default $DUTYCHAIN_TEST_POSTGRES_URL)")
		rehash      = flag.Bool("rehash", false, "only rewrite atlas.sum, after adding a hand-written migration (triggers, data)")
	)
	flag.Parse()
	if !regexp.MustCompile(`^[a-z0-9_]+$`).MatchString(*name) {
		log.Fatalf("--name %q: use lower-case letters, digits and underscores", *name)
	}
	var entDialect, sub string
	switch *dialectFlag {
	case "sqlite", "sqlite3":
		entDialect, sub = dialect.SQLite, "sqlite"
	case "postgres", "postgresql":
		entDialect, sub = dialect.Postgres, "postgres"
	default:
		log.Fatalf("--dialect %q: want sqlite or postgres", *dialectFlag)
	}
	path := *dirFlag
	if path == "" {
		path = filepath.Join("migrations", sub)
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		log.Fatal(err)
	}
	if *rehash {
		if err := writeSum(path); err != nil {
			log.Fatal(err)
		}
		fmt.Println("wrote", filepath.Join(path, "atlas.sum"))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	dev, closeDev, err := openDev(ctx, entDialect, *devURL)
	if err != nil {
		log.Fatal(err)
	}
	defer closeDev()

	wrote, err := plan(ctx, dev, entDialect, path, *name)
	if err != nil {
		closeDev()
		log.Fatal(err)
	}
	if len(wrote) == 0 {
		fmt.Printf("%s: no changes, the migrations match the ent schema\n", path)
		return
	}
	for _, f := range wrote {
		fmt.Println("wrote", filepath.Join(path, f))
	}
}

// openDev returns an empty development database. It deliberately does not
// use internal/db, which embeds the very files this program writes.
func openDev(ctx context.Context, entDialect, devURL string) (*sql.DB, func(), error) {
	switch entDialect {
	case dialect.SQLite:
		tmp, err := os.MkdirTemp("", "dutychain-migrations-")
		if err != nil {
			return nil, nil, err
		}
		// ent refuses to plan SQLite migrations without foreign keys.
		sdb, err := sql.Open("sqlite", "file:"+filepath.Join(tmp, "dev.db")+"?_pragma=foreign_keys(1)")
		if err != nil {
			os.RemoveAll(tmp)
			return nil, nil, err
		}
		return sdb, func() { sdb.Close(); os.RemoveAll(tmp) }, nil
	default:
		if devURL == "" {
			devURL = os.Getenv("DUTYCHAIN_TEST_POSTGRES_URL")
		}
		if devURL == "" {
			return nil, nil, errors.New("postgres needs a development server: run under ./scripts/with-postgres.sh or pass --dev-url")
		}
		u, err := url.Parse(devURL)
		if err != nil {
			return nil, nil, errors.New("--dev-url is not a valid URL")
		}
		admin, err := sql.Open("postgres", devURL)
		if err != nil {
			return nil, nil, err
		}
		var b [6]byte
		rand.Read(b[:])
		name := "dc_migrations_" + hex.EncodeToString(b[:])
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			admin.Close()
			return nil, nil, fmt.Errorf("create scratch database on %s: %w", u.Host, err)
		}
		du := *u
		du.Path = "/" + name
		sdb, err := sql.Open("postgres", du.String())
		if err != nil {
			admin.Close()
			return nil, nil, err
		}
		return sdb, func() {
			sdb.Close()
			if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
				log.Printf("drop scratch database %s: %v", name, err)
			}
			admin.Close()
		}, nil
	}
}

// plan writes the next migration into path and returns the new file names.
func plan(ctx context.Context, dev *sql.DB, entDialect, path, name string) ([]string, error) {
	dir, err := sqltool.NewGolangMigrateDir(path)
	if err != nil {
		return nil, err
	}
	before, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	had := map[string]bool{}
	for _, e := range before {
		had[e.Name()] = true
	}
	next, err := nextVersion(dir)
	if err != nil {
		return nil, err
	}
	m, err := schema.NewMigrate(entsql.OpenDB(entDialect, dev),
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(entDialect),
		schema.WithFormatter(formatter(next)),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
		schema.WithIndent("  "),
	)
	if err != nil {
		return nil, err
	}
	if err := m.NamedDiff(ctx, name, migrate.Tables...); err != nil {
		return nil, fmt.Errorf("planning %s migration: %w", entDialect, err)
	}
	after, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var wrote []string
	for _, e := range after {
		if !had[e.Name()] {
			wrote = append(wrote, e.Name())
		}
	}
	return wrote, nil
}

// writeSum records every file of the directory in atlas.sum. Hand-written
// migrations (what ent's schema cannot express: triggers, policy data) are
// added this way; the generator replays them like generated ones.
func writeSum(path string) error {
	dir, err := sqltool.NewGolangMigrateDir(path)
	if err != nil {
		return err
	}
	sum, err := dir.Checksum()
	if err != nil {
		return err
	}
	return atlasmigrate.WriteSumFile(dir, sum)
}

// nextVersion is one more than the highest NNNN of the directory's files.
func nextVersion(dir *sqltool.GolangMigrateDir) (string, error) {
	files, err := dir.Files()
	if err != nil {
		return "", err
	}
	max := 0
	re := regexp.MustCompile(`^(\d+)_`)
	for _, f := range files {
		if m := re.FindStringSubmatch(f.Name()); m != nil {
			n, err := strconv.Atoi(m[1])
			if err != nil {
				return "", err
			}
			if n > max {
				max = n
			}
		}
	}
	return fmt.Sprintf("%04d", max+1), nil
}

// formatter is sqltool.GolangMigrateFormatter with sequential NNNN versions
// instead of timestamps.
func formatter(version string) atlasmigrate.Formatter {
	funcs := template.FuncMap{
		"version": func() string { return version },
		"rev": func(changes []*atlasmigrate.Change) []*atlasmigrate.Change {
			out := make([]*atlasmigrate.Change, len(changes))
			for i, c := range changes {
				out[len(changes)-1-i] = c
			}
			return out
		},
	}
	tpl := func(s string) *template.Template { return template.Must(template.New("").Funcs(funcs).Parse(s)) }
	f, err := atlasmigrate.NewTemplateFormatter(
		tpl("{{ version }}{{ with .Name }}_{{ . }}{{ end }}.up.sql"),
		tpl("-- Generated by migrations/gen from ent/schema. Do not edit; run `make migrations`.\n"+
			`{{ range .Changes }}{{ with .Comment }}-- {{ println . }}{{ end }}{{ printf "%s;\n" .Cmd }}{{ end }}`),
		tpl("{{ version }}{{ with .Name }}_{{ . }}{{ end }}.down.sql"),
		tpl("-- Generated by migrations/gen from ent/schema. Do not edit; run `make migrations`.\n"+
			`{{ range $c := rev .Changes }}{{ with $stmts := .ReverseStmts }}{{ with $c.Comment }}-- reverse: {{ println . }}{{ end }}{{ range $stmts }}{{ printf "%s;\n" . }}{{ end }}{{ end }}{{ end }}`),
	)
	if err != nil {
		panic(err)
	}
	return f
}
