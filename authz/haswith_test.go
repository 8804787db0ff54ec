package authz_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/testdb"
)

// has…With (ent issue 4509): Has<Edge>With predicates become an EXISTS
// subquery on the neighbour table without its interceptor, so a caller could
// test for rows outside their scope. The GraphQL where inputs must not offer
// them on any edge.

// TestWhereInputsOfferNoHasWith reads the committed SDL (every schema file) and fails if any
// where input has a has… field (hasX or hasXWith) on an edge.
func TestWhereInputsOfferNoHasWith(t *testing.T) {
	var sources []*ast.Source
	files, err := filepath.Glob("../schema/*.graphql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Base(f) == "schema.golden.graphql" {
			continue // the served schema, printed from these files
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: f, Input: string(b)})
	}
	schema, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		t.Fatalf("parse SDL: %v", err)
	}
	hasEdge := regexp.MustCompile(`^has[A-Z]`)
	inputs := 0
	for name, def := range schema.Types {
		if def.Kind != ast.InputObject || !strings.HasSuffix(name, "WhereInput") {
			continue
		}
		inputs++
		for _, f := range def.Fields {
			if hasEdge.MatchString(f.Name) {
				t.Errorf("%s.%s: edge predicates in where inputs run without the scope filter (ent issue 4509); the schema hook noEdgePredicates of ent/entc.go removes them", name, f.Name)
			}
		}
	}
	for _, want := range []string{"UnitWhereInput", "EnterpriseWhereInput", "UserWhereInput", "PostWhereInput"} {
		if schema.Types[want] == nil {
			t.Errorf("SDL has no %s: did the where inputs move?", want)
		}
	}
	if inputs == 0 {
		t.Fatal("no where inputs found in the SDL")
	}
	// The generated Go where inputs keep Has<Edge> fields for edges whose
	// nested connection takes a where (entgql generates both from one
	// annotation), but the schema hook of ent/entc.go removes them from the
	// SDL checked above, so no request can set them.
}

// TestHasWithBypassesScope documents why: in Go, Unit.HasChildrenWith runs
// an EXISTS on units without the viewer's filter, so a town head can learn
// that an out-of-scope child exists under a visible unit. Production code
// must not build Has…With predicates from client input (the where inputs do
// not offer them, see above). If ent fixes issue 4509 this test flips:
// update the comment and keep the where inputs closed anyway.
func TestHasWithBypassesScope(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sys := authz.SystemContext(ctx)
		w := &world{supervises: map[[2]int]bool{}, manual: map[[2]int]bool{}, enterprises: map[int]int{}}
		w.units = []gUnit{
			{kind: domain.KindCounty, parent: -1, ent: -1, town: -1},
			{kind: domain.KindTown, parent: 0, ent: -1, town: -1},
			{kind: domain.KindEnterprise, parent: 1, sector: domain.SectorFuel, ent: 2, town: 1},
		}
		w.users = []gUser{{home: 1}}
		// An INDUSTRY-only deputy at the town: the FUEL enterprise is out of scope.
		w.posts = []gPost{{user: 0, unit: 1, role: domain.RoleDeputy, sectors: []domain.Sector{domain.SectorIndustry}, from: propBase}}
		if err := build(ctx, d.Client, w); err != nil {
			t.Fatal(err)
		}
		store, err := authz.NewStore(ctx, d.Client, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := authz.LoadViewer(ctx, d.Client, store.Current(), w.users[0].id, w.tenant, propBase.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		vctx := authz.NewContext(ctx, v)
		secret := w.units[2].id
		if n, err := d.Client.Unit.Query().Where(unit.ID(secret)).Count(vctx); err != nil || n != 0 {
			t.Fatalf("out-of-scope enterprise visible directly: %d, %v", n, err)
		}
		probe := d.Client.Unit.Query().Where(unit.HasChildrenWith(unit.ID(secret)))
		leaked, err := probe.IDs(vctx)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := d.Client.Unit.Query().Where(unit.HasChildrenWith(unit.ID(secret))).IDs(sys)
		if len(leaked) == 0 {
			t.Logf("HasChildrenWith now carries the scope (ent issue 4509 fixed?): %v (system sees %v)", leaked, all)
			return
		}
		t.Logf("known ent limitation reproduced: HasChildrenWith(out-of-scope id) matched the visible town %v; the GraphQL where inputs do not expose has…With (TestWhereInputsOfferNoHasWith)", leaked)
	})
}

// TestNoHasWithInProductionCode guards the Go side of the same trap: no
// production package builds Has<Edge>With predicates (they would run without
// the viewer's filter). A deliberate use under authz.SystemContext, after its
// own checks, may be added to allowed with a reason.
func TestNoHasWithInProductionCode(t *testing.T) {
	allowed := map[string]string{} // "path:line" → reason
	call := regexp.MustCompile(`\.Has[A-Z]\w*With\(`)
	scanned := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "ent", ".git", "node_modules", "testdata", "migrations":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		for i, line := range strings.Split(string(b), "\n") {
			if call.MatchString(line) {
				at := fmt.Sprintf("%s:%d", path, i+1)
				if _, ok := allowed[at]; !ok {
					t.Errorf("%s: %s — Has…With runs an EXISTS without the scope filter (ent issue 4509)", at, strings.TrimSpace(line))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 10 {
		t.Fatalf("scanned only %d Go files from the module root", scanned)
	}
}
