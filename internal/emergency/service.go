// Package emergency records a unit's emergency readiness (应急准备): its
// emergency plans (应急预案), versioned in series of one kind and topic with
// one EFFECTIVE version each, approved, filed (备案) and reviewed at least
// every three years; the drills (应急演练) held on them, whose problems may be
// recorded as hazards in the same transaction; and each enterprise's drill
// compliance with 生产安全事故应急预案管理办法 (a comprehensive or special drill
// a year, an on-site drill every half-year). Plans and drills are recorded in
// the name of the plan's unit by a post there (authz.ActFor): an enterprise
// records its own, a government unit its own. See docs/DOMAIN.md.
package emergency

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Limits, in characters and items.
const (
	MaxName         = 100
	MaxText         = 2000
	MaxProblems     = 50
	MaxParticipants = 100000
	// ReviewYears is the longest a plan goes unreviewed (应急预案管理办法:
	// 每三年至少进行一次评估).
	ReviewYears = 3
	// ReviewWarningDays: a plan whose review falls due within them is
	// REVIEW_DUE_90.
	ReviewWarningDays = 90
)

// Service performs the emergency mutations and the compliance view.
type Service struct {
	Client *ent.Client
	// Dialect is the SQL dialect of Client (the compliance view's builder).
	Dialect string
	Files   *files.Service
	Now     func() time.Time
}

// The dates a record may carry.
var (
	minDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)
)

// checkDate adds a problem when t lies outside 2000-01-01 … 2100-12-31.
func checkDate(p *kernel.Problems, field string, t time.Time) {
	p.Check(t.Before(minDate) || !t.Before(maxDate), field, "must be between 2000-01-01 and 2100-12-31")
}

// clean trims s and adds a problem unless it holds at most max characters
// (and, when required, something).
func clean(p *kernel.Problems, field string, s *string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	if !p.Check(required && *s == "", field, "must not be empty") {
		p.Check(utf8.RuneCountInString(*s) > max, field, "must be at most %d characters", max)
	}
}

// actAt decides action on a record of type typ of unit u, done in u's name:
// a post at u itself whose policy allows it (authz.ActFor). It returns the
// first such post (zero for the system).
func actAt(ctx context.Context, c *ent.Client, typ, action string, u *ent.Unit, field string) (authz.Grant, error) {
	o, err := authz.ObjectAt(ctx, c, typ, u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID)
	if err != nil {
		return authz.Grant{}, err
	}
	grants, err := actIn(ctx, o, action, u, field)
	if err != nil || len(grants) == 0 {
		return authz.Grant{}, err
	}
	return grants[0], nil
}

// actIn decides action on o (a record of unit u) done in u's name.
func actIn(ctx context.Context, o authz.Object, action string, u *ent.Unit, field string) ([]authz.Grant, error) {
	return authz.ActFor(ctx, o, action, authz.PlaceOf(u), u.Name, false, field)
}

// attachAs names the caller acting in post g, for the files they attach.
func attachAs(ctx context.Context, c *ent.Client, g authz.Grant) (files.Uploader, error) {
	if g.PostID == 0 {
		return files.Uploader{Name: "系统"}, nil
	}
	p, err := c.Post.Query().Where(post.ID(g.PostID)).WithUser().Only(authz.SystemContext(ctx))
	if err != nil {
		return files.Uploader{}, fmt.Errorf("load post %d: %w", g.PostID, err)
	}
	by := files.Uploader{UserID: &p.UserID, PostID: &p.ID}
	if p.Edges.User != nil {
		by.Name = p.Edges.User.DisplayName
	}
	return by, nil
}

// attach stores an upload on the record of type typ (owner) of unit u,
// decided as typ:attach in u's name.
func (s *Service) attach(ctx context.Context, c *ent.Client, typ string, u *ent.Unit, owner files.Owner, field string, up files.Upload) (*ent.File, error) {
	g, err := actAt(ctx, c, typ, "attach", u, field)
	if err != nil {
		return nil, err
	}
	by, err := attachAs(ctx, c, g)
	if err != nil {
		return nil, err
	}
	fs, err := s.Files.Attach(ctx, c, owner, by, up)
	if err != nil {
		return nil, err
	}
	return c.File.Get(ctx, fs[0].ID)
}

// unitOf loads the unit of a record the caller has read (as the system:
// reading the record decided it).
func unitOf(ctx context.Context, c *ent.Client, id int) (*ent.Unit, error) {
	u, err := c.Unit.Get(authz.SystemContext(ctx), id)
	if err != nil {
		return nil, fmt.Errorf("load unit %d: %w", id, err)
	}
	return u, nil
}

// description trims an attachment's description and checks its length.
func description(s string) (string, error) {
	var p kernel.Problems
	clean(&p, "description", &s, MaxText, false)
	return s, p.Err()
}

// conflictOnDuplicate turns the violation of the one-EFFECTIVE-per-series
// index (a concurrent approval committed first) into CONFLICT.
func conflictOnDuplicate(err error) error {
	if ent.IsConstraintError(err) {
		return apperr.New(apperr.Conflict, "another version of this plan took effect meanwhile; reload the plans and decide again")
	}
	return err
}
