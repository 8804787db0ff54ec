package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// corsAllowedHeaders are the request headers a browser client may send:
// the bearer token, JSON bodies, a request id, and the headers Apollo
// Client adds (client awareness, CSRF-prevention preflight).
var corsAllowedHeaders = strings.Join([]string{
	"Authorization", "Content-Type", "Accept", "X-Request-Id", ReadAfterHeader,
	"Apollo-Require-Preflight", "Apollographql-Client-Name", "Apollographql-Client-Version", "X-Apollo-Operation-Name",
}, ", ")

// corsExposedHeaders are the response headers a browser client may read
// (Content-Disposition: a file's name when fetched by script; the read
// routing headers, for read-your-writes without cookies).
const corsExposedHeaders = "X-Request-Id, Retry-After, Content-Disposition, " + ReadAfterHeader + ", " + ReadSourceHeader

// withCORS lets the listed browser origins call every route (/graphql,
// /files, /export). A preflight from a listed origin is answered 204 with
// the allowed methods and headers, cacheable for maxAge; a preflight from
// any other origin is 403 and carries no CORS header. No credentials mode:
// the API authenticates with bearer tokens, never cookies.
func withCORS(origins []string, maxAge time.Duration, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	age := strconv.Itoa(int(maxAge.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		if origin != "" {
			h.Add("Vary", "Origin")
		}
		preflight := r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != ""
		if preflight {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !allowed[origin] {
				http.Error(w, "origin not allowed", http.StatusForbidden)
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", corsAllowedHeaders)
			h.Set("Access-Control-Max-Age", age)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed[origin] {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", corsExposedHeaders)
		}
		next.ServeHTTP(w, r)
	})
}
