package server

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/graph"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/auth"
	"github.com/dutychain/dutychain/internal/reqctx"
)

// Close codes of a websocket the server ends (graphql-transport-ws's 4401
// and 4403): sign in again, or subscribe again.
const (
	CloseUnauthorized = 4401
	CloseForbidden    = 4403
)

// websocketKeepAlive is the ping interval: proxies close idle connections.
const websocketKeepAlive = 25 * time.Second

// isStream reports whether r opens a subscription stream: a websocket
// upgrade, or a POST asking for server-sent events.
func isStream(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" ||
		r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// websocketTransport speaks graphql-transport-ws and graphql-ws. The token
// comes in the connection_init payload (a browser cannot set headers on a
// websocket): {"Authorization": "Bearer …"} or {"authToken": "…"}.
func websocketTransport(d Deps) transport.Websocket {
	return transport.Websocket{
		// Origins are checked by streams, against the CORS allow-list.
		Implementation:        endingWebsockets{transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true}}},
		KeepAlivePingInterval: websocketKeepAlive,
		PingPongInterval:      websocketKeepAlive,
		InitTimeout:           10 * time.Second,
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			v, claims, err := initViewer(ctx, d, payload)
			if err != nil {
				ae, _ := apperr.As(err)
				reason := "UNAUTHENTICATED"
				if ae != nil && ae.Reason != "" {
					reason = ae.Reason
				}
				ctx = transport.WithWebsocketCloseCode(ctx, CloseUnauthorized)
				return transport.AppendCloseReason(ctx, reason), nil, err
			}
			ctx = authz.NewContext(ctx, v)
			ctx = reqctx.WithLogger(ctx, reqctx.Logger(ctx).With("user_id", v.UserID, "tenant_id", v.Tenant))
			ctx, cancel := context.WithCancel(ctx)
			end, _ := ctx.Value(endKey{}).(*streamEnd)
			ending := func(code int, reason string) {
				if end != nil {
					end.set(code, reason)
				}
				cancel()
			}
			ctx = graph.WithEventCheck(ctx, eventCheck(d, claims, v, ending))
			go func() {
				if code, reason, ok := watchSession(ctx, d, claims, v); ok {
					ending(code, reason)
				}
				cancel()
			}()
			return ctx, nil, nil
		},
	}
}

// initViewer authenticates a websocket from its connection_init payload as
// authenticate does a request from its Authorization header.
func initViewer(ctx context.Context, d Deps, payload transport.InitPayload) (*authz.Viewer, auth.Claims, error) {
	h := payload.Authorization()
	if h == "" {
		if t, ok := payload["authToken"].(string); ok && t != "" {
			h = "Bearer " + t
		}
	}
	if h == "" {
		return nil, auth.Claims{}, authErrorFrom(ctx)
	}
	claims, err := verifyBearer(h, d.Tokens)
	if err != nil {
		return nil, claims, err
	}
	v, err := d.sessionViewer(ctx, claims)
	return v, claims, err
}

// watchSession waits until the subscription of v (signed in with claims)
// must end — its token expires, or a re-check every SubscriptionRecheck
// (checkSession) finds that it must — and returns the close code and
// reason; ok is false when ctx ended first.
func watchSession(ctx context.Context, d Deps, claims auth.Claims, v *authz.Viewer) (code int, reason string, ok bool) {
	expiry := time.NewTimer(claims.ExpiresAt.Sub(d.Now()))
	defer expiry.Stop()
	recheck := time.NewTicker(d.Config.SubscriptionRecheck)
	defer recheck.Stop()
	for {
		select {
		case <-ctx.Done():
			return 0, "", false
		case <-expiry.C:
			return CloseUnauthorized, apperr.ReasonTokenExpired + ": the access token expired; refresh it and subscribe again", true
		case <-recheck.C:
			code, reason, end, err := checkSession(ctx, d, claims, v)
			switch {
			case ctx.Err() != nil:
				return 0, "", false
			case end:
				return code, reason, true
			case err != nil:
				reqctx.Logger(ctx).WarnContext(ctx, "subscription re-check failed; trying again later", "err", err)
			}
		}
	}
}

