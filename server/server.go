// Package server wires HTTP: the GraphQL endpoint with its limits, GraphiQL,
// health checks, request ids, structured logs and authentication.
package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/config"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/input"
	"github.com/dutychain/dutychain/internal/reqctx"
	"github.com/dutychain/dutychain/internal/tracing"
	"github.com/dutychain/dutychain/server/graphiql"
)

// Deps are what the HTTP layer needs.
type Deps struct {
	Config   config.Config
	Client   *ent.Client
	Resolver *graph.Resolver
	Tokens   *auth.Tokens
	Policy   *authz.Store
	Log      *slog.Logger
	// Health answers /readyz: its checks (database, migrations, file
	// store) and the draining flag of shutdown.
	Health *Health
	// Now is the clock (tests move it).
	Now func() time.Time
	// Files serves GET /files/{id}.
	Files *files.Service
	// FileURLs checks the signed URLs of File.url; nil: downloads need the
	// Authorization header.
	FileURLs *files.URLSigner
	// Metrics receive the request metrics (served by Admin); nil: new ones.
	Metrics *Metrics
	// PersistedDocuments, when not nil, are the only documents that run
	// (hash → document, see LoadPersistedDocuments).
	PersistedDocuments map[string]string
	// Idempotency keeps the Idempotency-Key of mutation requests; nil: the
	// header is ignored.
	Idempotency *IdempotencyStore
	// RateLimiter limits requests per user and per client address; nil:
	// built from Config.RateLimits.
	RateLimiter *RateLimiter
	// Reads routes read-only operations and exports to the read replica;
	// nil or without a replica: everything on the primary.
	Reads *db.Reads
	// Viewers keeps the viewers of recent requests, checked against the
	// database's viewer generations on every request (or vouched for by a
	// ViewerWatch); nil: every request reads its viewer.
	Viewers *authz.ViewerCache
	// ViewerBarrier, when not nil, runs after a request that wrote users,
	// posts, sessions, units or tenants and before it answers: every
	// replica's ViewerWatch has then applied the change.
	ViewerBarrier ViewerBarrier
	// BarrierWaits receives the barriers' waits (Metrics.ObserveViewerWatch).
	BarrierWaits prometheus.Observer

	metrics *Metrics
}

// publicRootFields may be called without a token.
var publicRootFields = map[string]bool{"login": true, "refreshToken": true, "__schema": true, "__type": true, "__typename": true}

