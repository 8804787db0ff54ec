package letters_test

// The chain-coverage query costs a fixed number of SQL statements whatever
// the number of units below the root, counted with a driver that counts
// statements (as authz/bench_test.go does), on the demo county and on a
// generated county some thirty times its size; and through GraphQL, the page's
// nested fields cost the same for a page of 1, 5 or 20 rows.
//
//	go test ./internal/letters -run Coverage -v        # prints the counts and timings
//	./scripts/test.sh ./internal/letters -run Coverage -v

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	_ "github.com/dutychain/dutychain/ent/runtime"
	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/gid"
	"github.com/dutychain/dutychain/internal/letters"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
	"github.com/dutychain/dutychain/internal/testdb/demodb"
)

// counter counts the statements an ent client sends.
type counter struct {
	n     atomic.Int64
	mu    sync.Mutex
	stmts []string
}

func (c *counter) reset() {
	c.n.Store(0)
	c.mu.Lock()
	c.stmts = nil
	c.mu.Unlock()
}

func (c *counter) client(d *db.DB) *ent.Client {
	drv := dialect.DebugWithContext(entsql.OpenDB(d.Dialect, d.SQL), func(_ context.Context, args ...any) {
		s := fmt.Sprint(args...)
		if strings.HasPrefix(s, "driver.Query") || strings.HasPrefix(s, "driver.Exec") || strings.HasPrefix(s, "Tx(") {
			c.n.Add(1)
			c.mu.Lock()
			c.stmts = append(c.stmts, s)
			c.mu.Unlock()
		}
	})
	return ent.NewClient(ent.Driver(drv))
}

// county is a generated tenant: a county with towns, each with enterprises
// of two workshops of two teams, and 2022 letters for most units.
type county struct {
	tenant, root, head int
	units              int
}

func buildCounty(t testing.TB, d *db.DB, towns, enterprises int) county {
	t.Helper()
	ctx := authz.SystemContext(context.Background())
	tx, err := d.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := tx.Client()
	fail := func(err error) {
		_ = tx.Rollback()
		t.Fatal(err)
	}
	ten, err := c.Tenant.Create().SetCode(fmt.Sprintf("big-%d", time.Now().UnixNano())).SetName("大县").Save(ctx)
	if err != nil {
		fail(err)
	}
	out := county{tenant: ten.ID}
	seq := 0
	unit := func(kind domain.UnitKind, parent *ent.Unit, sector *domain.Sector) *ent.Unit {
		seq++
		q := c.Unit.Create().SetTenantID(ten.ID).SetKind(kind).SetName(fmt.Sprintf("%s %d", kind, seq)).SetCode(fmt.Sprintf("U%d", seq)).
			SetNillableSector(sector)
		if parent != nil {
			q.SetParentID(parent.ID)
		}
		u, err := q.Save(ctx)
		if err != nil {
			fail(err)
		}
		out.units++
		return u
	}
	letter := func(issuer, signee *ent.Unit, state domain.LetterState) {
		q := c.ResponsibilityLetter.Create().SetTenantID(ten.ID).SetYear(2022).SetIssuerUnitID(issuer.ID).SetSigneeUnitID(signee.ID).
			SetIssuerName(issuer.Name).SetSigneeName(signee.Name).SetSigneeKind(signee.Kind).SetTitle("2022年度安全生产目标责任书").
			SetTargets([]domain.LetterTarget{{Description: "全年不发生较大及以上生产安全事故"}}).SetState(state).SetLive(true)
		if err := q.Exec(ctx); err != nil {
			fail(err)
		}
	}
	states := []domain.LetterState{domain.LetterSigned, domain.LetterSigned, domain.LetterIssued, domain.LetterSigned, domain.LetterDraft}
	root := unit(domain.KindCounty, nil, nil)
	out.root = root.ID
	n := 0
	next := func() domain.LetterState { n++; return states[n%len(states)] }
	sector := domain.SectorIndustry
	for range towns {
		town := unit(domain.KindTown, root, nil)
		letter(root, town, next())
		for range enterprises {
			e := unit(domain.KindEnterprise, town, &sector)
			letter(town, e, next())
			for range 2 {
				w := unit(domain.KindWorkshop, e, &sector)
				letter(e, w, next())
				for range 2 {
					team := unit(domain.KindTeam, w, &sector)
					if n%7 != 0 {
						letter(w, team, next())
					}
				}
			}
		}
	}
	u, err := c.User.Create().SetTenantID(ten.ID).SetUsername("head").SetDisplayName("县长").SetPasswordHash("x").SetUnitID(root.ID).Save(ctx)
	if err != nil {
		fail(err)
	}
	if err := c.Post.Create().SetTenantID(ten.ID).SetUserID(u.ID).SetUnitID(root.ID).SetRole(domain.RoleGovernmentHead).
		SetValidFrom(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)).Exec(ctx); err != nil {
		fail(err)
	}
	out.head = u.ID
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := authz.EnsureTenant(context.Background(), d.Client, ten.ID); err != nil {
		t.Fatal(err)
	}
	return out
}

const coverageGQL = `query($root: ID!, $first: Int!) {
  letterCoverage(year: 2022, rootID: $root, first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { kind status unit { id name code } issuer { id name } town { id name }
      letter { id state title issuer { name } signee { name } signatures { role signerName } events { action } attachments { id } missingSignatures } } }
    summary { total { total signed pending missing signedPercent } byKind { kind counts { total signed } } byTown { town { name } counts { total signed } } }
  }
}`

