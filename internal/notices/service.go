// Package notices runs notices (文件、通知、工作要点、方案): issued by a
// government unit to units below it (towns, departments, enterprises), one
// receipt (签收) per recipient signed by a holder of a post at the recipient
// unit, an optional reply (反馈), attachments shared with every recipient,
// and the receipt coverage (coverage.go). Every step validates its input,
// decides through authz (the role rules are policy rows; "a post at this
// unit" is authz.ActFor), and runs in one transaction. See docs/DOMAIN.md.
package notices

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Limits of a notice, in characters and recipients.
const (
	MaxNumber     = 100
	MaxTitle      = 200
	MaxBody       = 20000
	MaxReply      = 2000
	MaxNote       = 2000
	MaxRecipients = 1000
)

// The dates a notice may carry.
var (
	MinDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxDate = time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Service performs the notice mutations and answers the coverage query.
type Service struct {
	Client *ent.Client
	// Dialect is the database dialect (for the coverage SQL).
	Dialect string
	Files   *files.Service
	Now     func() time.Time
}

// checkDate refuses a date outside 2000-01-01 … 2100-12-31.
func checkDate(field string, t time.Time) error {
	if t.Before(MinDate) || !t.Before(MaxDate) {
		return apperr.Invalid(field, "must be between 2000-01-01 and 2100-12-31")
	}
	return nil
}

// checkText refuses text longer than max characters (and, when required,
// empty text).
func checkText(field, s string, max int, required bool) error {
	switch {
	case required && s == "":
		return apperr.Invalid(field, "must not be empty")
	case utf8.RuneCountInString(s) > max:
		return kernel.Invalidf(field, "must be at most %d characters", max)
	}
	return nil
}

// object is the decision object of a receipt: its recipient's position and
// its issuer's path.
func object(ctx context.Context, c *ent.Client, r *ent.NoticeReceipt) (authz.Object, error) {
	o, err := authz.ObjectAt(ctx, c, "notice", r.TenantID, r.ScopePath, r.ScopeSector, r.ScopeEnterpriseID)
	if err == nil && r.IssuerScopePath != nil {
		o.IssuerPath = *r.IssuerScopePath
	}
	return o, err
}

// noticeObject is the decision object of a notice: its issuer's position.
func noticeObject(ctx context.Context, c *ent.Client, n *ent.Notice) (authz.Object, error) {
	o, err := authz.ObjectAt(ctx, c, "notice", n.TenantID, n.ScopePath, n.ScopeSector, n.ScopeEnterpriseID)
	o.IssuerPath = n.ScopePath
	return o, err
}

// actor is who acts, for the record.
type actor struct {
	name, title    string
	userID, postID *int
}

// actorOf names the caller acting in one of grants: the post postID names,
// or the first. No grants: the system acts.
func actorOf(ctx context.Context, c *ent.Client, grants []authz.Grant, postID *int, field string) (actor, error) {
	if len(grants) == 0 {
		return actor{name: "系统"}, nil
	}
	g := grants[0]
	if postID != nil {
		found := false
		for _, x := range grants {
			if x.PostID == *postID {
				g, found = x, true
			}
		}
		if !found {
			return actor{}, apperr.Invalid(field, "you hold no post with this id there that may do this")
		}
	}
	p, err := c.Post.Query().Where(post.ID(g.PostID)).WithUser().Only(authz.SystemContext(ctx))
	if err != nil {
		return actor{}, fmt.Errorf("load post %d: %w", g.PostID, err)
	}
	a := actor{title: p.Title, userID: &p.UserID, postID: &p.ID}
	if p.Edges.User != nil {
		a.name = p.Edges.User.DisplayName
	}
	return a, nil
}
