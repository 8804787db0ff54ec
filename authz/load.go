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
	st, err := loadViewerState(ctx, client, userID, tenantID, session, now)
	if err != nil {
		return nil, err
	}
	return st.viewer(policy, now)
}

// viewerState is what one statement reads about a signed-in user: enough to
// build their Viewer at any time before expires, and the generations
// (viewer_generations) it was read at, which ViewerCache compares.
type viewerState struct {
	userID, tenant int
	session        string
	username       string
	status         string
	sessionOpen    bool
	// grants are the MEMBER grant (if the tenant has units) and one grant
	// per post not ended at loadedAt, in post id order; validFrom[i] is
	// grants[i]'s post start (zero for MEMBER).
	grants    []Grant
	validFrom []time.Time
	// allValid: every post had started at loadedAt, so grants serve as is.
	allValid bool
	loadedAt time.Time
	// expires is the first post start or end after loadedAt: the state
	// must be read again from then on.
	expires            time.Time
	userGen, tenantGen int64
	// validated is the ViewerWatch mark at which the state was last read or
	// checked against the generations (under the cache's mu).
	validated uint64
	// predicates are the read filters compiled from grants, shared by the
	// viewers built from the state while allValid (they have its grants).
	predicates predicateCache
}

// loadViewerState reads the state of user in tenant with one statement: the
// user left-joined with their posts not ended at now and the posts' units,
// the session's openness, and the two viewer generations.
func loadViewerState(ctx context.Context, client *ent.Client, userID, tenantID int, session string, now time.Time) (*viewerState, error) {
	now = now.UTC() // stored times are UTC (see the TimeMixin hook)
	var rows []viewerRow
	err := client.User.Query().
		Where(user.ID(userID), user.TenantID(tenantID)).
		Modify(func(s *entsql.Selector) {
			p, un := entsql.Table(post.Table).As("p"), entsql.Table(unit.Table).As("un")
			ug, tg := entsql.Table(GenerationsTable).As("ug"), entsql.Table(GenerationsTable).As("tg")
			s.LeftJoin(p).OnP(entsql.And(
				entsql.ColumnsEQ(p.C(post.FieldUserID), s.C(user.FieldID)),
				entsql.ColumnsEQ(p.C(post.FieldTenantID), s.C(user.FieldTenantID)),
				entsql.Or(entsql.IsNull(p.C(post.FieldValidTo)), entsql.GT(p.C(post.FieldValidTo), now)),
			)).
				LeftJoin(un).On(un.C(unit.FieldID), p.C(post.FieldUnitID)).
				LeftJoin(ug).OnP(entsql.And(
				entsql.ColumnsEQ(ug.C("tenant_id"), s.C(user.FieldTenantID)),
				entsql.ColumnsEQ(ug.C("user_id"), s.C(user.FieldID)))).
				LeftJoin(tg).OnP(entsql.And(
				entsql.ColumnsEQ(tg.C("tenant_id"), s.C(user.FieldTenantID)),
				entsql.EQ(tg.C("user_id"), 0))).
				Select(
					s.C(user.FieldUsername), s.C(user.FieldStatus),
					entsql.As(p.C(post.FieldID), "post_id"), p.C(post.FieldRole), p.C(post.FieldSectors),
					p.C(post.FieldValidFrom), p.C(post.FieldValidTo),
					entsql.As(un.C(unit.FieldID), "unit_id"), un.C(unit.FieldKind), un.C(unit.FieldScopePath),
					entsql.As(ug.C("generation"), "user_generation"), entsql.As(tg.C("generation"), "tenant_generation"),
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
	st := &viewerState{
		userID: userID, tenant: tenantID, session: session, loadedAt: now, allValid: true,
		username: rows[0].Username, status: rows[0].Status, sessionOpen: rows[0].SessionOpen.Bool,
		userGen: rows[0].UserGeneration.Int64, tenantGen: rows[0].TenantGeneration.Int64,
	}
	root, err := RootPath(ctx, client, tenantID)
	if err != nil {
		return nil, err
	}
	if root != "" {
		st.grants = append(st.grants, Grant{Tenant: tenantID, Role: RoleMember, Path: root, DirectoryOnly: true})
		st.validFrom = append(st.validFrom, time.Time{})
	}
	later := func(t time.Time) {
		if t.After(now) && (st.expires.IsZero() || t.Before(st.expires)) {
			st.expires = t
		}
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
		from := r.ValidFrom.Time.UTC()
		if from.After(now) {
			st.allValid = false
		}
		later(from)
		if r.ValidTo.Valid {
			later(r.ValidTo.Time.UTC())
		}
		st.grants = append(st.grants, g)
		st.validFrom = append(st.validFrom, from)
	}
	return st, nil
}

// viewer builds the Viewer of a request at now from the state, deciding with
// policy: the user must be ACTIVE, the session open, and only posts started
// at now grant rights (the state holds none ended before loadedAt, and
// ViewerCache reads it again once one ends).
func (st *viewerState) viewer(policy *Policy, now time.Time) (*Viewer, error) {
	if st.status != user.StatusACTIVE.String() {
		return nil, apperr.Unauth(apperr.ReasonTokenRevoked, "this account is disabled", nil)
	}
	if st.session != "" && !st.sessionOpen {
		return nil, apperr.Unauth(apperr.ReasonTokenRevoked, "this session has ended; sign in again", nil)
	}
	now = now.UTC()
	v := &Viewer{UserID: st.userID, Tenant: st.tenant, Username: st.username, Policy: policy, Now: now}
	if st.allValid {
		// Shared, never written: Viewer methods copy before narrowing.
		v.Grants = st.grants[:len(st.grants):len(st.grants)]
		v.PostIDs = st.postIDs(nil)
		v.shared = &st.predicates
		return v, nil
	}
	for i, g := range st.grants {
		if g.DirectoryOnly || !st.validFrom[i].After(now) {
			v.Grants = append(v.Grants, g)
		}
	}
	v.PostIDs = st.postIDs(v.Grants)
	return v, nil
}

// postIDs are the post ids of grants (the state's when nil), MEMBER left out.
func (st *viewerState) postIDs(grants []Grant) []int {
	if grants == nil {
		grants = st.grants
	}
	ids := make([]int, 0, len(grants))
	for _, g := range grants {
		if !g.DirectoryOnly {
			ids = append(ids, g.PostID)
		}
	}
	return ids
}

// viewerRow is one row of the state's statement: the user with one of their
// posts not ended and its unit (post and unit NULL for a user without posts).
type viewerRow struct {
	Username  string         `sql:"username"`
	Status    string         `sql:"status"`
	PostID    sql.NullInt64  `sql:"post_id"`
	Role      sql.NullString `sql:"role"`
	Sectors   []byte         `sql:"sectors"`
	ValidFrom sql.NullTime   `sql:"valid_from"`
	ValidTo   sql.NullTime   `sql:"valid_to"`
	UnitID    sql.NullInt64  `sql:"unit_id"`
	Kind      sql.NullString `sql:"kind"`
	ScopePath sql.NullString `sql:"scope_path"`
	// SessionOpen: the token's session is not revoked (LoadSessionViewer).
	SessionOpen sql.NullBool `sql:"session_open"`
	// UserGeneration and TenantGeneration: viewer_generations (NULL: 0).
	UserGeneration   sql.NullInt64 `sql:"user_generation"`
	TenantGeneration sql.NullInt64 `sql:"tenant_generation"`
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
