package education

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/publicity"
	"github.com/dutychain/dutychain/ent/publicityvisit"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// PublicityInput is a publicity activity to record, or the new facts of one.
type PublicityInput struct {
	OrganiserUnitID      int // ignored by UpdatePublicity
	Kind                 domain.PublicityKind
	Title                string
	HeldOn               time.Time
	Description          string
	VisitedEnterpriseIDs []int
	Materials            int
	Participants         int
}

func (in *PublicityInput) validate() error {
	var p kernel.Problems
	trim(&p, "title", &in.Title, MaxName, true)
	trim(&p, "description", &in.Description, MaxText, false)
	checkDay(&p, "heldOn", in.HeldOn)
	p.Check(in.Materials < 0 || in.Materials > MaxCount, "materials", "must be between 0 and %d", MaxCount)
	p.Check(in.Participants < 0 || in.Participants > MaxCount, "participants", "must be between 0 and %d", MaxCount)
	p.Check(len(in.VisitedEnterpriseIDs) > MaxVisits, "visitedEnterpriseIDs", "at most %d enterprises", MaxVisits)
	p.Check(in.Kind == domain.PublicityEnterpriseVisit && len(in.VisitedEnterpriseIDs) == 0, "visitedEnterpriseIDs",
		"publicity in enterprises (入企宣传) visits at least one enterprise")
	seen := map[int]bool{}
	for _, id := range in.VisitedEnterpriseIDs {
		if p.Check(seen[id], "visitedEnterpriseIDs", "an enterprise is named twice") {
			break
		}
		seen[id] = true
	}
	return p.Err()
}

// RecordPublicity records a publicity activity held by a unit where the
// caller holds a post that may, with the enterprises it visited (each in
// the organiser's territory), in one transaction.
func (s *Service) RecordPublicity(ctx context.Context, in PublicityInput) (*ent.Publicity, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Publicity, error) {
		u, err := kernel.Unit(ctx, c, in.OrganiserUnitID, "organiserUnitID")
		if err != nil {
			return nil, err
		}
		if _, err := act(ctx, c, "publicity", "create", u, false, "organiserUnitID"); err != nil {
			return nil, err
		}
		if _, err := enterprisesOf(ctx, c, u, in.VisitedEnterpriseIDs, "visitedEnterpriseIDs"); err != nil {
			return nil, err
		}
		p, err := c.Publicity.Create().SetTenantID(u.TenantID).SetOrganiserUnitID(u.ID).SetKind(in.Kind).SetTitle(in.Title).
			SetHeldOn(in.HeldOn).SetYear(in.HeldOn.UTC().Year()).SetDescription(in.Description).SetMaterials(in.Materials).
			SetParticipants(in.Participants).SetEnterpriseCount(len(in.VisitedEnterpriseIDs)).Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := WriteVisits(ctx, c, p, in.VisitedEnterpriseIDs); err != nil {
			return nil, err
		}
		return c.Publicity.Get(ctx, p.ID)
	})
}

// UpdatePublicity corrects a publicity activity, by a post at its
// organiser that may and a caller who reads every enterprise it visited:
// its facts and visits are replaced. The activity's row is locked first
// (holdPublicity), so the last of concurrent updates wins wholly and the
// visits always match the count.
func (s *Service) UpdatePublicity(ctx context.Context, id int, in PublicityInput) (*ent.Publicity, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Publicity, error) {
		p, u, _, err := s.holdPublicity(ctx, c, id, "update")
		if err != nil {
			return nil, err
		}
		if _, err := enterprisesOf(ctx, c, u, in.VisitedEnterpriseIDs, "visitedEnterpriseIDs"); err != nil {
			return nil, err
		}
		if _, err := c.PublicityVisit.Delete().Where(publicityvisit.PublicityID(p.ID)).Exec(authz.SystemContext(ctx)); err != nil {
			return nil, fmt.Errorf("clear visits: %w", err)
		}
		p, err = c.Publicity.UpdateOne(p).SetKind(in.Kind).SetTitle(in.Title).SetHeldOn(in.HeldOn).SetYear(in.HeldOn.UTC().Year()).
			SetDescription(in.Description).SetMaterials(in.Materials).SetParticipants(in.Participants).
			SetEnterpriseCount(len(in.VisitedEnterpriseIDs)).Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := WriteVisits(ctx, c, p, in.VisitedEnterpriseIDs); err != nil {
			return nil, err
		}
		return c.Publicity.Get(ctx, p.ID)
	})
}

// DeletePublicity deletes a publicity activity recorded in error, with its
// visits and file rows, by a post at its organiser that may and a caller
// who reads every enterprise it visited.
func (s *Service) DeletePublicity(ctx context.Context, id int) error {
	return kernel.InTx(ctx, s.Client, func(tx *ent.Tx) error {
		c := tx.Client()
		p, _, _, err := s.holdPublicity(ctx, c, id, "delete")
		if err != nil {
			return err
		}
		sys := authz.SystemContext(ctx)
		if _, err := c.PublicityVisit.Delete().Where(publicityvisit.PublicityID(p.ID)).Exec(sys); err != nil {
			return fmt.Errorf("delete visits: %w", err)
		}
		if err := files.Remove(ctx, c, p.ID); err != nil {
			return err
		}
		n, err := c.Publicity.Delete().Where(publicity.ID(p.ID)).Exec(sys)
		if err != nil {
			return fmt.Errorf("delete publicity: %w", err)
		}
		if n == 0 {
			return kernel.NotFound(&ent.NotFoundError{}, "publicity", "publicityID")
		}
		return nil
	})
}