// New returns the HTTP handler of the whole server.
func New(d Deps) http.Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	d.metrics = d.Metrics
	d.Log = tracing.Logger(d.Log)
	if d.RateLimiter == nil {
		d.RateLimiter = NewRateLimiter(d.Config.RateLimits, d.Now)
	}
	limits := Limits{
		MaxDepth: d.Config.MaxDepth, MaxComplexity: d.Config.MaxComplexity, MaxAliases: d.Config.MaxAliases,
		DefaultPage: d.Config.DefaultPage, MaxPage: d.Config.MaxPage, MaxList: d.Config.MaxPage,
	}
	gql := handler.New(graph.NewServedSchema(d.Resolver))
	gql.AddTransport(transport.Options{})
	gql.AddTransport(websocketTransport(d))
	gql.AddTransport(transport.SSE{KeepAlivePingInterval: websocketKeepAlive})
	gql.AddTransport(specStatus{transport.GET{}})
	gql.AddTransport(specStatus{transport.MultipartForm{MaxUploadSize: uploadBodyLimit(d.Config), MaxMemory: 1 << 20}})
	gql.AddTransport(specStatus{graphqlPOST{}})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	gql.SetParserTokenLimit(d.Config.MaxTokens)
	if tracing.Enabled() {
		gql.Use(tracing.GraphQL{})
	}
	switch {
	case d.PersistedDocuments != nil:
		gql.Use(PersistedOnly{Documents: d.PersistedDocuments})
	case d.Config.APQCacheSize > 0:
		gql.Use(extension.AutomaticPersistedQuery{Cache: newAPQCache(d.Config.APQCacheSize)})
	}
	if d.Config.Introspection {
		gql.Use(extension.Introspection{})
	}
	gql.Use(limits)
	if d.Reads.Configured() {
		gql.AroundOperations(routeQueries(d.Reads))
	}
	if d.ViewerBarrier != nil {
		gql.AroundOperations(barrierPerMutation(d.ViewerBarrier, d.BarrierWaits))
	}
	rules := &input.Guard{}
	gql.Use(rules)
	gql.SetErrorPresenter(presentError(d.Log))
	gql.SetRecoverFunc(recoverPanic(d.Log))
	gql.AroundRootFields(func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		fc := graphql.GetRootFieldContext(ctx)
		if fc != nil && !publicRootFields[fc.Field.Name] {
			if v := authz.FromContext(ctx); v == nil || v.IsSystem() {
				err := authErrorFrom(ctx)
				graphql.AddError(ctx, err)
				return graphql.Null
			}
		}
		return next(ctx)
	})
	// One field middleware, not two: gqlgen wraps every field of a
	// response in a closure per middleware. Plain struct fields (no
	// resolver, method, arguments or directive) do not reach it at all: the
	// executor reads them directly (plainFields in graph/gqlgen.go). A field
	// middleware must therefore act only on resolvers, methods or fields with
	// arguments, as this one (connections' page arguments, errors) does.
	pages := pageSizeMiddleware(limits)
	gql.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		res, err := pages(ctx, next)
		return expandProblems(ctx, res, err)
	})

	mux := http.NewServeMux()
	mux.Handle("/graphql", streams(d, gql, idempotent(d.Idempotency, d.Log, uploadsNeedViewer(codeTransportErrors(batch(graph.WithLoaders(d.Client, d.Config.LoaderWait, gql), d.Config.MaxBatch, d.Log))))))
	mux.Handle("GET /{$}", graphiql.Page("dutychain GraphiQL", "/graphql"))
	mux.Handle("GET "+graphiql.AssetsPath, graphiql.Assets())
	mux.HandleFunc("GET /export/audit.csv", readOnly(d.Reads, exportAudit(d, "csv", rules.Rules())))
	mux.HandleFunc("GET /export/audit.xlsx", readOnly(d.Reads, exportAudit(d, "xlsx", rules.Rules())))
	mux.HandleFunc("GET /export/directory.xlsx", readOnly(d.Reads, directoryExport(d)))
	mux.HandleFunc("GET /import/directory-template.xlsx", directoryTemplate())
	mux.HandleFunc("POST /import/directory", directoryImport(d))
	mux.HandleFunc("GET /ledgers/{file}", readOnly(d.Reads, exportLedger(d, rules.Rules())))
	for _, format := range []string{"html", "docx"} {
		mux.HandleFunc("GET /reports/summary."+format, readOnly(d.Reads, summaryReport(d, format)))
		mux.HandleFunc("POST /reports/summary."+format, readOnly(d.Reads, summaryReport(d, format)))
	}
	if d.Files != nil {
		mux.Handle("GET /files/{id}", fileDownloads(d))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /readyz", d.Health)
	return tracing.HTTP(withCORS(d.Config.CORSOrigins, d.Config.CORSMaxAge, requestContext(d, authenticate(d, viewerBarrier(d.ViewerBarrier, d.BarrierWaits, readRouting(d.Reads, limitBody(d.Config, mux)))))),
		routeOf, "/healthz", "/readyz")
}

