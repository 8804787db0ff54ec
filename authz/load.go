package authz

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/tenant"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/ent/user"
	"github.com/dutychain/dutychain/internal/apperr"
)

// LoadViewer builds the viewer of one request from the database: the user
// must exist in tenant and be ACTIVE, and only posts valid at now grant rights.
// Roles are never taken from the token, so a disabled user or an ended post
// takes effect on the next request. Two statements: the user, then the posts
// joined with their units.
func LoadViewer(ctx context.Context, client *ent.Client, policy *Policy, userID, tenantID int, now time.Time) (*Viewer, error) {
	sys := SystemContext(ctx)
	now = now.UTC() // stored times are UTC (see the TimeMixin hook)
	u, err := client.User.Query().
		Where(user.ID(userID), user.TenantID(tenantID)).
		Select(user.FieldID, user.FieldTenantID, user.FieldUsername, user.FieldStatus).
		Only(sys)
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.Unauthenticated, "invalid or expired token")
	}
	if err != nil {
		return nil, fmt.Errorf("load user %d: %w", userID, err)
	}
	if u.Status != user.StatusACTIVE {
		return nil, apperr.New(apperr.Unauthenticated, "this account is disabled")
	}
	posts, err := client.Post.Query().
		Where(post.UserID(userID), post.TenantID(tenantID), post.ValidFromLTE(now),
			post.Or(post.ValidToIsNil(), post.ValidToGT(now))).
		WithUnit(func(q *ent.UnitQuery) {
			q.Select(unit.FieldID, unit.FieldKind, unit.FieldScopePath)
		}).
		Order(ent.Asc(post.FieldID)).
		All(sys)
	if err != nil {
		return nil, fmt.Errorf("load posts of user %d: %w", userID, err)
	}
	v := &Viewer{UserID: u.ID, Tenant: tenantID, Username: u.Username, Policy: policy, Now: now}
	root, err := RootPath(ctx, client, tenantID)
	if err != nil {
		return nil, err
	}
	if root != "" {
		v.Grants = append(v.Grants, Grant{Tenant: tenantID, Role: RoleMember, Path: root, DirectoryOnly: true})
	}
	for _, p := range posts {
		un := p.Edges.Unit
		if un == nil {
			continue
		}
		v.Grants = append(v.Grants, Grant{
			PostID: p.ID, Tenant: tenantID, UnitID: un.ID, UnitKind: un.Kind, Path: un.ScopePath,
			Role: string(p.Role), Sectors: p.Sectors,
		})
		v.PostIDs = append(v.PostIDs, p.ID)
	}
	return v, nil
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
