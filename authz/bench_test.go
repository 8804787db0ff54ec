package authz_test

// Benchmarks of the authorization path and the deterministic statement-count
// test behind the target "authorization adds under 50 µs of CPU per request
// and no extra SQL statement per row". Results and commands: docs/PERFORMANCE.md.
//
//	go test ./authz -run '^$' -bench . -benchmem
//	./scripts/test.sh ./authz -run '^$' -bench . -benchmem   # adds PostgreSQL
//
// Besides ns/op, the database benchmarks report cpu-ns/op: user+system CPU
// of this process per operation (getrusage), which on SQLite includes the
// database engine and on PostgreSQL excludes the server.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

var sink int

// benchGrants returns the MEMBER grant plus n distinct post grants of the
// fixture county: a sector-restricted county deputy, a department head
// (supervision semi-join), an enterprise principal, then assorted others.
func benchGrants(n int) []authz.Grant {
	I, C, F := domain.SectorIndustry, domain.SectorCommerce, domain.SectorFuel
	pool := []authz.Grant{
		grant(domain.RoleDeputy, pCounty, I),
		grant(domain.RoleGovernmentHead, pDeptInd),
		grant(domain.RolePrincipal, pCement),
		grant(domain.RoleDeputy, pTownB, C, F),
		grant(domain.RoleInspector, pDeptCom),
		grant(domain.RoleAuditor, pTownA),
		grant(domain.RoleAdmin, pKiln),
		grant(domain.RoleSafetyOfficer, pMarket),
		grant(domain.RoleDeputy, pDeptCom, C),
		grant(domain.RolePrincipal, pStation),
	}
	return append([]authz.Grant{member(tenantA)}, pool[:n]...)
}

// BenchmarkPredicate: compiling a fresh viewer's grants into the scope
// predicate and rendering the SQL of a scoped SELECT, as every request does
// once per queried type.
func BenchmarkPredicate(b *testing.B) {
	p := policyFor(b, tenantA)
	for _, dl := range []string{dialect.SQLite, dialect.Postgres} {
		// The same SELECT rendered without any scope: what the request pays anyway.
		b.Run("baseline/"+testdb.Name(dl), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s := entsql.Dialect(dl).Select("*").From(entsql.Table("enterprises"))
				q, args := s.Query()
				sink += len(q) + len(args)
			}
		})
	}
	for _, n := range []int{1, 3, 10} {
		gs := benchGrants(n)
		for _, dl := range []string{dialect.SQLite, dialect.Postgres} {
			b.Run(fmt.Sprintf("grants=%d/%s", n, testdb.Name(dl)), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					v := &authz.Viewer{UserID: 1, Tenant: tenantA, Grants: gs, Policy: p}
					s := entsql.Dialect(dl).Select("*").From(entsql.Table("enterprises"))
					v.Predicate("enterprise", "read")(s)
					q, args := s.Query()
					sink += len(q) + len(args)
				}
			})
		}
	}
}

// BenchmarkDecide: one casbin decision per object (mutations, node checks,
// the property test's oracle), cycling over the fixture's objects; and how it
// scales with the number of tenants whose rows share the enforcer.
func BenchmarkDecide(b *testing.B) {
	var objs []authz.Object
	for _, pl := range allPlaces {
		for _, typ := range typesAt(pl) {
			objs = append(objs, obj(typ, pl))
		}
	}
	run := func(b *testing.B, p *authz.Policy, v *authz.Viewer, act string) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ok, err := p.Decide(v, objs[i%len(objs)], act)
			if err != nil {
				b.Fatal(err)
			}
			if ok {
				sink++
			}
			i++
		}
	}
	p := policyFor(b, tenantA)
	for _, n := range []int{1, 3, 10} {
		v := &authz.Viewer{UserID: 1, Tenant: tenantA, Grants: benchGrants(n), Policy: p}
		b.Run(fmt.Sprintf("grants=%d/read", n), func(b *testing.B) { run(b, p, v, "read") })
		b.Run(fmt.Sprintf("grants=%d/update", n), func(b *testing.B) { run(b, p, v, "update") })
	}
	for _, tenants := range []int{10, 100} {
		ids := []int{tenantA}
		for i := 1; i < tenants; i++ {
			ids = append(ids, 1000+i)
		}
		p := policyFor(b, ids...)
		v := &authz.Viewer{UserID: 1, Tenant: tenantA, Grants: benchGrants(3), Policy: p}
		b.Run(fmt.Sprintf("grants=3/read/tenants=%d", tenants), func(b *testing.B) { run(b, p, v, "read") })
	}
}

