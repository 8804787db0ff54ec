package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/db"
)

// FloorOptions configure the hand-written handler floor.
type FloorOptions struct {
	DatabaseURL string
	Addr        string
	Tenant      string
	Usernames   []string
	Log         *slog.Logger
}

// floorUser is what the floor knows of a benchmark user: their statements
// and, for the mutation, who acts.
type floorUser struct {
	sql    *floorSQL
	userID int
	postID int
}

// loadedViewer is a user's viewer as the API would load it now, with the
// user id and first post (the actor of the mutation scenario).
type loadedViewer struct {
	viewer         *authz.Viewer
	userID, postID int
}

// loadViewers loads the viewer of each username of tenantCode; it returns
// the tenant id too.
func loadViewers(ctx context.Context, d *db.DB, tenantCode string, usernames []string) (int, map[string]loadedViewer, error) {
	sys := authz.SystemContext(ctx)
	t, err := d.Client.Tenant.Query().Where(tenant.Code(tenantCode)).Only(sys)
	if err != nil {
		return 0, nil, fmt.Errorf("tenant %q (run `dutychain seed synthetic` first): %w", tenantCode, err)
	}
	policy, err := authz.NewStore(ctx, d.Client, slog.New(slog.DiscardHandler))
	if err != nil {
		return 0, nil, fmt.Errorf("policy: %w", err)
	}
	out := map[string]loadedViewer{}
	for _, name := range usernames {
		u, err := d.Client.User.Query().Where(user.TenantID(t.ID), user.Username(name)).Only(sys)
		if err != nil {
			return 0, nil, fmt.Errorf("user %q: %w", name, err)
		}
		v, err := authz.LoadViewer(ctx, d.Client, policy.Current(), u.ID, t.ID, time.Now())
		if err != nil {
			return 0, nil, fmt.Errorf("viewer %q: %w", name, err)
		}
		lv := loadedViewer{viewer: v, userID: u.ID}
		if len(v.PostIDs) > 0 {
			lv.postID = v.PostIDs[0]
		}
		out[name] = lv
	}
	return t.ID, out, nil
}

// loadFloorUsers compiles the floor statements of each user from their
// viewer, as the API would load it now.
func loadFloorUsers(ctx context.Context, d *db.DB, tenantCode string, usernames []string) (map[string]*floorUser, error) {
	_, viewers, err := loadViewers(ctx, d, tenantCode, usernames)
	if err != nil {
		return nil, err
	}
	out := map[string]*floorUser{}
	for name, lv := range viewers {
		f, err := newFloorSQL(d.SQL, lv.viewer)
		if err != nil {
			return nil, err
		}
		out[name] = &floorUser{sql: f, userID: lv.userID, postID: lv.postID}
	}
	return out, nil
}

// ServeFloor runs the minimal net/http handler floor until ctx ends.
func ServeFloor(ctx context.Context, o FloorOptions) error {
	d, err := db.Open(ctx, o.DatabaseURL, "")
	if err != nil {
		return err
	}
	defer d.Close()
	handler, err := NewFloorHandler(ctx, d, o.Tenant, o.Usernames, o.Log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("floor: listen: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("floor: %w", err)
	}
	return nil
}

// NewFloorHandler is the hand-written handler floor: for each scenario it
// runs the floor SQL and writes the same JSON the API writes. It
// authenticates nobody: the user is named in the query string.
func NewFloorHandler(ctx context.Context, d *db.DB, tenantCode string, usernames []string, log *slog.Logger) (http.Handler, error) {
	users, err := loadFloorUsers(ctx, d, tenantCode, usernames)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ready\n")) })
	handle := func(path string, run func(r *http.Request, u *floorUser) (any, int, error)) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			u := users[r.URL.Query().Get("user")]
			if u == nil {
				http.Error(w, "unknown user", http.StatusBadRequest)
				return
			}
			data, n, err := run(r, u)
			if err != nil {
				log.Error("floor", "path", path, "err", err)
				http.Error(w, "floor failed", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-SQL-Statements", strconv.Itoa(n))
			_ = json.NewEncoder(w).Encode(struct {
				Data any `json:"data"`
			}{data})
		})
	}
	atoi := func(r *http.Request, k string) int { n, _ := strconv.Atoi(r.URL.Query().Get(k)); return n }
	handle("GET /list", func(r *http.Request, u *floorUser) (any, int, error) {
		return u.sql.runList(r.Context(), r.URL.Query().Get("state"))
	})
	handle("GET /count", func(r *http.Request, u *floorUser) (any, int, error) { return u.sql.runCount(r.Context()) })
	handle("GET /dashboard", func(r *http.Request, u *floorUser) (any, int, error) { return u.sql.runDashboard(r.Context()) })
	handle("GET /nested", func(r *http.Request, u *floorUser) (any, int, error) {
		return u.sql.runNested(r.Context(), atoi(r, "units"), atoi(r, "hazards"))
	})
	handle("GET /node", func(r *http.Request, u *floorUser) (any, int, error) {
		return u.sql.runNode(r.Context(), atoi(r, "id"))
	})
	handle("POST /transition", func(r *http.Request, u *floorUser) (any, int, error) {
		return u.sql.runTransition(r.Context(), atoi(r, "id"), r.URL.Query().Get("supervise") == "true", u.userID, u.postID)
	})
	return mux, nil
}
