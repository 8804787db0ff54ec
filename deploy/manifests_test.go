// Package deploy checks the example deployment: the compose file and the
// Kubernetes manifests parse, name only settings the server reads, probe
// routes the server serves, and run the image as non-root.
package deploy

import (
	"bytes"
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"entgo.io/ent/dialect"
	"go.yaml.in/yaml/v3"

	"github.com/dutychain/dutychain/internal/app"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/testdb"
)

// externalEnv are variables the server does not read itself but its
// libraries do: the S3 client's credentials.
var externalEnv = map[string]bool{"AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_REGION": true}

// configEnv are the environment variables internal/config reads: the
// upper-case string literals of its sources.
func configEnv(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	upper := regexp.MustCompile(`^[A-Z][A-Z0-9_]+$`)
	files, _ := filepath.Glob("../internal/config/*.go")
	for _, f := range files {
		if filepath.Ext(f) != ".go" || regexp.MustCompile(`_test\.go$`).MatchString(f) {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && upper.MatchString(s) {
					names[s] = true
				}
			}
			return true
		})
	}
	if !names["DATABASE_URL"] || !names["DUTYCHAIN_JWT_KEY_SECRET"] {
		t.Fatalf("config's environment variables not found: %v", names)
	}
	return names
}

// documents parses every YAML document of every file under dir.
func documents(t *testing.T, pattern string) map[string][]map[string]any {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files %s: %v", pattern, err)
	}
	out := map[string][]map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc map[string]any
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out[f] = append(out[f], doc)
		}
	}
	return out
}

// at walks a parsed document along keys (strings for maps, ints for lists).
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func keys(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestEveryYAMLFileParses(t *testing.T) {
	for _, pattern := range []string{"*.yaml", "k8s/*.yaml"} {
		for f, docs := range documents(t, pattern) {
			if len(docs) == 0 {
				t.Errorf("%s holds no document", f)
			}
		}
	}
}

func TestComposeRunsThreeReplicasOnSettingsTheServerReads(t *testing.T) {
	env := configEnv(t)
	compose := documents(t, "compose.yaml")["compose.yaml"][0]
	services := at(compose, "services")
	for _, name := range []string{"postgres-primary", "postgres-replica", "minio", "loadbalancer", "otel-collector", "migrate", "dutychain"} {
		if at(services, name) == nil {
			t.Errorf("compose has no service %s", name)
		}
	}
	if n := at(services, "dutychain", "deploy", "replicas"); n != 3 {
		t.Errorf("dutychain replicas = %v, want 3", n)
	}
	if at(services, "dutychain", "read_only") != true {
		t.Error("the dutychain containers' root file system is not read-only")
	}
	for _, svc := range []string{"dutychain", "migrate"} {
		for _, k := range keys(at(services, svc, "environment")) {
			if !env[k] && !externalEnv[k] {
				t.Errorf("compose service %s sets %s, which the server does not read", svc, k)
			}
		}
	}
}

func TestKubernetesManifestsProbeServedRoutesAndRunAsNonRoot(t *testing.T) {
	env := configEnv(t)
	var probes []string
	kinds := map[string]bool{}
	for f, docs := range documents(t, "k8s/*.yaml") {
		for _, doc := range docs {
			kind, _ := doc["kind"].(string)
			kinds[kind] = true
			switch kind {
			case "ConfigMap":
				checkEnvNames(t, f, keys(doc["data"]), env)
			case "Secret":
				checkEnvNames(t, f, keys(doc["stringData"]), env)
			case "Deployment", "Job":
				pod := at(doc, "spec", "template", "spec")
				if at(pod, "securityContext", "runAsNonRoot") != true || at(pod, "securityContext", "runAsUser") == 0 {
					t.Errorf("%s: the pod may run as root", f)
				}
				containers, _ := at(pod, "containers").([]any)
				for _, c := range containers {
					if at(c, "securityContext", "readOnlyRootFilesystem") != true || at(c, "securityContext", "allowPrivilegeEscalation") != false {
						t.Errorf("%s: container %v has a writable root or may escalate", f, at(c, "name"))
					}
					var names []string
					for i := range len(at(c, "env").([]any)) {
						names = append(names, at(c, "env", i, "name").(string))
					}
					checkEnvNames(t, f, names, env)
					for _, p := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
						if path, ok := at(c, p, "httpGet", "path").(string); ok {
							probes = append(probes, path)
						}
					}
				}
			}
		}
	}
	for _, kind := range []string{"Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget", "Job"} {
		if !kinds[kind] {
			t.Errorf("no %s manifest", kind)
		}
	}
	if len(probes) < 2 {
		t.Fatalf("probes %v: want liveness and readiness", probes)
	}
	h := serverHandler(t)
	for _, path := range probes {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("probe GET %s answers %d: %s", path, rec.Code, rec.Body)
		}
	}
}

func checkEnvNames(t *testing.T, file string, names []string, env map[string]bool) {
	t.Helper()
	for _, k := range names {
		if !env[k] && !externalEnv[k] {
			t.Errorf("%s sets %s, which the server does not read", file, k)
		}
	}
}

// serverHandler is the server's public handler on a fresh SQLite database.
func serverHandler(t *testing.T) http.Handler {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.JWTKeySecret = "ZHV0eWNoYWluIHRlc3Qga2V5IHNlY3JldCwgMzIgYnk="
	a, err := app.New(context.Background(), cfg, testdb.Open(t, dialect.SQLite), slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	return a.Handler
}

func TestDeployDocListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../docs/DEPLOY.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	_, reference, ok := strings.Cut(doc, "## Configuration reference")
	if !ok {
		t.Fatal("docs/DEPLOY.md has no configuration reference")
	}
	for name := range configEnv(t) {
		if !strings.Contains(reference, "`"+name+"`") {
			t.Errorf("the configuration reference of docs/DEPLOY.md does not name %s", name)
		}
	}
}
