package testdb

import (
	"flag"
	"os"
	"strconv"
	"sync"
	"testing"
)

// asked reports whether the run chose rapid's number of cases itself, with
// -rapid.checks or RAPID_CHECKS; read before PropertyChecks sets the flag.
var asked = sync.OnceValue(func() bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	_, env := os.LookupEnv("RAPID_CHECKS")
	return set || env
})

// PropertyChecks makes the rapid property test t run n cases, the number CI
// runs, unless the run asked for its own number: -rapid.checks=N for one
// package, RAPID_CHECKS=N (rapid's own variable) for every package of
// ./scripts/test.sh. The previous number is restored when t ends, so each
// property test of a package keeps its own.
func PropertyChecks(t testing.TB, n int) {
	t.Helper()
	if asked() {
		return
	}
	f := flag.Lookup("rapid.checks")
	if f == nil {
		t.Fatal("testdb: PropertyChecks in a test binary without pgregory.net/rapid")
	}
	prev := f.Value.String()
	if err := flag.Set("rapid.checks", strconv.Itoa(n)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = flag.Set("rapid.checks", prev) })
}