// cpuTime is this process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loopCPU runs body in b.Loop and reports CPU per op beside ns/op.
func loopCPU(b *testing.B, body func()) {
	b.ReportAllocs()
	start, n := cpuTime(), 0
	for b.Loop() {
		body()
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n), "cpu-ns/op")
}

// demoDB is a migrated database of one dialect with the demo tenants seeded.
type demoDB struct {
	d      *db.DB
	built  *seed.Built
	policy *authz.Policy
}

func openDemo(tb testing.TB, dl string) *demoDB {
	tb.Helper()
	ctx := context.Background()
	d := testdb.Open(tb, dl)
	if _, err := seed.Demo(ctx, d.Client); err != nil {
		tb.Fatal(err)
	}
	built, err := seed.Load(ctx, d.Client, seed.TenantDemo)
	if err != nil {
		tb.Fatal(err)
	}
	for _, code := range []string{seed.TenantDemo, seed.TenantNeighbor} {
		t, err := authz.TenantByCode(ctx, d.Client, code)
		if err != nil {
			tb.Fatal(err)
		}
		if err := authz.EnsureTenant(ctx, d.Client, t.ID); err != nil {
			tb.Fatal(err)
		}
	}
	store, err := authz.NewStore(ctx, d.Client, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &demoDB{d: d, built: built, policy: store.Current()}
}

func (x *demoDB) viewer(tb testing.TB, client *ent.Client, username string) *authz.Viewer {
	tb.Helper()
	id, err := x.built.User(username)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := authz.LoadViewer(context.Background(), client, x.policy, id, x.built.TenantID, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// fresh copies v without its predicate cache: what the next request builds.
func fresh(v *authz.Viewer) *authz.Viewer {
	return &authz.Viewer{UserID: v.UserID, Tenant: v.Tenant, Username: v.Username, Grants: v.Grants, PostIDs: v.PostIDs, Policy: v.Policy, Now: v.Now}
}

var benchUsers = []string{"county.head", "county.deputy.industry", "bureau.chief", "cement.principal"}

// BenchmarkLoadViewer: building the request's viewer from the database (the
// user, their valid posts with units, the tenant root).
func BenchmarkLoadViewer(b *testing.B) {
	for _, dl := range testdb.Dialects(b) {
		x := openDemo(b, dl)
		for _, name := range benchUsers {
			id, _ := x.built.User(name)
			b.Run(testdb.Name(dl)+"/"+name, func(b *testing.B) {
				ctx := context.Background()
				loopCPU(b, func() {
					v, err := authz.LoadViewer(ctx, x.d.Client, x.policy, id, x.built.TenantID, time.Now())
					if err != nil {
						b.Fatal(err)
					}
					sink += len(v.Grants)
				})
			})
		}
	}
}

// BenchmarkScopedList: one page of enterprises with totalCount (what the
// enterprises connection runs), as the system (no filter) and as a viewer
// whose predicate is compiled afresh each time (per-request cost), and the
// same plus LoadViewer: the whole authorization cost of a request.
func BenchmarkScopedList(b *testing.B) {
	for _, dl := range testdb.Dialects(b) {
		x := openDemo(b, dl)
		benchList(b, testdb.Name(dl)+"/demo", x, benchUsers)
		large := openLarge(b, dl, x)
		benchList(b, testdb.Name(dl)+"/large", large, []string{"large.county.head", "large.county.deputy", "large.bureau.chief", "large.town.head"})
	}
}

func benchList(b *testing.B, prefix string, x *demoDB, users []string) {
	ctx := context.Background()
	sys := authz.SystemContext(ctx)
	first := 20
	page := func(ctx context.Context) {
		conn, err := x.d.Client.Enterprise.Query().Paginate(ctx, nil, &first, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		sink += conn.TotalCount + len(conn.Edges)
	}
	b.Run(prefix+"/system", func(b *testing.B) { loopCPU(b, func() { page(sys) }) })
	// The raw query an unscoped but tenant-aware API would run.
	b.Run(prefix+"/system+tenant", func(b *testing.B) {
		loopCPU(b, func() {
			conn, err := x.d.Client.Enterprise.Query().Where(enterprise.TenantID(x.built.TenantID)).Paginate(sys, nil, &first, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			sink += conn.TotalCount + len(conn.Edges)
		})
	})
	for _, name := range users {
		v := x.viewer(b, x.d.Client, name)
		b.Run(prefix+"/"+name+"/scoped", func(b *testing.B) {
			loopCPU(b, func() { page(authz.NewContext(ctx, fresh(v))) })
		})
		b.Run(prefix+"/"+name+"/scoped+LoadViewer", func(b *testing.B) {
			loopCPU(b, func() {
				v, err := authz.LoadViewer(ctx, x.d.Client, x.policy, v.UserID, v.Tenant, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				page(authz.NewContext(ctx, v))
			})
		})
	}
}

var largeMu sync.Mutex

// openLarge adds to x's database a synthetic tenant of 1,000 enterprises in
// 10 towns (a quarter INDUSTRY, supervised by one department) and four users.
func openLarge(b *testing.B, dl string, x *demoDB) *demoDB {
	largeMu.Lock()
	defer largeMu.Unlock()
	ctx := context.Background()
	w := &world{supervises: map[[2]int]bool{}, manual: map[[2]int]bool{}, enterprises: map[int]int{}}
	w.units = append(w.units, gUnit{kind: domain.KindCounty, parent: -1, ent: -1, town: -1})
	w.units = append(w.units, gUnit{kind: domain.KindDepartment, parent: 0, ent: -1, town: -1, supervised: []domain.Sector{domain.SectorIndustry}})
	for t := range 10 {
		town := len(w.units)
		w.units = append(w.units, gUnit{kind: domain.KindTown, parent: 0, ent: -1, town: -1})
		for e := range 100 {
			sec := propSectors[(t+e)%len(propSectors)]
			i := len(w.units)
			w.units = append(w.units, gUnit{kind: domain.KindEnterprise, parent: town, sector: sec, ent: i, town: town})
			if sec == domain.SectorIndustry {
				w.supervises[[2]int{1, i}] = true
			}
		}
	}
	w.users = []gUser{{home: 0}, {home: 0}, {home: 1}, {home: 2}}
	from := time.Now().AddDate(-1, 0, 0)
	w.posts = []gPost{
		{user: 0, unit: 0, role: domain.RoleGovernmentHead, from: from},
		{user: 1, unit: 0, role: domain.RoleDeputy, sectors: []domain.Sector{domain.SectorIndustry}, from: from},
		{user: 2, unit: 1, role: domain.RoleGovernmentHead, from: from},
		{user: 3, unit: 2, role: domain.RoleGovernmentHead, from: from},
	}
	start := time.Now()
	if err := build(ctx, x.d.Client, w); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: built a tenant of %d units in %v", testdb.Name(dl), len(w.units), time.Since(start).Round(time.Millisecond))
	store, err := authz.NewStore(ctx, x.d.Client, nil)
	if err != nil {
		b.Fatal(err)
	}
	built := &seed.Built{TenantID: w.tenant, Users: map[string]int{
		"large.county.head": w.users[0].id, "large.county.deputy": w.users[1].id,
		"large.bureau.chief": w.users[2].id, "large.town.head": w.users[3].id,
	}}
	return &demoDB{d: x.d, built: built, policy: store.Current()}
}

// ---------------------------------------------------------------------------
// SQL statements per request.

// counter counts the statements an ent client sends and keeps their text.
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

var stmtText = regexp.MustCompile(`query=(.*?) args=`)

// client returns an ent client on d's pool whose driver counts statements.
func (c *counter) client(d *db.DB) *ent.Client {
	drv := dialect.DebugWithContext(entsql.OpenDB(d.Dialect, d.SQL), func(_ context.Context, args ...any) {
		s := fmt.Sprint(args...)
		if strings.HasPrefix(s, "driver.Query") || strings.HasPrefix(s, "driver.Exec") || strings.HasPrefix(s, "Tx(") {
			c.n.Add(1)
			if m := stmtText.FindStringSubmatch(s); m != nil {
				s = m[1]
			}
			c.mu.Lock()
			c.stmts = append(c.stmts, s)
			c.mu.Unlock()
		}
	})
	return ent.NewClient(ent.Driver(drv))
}

// gqlQuery runs a GraphQL operation as v through the generated executable
// schema (no HTTP auth layer: the viewer is put in the request context).
func gqlQuery(tb testing.TB, client *ent.Client, v *authz.Viewer, query string, vars map[string]any) map[string]any {
	tb.Helper()
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{Client: client}}))
	srv.AddTransport(transport.POST{})
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req = req.WithContext(authz.NewContext(req.Context(), v))
	rec := httptest.NewRecorder()
	// The per-request loaders are part of the server's handler chain.
	graph.WithLoaders(client, config.DefaultLoaderWait, srv).ServeHTTP(rec, req)
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		tb.Fatalf("decode response %q: %v", rec.Body.String(), err)
	}
	if len(out.Errors) > 0 {
		tb.Fatalf("GraphQL errors: %v", out.Errors)
	}
	return out.Data
}

const nestedUnitsQuery = `query($first: Int!) {
  units(first: $first, where: {kindIn: [ENTERPRISE, WORKSHOP]}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name kind
      parent { id name }
      enterprise { id name sector }
      children(first: 5) { totalCount edges { node { id name } } }
      posts(first: 3) { totalCount edges { node { id role } } }
      members(first: 3) { totalCount edges { node { id username } } }
    } }
  }
}`

const supervisingQuery = `query($first: Int!) {
  enterprises(first: $first) {
    totalCount
    edges { node { id name unit { id name } town { id name } supervisingDepartments { id name } } }
  }
}`

// TestScopedQueryStatementCount: a scoped list with totalCount and nested
// edges and connections costs the same number of SQL statements for a page
// of 1, 5 or 20 rows (no statement per row), and the ent-level list costs as
// many statements scoped as unscoped (the filter is in the WHERE clause, not
// extra queries).
func TestScopedQueryStatementCount(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		x := openDemo(t, d.Dialect)
		var c counter
		client := c.client(x.d)
		ctx := context.Background()
		for _, name := range []string{"county.head", "county.deputy.industry", "bureau.chief", "cement.principal"} {
			v := x.viewer(t, x.d.Client, name)
			t.Run(name, func(t *testing.T) {
				counts := map[int]int64{}
				for _, first := range []int{1, 5, 20} {
					c.reset()
					data := gqlQuery(t, client, fresh(v), nestedUnitsQuery, map[string]any{"first": first})
					counts[first] = c.n.Load()
					total := int(data["units"].(map[string]any)["totalCount"].(float64))
					edges := len(data["units"].(map[string]any)["edges"].([]any))
					if edges != min(first, total) {
						t.Errorf("first %d: %d edges, totalCount %d", first, edges, total)
					}
					if first == 20 {
						t.Logf("%s: %d statements for units(first: 20) with totalCount %d and 5 nested fields", name, counts[first], total)
					}
				}
				if counts[1] != counts[5] || counts[5] != counts[20] {
					t.Errorf("statements grow with the page: first 1 → %d, 5 → %d, 20 → %d; last run:\n%s", counts[1], counts[5], counts[20], strings.Join(c.stmts, "\n"))
				}

				// ent level: scoped page + total vs the same as the system.
				first := 20
				c.reset()
				if _, err := client.Enterprise.Query().Paginate(authz.NewContext(ctx, fresh(v)), nil, &first, nil, nil); err != nil {
					t.Fatal(err)
				}
				scoped := c.n.Load()
				c.reset()
				if _, err := client.Enterprise.Query().Paginate(authz.SystemContext(ctx), nil, &first, nil, nil); err != nil {
					t.Fatal(err)
				}
				if system := c.n.Load(); scoped != system {
					t.Errorf("enterprises page: %d statements scoped, %d as system", scoped, system)
				}

				// LoadViewer: a fixed number per request, independent of posts
				// (the tenant's root path is cached after its first request).
				if _, err := authz.RootPath(ctx, client, v.Tenant); err != nil {
					t.Fatal(err)
				}
				c.reset()
				if _, err := authz.LoadViewer(ctx, client, x.policy, v.UserID, v.Tenant, time.Now()); err != nil {
					t.Fatal(err)
				}
				if n := c.n.Load(); n != 1 {
					t.Errorf("%s: LoadViewer sent %d statements, want 1 (user ⟕ posts ⟕ units; the root path is cached)", name, n)
				}
				t.Logf("%s: LoadViewer %d statements; enterprises page+total %d statements", name, c.n.Load(), scoped)
			})
		}
		// Enterprise.supervisingDepartments is a hand-written resolver.
		t.Run("enterprises.supervisingDepartments", func(t *testing.T) {
			v := x.viewer(t, x.d.Client, "county.head")
			counts := map[int]int64{}
			for _, first := range []int{1, 5, 20} {
				c.reset()
				gqlQuery(t, client, fresh(v), supervisingQuery, map[string]any{"first": first})
				counts[first] = c.n.Load()
			}
			if counts[1] != counts[5] || counts[5] != counts[20] {
				t.Errorf("statements grow with the page: first 1 → %d, 5 → %d, 20 → %d (graph/dutychain.resolvers.go SupervisingDepartments queries twice per enterprise); last run begins:\n%s",
					counts[1], counts[5], counts[20], strings.Join(c.stmts[:min(len(c.stmts), 8)], "\n"))
			}
		})
	})
}

