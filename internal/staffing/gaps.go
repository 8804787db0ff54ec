package staffing

import (
	"context"
	stdsql "database/sql"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/dutylist"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// GapOrder orders the duty-list gap rows.
type GapOrder string

// Gap orders.
const (
	// ByUnit is tree order: by the post's unit path, then post.
	ByUnit GapOrder = "UNIT"
	// ByRole is by role, then tree order.
	ByRole GapOrder = "ROLE"
)

// GapInput is what dutyListGaps accepts; every filter is optional.
type GapInput struct {
	// UnitID keeps the posts at that unit or below it.
	UnitID  *int
	Reasons []domain.DutyGapReason
	Roles   []domain.Role
	Order   GapOrder
	Page
}

// Gap is one post lacking an acknowledged duty list.
type Gap struct {
	Post     *ent.Post
	Reason   domain.DutyGapReason
	DutyList *ent.DutyList
	Cursor   string
}

// GapPage answers dutyListGaps.
type GapPage struct {
	Rows       []Gap
	TotalCount int
	PageInfo
}

// gapsFrom is the posts valid now the caller reads (auditors' aside),
// narrowed by in, whose duty list is missing or unacknowledged in its
// current version.
func (s *Service) gapsFrom(v *authz.Viewer, in GapInput, path string, now time.Time) *sql.Selector {
	d := sql.Dialect(s.Dialect)
	p := d.Select().From(sql.Table(post.Table).As("p"))
	v.Predicate("post", "read")(p)
	l := d.Table(dutylist.Table).As("l")
	p.LeftJoin(l).On(p.C(post.FieldID), l.C(dutylist.FieldPostID))
	p.Where(sql.And(sql.LTE(p.C(post.FieldValidFrom), now),
		sql.Or(sql.IsNull(p.C(post.FieldValidTo)), sql.GT(p.C(post.FieldValidTo), now)),
		sql.NEQ(p.C(post.FieldRole), string(domain.RoleAuditor))))
	noList := sql.IsNull(l.C(dutylist.FieldID))
	unacknowledged := sql.And(sql.NotNull(l.C(dutylist.FieldID)), sql.Or(sql.IsNull(l.C(dutylist.FieldAcknowledgedVersion)),
		sql.ColumnsNEQ(l.C(dutylist.FieldAcknowledgedVersion), l.C(dutylist.FieldVersion))))
	var reasons []*sql.Predicate
	for _, r := range in.Reasons {
		switch r {
		case domain.DutyGapNoList:
			reasons = append(reasons, noList)
		case domain.DutyGapUnacknowledged:
			reasons = append(reasons, unacknowledged)
		}
	}
	if len(reasons) == 0 {
		reasons = []*sql.Predicate{noList, unacknowledged}
	}
	p.Where(sql.Or(reasons...))
	if path != "" {
		p.Where(sql.HasPrefix(p.C(authz.ColPath), path))
	}
	if len(in.Roles) > 0 {
		roles := make([]any, len(in.Roles))
		for i, r := range in.Roles {
			roles[i] = string(r)
		}
		p.Where(sql.In(p.C(post.FieldRole), roles...))
	}
	return p
}

// DutyListGaps answers the duty-list gap list with four SQL statements
// whatever the number of posts: the count (1), the page (1), its posts (1)
// and their duty lists (1) — one more to find where.unitID.
func (s *Service) DutyListGaps(ctx context.Context, in GapInput) (*GapPage, error) {
	v, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now).Truncate(time.Microsecond)
	path := ""
	if in.UnitID != nil {
		u, err := kernel.Unit(ctx, s.Client, *in.UnitID, "where.unitID")
		if err != nil {
			return nil, err
		}
		path = u.ScopePath
	}
	out := &GapPage{}
	cnt := s.gapsFrom(v, in, path, now)
	cnt.Select().AppendSelectExprAs(sql.Raw("COUNT(*)"), "gaps")
	if err := s.scan(ctx, cnt, func(rows *stdsql.Rows) error { return rows.Scan(&out.TotalCount) }); err != nil {
		return nil, err
	}
	offset, limit, err := in.window(out.TotalCount)
	if err != nil || limit == 0 {
		out.PageInfo = info(offset, 0, out.TotalCount)
		return out, err
	}
	page := s.gapsFrom(v, in, path, now)
	page.Select(page.C(post.FieldID))
	if in.Order == ByRole {
		page.OrderBy(page.C(post.FieldRole))
	}
	page.OrderBy(page.C(authz.ColPath), page.C(post.FieldID)).Limit(limit).Offset(offset)
	var ids []int
	err = s.scan(ctx, page, func(rows *stdsql.Rows) error {
		var id int
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	posts, err := s.Client.Post.Query().Where(post.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load posts: %w", err)
	}
	lists, err := s.Client.DutyList.Query().Where(dutylist.PostIDIn(ids...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load duty lists: %w", err)
	}
	byPost := map[int]*ent.Post{}
	for _, p := range posts {
		byPost[p.ID] = p
	}
	listOf := map[int]*ent.DutyList{}
	for _, l := range lists {
		listOf[l.PostID] = l
	}
	for i, id := range ids {
		g := Gap{Post: byPost[id], Reason: domain.DutyGapNoList, Cursor: cursorAt(offset + i + 1)}
		if l := listOf[id]; l != nil {
			g.Reason, g.DutyList = domain.DutyGapUnacknowledged, l
		}
		out.Rows = append(out.Rows, g)
	}
	out.PageInfo = info(offset, len(ids), out.TotalCount)
	return out, nil
}
