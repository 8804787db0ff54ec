package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dockerfile is the image's Dockerfile, its lines joined where continued.
func dockerfile(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.ReplaceAll(string(b), "\\\n", " "), "\n")
}

func TestImageRunsAsNonRootWithoutAShell(t *testing.T) {
	var from, user string
	for _, l := range dockerfile(t) {
		switch f := strings.Fields(l); {
		case len(f) > 1 && f[0] == "FROM":
			from, user = f[1], "" // the last stage is the image
		case len(f) > 1 && f[0] == "USER":
			user = f[1]
		}
	}
	if !strings.HasPrefix(from, "gcr.io/distroless/static") && from != "scratch" {
		t.Errorf("the image is based on %s, want distroless static or scratch (no shell)", from)
	}
	if uid, _, _ := strings.Cut(user, ":"); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("the image runs as user %q, want a non-root numeric id", user)
	}
}

// buildTestEnv turns on the build test: with -trimpath nothing of the usual
// build cache is reused, so it compiles everything once (minutes on two
// cores); CI turns it on, a quick local run leaves it off.
const buildTestEnv = "DUTYCHAIN_DOCKERFILE_BUILD_TEST"

// TestDockerfileBuildCommandBuildsTheBinary runs the image's build command
// as written (environment, flags, output renamed) and the binary it makes.
func TestDockerfileBuildCommandBuildsTheBinary(t *testing.T) {
	if os.Getenv(buildTestEnv) == "" {
		t.Skip("set " + buildTestEnv + "=1 to build the binary as the Dockerfile does")
	}
	var build string
	for _, l := range dockerfile(t) {
		if strings.HasPrefix(l, "RUN ") && strings.Contains(l, " go build ") {
			build = strings.TrimPrefix(l, "RUN ")
		}
	}
	if build == "" {
		t.Fatal("no RUN … go build in the Dockerfile")
	}
	if !strings.Contains(build, "CGO_ENABLED=0") {
		t.Fatalf("the build %q does not turn cgo off: the SQLite driver is pure Go and the image has no C library", build)
	}
	out := filepath.Join(t.TempDir(), "dutychain")
	build = strings.ReplaceAll(build, "${VERSION}", "deploy-test")
	build = regexp.MustCompile(`-o \S+`).ReplaceAllString(build, "-o "+out)
	var env, args []string
	for _, f := range regexp.MustCompile(`"[^"]*"|\S+`).FindAllString(build, -1) {
		switch {
		case len(args) == 0 && regexp.MustCompile(`^[A-Z_]+=`).MatchString(f):
			env = append(env, f)
		default:
			args = append(args, strings.Trim(f, `"`))
		}
	}
	if len(args) < 2 || args[0] != "go" || args[1] != "build" {
		t.Fatalf("cannot read the build command %q", build)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, b)
	}
	version, err := exec.Command(out, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(version), "deploy-test") {
		t.Fatalf("built binary says %q: %v", version, err)
	}
}
