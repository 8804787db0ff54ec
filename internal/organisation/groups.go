package organisation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/groupmember"
	"github.com/dutychain/dutychain/ent/leadershipgroup"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// MemberInput is one seat of a group: the post it is held by and the role.
type MemberInput struct {
	PostID int
	Role   domain.GroupRole
}

// GroupInput is a leadership group to set up.
type GroupInput struct {
	UnitID        int
	Name          string
	Purpose       string
	EstablishedBy string
	EstablishedOn time.Time
	Members       []MemberInput
}

func (in *GroupInput) validate() error {
	for _, err := range []error{
		clean("name", &in.Name, MaxName, true),
		clean("purpose", &in.Purpose, MaxText, false),
		clean("establishedBy", &in.EstablishedBy, MaxName, false),
		checkDate("establishedOn", in.EstablishedOn),
	} {
		if err != nil {
			return err
		}
	}
	return checkSeats(in.Members)
}

// checkSeats requires one LEADER and no post seated twice.
func checkSeats(members []MemberInput) error {
	if len(members) == 0 || len(members) > MaxMembers {
		return kernel.Invalidf("members", "a group has between 1 and %d members", MaxMembers)
	}
	leaders, seen := 0, map[int]bool{}
	for _, m := range members {
		if seen[m.PostID] {
			return apperr.Invalid("members", "a post holds one seat in a group")
		}
		seen[m.PostID] = true
		if m.Role == domain.GroupLeader {
			leaders++
		}
	}
	if leaders != 1 {
		return apperr.Invalid("members", "a group has exactly one LEADER")
	}
	return nil
}

// leaderRoles are the posts that lead a unit's group: its heads (党政同责),
// or the PRINCIPAL of an enterprise-side unit; deputy leaders may also be
// DEPUTYs (分管领导).
var (
	leaderRoles = []domain.Role{domain.RolePartySecretary, domain.RoleGovernmentHead, domain.RolePrincipal}
	deputyRoles = []domain.Role{domain.RolePartySecretary, domain.RoleGovernmentHead, domain.RolePrincipal, domain.RoleDeputy}
)

// CreateGroup sets up a leadership group of a unit where the caller holds a
// post that may, with its members, in one transaction.
func (s *Service) CreateGroup(ctx context.Context, in GroupInput) (*ent.LeadershipGroup, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.LeadershipGroup, error) {
		u, err := kernel.Unit(ctx, c, in.UnitID, "unitID")
		if err != nil {
			return nil, err
		}
		if _, err := actFor(ctx, c, "leadership_group", "create", u, "unitID"); err != nil {
			return nil, err
		}
		g, err := c.LeadershipGroup.Create().SetUnitID(u.ID).SetName(in.Name).SetPurpose(in.Purpose).
			SetEstablishedBy(in.EstablishedBy).SetEstablishedOn(in.EstablishedOn).Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := Seat(ctx, c, g, u, in.Members, kernel.Now(s.Now)); err != nil {
			return nil, err
		}
		return c.LeadershipGroup.Get(ctx, g.ID)
	})
}

// SetMembers replaces the members of a group, in one transaction, as one
// decision on the group as it is once held (holdGroup): the group's row is
// locked before it is loaded, authorised and its new seats checked, so
// concurrent replacements queue on it and each deletes every seat the one
// before it wrote; the last one wins wholly and no two merge (a group keeps
// exactly one LEADER).
func (s *Service) SetMembers(ctx context.Context, groupID int, members []MemberInput) (*ent.LeadershipGroup, error) {
	if err := checkSeats(members); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.LeadershipGroup, error) {
		g, err := s.holdGroup(ctx, c, groupID)
		if err != nil {
			return nil, err
		}
		u, err := c.Unit.Get(authz.SystemContext(ctx), g.UnitID)
		if err != nil {
			return nil, fmt.Errorf("load unit: %w", err)
		}
		if _, err := actFor(ctx, c, "leadership_group", "update", u, "groupID"); err != nil {
			return nil, err
		}
		sys := authz.SystemContext(ctx)
		if _, err := c.GroupMember.Delete().Where(groupmember.GroupID(g.ID)).Exec(sys); err != nil {
			return nil, fmt.Errorf("clear members: %w", err)
		}
		if err := Seat(ctx, c, g, u, members, kernel.Now(s.Now)); err != nil {
			return nil, err
		}
		return c.LeadershipGroup.Get(ctx, g.ID)
	})
}

