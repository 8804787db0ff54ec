package letters

import (
	"context"
	"fmt"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// loadLetter loads a letter the caller can read, NOT_FOUND otherwise.
func loadLetter(ctx context.Context, c *ent.Client, id int) (*ent.ResponsibilityLetter, error) {
	return kernel.Load(ctx, c.ResponsibilityLetter.Get, id, "letter", "")
}

// object is the decision object of a letter: its signee's position and its
// issuer's path.
func object(ctx context.Context, c *ent.Client, l *ent.ResponsibilityLetter) (authz.Object, error) {
	var supervisors map[int][]int
	if l.ScopeEnterpriseID != nil {
		var err error
		if supervisors, err = authz.LoadSupervisors(ctx, c, []int{*l.ScopeEnterpriseID}); err != nil {
			return authz.Object{}, err
		}
	}
	o := ObjectOf(l, nil)
	o.Supervisors = supervisors[o.EnterpriseID]
	return o, nil
}

// objectFor is the decision object of a letter not written yet: a DRAFT,
// which only its issuer side reads.
func objectFor(ctx context.Context, c *ent.Client, issuer, signee *ent.Unit) (authz.Object, error) {
	o, err := authz.ObjectAt(ctx, c, "letter", signee.TenantID, signee.ScopePath, signee.ScopeSector, signee.ScopeEnterpriseID)
	o.IssuerPath = issuer.ScopePath
	o.IssuerOnly = true
	return o, err
}

// issuerSide decides action for the caller's posts at the issuer unit, with
// a message saying who may.
func issuerSide(ctx context.Context, o authz.Object, action string, l *ent.ResponsibilityLetter) ([]authz.Grant, error) {
	grants, err := authz.CheckAt(ctx, o, action, l.IssuerUnitID)
	if apperr.CodeOf(err) == apperr.Forbidden {
		return nil, apperr.Newf(apperr.Forbidden, "only the PARTY_SECRETARY, GOVERNMENT_HEAD or PRINCIPAL of %s may %s its letters", l.IssuerName, verb(action))
	}
	return grants, err
}

func verb(action string) string {
	if action == "update" {
		return "edit or discard"
	}
	return action
}

// actor is who performs a step, for the record.
type actor struct {
	name, title string
	role        *domain.Role
	userID      *int
	postID      *int
}

// actorOf names the caller acting in post g.
func actorOf(ctx context.Context, c *ent.Client, g authz.Grant) (actor, error) {
	sys := authz.SystemContext(ctx)
	p, err := c.Post.Query().Where(post.ID(g.PostID)).WithUser().Only(sys)
	if err != nil {
		return actor{}, fmt.Errorf("load post %d: %w", g.PostID, err)
	}
	role := p.Role
	a := actor{title: p.Title, role: &role, postID: &p.ID, userID: &p.UserID}
	if p.Edges.User != nil {
		a.name = p.Edges.User.DisplayName
	}
	return a, nil
}
