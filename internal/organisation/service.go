// Package organisation records how units organise their safety work: their
// leadership groups (领导小组, members named by post: the leader a head of the
// unit, 党政同责) and their meetings (会议) with minutes and sign-in sheets
// attached. Every write validates, decides through authz (a post at the
// unit, authz.ActFor) and runs in one transaction. See docs/DOMAIN.md.
package organisation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/input"
)

// Limits, in characters and items.
const (
	MaxName      = 100
	MaxText      = 2000
	MaxMembers   = 100
	MaxAttending = 500
	MaxAttendees = 100000
)

// Service performs the organisation mutations.
type Service struct {
	Client *ent.Client
	// Dialect is the database dialect (a write locks the record it decides
	// on with SELECT … FOR UPDATE, except on SQLite, which serialises
	// writers).
	Dialect string
	Files   *files.Service
	Now     func() time.Time
}

// The dates a record may carry.
var (
	minDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)
)

func checkDate(field string, t time.Time) error {
	if t.Before(minDate) || !t.Before(maxDate) {
		return apperr.Invalid(field, "must be between 2000-01-01 and 2100-12-31")
	}
	return nil
}

// clean checks s as given against the input rule of a text of max
// characters (input.Text: no control characters but the line breaks and
// tabs of multi-line text, valid UTF-8, at most max characters), trims it
// and checks that it holds something when required.
func clean(field string, s *string, max int, required bool) error {
	if err := input.Text(field, *s, max); err != nil {
		return err
	}
	*s = strings.TrimSpace(*s)
	if required && *s == "" {
		return apperr.Invalid(field, "must not be empty")
	}
	return nil
}

// actFor decides action on a record of type typ at unit u for the caller's
// posts at u and returns the first post that may (zero for the system).
func actFor(ctx context.Context, c *ent.Client, typ, action string, u *ent.Unit, field string) (authz.Grant, error) {
	o, err := authz.ObjectAt(ctx, c, typ, u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID)
	if err != nil {
		return authz.Grant{}, err
	}
	grants, err := authz.ActFor(ctx, o, action, authz.PlaceOf(u), u.Name, false, field)
	if err != nil || len(grants) == 0 {
		return authz.Grant{}, err
	}
	return grants[0], nil
}

// uploader names the caller acting in post g, for the files they attach.
func uploader(ctx context.Context, c *ent.Client, g authz.Grant) (files.Uploader, error) {
	if g.PostID == 0 {
		return files.Uploader{Name: "系统"}, nil
	}
	p, err := c.Post.Query().Where(post.ID(g.PostID)).WithUser().Only(authz.SystemContext(ctx))
	if err != nil {
		return files.Uploader{}, fmt.Errorf("load post %d: %w", g.PostID, err)
	}
	up := files.Uploader{UserID: &p.UserID, PostID: &p.ID}
	if p.Edges.User != nil {
		up.Name = p.Edges.User.DisplayName
	}
	return up, nil
}
