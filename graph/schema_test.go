package graph_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/dutychain/dutychain/graph"
)

var updateGolden = flag.Bool("update", false, "rewrite schema/schema.golden.graphql from the executable schema")

// TestServedSchemaMatchesGolden fails when the schema the server serves
// differs from the committed golden SDL: a breaking change must be made
// deliberately, by running `go test ./graph -run Golden -update` and
// committing the diff.
func TestServedSchemaMatchesGolden(t *testing.T) {
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithIndent("  ")).FormatSchema(graph.NewExecutableSchema(graph.Config{}).Schema())
	const path = "../schema/schema.golden.graphql"
	if *updateGolden {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden SDL (run with -update to create it): %v", err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		t.Fatalf("the served schema differs from %s; if the change is deliberate, run `go test ./graph -run Golden -update` and commit it", path)
	}
}