// uploadsNeedViewer refuses a multipart (upload) request without a valid
// token before its body is read: anonymous clients cannot make the server
// parse and spool files.
func uploadsNeedViewer(next http.Handler) http.Handler {
	guarded := requireViewer(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isMultipart(r) {
			guarded.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireViewer answers 401 with the authentication error unless the request
// carries a valid token.
func requireViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := authz.FromContext(r.Context()); v == nil || v.IsSystem() {
			ae, _ := apperr.As(authErrorFrom(r.Context()))
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeCoded(w, http.StatusUnauthorized, ae)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writeCoded writes e as the JSON errors body {"errors": [{message,
// extensions: {code, reason}}]} with status.
func writeCoded(w http.ResponseWriter, status int, e *apperr.Error) {
	ext := map[string]any{"code": string(e.Code)}
	if e.Reason != "" {
		ext["reason"] = e.Reason
	}
	if e.Field != "" {
		ext["field"] = e.Field
	}
	if e.Code == apperr.Unavailable {
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": e.Message, "extensions": ext}}})
}

type authErrKey struct{}

func authErrorFrom(ctx context.Context) error {
	if err, ok := ctx.Value(authErrKey{}).(error); ok {
		return err
	}
	return apperr.Unauth(apperr.ReasonTokenMissing, "sign in first: send Authorization: Bearer <accessToken> from the login mutation", nil)
}

// authenticate turns a bearer token into a viewer, loading the user and their
// valid posts from the database on every request (roles never come from the
// token) after checking that the token's session is still open. A bad token
// leaves no viewer and remembers why (extensions.reason). A database that
// cannot answer is not a bad token: the request fails at once with
// UNAVAILABLE (503, Retry-After), and any other failure with INTERNAL.
// The rate limit is checked between the token's signature and the database:
// a verified token's user pays from their bucket, anyone else from their
// address's.
func authenticate(d Deps, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		ctx := r.Context()
		if h == "" {
			if admitAddress(w, r, d.RateLimiter) {
				next.ServeHTTP(w, r)
			}
			return
		}
		claims, err := verifyBearer(h, d.Tokens)
		if err == nil {
			if d.RateLimiter != nil && !rateLimitExempt[r.URL.Path] {
				if ok, wait := d.RateLimiter.AllowUser(claims.TenantID, claims.UserID); !ok {
					writeRateLimited(w, wait)
					return
				}
			}
		} else if !admitAddress(w, r, d.RateLimiter) {
			return
		}
		var v *authz.Viewer
		if err == nil {
			v, err = d.sessionViewer(ctx, claims)
		}
		if err == nil {
			ctx = authz.NewContext(ctx, v)
			ctx = reqctx.WithLoggerAttrs(ctx, "user_id", v.UserID, "tenant_id", v.Tenant)
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if apperr.CodeOf(err) == apperr.Unauthenticated {
			reqctx.Logger(ctx).DebugContext(ctx, "token refused", "err", err)
			next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, authErrKey{}, err)))
			return
		}
		if ae, down := db.Outage(err); down {
			markOutage(ctx, ae)
			reqctx.Logger(ctx).WarnContext(ctx, "storage unavailable while loading the viewer", "reason", ae.Reason, "err", err)
			writeCoded(w, http.StatusServiceUnavailable, ae)
			return
		}
		reqctx.Logger(ctx).ErrorContext(ctx, "authentication failed", "err", err)
		writeCoded(w, http.StatusInternalServerError, apperr.New(apperr.Internal, "internal error"))
	})
}

// sessionViewer is the viewer of a request signed in with claims, through
// the viewer cache when there is one.
func (d Deps) sessionViewer(ctx context.Context, claims auth.Claims) (*authz.Viewer, error) {
	if d.Viewers == nil || claims.SessionID == "" {
		return authz.LoadSessionViewer(ctx, d.Client, d.Policy.Current(), claims.UserID, claims.TenantID, claims.SessionID, d.Now())
	}
	return d.Viewers.Viewer(ctx, d.Policy.Current(), claims.UserID, claims.TenantID, claims.SessionID, d.Now())
}

// admitAddress charges a request without a valid token to its client
// address; over the limit it answers 429 and returns false.
func admitAddress(w http.ResponseWriter, r *http.Request, l *RateLimiter) bool {
	if l == nil || rateLimitExempt[r.URL.Path] {
		return true
	}
	if ok, wait := l.AllowAddress(reqctx.ClientIP(r.Context())); !ok {
		writeRateLimited(w, wait)
		return false
	}
	return true
}

// verifyBearer verifies the bearer token of the Authorization header h.
func verifyBearer(h string, tokens *auth.Tokens) (auth.Claims, error) {
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return auth.Claims{}, apperr.Unauth(apperr.ReasonTokenInvalid, "the Authorization header must be 'Bearer <token>'", nil)
	}
	return tokens.Verify(strings.TrimSpace(token))
}

// retryAfterSeconds is the Retry-After of an UNAVAILABLE answer.
const retryAfterSeconds = files.RetryAfterSeconds

// outageKey holds, in a request's context, the *outage met during it.
type outageKey struct{}

// outage records what a request met of an unavailable storage.
type outage struct {
	unavailable atomic.Bool
	storageFull atomic.Bool
}

// markOutage records that the request met an unavailable storage (e, of
// code UNAVAILABLE): its response, if it would be 200, goes out as 503 with
// Retry-After, and a full storage fails /readyz for a while.
func markOutage(ctx context.Context, e *apperr.Error) {
	if o, ok := ctx.Value(outageKey{}).(*outage); ok {
		o.unavailable.Store(true)
		if e.Reason == apperr.ReasonStorageFull {
			o.storageFull.Store(true)
		}
	}
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestContext gives every request an id (X-Request-ID when sane), a client
// address (see proxies.clientIP), a flag for storage outages and a logger that stamps both on every line, and logs the request.
func requestContext(d Deps, next http.Handler) http.Handler {
	trusted := trustedProxies(d.Config)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(requestIDHeader)
		if !requestIDPattern.MatchString(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		ip := trusted.clientIP(r)
		// One allocation for the request's own state, one context value
		// for its outage flag and one for its id, address, statement
		// counter and logger (reqctx.Start; the logger with request_id is
		// made only if something logs).
		st := &requestState{}
		met := &st.met
		ctx := context.WithValue(r.Context(), outageKey{}, met)
		ctx, req := reqctx.Start(ctx, id, ip, d.Log)
		tracing.TagRequest(ctx, id)
		statements := &req.Statements
		w.Header().Set(requestIDHeader, id)
		rec := &st.rec
		*rec = statusRecorder{ResponseWriter: w, status: http.StatusOK, outage: &met.unavailable}
		if d.Config.StatementHeader {
			rec.statements = statements
		}
		next.ServeHTTP(rec, r.WithContext(ctx))
		if met.storageFull.Load() {
			d.Health.StorageFull(time.Now())
		}
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics":
		default:
			elapsed := time.Since(start)
			if d.Log.Enabled(ctx, slog.LevelInfo) {
				req.Logger().InfoContext(ctx, "request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
					"duration_ms", float64(elapsed.Microseconds())/1000, "sql_statements", statements.Load(), "client_ip", ip)
			}
			d.metrics.observe(routeOf(r.URL.Path), rec.status, elapsed, statements.Load())
		}
	})
}

// requestState is what requestContext keeps of a request, in one
// allocation.
type requestState struct {
	met outage
	rec statusRecorder
}

// statusRecorder remembers the status code and, when statements is set,
// reports the request's SQL statements in the X-SQL-Statements header
// (written with the headers: handlers here write their body in one go, after
// all their statements ran).
type statusRecorder struct {
	http.ResponseWriter
	status      int
	statements  *atomic.Int64
	outage      *atomic.Bool
	wroteHeader bool
}

// StatementsHeader carries the SQL statements of a request when the
// statement-header option is on (benchmarks and diagnosis). Header names
// are written in their canonical form (as they go on the wire): any other
// spelling makes net/http allocate its canonical form on every use.
const StatementsHeader = "X-Sql-Statements"

// requestIDHeader carries the request's id, the client's or the server's.
const requestIDHeader = "X-Request-Id"

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.wroteHeader = true
		if code == http.StatusOK && s.outage != nil && s.outage.Load() {
			code = http.StatusServiceUnavailable
			s.Header().Set("Retry-After", retryAfterSeconds)
		}
		s.status = code
		if s.statements != nil {
			s.Header().Set(StatementsHeader, strconv.FormatInt(s.statements.Load(), 10))
		}
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wroteHeader {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// isMultipart reports whether r is a GraphQL multipart request (an upload).
func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
}

// uploadBodyLimit is the largest multipart request: one file at the upload
// limit plus the operation and its map.
func uploadBodyLimit(cfg config.Config) int64 { return cfg.MaxUploadBytes + cfg.MaxBodyBytes }

// limitBody caps every request body: MaxBodyBytes, or for a multipart upload
// uploadBodyLimit. An upload announcing a larger body is refused before it
// is read, with the same coded error the upload check gives.
func limitBody(cfg config.Config, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := cfg.MaxBodyBytes
		if isMultipart(r) {
			n = uploadBodyLimit(cfg)
			if r.ContentLength > n {
				e := files.TooLarge(cfg.MaxUploadBytes)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
					"message": e.Message, "extensions": map[string]any{"code": string(e.Code), "reason": e.Reason, "field": e.Field},
				}}})
				return
			}
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		next.ServeHTTP(w, r)
	})
}

