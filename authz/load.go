package authz

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/refreshtoken"
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// LoadViewer builds the viewer of one request from the database: the user
// must exist in tenant and be ACTIVE, and only posts valid at now grant rights.
// Roles are never taken from the token, so a disabled user or an ended post
// takes effect on the next request. One statement: the user left-joined with
// their valid posts and the posts' units (the tenant root path is cached).
func LoadViewer(ctx context.Context, client *ent.Client, policy *Policy, userID, tenantID int, now time.Time) (*Viewer, error) {
	return loadViewer(ctx, client, policy, userID, tenantID, "", now)
}

// LoadSessionViewer is LoadViewer for an access token issued in session (a
// refresh-token family): in the same statement it checks that the session
// still has a token that is not revoked, and refuses with TOKEN_REVOKED
// otherwise (signed out, password changed or reset, user disabled, last
// post ended).
func LoadSessionViewer(ctx context.Context, client *ent.Client, policy *Policy, userID, tenantID int, session string, now time.Time) (*Viewer, error) {
	if session == "" {
		return nil, apperr.Unauth(apperr.ReasonTokenInvalid, "invalid access token; sign in again", nil)
	}
	return loadViewer(ctx, client, policy, userID, tenantID, session, now)
}

func loadViewer(ctx context.Context, client *ent.Client, policy *Policy, userID, tenantID int, session string, now time.Time) (*Viewer, error) {
	now = now.UTC() // stored times are UTC (see the TimeMixin hook)
	var rows []viewerRow
	err := client.User.Query().
		Where(user.ID(userID), user.TenantID(tenantID)).
		Modify(func(s *entsql.Selector) {
			p, un := entsql.Table(post.Table).As("p"), entsql.Table(unit.Table).As("un")
			s.LeftJoin(p).OnP(entsql.And(
				entsql.ColumnsEQ(p.C(post.FieldUserID), s.C(user.FieldID)),
				entsql.ColumnsEQ(p.C(post.FieldTenantID), s.C(user.FieldTenantID)),
				entsql.LTE(p.C(post.FieldValidFrom), now),
				entsql.Or(entsql.IsNull(p.C(post.FieldValidTo)), entsql.GT(p.C(post.FieldValidTo), now)),
			)).
				LeftJoin(un).On(un.C(unit.FieldID), p.C(post.FieldUnitID)).
				Select(
					s.C(user.FieldUsername), s.C(user.FieldStatus),
					entsql.As(p.C(post.FieldID), "post_id"), p.C(post.FieldRole), p.C(post.FieldSectors),
					entsql.As(un.C(unit.FieldID), "unit_id"), un.C(unit.FieldKind), un.C(unit.FieldScopePath),
				).
				OrderBy(p.C(post.FieldID))
			if session != "" {
				rt := entsql.Table(refreshtoken.Table).As("rt")
				s.AppendSelectExprAs(entsql.Exists(entsql.Dialect(s.Dialect()).SelectExpr(entsql.Expr("1")).From(rt).Where(entsql.And(
					entsql.EQ(rt.C(refreshtoken.FieldFamily), session),
					entsql.ColumnsEQ(rt.C(refreshtoken.FieldUserID), s.C(user.FieldID)),
					entsql.IsNull(rt.C(refreshtoken.FieldRevokedAt)),
				))), "session_open")
			}
		}).
		Scan(SystemContext(ctx), &rows)
	if err != nil {
		return nil, fmt.Errorf("load user %d: %w", userID, err)
	}
	if len(rows) == 0 {
		return nil, apperr.Unauth(apperr.ReasonTokenInvalid, "invalid access token; sign in again", nil)
	}
	if rows[0].Status != user.StatusACTIVE.String() {
		return nil, apperr.Unauth(apperr.ReasonTokenRevoked, "this account is disabled", nil)
	}
	if session != "" && !rows[0].SessionOpen.Bool {
		return nil, apperr.Unauth(apperr.ReasonTokenRevoked, "this session has ended; sign in again", nil)
	}
	v := &Viewer{UserID: userID, Tenant: tenantID, Username: rows[0].Username, Policy: policy, Now: now}
	root, err := RootPath(ctx, client, tenantID)
	if err != nil {
		return nil, err
	}
	if root != "" {
		v.Grants = append(v.Grants, Grant{Tenant: tenantID, Role: RoleMember, Path: root, DirectoryOnly: true})
	}
	for _, r := range rows {
		if !r.PostID.Valid || !r.UnitID.Valid {
			continue
		}
		g := Grant{
			PostID: int(r.PostID.Int64), Tenant: tenantID, UnitID: int(r.UnitID.Int64),
			UnitKind: domain.UnitKind(r.Kind.String), Path: r.ScopePath.String, Role: r.Role.String,
		}
		if len(r.Sectors) > 0 {
			if err := json.Unmarshal(r.Sectors, &g.Sectors); err != nil {
				return nil, fmt.Errorf("post %d: sectors: %w", g.PostID, err)
			}
		}
		v.Grants = append(v.Grants, g)
		v.PostIDs = append(v.PostIDs, g.PostID)
	}
	return v, nil
}

// viewerRow is one row of LoadViewer's statement: the user with one of their
// valid posts and its unit (post and unit NULL for a user without posts).
type viewerRow struct {
	Username  string         `sql:"username"`
	Status    string         `sql:"status"`
	PostID    sql.NullInt64  `sql:"post_id"`
	Role      sql.NullString `sql:"role"`
	Sectors   []byte         `sql:"sectors"`
	UnitID    sql.NullInt64  `sql:"unit_id"`
	Kind      sql.NullString `sql:"kind"`
	ScopePath sql.NullString `sql:"scope_path"`
	// SessionOpen: the token's session is not revoked (LoadSessionViewer).
	SessionOpen sql.NullBool `sql:"session_open"`
}

// TenantByCode resolves a tenant code to its id (system use: login).
func TenantByCode(ctx context.Context, client *ent.Client, code string) (*ent.Tenant, error) {
	return client.Tenant.Query().Where(tenant.Code(code)).Only(SystemContext(ctx))
}

// rootPaths caches each tenant's root path: the root never moves, so the
// cache cannot go stale, and a request saves a statement.
var rootPaths sync.Map // rootKey → string

// rootKey scopes the cache to one client (one database) and tenant.
type rootKey struct {
	client *ent.Client
	tenant int
}

// RootPath returns the materialized path of tenant's root unit ("" if the
// tenant has no units yet).
func RootPath(ctx context.Context, client *ent.Client, tenantID int) (string, error) {
	if p, ok := rootPaths.Load(rootKey{client, tenantID}); ok {
		return p.(string), nil
	}
	root, err := client.Unit.Query().Where(unit.TenantID(tenantID), unit.ParentIDIsNil()).
		Select(unit.FieldScopePath).Order(ent.Asc(unit.FieldID)).First(SystemContext(ctx))
	if ent.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("load tenant root: %w", err)
	}
	if root.ScopePath != "/pending/" {
		rootPaths.Store(rootKey{client, tenantID}, root.ScopePath)
	}
	return root.ScopePath, nil
}