// holdGroup loads group id through the caller's scope (NOT_FOUND on
// groupID otherwise) and locks its row until the transaction ends (SELECT
// … FOR UPDATE; SQLite serialises writers): a write that replaces the
// group's parts decides on the group as held, after any concurrent write
// to it committed. Under READ COMMITTED each later statement of the
// transaction then sees what that write committed.
func (s *Service) holdGroup(ctx context.Context, c *ent.Client, id int) (*ent.LeadershipGroup, error) {
	return kernel.Hold(ctx, s.Dialect, c.LeadershipGroup.Query().Where(leadershipgroup.ID(id)), "leadership group", "groupID")
}

// Seat writes the members of g as of now (the seed seats the demo groups
// with it): each a post valid now, readable by the
// caller, in the territory of the group's unit u; the LEADER a head (or
// PRINCIPAL) post at u itself, a DEPUTY_LEADER a head or DEPUTY post there.
//
// A seat names a person (name, title, user, post), so it is scoped by the
// post it is held by, not by its group: each member row takes the scope
// columns of its post (those of the post's unit: path, sector, enterprise),
// and the read filter shows a member exactly to those who read that post.
// A town's group seating an enterprise's safety officer shows that seat to
// the town's heads but not to a town deputy whose sectors leave the
// enterprise out; the group itself stays scoped by its unit. Re-parenting
// moves the seat with the post (both carry the post's unit's path).
func Seat(ctx context.Context, c *ent.Client, g *ent.LeadershipGroup, u *ent.Unit, members []MemberInput, now time.Time) error {
	ids := make([]int, len(members))
	for i, m := range members {
		ids[i] = m.PostID
	}
	posts, err := c.Post.Query().Where(post.IDIn(ids...)).WithUser().WithUnit().All(ctx)
	if err != nil {
		return fmt.Errorf("load posts: %w", err)
	}
	byID := map[int]*ent.Post{}
	for _, p := range posts {
		byID[p.ID] = p
	}
	creates := make([]*ent.GroupMemberCreate, len(members))
	for i, m := range members {
		p := byID[m.PostID]
		if p == nil {
			return kernel.NotFound(&ent.NotFoundError{}, "post", "members")
		}
		if p.ValidFrom.After(now) || (p.ValidTo != nil && !p.ValidTo.After(now)) {
			return apperr.Invalid("members", "every member holds a post valid now")
		}
		at := p.Edges.Unit
		if at == nil || !strings.HasPrefix(at.ScopePath, u.ScopePath) {
			return kernel.Invalidf("members", "a member's post is at %s or a unit below it", u.Name)
		}
		switch m.Role {
		case domain.GroupLeader:
			if at.ID != u.ID || !slices.Contains(leaderRoles, p.Role) {
				return kernel.Invalidf("members", "the LEADER is a head of %s (its PARTY_SECRETARY, GOVERNMENT_HEAD or PRINCIPAL)", u.Name)
			}
		case domain.GroupDeputyLeader:
			if at.ID != u.ID || !slices.Contains(deputyRoles, p.Role) {
				return kernel.Invalidf("members", "a DEPUTY_LEADER holds a head or DEPUTY post at %s", u.Name)
			}
		}
		name := ""
		if p.Edges.User != nil {
			name = p.Edges.User.DisplayName
		}
		creates[i] = c.GroupMember.Create().SetTenantID(g.TenantID).SetGroupID(g.ID).SetRole(m.Role).
			SetPostID(p.ID).SetUserID(p.UserID).SetMemberName(name).SetTitle(p.Title).
			SetScopePath(p.ScopePath).SetNillableScopeSector(p.ScopeSector).SetNillableScopeEnterpriseID(p.ScopeEnterpriseID)
	}
	if err := c.GroupMember.CreateBulk(creates...).Exec(authz.SystemContext(ctx)); err != nil {
		return fmt.Errorf("write members: %w", err)
	}
	return nil
}
