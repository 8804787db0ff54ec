// Package readiness records a unit's emergency readiness (应急准备): its duty
// rosters (值班值守) with their shifts and the gaps in a required 24-hour
// cover, its rescue teams (救援队伍) and its material reserves (物资储备).
// Each record is written by its own unit (a post there that may,
// authz.ActFor), validated first and written in one transaction; the
// governments above read it through their scope. See docs/DOMAIN.md.
package readiness

import (
	"context"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // tenant zones resolve on hosts without a zone database

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Limits, in characters, items and days.
const (
	MaxName      = 100
	MaxText      = 2000
	MaxShifts    = 1000
	MaxCount     = 100000
	MaxQuantity  = 1000000000
	MaxPeriodDay = 366
)

// Service performs the readiness mutations.
type Service struct {
	Client *ent.Client
	Now    func() time.Time
}

// The instants a record may carry.
var (
	minDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)
)

// checks collects the input problems of one request.
type checks struct{ kernel.Problems }

// instant requires t within the dates a record may carry.
func (p *checks) instant(field string, t time.Time) {
	p.Check(t.Before(minDate) || !t.Before(maxDate), field, "must be between 2000-01-01 and 2100-12-31")
}

// text trims s and requires at most max characters (and, when required,
// something).
func (p *checks) text(field string, s *string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	if !p.Check(required && *s == "", field, "must not be empty") {
		p.Check(len([]rune(*s)) > max, field, "must be at most %d characters", max)
	}
}

// between requires lo ≤ n ≤ hi.
func (p *checks) between(field string, n, lo, hi int) {
	p.Check(n < lo || n > hi, field, "must be between %d and %d", lo, hi)
}

// actFor decides action on a record of type typ at unit u: the caller needs
// a post at u itself that may (a unit records its own readiness).
func actFor(ctx context.Context, c *ent.Client, typ, action string, u *ent.Unit, field string) error {
	o, err := authz.ObjectAt(ctx, c, typ, u.TenantID, u.ScopePath, u.ScopeSector, u.ScopeEnterpriseID)
	if err != nil {
		return err
	}
	_, err = authz.ActFor(ctx, o, action, authz.PlaceOf(u), u.Name, false, field)
	return err
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