// AttachToPublicity stores an uploaded file (a photo) and attaches it to a
// publicity activity, by a post at its organiser that may and a caller who
// reads every enterprise it visited.
func (s *Service) AttachToPublicity(ctx context.Context, id int, up files.Upload, description string) (*ent.File, error) {
	var p kernel.Problems
	trim(&p, "description", &description, MaxText, false)
	if err := p.Err(); err != nil {
		return nil, err
	}
	up.Description = description
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.File, error) {
		pb, _, by, err := s.holdPublicity(ctx, c, id, "attach")
		if err != nil {
			return nil, err
		}
		fs, err := s.Files.Attach(ctx, c, files.Owner{ID: pb.ID, Tenant: pb.TenantID, Path: pb.ScopePath,
			Sector: pb.ScopeSector, EnterpriseID: pb.ScopeEnterpriseID}, by, up)
		if err != nil {
			return nil, err
		}
		return c.File.Get(ctx, fs[0].ID)
	})
}

// MayChangePublicity decides action ("update", "delete", "attach") on
// activity p, whose decision object is o, organised at u, as its mutation
// decides it; the activity's allowedActions ask it. readVisited is how many
// of the enterprises it visited the caller reads.
func MayChangePublicity(ctx context.Context, p *ent.Publicity, o authz.Object, u authz.Place, unitName, action string, readVisited int) error {
	_, err := mayChangePublicity(ctx, p, o, u, unitName, action, readVisited, p.EnterpriseCount)
	return err
}

// mayChangePublicity is MayChangePublicity, returning the posts at the
// organiser that may act: a post there whose policy allows the action
// (authz.ActFor), and a caller who reads every enterprise the activity
// visited (authz.SeesAll).
func mayChangePublicity(ctx context.Context, p *ent.Publicity, o authz.Object, u authz.Place, unitName, action string, readVisited, visited int) ([]authz.Grant, error) {
	grants, err := authz.ActFor(ctx, o, action, u, unitName, false, "publicityID")
	if err != nil {
		return nil, err
	}
	if err := authz.SeesAll(ctx, readVisited, visited, "this activity visited enterprises"); err != nil {
		return nil, err
	}
	return grants, nil
}

// holdPublicity loads activity id through the caller's scope, locking its
// row until the transaction ends (SELECT … FOR UPDATE on PostgreSQL; SQLite
// serialises writers), with its organiser, and decides action on it from
// the locked row (mayChangePublicity, counting the visited enterprises the
// caller reads). It returns who acts, for the files attached.
func (s *Service) holdPublicity(ctx context.Context, c *ent.Client, id int, action string) (*ent.Publicity, *ent.Unit, files.Uploader, error) {
	p, err := kernel.Hold(ctx, s.Dialect, c.Publicity.Query().Where(publicity.ID(id)), "publicity", "publicityID")
	if err != nil {
		return nil, nil, files.Uploader{}, err
	}
	u, o, err := organiserObject(ctx, c, "publicity", p.OrganiserUnitID)
	if err != nil {
		return nil, nil, files.Uploader{}, err
	}
	visited, err := c.PublicityVisit.Query().Where(publicityvisit.PublicityID(p.ID)).
		Select(publicityvisit.FieldEnterpriseUnitID).Ints(authz.SystemContext(ctx))
	if err != nil {
		return nil, nil, files.Uploader{}, fmt.Errorf("load visits: %w", err)
	}
	read := 0
	if len(visited) > 0 {
		if read, err = c.Unit.Query().Where(unit.IDIn(visited...)).Count(ctx); err != nil {
			return nil, nil, files.Uploader{}, fmt.Errorf("count visited enterprises: %w", err)
		}
	}
	grants, err := mayChangePublicity(ctx, p, o, authz.PlaceOf(u), u.Name, action, read, max(len(visited), p.EnterpriseCount))
	if err != nil {
		return nil, nil, files.Uploader{}, err
	}
	by, err := uploaderOf(ctx, c, grants)
	return p, u, by, err
}

// WriteVisits writes the visits of activity p, as the system: the activity
// itself was decided (the seed writes them the same way).
func WriteVisits(ctx context.Context, c *ent.Client, p *ent.Publicity, enterpriseIDs []int) error {
	if len(enterpriseIDs) == 0 {
		return nil
	}
	creates := make([]*ent.PublicityVisitCreate, len(enterpriseIDs))
	for i, id := range enterpriseIDs {
		creates[i] = c.PublicityVisit.Create().SetTenantID(p.TenantID).SetPublicityID(p.ID).SetEnterpriseUnitID(id).
			SetScopePath(p.ScopePath).SetNillableScopeSector(p.ScopeSector).SetNillableScopeEnterpriseID(p.ScopeEnterpriseID)
	}
	if err := c.PublicityVisit.CreateBulk(creates...).Exec(authz.SystemContext(ctx)); err != nil {
		return fmt.Errorf("write visits: %w", err)
	}
	return nil
}
