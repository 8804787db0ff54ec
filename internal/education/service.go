// Package education records how units train and inform enterprise staff:
// trainings (培训) with their trainees and assessment, the training
// coverage per enterprise per month and quarter (coverage.go), and
// publicity activities (宣传) with the enterprises visited and materials
// distributed, summed per organiser and period (summary.go). Every write
// validates its input, decides through authz (a post at the organiser
// itself, authz.ActFor) and runs in one transaction. See docs/DOMAIN.md.
package education

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/supervision"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Limits, in characters, items and counts.
const (
	MaxName     = 100
	MaxTopic    = 200
	MaxText     = 2000
	MaxTrainees = 1000
	MaxHours    = 200
	MaxVisits   = 500
	MaxCount    = 1000000
)

// Service performs the education mutations and answers the coverage and
// summary queries.
type Service struct {
	Client *ent.Client
	// Dialect is the database dialect (for the coverage SQL).
	Dialect string
	Files   *files.Service
	Now     func() time.Time
}

// The dates a record may carry.
var (
	minDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)
)

// checkDay adds a problem when t lies outside 2000-01-01 … 2100-12-31.
func checkDay(p *kernel.Problems, field string, t time.Time) {
	p.Check(t.Before(minDate) || !t.Before(maxDate), field, "must be between 2000-01-01 and 2100-12-31")
}

// trim trims s and adds a problem when it holds more than max characters
// (or, when required, nothing).
func trim(p *kernel.Problems, field string, s *string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	if !p.Check(required && *s == "", field, "must not be empty") {
		p.Check(utf8.RuneCountInString(*s) > max, field, "must be at most %d characters", max)
	}
}

// act decides action on a record of type typ organised by unit u (its
// subject, and its issuer side when issuer is set) for the caller's posts
// at u itself, and names the first post that may, for the files it
// attaches. The system acts as 系统.
func act(ctx context.Context, c *ent.Client, typ, action string, u *ent.Unit, issuer bool, field string) (files.Uploader, error) {
	o, err := authz.ObjectAt(ctx, c, typ, u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID)
	if err != nil {
		return files.Uploader{}, err
	}
	if issuer {
		o.IssuerPath = u.ScopePath
	}
	grants, err := authz.ActFor(ctx, o, action, authz.PlaceOf(u), u.Name, false, field)
	if err != nil {
		return files.Uploader{}, err
	}
	return uploaderOf(ctx, c, grants)
}

// uploaderOf names the first of grants, the posts that may act, for the
// files attached; no grants: the system acts as 系统.
func uploaderOf(ctx context.Context, c *ent.Client, grants []authz.Grant) (files.Uploader, error) {
	if len(grants) == 0 {
		return files.Uploader{Name: "系统"}, nil
	}
	p, err := c.Post.Query().Where(post.ID(grants[0].PostID)).WithUser().Only(authz.SystemContext(ctx))
	if err != nil {
		return files.Uploader{}, fmt.Errorf("load post %d: %w", grants[0].PostID, err)
	}
	up := files.Uploader{UserID: &p.UserID, PostID: &p.ID}
	if p.Edges.User != nil {
		up.Name = p.Edges.User.DisplayName
	}
	return up, nil
}

// organiserOf loads the organiser of a record as the system: the record
// was read through the caller's scope.
func organiserOf(ctx context.Context, c *ent.Client, id int) (*ent.Unit, error) {
	u, err := c.Unit.Get(authz.SystemContext(ctx), id)
	if err != nil {
		return nil, fmt.Errorf("load organiser: %w", err)
	}
	return u, nil
}

// organiserObject loads the organiser of a record of type typ as the
// system (organiserOf) and the decision object at it.
func organiserObject(ctx context.Context, c *ent.Client, typ string, id int) (*ent.Unit, authz.Object, error) {
	u, err := organiserOf(ctx, c, id)
	if err != nil {
		return nil, authz.Object{}, err
	}
	o, err := authz.ObjectAt(ctx, c, typ, u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID)
	return u, o, err
}

// enterprisesOf loads the enterprises ids names through the caller's scope
// (NOT_FOUND on field when one is not there for them): each an ENTERPRISE
// in the organiser's territory — the organiser itself, below it, or
// supervised by it when it is a department.
func enterprisesOf(ctx context.Context, c *ent.Client, organiser *ent.Unit, ids []int, field string) (map[int]*ent.Unit, error) {
	out := map[int]*ent.Unit{}
	if len(ids) == 0 {
		return out, nil
	}
	distinct := slices.Compact(slices.Sorted(slices.Values(ids)))
	us, err := c.Unit.Query().Where(unit.IDIn(distinct...)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load enterprises: %w", err)
	}
	if len(us) != len(distinct) {
		return nil, kernel.NotFound(&ent.NotFoundError{}, "enterprise", field)
	}
	supervised := map[int]bool{}
	if organiser.Kind == domain.KindDepartment {
		sup, err := c.Supervision.Query().Where(supervision.DepartmentID(organiser.ID), supervision.EnterpriseIDIn(distinct...)).
			Select(supervision.FieldEnterpriseID).Ints(authz.SystemContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("load supervision: %w", err)
		}
		for _, id := range sup {
			supervised[id] = true
		}
	}
	for _, u := range us {
		if u.Kind != domain.KindEnterprise {
			return nil, kernel.Invalidf(field, "%s is not an enterprise", u.Name)
		}
		inside := u.ID == organiser.ID || strings.HasPrefix(u.ScopePath, organiser.ScopePath) || supervised[u.ID]
		if !inside {
			return nil, kernel.Invalidf(field, "%s is outside the territory of %s", u.Name, organiser.Name)
		}
		out[u.ID] = u
	}
	return out, nil
}
