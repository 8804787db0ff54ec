// Package staffing records who is qualified and who is answerable:
// certificates (持证) of the people working at enterprise-side units, with
// their status at a date and the certificate status per enterprise (持证率
// of the positions that require one), and the duty list of each post
// (全员安全生产责任制), versioned and acknowledged (签字确认) by the post's
// holder, with the posts still lacking one. Every write validates, is
// decided by authz (the scope hook, or the holder's own post) and runs in
// one transaction. See docs/DOMAIN.md.
package staffing

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Limits, in characters and items.
const (
	MaxName  = 100
	MaxItem  = 2000
	MaxItems = 50
	// MaxPage is the page limit of the views.
	MaxPage = 500
)

// Service performs the staffing mutations and answers the staffing views.
type Service struct {
	Client *ent.Client
	// Dialect is the database dialect (for the views' SQL).
	Dialect string
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

// clean trims s and checks it holds at most max characters (and, when
// required, something).
func clean(field string, s *string, max int, required bool) error {
	*s = strings.TrimSpace(*s)
	switch {
	case required && *s == "":
		return apperr.Invalid(field, "must not be empty")
	case utf8.RuneCountInString(*s) > max:
		return kernel.Invalidf(field, "must be at most %d characters", max)
	}
	return nil
}

// callerName is the display name of the caller, "系统" for the system.
func callerName(ctx context.Context, c *ent.Client) (string, error) {
	v, err := kernel.Viewer(ctx)
	if err != nil {
		return "", err
	}
	if v.IsSystem() {
		return "系统", nil
	}
	u, err := c.User.Get(authz.SystemContext(ctx), v.UserID)
	if err != nil {
		return "", fmt.Errorf("load caller: %w", err)
	}
	return u.DisplayName, nil
}

// signedIn returns the caller of a view: a signed-in user.
func signedIn(ctx context.Context) (*authz.Viewer, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	return v, nil
}