// checkSession reads the viewer of claims again, as a request does (the
// viewer cache: a generation read, or none under a viewer lease), and
// decides whether the subscription of v must end: the session, user or
// posts are no longer valid (4401), a post changed — its sectors, unit,
// role or validity, not only which posts there are (Viewer.SameGrants) —
// or the tenant's policy changed (4403): the subscription decides its
// events with the viewer it started with, so it ends rather than deliver
// with rights the caller no longer has. err is a failure to read, after
// which nothing is decided.
func checkSession(ctx context.Context, d Deps, claims auth.Claims, v *authz.Viewer) (code int, reason string, end bool, err error) {
	now, err := d.sessionViewer(ctx, claims)
	switch {
	case apperr.CodeOf(err) == apperr.Unauthenticated:
		ae, _ := apperr.As(err)
		return CloseUnauthorized, ae.Reason + ": " + ae.Message, true, nil
	case err != nil:
		return 0, "", false, err
	case !v.SameGrants(now):
		return CloseForbidden, "POSTS_CHANGED: your posts changed; subscribe again", true, nil
	case !v.SamePolicy(now):
		return CloseForbidden, "POLICY_CHANGED: the rights of your posts changed; subscribe again", true, nil
	}
	return 0, "", false, nil
}

// eventCheck is the check a stream's subscriptions run before each event
// they deliver (graph.WithEventCheck): checkSession, so that a change of
// the caller's posts or policy is noticed at the first event after it, not
// at the next re-check. When the subscription must end it calls end with
// the close code and reason and answers false; a failed read answers false
// too (the event is not delivered, the subscription goes on).
func eventCheck(d Deps, claims auth.Claims, v *authz.Viewer, end func(code int, reason string)) func(context.Context) bool {
	return func(ctx context.Context) bool {
		code, reason, ended, err := checkSession(ctx, d, claims, v)
		switch {
		case ended:
			end(code, reason)
			return false
		case err != nil:
			reqctx.Logger(ctx).WarnContext(ctx, "subscription event check failed; event not delivered", "err", err)
			return false
		}
		return true
	}
}

// endKey holds, in a stream's context, its *streamEnd.
type endKey struct{}

// streamEnd is why the server ended a stream, set once.
type streamEnd struct {
	mu     sync.Mutex
	code   int
	reason string
}

func (e *streamEnd) set(code int, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.code == 0 {
		e.code, e.reason = code, reason
	}
}

func (e *streamEnd) get() (int, string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.code, e.reason
}

// streams serves subscription streams with gql and passes every other
// request to next. A websocket from a browser origin that CORS does not
// allow (nor the server's own) is refused with 403. Server timeouts, meant
// for requests, are lifted: a stream lives as long as its session.
func streams(d Deps, gql http.Handler, next http.Handler) http.Handler {
	allowed := map[string]bool{}
	for _, o := range d.Config.CORSOrigins {
		allowed[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isStream(r) {
			next.ServeHTTP(w, r)
			return
		}
		if r.Header.Get("Upgrade") != "" && !originAllowed(r, allowed) {
			writeCoded(w, http.StatusForbidden, apperr.New(apperr.Forbidden, "websocket origin not allowed"))
			return
		}
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		end := &streamEnd{}
		ctx := context.WithValue(r.Context(), endKey{}, end)
		if r.Header.Get("Upgrade") == "" {
			serveEvents(d, gql, w, r.WithContext(ctx))
			return
		}
		gql.ServeHTTP(w, r.WithContext(ctx))
	})
}

// originAllowed: no Origin (not a browser), the server's own host, or an
// origin of the CORS allow-list.
func originAllowed(r *http.Request, allowed map[string]bool) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || allowed[origin] {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// endingWebsockets closes a websocket the server ended with the code and
// reason of its streamEnd instead of gqlgen's 1000 "terminated".
type endingWebsockets struct {
	transport.WebsocketImplementation
}

func (e endingWebsockets) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := e.WebsocketImplementation.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	end, _ := r.Context().Value(endKey{}).(*streamEnd)
	return &endingConn{WebsocketConn: conn, end: end}, nil
}

type endingConn struct {
	transport.WebsocketConn
	end *streamEnd
}

func (c *endingConn) WriteClose(code int, reason string) error {
	if c.end != nil {
		if ec, er := c.end.get(); ec != 0 {
			code, reason = ec, er
			if len(reason) > 120 { // a close frame's reason has at most 123 bytes
				reason = reason[:120]
			}
		}
	}
	return c.WebsocketConn.WriteClose(code, reason)
}

func (c *endingConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

func (c *endingConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// Flush lets server-sent events through the request log's recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack lets a websocket upgrade through the request log's recorder.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the connection cannot be taken over")
	}
	s.status = http.StatusSwitchingProtocols
	return hj.Hijack()
}