// gqlQuery runs a GraphQL operation as v through the executable schema.
func gqlQuery(t testing.TB, client *ent.Client, dl string, v *authz.Viewer, query string, vars map[string]any) map[string]any {
	t.Helper()
	res := &graph.Resolver{Client: client, Letters: &letters.Service{Client: client, Dialect: dl}}
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: res}))
	srv.AddTransport(transport.POST{})
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req = req.WithContext(authz.NewContext(req.Context(), v))
	rec := httptest.NewRecorder()
	graph.WithLoaders(client, config.DefaultLoaderWait, srv).ServeHTTP(rec, req)
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	if len(out.Errors) > 0 {
		t.Fatalf("GraphQL errors: %v", out.Errors)
	}
	return out.Data
}

func TestCoverageStatementsDoNotGrow(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		demo, err := seed.Load(ctx, d.Client, seed.TenantDemo)
		if err != nil {
			t.Fatal(err)
		}
		for _, tn := range []int{demo.TenantID} {
			if err := authz.EnsureTenant(ctx, d.Client, tn); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		big := buildCounty(t, d, 20, 20)
		t.Logf("%s: built a county of %d units in %v", testdb.Name(d.Dialect), big.units, time.Since(start).Round(time.Millisecond))
		// Statistics, as autovacuum would gather after a load: without them
		// PostgreSQL plans the coverage query for empty tables (5 s instead
		// of 70 ms a query on the generated county).
		if _, err := d.SQL.ExecContext(ctx, "ANALYZE"); err != nil {
			t.Fatal(err)
		}
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		var c counter
		client := c.client(d)
		svc := &letters.Service{Client: client, Dialect: d.Dialect}

		type world struct {
			name               string
			tenant, user, root int
			wantTotal          int
		}
		worlds := []world{
			{"demo county", demo.TenantID, demo.Users["county.head"], demo.Units[seed.CodeCounty], 99},
			{"generated county", big.tenant, big.head, big.root, big.units - 1},
		}
		service := map[string]int64{}
		for _, w := range worlds {
			v, err := authz.LoadViewer(ctx, d.Client, store.Current(), w.user, w.tenant, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			vctx := authz.NewContext(ctx, v)
			c.reset()
			cov, err := svc.Coverage(vctx, letters.CoverageInput{Year: 2022, RootID: w.root, First: 20})
			if err != nil {
				t.Fatal(err)
			}
			service[w.name] = c.n.Load()
			if cov.Total.Total != w.wantTotal || len(cov.Rows) != 20 || !cov.HasNextPage {
				t.Errorf("%s: %d units, %d rows, more %t", w.name, cov.Total.Total, len(cov.Rows), cov.HasNextPage)
			}
			// Latency of the whole query, warm.
			const runs = 5
			t0 := time.Now()
			for range runs {
				if _, err := svc.Coverage(authz.NewContext(ctx, v), letters.CoverageInput{Year: 2022, RootID: w.root, First: 50}); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("%s, %s: %d units, %d statements, %v per coverage query (first: 50, with summary)",
				testdb.Name(d.Dialect), w.name, cov.Total.Total, service[w.name], (time.Since(t0) / runs).Round(time.Microsecond))

			// Through GraphQL with nested fields: the same count for any page.
			counts := map[int]int64{}
			for _, first := range []int{1, 5, 20} {
				c.reset()
				data := gqlQuery(t, client, d.Dialect, v, coverageGQL, map[string]any{"root": gid.Encode(w.root), "first": first})
				counts[first] = c.n.Load()
				edges := data["letterCoverage"].(map[string]any)["edges"].([]any)
				if len(edges) != first {
					t.Errorf("%s: first %d gave %d edges", w.name, first, len(edges))
				}
			}
			if counts[1] != counts[5] || counts[5] != counts[20] {
				c.mu.Lock()
				t.Errorf("%s: statements grow with the page: 1 → %d, 5 → %d, 20 → %d; last run:\n%s", w.name, counts[1], counts[5], counts[20], strings.Join(c.stmts, "\n"))
				c.mu.Unlock()
			}
			t.Logf("%s, %s: GraphQL page with nested letter fields: %d statements", testdb.Name(d.Dialect), w.name, counts[20])
		}
		if service["demo county"] != service["generated county"] {
			t.Errorf("statements grow with the tenant: demo %d, generated %d", service["demo county"], service["generated county"])
		}
	})
}

// TestLetterListStatements: a page of letters with their signatures,
// events, attachments, issuer and signee costs the same number of
// statements for 1, 5 or 20 letters (the parts are loaded for the page).
func TestLetterListStatements(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		demo, err := seed.Load(ctx, d.Client, seed.TenantDemo)
		if err != nil {
			t.Fatal(err)
		}
		if err := authz.EnsureTenant(ctx, d.Client, demo.TenantID); err != nil {
			t.Fatal(err)
		}
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		var c counter
		client := c.client(d)
		const q = `query($first: Int!) { responsibilityLetters(first: $first, orderBy: {field: TITLE}) { totalCount edges { node {
			id state issuer { name } signee { name } signatures { role signerName } events { action actorName } attachments { id url } missingSignatures } } } }`
		for _, user := range []string{"county.head", "chengguan.head", "cement.kiln.head"} {
			v, err := authz.LoadViewer(ctx, d.Client, store.Current(), demo.Users[user], demo.TenantID, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			counts := map[int]int64{}
			for _, first := range []int{1, 5, 20} {
				c.reset()
				gqlQuery(t, client, d.Dialect, v, q, map[string]any{"first": first})
				counts[first] = c.n.Load()
			}
			if counts[1] != counts[5] || counts[5] != counts[20] {
				t.Errorf("%s: statements grow with the page: 1 → %d, 5 → %d, 20 → %d", user, counts[1], counts[5], counts[20])
			}
			t.Logf("%s, %s: %d statements for a page of letters with five nested parts", testdb.Name(d.Dialect), user, counts[20])
		}
	})
}