// batch accepts a JSON array of operations (up to max) and answers with the
// array of their results; a single operation passes straight through. All
// operations of a request share one sign-in budget (see Limits).
func batch(next http.Handler, max int, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, http.StatusRequestEntityTooLarge, "BODY_TOO_LARGE", "the request body is too large")
				return
			}
			writeError(w, http.StatusBadRequest, "BAD_BODY", "the request body could not be read")
			return
		}
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) == 0 || trimmed[0] != '[' {
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
			return
		}
		var ops []json.RawMessage
		if err := json.Unmarshal(trimmed, &ops); err != nil {
			writeError(w, http.StatusBadRequest, "BAD_BODY", "a batch is a JSON array of GraphQL requests")
			return
		}
		if len(ops) == 0 || len(ops) > max {
			writeError(w, http.StatusBadRequest, "BATCH_TOO_LARGE", "a batch holds 1 to "+strconv.Itoa(max)+" operations")
			return
		}
		// The operations share one sign-in budget. A single operation
		// needs none: Limits counts its own sign-in fields.
		r = r.WithContext(context.WithValue(r.Context(), signInBudgetKey{}, new(atomic.Int32)))
		results := make([]json.RawMessage, len(ops))
		for i, op := range ops {
			sub := r.Clone(r.Context())
			sub.Body = io.NopCloser(bytes.NewReader(op))
			sub.ContentLength = int64(len(op))
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, sub)
			results[i] = json.RawMessage(bytes.TrimSpace(rec.Body.Bytes()))
			if !json.Valid(results[i]) {
				log.ErrorContext(r.Context(), "batch item produced invalid JSON", "index", i)
				results[i] = json.RawMessage(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(results)
	})
}

func writeError(w http.ResponseWriter, status int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message": msg, "extensions": map[string]any{"code": string(apperr.BadUserInput), "reason": reason},
	}}})
}
