package apitest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
)

// leakPatterns match text that must never reach a client (brief §6: no stack
// traces, SQL or internal messages): SQL, ent's error prefix, Go source paths
// and runtime traces.
var leakPatterns = []struct {
	what string
	re   *regexp.Regexp
}{
	{"SQL", regexp.MustCompile(`(?i)sql`)},
	{"a SELECT statement", regexp.MustCompile(`SELECT`)},
	{"an ent error", regexp.MustCompile(`\bent:`)},
	{"a Go source path", regexp.MustCompile(`[A-Za-z0-9_./-]+\.go(:\d+)?\b`)},
	{"a goroutine trace", regexp.MustCompile(`goroutine \d+`)},
}

// Leaks returns a description of every error message or extension string in
// r that reveals internals; empty when r is clean.
func Leaks(r *Response) []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, leaksIn("message", e.Message)...)
		for k, v := range e.Extensions {
			out = append(out, leaksInValue("extensions."+k, v)...)
		}
	}
	return out
}

func leaksInValue(where string, v any) []string {
	switch x := v.(type) {
	case string:
		return leaksIn(where, x)
	case map[string]any:
		var out []string
		for k, y := range x {
			out = append(out, leaksInValue(where+"."+k, y)...)
		}
		return out
	case []any:
		var out []string
		for i, y := range x {
			out = append(out, leaksInValue(fmt.Sprintf("%s[%d]", where, i), y)...)
		}
		return out
	}
	return nil
}

func leaksIn(where, s string) []string {
	var out []string
	for _, p := range leakPatterns {
		if p.re.MatchString(s) {
			out = append(out, fmt.Sprintf("%s reveals %s: %q", where, p.what, s))
		}
	}
	return out
}

// RequireNoLeak fails t when an error of r reveals internals.
func RequireNoLeak(t testing.TB, r *Response) {
	t.Helper()
	for _, l := range Leaks(r) {
		t.Errorf("error leaks internals: %s", l)
	}
}

// RequireNoLeakInBody is RequireNoLeak for a raw HTTP body holding one
// GraphQL response or a JSON array of them. A body that is not JSON is
// checked as text.
func RequireNoLeakInBody(t testing.TB, body []byte) {
	t.Helper()
	var one Response
	if err := json.Unmarshal(body, &one); err == nil {
		RequireNoLeak(t, &one)
		return
	}
	var many []Response
	if err := json.Unmarshal(body, &many); err == nil {
		for i := range many {
			RequireNoLeak(t, &many[i])
		}
		return
	}
	for _, l := range leaksIn("body", string(body)) {
		t.Errorf("response leaks internals: %s", l)
	}
}
