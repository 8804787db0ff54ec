package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/internal/domain"
)

// prepareUsers logs every user in and finds their fixtures: a hazard out of
// their scope (cross-scope refusal) and, for the town user, one open hazard
// per client to toggle supervision on.
func (h *harness) prepareUsers(ctx context.Context) error {
	sys := authz.SystemContext(ctx)
	names := make([]string, len(h.o.Users))
	for i, bu := range h.o.Users {
		names[i] = bu.Username
	}
	tenantID, viewers, err := loadViewers(ctx, h.d, h.o.Tenant, names)
	if err != nil {
		return err
	}
	for _, bu := range h.o.Users {
		lv := viewers[bu.Username]
		v := lv.viewer
		u := &benchUser{User: bu, userID: lv.userID, postID: lv.postID}
		if !h.o.SkipFloors {
			if u.floor, err = newFloorSQL(h.d.SQL, v); err != nil {
				return err
			}
		}
		if u.token, err = h.login(ctx, bu.Username); err != nil {
			return err
		}
		// A hazard of the tenant outside every grant path of the user.
		q := h.d.Client.Hazard.Query().Where(hazard.TenantID(tenantID))
		for _, g := range v.Grants {
			if !g.DirectoryOnly && g.Path != "" {
				q = q.Where(func(s *entsql.Selector) { s.Where(entsql.Not(entsql.HasPrefix(s.C(hazard.FieldScopePath), g.Path))) })
			}
		}
		if id, err := q.Order(hazard.ByID()).FirstID(sys); err == nil {
			u.foreignHazard = id
		}
		if u.Level == LevelTown {
			hs, err := h.d.Client.Hazard.Query().
				// Unsupervised: a supervision the worker then orders is its
				// own town's to lift; one ordered above it is not.
				Where(hazard.TenantID(tenantID), hazard.StateNEQ(domain.HazardClosed), hazard.Supervised(false), func(s *entsql.Selector) {
					v.Predicate("hazard", "supervise")(s)
				}).
				Order(hazard.ByID()).Limit(h.o.Concurrency + 1).All(sys)
			if err != nil {
				return fmt.Errorf("open hazards of %s: %w", bu.Username, err)
			}
			for _, hz := range hs {
				u.owned = append(u.owned, &ownHazard{id: hz.ID, supervised: hz.Supervised})
			}
		}
		h.users = append(h.users, u)
	}
	return nil
}

func (h *harness) hazardCount(ctx context.Context) int {
	n, _ := h.d.Client.Hazard.Query().Count(authz.SystemContext(ctx))
	return n
}

func (h *harness) login(ctx context.Context, username string) (string, error) {
	body, _, err := h.graphql(ctx, "", `mutation($in: LoginInput!) { login(input: $in) { accessToken } }`,
		map[string]any{"in": map[string]any{"tenant": h.o.Tenant, "username": username, "password": h.o.Password}})
	if err != nil {
		return "", fmt.Errorf("login %s: %w", username, err)
	}
	var r struct {
		Data struct {
			Login struct {
				AccessToken string `json:"accessToken"`
			} `json:"login"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Data.Login.AccessToken == "" {
		return "", fmt.Errorf("login %s: no token in %s", username, truncate(body))
	}
	return r.Data.Login.AccessToken, nil
}

// graphql posts one operation and returns the body and the statement count
// the server reported.
func (h *harness) graphql(ctx context.Context, token, doc string, vars map[string]any) ([]byte, int, error) {
	payload, err := json.Marshal(map[string]any{"query": doc, "variables": vars})
	if err != nil {
		return nil, 0, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.api+"/graphql", bytes.NewReader(payload))
	if err != nil {
		return nil, 0, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.do(req)
}

func (h *harness) do(req *http.Request) ([]byte, int, error) {
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return body, 0, fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, resp.StatusCode, truncate(body))
	}
	n, _ := strconv.Atoi(resp.Header.Get("X-SQL-Statements"))
	return body, n, nil
}

// call sends request i of scenario s as user u to target t.
func (h *harness) call(ctx context.Context, t target, s *scenario, u *benchUser, i int) (any, int, error) {
	switch t {
	case targetAPI:
		body, n, err := h.graphql(ctx, u.token, s.doc, s.vars(u, i))
		if err != nil {
			return nil, n, err
		}
		var r struct {
			Data   json.RawMessage   `json:"data"`
			Errors []json.RawMessage `json:"errors"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, n, fmt.Errorf("decode answer: %w", err)
		}
		if len(r.Errors) > 0 && !s.wantNull {
			return nil, n, fmt.Errorf("%s as %s: %s", s.name, u.Username, truncate(body))
		}
		return r.Data, n, nil
	case targetHandler:
		method := http.MethodGet
		if s.mutation {
			method = http.MethodPost
		}
		req, err := http.NewRequestWithContext(ctx, method, h.floor+s.floorPath(u, i), nil)
		if err != nil {
			return nil, 0, fmt.Errorf("request: %w", err)
		}
		body, n, err := h.do(req)
		if err != nil {
			return nil, n, err
		}
		var r struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, n, fmt.Errorf("decode floor answer: %w", err)
		}
		return r.Data, n, nil
	default:
		return s.raw(ctx, u, i)
	}
}

// after records the effect of a successful mutation on the worker's hazard.
func after(s *scenario, u *benchUser, i int) {
	if s.mutation {
		h := u.own(i)
		h.supervised = !h.supervised
	}
}

func (h *harness) userFor(s *scenario) *benchUser {
	for _, u := range h.users {
		if s.runsFor(u.Level) && (s.name != "cross-scope" || u.foreignHazard != 0) {
			return u
		}
	}
	return nil
}
