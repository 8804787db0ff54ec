// Package dashboard answers the scoped dashboard (统计看板) of a unit over a
// period: hazards, inspections and enforcement actions counted by month,
// town, sector, level, type or kind and state, all three in one SQL
// statement through the caller's compiled scope predicate — the whole
// months from the monthly tallies the database keeps in every writing
// statement (migration 0025), the days of a month the period cuts from the
// records — and the readiness indicators, each taken from the view that
// owns it (letterCoverage, noticeCoverage, trainingCoverage,
// certificateStatus, drillCompliance, dutyRostersWithGaps, riskMap) so that
// every figure is traceable to its source. Figures are exact: nothing is
// cached. See docs/DOMAIN.md and docs/ARCHITECTURE.md.
package dashboard

import (
	"context"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/education"
	"github.com/dutychain/dutychain/internal/emergency"
	"github.com/dutychain/dutychain/internal/kernel"
	"github.com/dutychain/dutychain/internal/letters"
	"github.com/dutychain/dutychain/internal/notices"
	"github.com/dutychain/dutychain/internal/prevention"
	"github.com/dutychain/dutychain/internal/readiness"
	"github.com/dutychain/dutychain/internal/staffing"
)

// MaxStatements bounds the SQL statements one dashboard sends, whatever the
// size of the data (the viewer's own load not included): 20 on the demo
// county for a whole jurisdiction (the hazard, inspection and enforcement
// counts are one of them), one more for a unit, four more again for a
// county below a city (trainingCoverage and drillCompliance load it).
const MaxStatements = 25

// Service answers the dashboard through the services of the views it
// summarises.
type Service struct {
	Client *ent.Client
	// Dialect is the database dialect (for the month expression).
	Dialect    string
	Now        func() time.Time
	Letters    *letters.Service
	Notices    *notices.Service
	Education  *education.Service
	Staffing   *staffing.Service
	Emergency  *emergency.Service
	Readiness  *readiness.Service
	Prevention *prevention.Service
}

// Input is what the dashboard accepts; every field is optional.
type Input struct {
	// UnitID is a county, city or town in the caller's jurisdiction; the
	// whole jurisdiction when nil.
	UnitID *int
	// From and To bound the period [From, To): To defaults to now, From to
	// 1 January (UTC) of the year the period ends in.
	From, To *time.Time
}

// Dashboard is the answer.
type Dashboard struct {
	// Unit is the unit asked for; nil for the whole jurisdiction.
	Unit     *ent.Unit
	From, To time.Time
	// Year is the year of the yearly indicators: the year the period ends in.
	Year             int
	HazardTotal      int
	Hazards          []HazardCount
	InspectionTotal  int
	Inspections      []InspectionCount
	EnforcementTotal int
	Enforcement      []EnforcementCount
	Indicators       []Indicator
	root             *ent.Unit
	territory        string
	townID, withinID *int
}

// unitKinds are the units a dashboard may be asked for: territories.
var unitKinds = []domain.UnitKind{domain.KindCity, domain.KindCounty, domain.KindTown}

// Dashboard answers the dashboard of in for the caller in a bounded number
// of statements (MaxStatements).
func (s *Service) Dashboard(ctx context.Context, in Input) (*Dashboard, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	now := kernel.Now(s.Now).UTC().Truncate(time.Microsecond)
	out, err := period(in, now)
	if err != nil {
		return nil, err
	}
	if err := s.place(ctx, v, in.UnitID, out); err != nil {
		return nil, err
	}
	if err := s.count(ctx, v, out, fromRollups); err != nil {
		return nil, err
	}
	if out.Indicators, err = s.indicators(ctx, out, now); err != nil {
		return nil, err
	}
	return out, nil
}

// period checks and completes the period of in.
func period(in Input, now time.Time) (*Dashboard, error) {
	minDay := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDay := time.Date(2101, 1, 1, 0, 0, 0, 0, time.UTC)
	to := now
	if in.To != nil {
		to = in.To.UTC()
	}
	last := to.Add(-time.Microsecond)
	from := time.Date(last.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	if in.From != nil {
		from = in.From.UTC()
	}
	var p kernel.Problems
	p.Check(from.Before(minDay) || !from.Before(maxDay), "from", "must be between 2000-01-01 and 2100-12-31")
	p.Check(to.Before(minDay) || to.After(maxDay), "to", "must be between 2000-01-01 and 2100-12-31")
	p.Check(!to.After(from), "to", "the period ends after it starts")
	if err := p.Err(); err != nil {
		return nil, err
	}
	return &Dashboard{From: from, To: to, Year: last.Year()}, nil
}

// place resolves the unit asked for: NOT_FOUND outside the caller's
// jurisdiction proper (the government directory every user reads does not
// count), BAD_USER_INPUT when it is not a territory. Without a unit the
// views run from the tenant's root and the caller's scope narrows them.
func (s *Service) place(ctx context.Context, v *authz.Viewer, unitID *int, out *Dashboard) error {
	root, err := s.Client.Unit.Query().Where(unit.ParentIDIsNil()).Only(ctx)
	if err != nil {
		return fmt.Errorf("load the tenant's root: %w", err)
	}
	out.root, out.territory = root, root.ScopePath
	if unitID == nil {
		return nil
	}
	u, err := s.Client.Unit.Query().Where(unit.ID(*unitID), func(sel *sql.Selector) {
		v.WithoutDirectory().Predicate("unit", "read")(sel)
	}).Only(ctx)
	if ent.IsNotFound(err) {
		return &apperr.Error{Code: apperr.NotFound, Field: "unitID", Message: "unit not found"}
	}
	if err != nil {
		return fmt.Errorf("load unit: %w", err)
	}
	if !slices.Contains(unitKinds, u.Kind) {
		return apperr.Invalid("unitID", "must be a county, city or town")
	}
	out.Unit, out.territory = u, u.ScopePath
	switch {
	case u.Kind == domain.KindTown:
		out.townID = &u.ID
	case u.ID != root.ID:
		out.withinID = &u.ID
	}
	return nil
}