const hazardListQuery = `query($first: Int!) {
  hazards(first: $first, orderBy: {field: DEADLINE, direction: ASC}) {
    totalCount
    edges { node { id state level overdue enterprise { name sector } town { name } inspection { id inspectedOn }
      lastEvent { action at actor { displayName } } } }
  }
}`

// TestHazardListStatementCount: listing hazards with their enterprise,
// town, inspection and last event costs the same number of statements
// whatever the page size.
func TestHazardListStatementCount(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		x := openDemo(t, d.Dialect)
		var c counter
		client := c.client(x.d)
		v := x.viewer(t, x.d.Client, "county.head")
		counts := map[int]int64{}
		for _, first := range []int{1, 3, 20} {
			c.reset()
			data := gqlQuery(t, client, fresh(v), hazardListQuery, map[string]any{"first": first})
			counts[first] = c.n.Load()
			edges := len(data["hazards"].(map[string]any)["edges"].([]any))
			total := int(data["hazards"].(map[string]any)["totalCount"].(float64))
			if edges != min(first, total) || total < 5 {
				t.Fatalf("first %d: %d edges, totalCount %d", first, edges, total)
			}
		}
		if counts[1] != counts[3] || counts[3] != counts[20] {
			t.Errorf("statements grow with the page: first 1 → %d, 3 → %d, 20 → %d; last run:\n%s", counts[1], counts[3], counts[20], strings.Join(c.stmts, "\n"))
		}
		t.Logf("hazards(first: 20) with enterprise, town, inspection, last event and its actor: %d statements", counts[20])
	})
}
