// Package summary writes the yearly work summary (年度工作总结) of a unit
// from the data: the five parts of a county's summary, every figure counted
// from the records the caller may read, the problems derived from the
// indicators by documented thresholds, and a draft plan for the next year
// that the office edits before exporting it as HTML or DOCX.
package summary

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/emergency"
	"github.com/dutychain/dutychain/internal/kernel"
)

// Limits of an input.
const (
	MinYear = 2000
	MaxYear = 2100
	// MaxPlanItems and MaxPlanItemLength bound an edited part 五.
	MaxPlanItems      = 20
	MaxPlanItemLength = 2000
)

// Service builds summaries. Every query runs with the caller's viewer, so
// the figures hold only what the caller may read.
type Service struct {
	Client    *ent.Client
	Emergency *emergency.Service
	Now       func() time.Time
	// Zone, when set, is the zone whose calendar year is summarised for
	// every tenant (tests); otherwise Zones gives the tenant's own zone.
	Zone *time.Location
	// Zones gives the time zone a tenant set (nil: Asia/Shanghai).
	Zones TenantZones
}

// TenantZones gives the time zone a tenant shows its dates in; the
// readiness service keeps the tenant's setting.
type TenantZones interface {
	Zone(ctx context.Context, tenantID int) (*time.Location, error)
}

// Input names the year and the unit of a summary; Plan, when given,
// replaces the drafted items of part 五 (the office's edits).
type Input struct {
	Year   int
	UnitID *int
	Plan   []string
}

// Figure is one number of the summary with where it came from.
type Figure struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value int    `json:"value"`
	// Source says which records were counted and how, so the figure can
	// be checked against the lists.
	Source string `json:"source"`
}

// Section is one of the five parts: a heading and its paragraphs.
type Section struct {
	Number     int      `json:"number"`
	Heading    string   `json:"heading"`
	Paragraphs []string `json:"paragraphs"`
}

// Point is one bar of a chart.
type Point struct {
	Label string `json:"label"`
	Value int    `json:"value"`
}

// Chart is a series drawn in the printed summary.
type Chart struct {
	Key    string  `json:"key"`
	Title  string  `json:"title"`
	Points []Point `json:"points"`
}

// Summary is a unit's yearly work summary.
type Summary struct {
	Year int `json:"year"`
	// Unit is the unit summarised; UnitName its name (for JSON readers).
	Unit     *ent.Unit `json:"-"`
	UnitName string    `json:"unit"`
	Title    string    `json:"title"`
	Preamble string    `json:"preamble"`
	Sections []Section `json:"sections"`
	Figures  []Figure  `json:"figures"`
	Charts   []Chart   `json:"charts"`
	// Problems are the problems of part 四 as keys (INSPECTION_COVERAGE,
	// ENTERPRISE_RESPONSIBILITY, DRILLS, CERTIFICATES, NOTICE_RECEIPTS).
	Problems []string `json:"problems"`
}

// Figure returns the value of the figure key (0 when absent).
func (s *Summary) Figure(key string) int {
	for _, f := range s.Figures {
		if f.Key == key {
			return f.Value
		}
	}
	return 0
}

// Build writes the summary of in.Year for in.UnitID (default: the highest
// unit where the caller holds a post). The unit must be readable.
func (s *Service) Build(ctx context.Context, in Input) (*Summary, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	var p kernel.Problems
	p.Check(in.Year < MinYear || in.Year > MaxYear, "year", "must be between %d and %d", MinYear, MaxYear)
	p.Check(len(in.Plan) > MaxPlanItems, "plan", "at most %d items", MaxPlanItems)
	for i, item := range in.Plan {
		p.Check(utf8.RuneCountInString(item) > MaxPlanItemLength, fmt.Sprintf("plan[%d]", i), "at most %d characters", MaxPlanItemLength)
		p.Check(strings.IndexFunc(item, isControl) >= 0, fmt.Sprintf("plan[%d]", i), "must not contain control characters")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	unitID := 0
	if in.UnitID != nil {
		unitID = *in.UnitID
	} else {
		unitID = topUnit(v)
	}
	if unitID == 0 {
		return nil, apperr.New(apperr.Forbidden, "you hold no post to summarise")
	}
	u, err := kernel.Unit(ctx, s.Client, unitID, "unitID")
	if err != nil {
		return nil, err
	}
	scoped, byPath, err := jurisdiction(v, u)
	if err != nil {
		return nil, err
	}
	directory := ctx
	ctx = authz.NewContext(ctx, scoped)
	zone, err := s.zone(ctx, v.Tenant)
	if err != nil {
		return nil, err
	}
	c := &counter{svc: s, ctx: ctx, directory: directory, unit: u, year: in.Year, zone: zone, byPath: byPath,
		from: time.Date(in.Year, 1, 1, 0, 0, 0, 0, zone), to: time.Date(in.Year+1, 1, 1, 0, 0, 0, 0, zone)}
	if err := c.collect(); err != nil {
		return nil, err
	}
	return compose(c, in.Plan), nil
}

// jurisdiction decides what a summary of u by v counts. Seen from a post
// at u, it is that post's jurisdiction: a town's territory, or a
// department's supervised sectors across the county (byPath false: the
// enterprise-side records are not under the department in the tree). Seen
// from a post above u, it is u's subtree within v's jurisdiction. The
// directory (every government unit is listed for everybody) is never
// enough: a town head cannot summarise the county or another town.
func jurisdiction(v *authz.Viewer, u *ent.Unit) (scoped *authz.Viewer, byPath bool, err error) {
	if at := v.At(u.ID); len(at.Grants) > 0 {
		return at, u.Kind != domain.KindDepartment, nil
	}
	for _, g := range v.Grants {
		if !g.DirectoryOnly && g.Path != "" && strings.HasPrefix(u.ScopePath, g.Path) {
			return v.WithoutDirectory(), true, nil
		}
	}
	return nil, false, apperr.New(apperr.Forbidden, "the unit is outside your jurisdiction")
}

// topUnit is the unit of the caller's post nearest the root.
func topUnit(v *authz.Viewer) int {
	best, depth := 0, 1<<30
	for _, g := range v.Grants {
		if g.DirectoryOnly || g.UnitID == 0 {
			continue
		}
		if d := len(g.Path); d < depth {
			best, depth = g.UnitID, d
		}
	}
	return best
}

// zone is the location whose calendar year the summary counts.
func (s *Service) zone(ctx context.Context, tenantID int) (*time.Location, error) {
	switch {
	case s.Zone != nil:
		return s.Zone, nil
	case s.Zones != nil:
		z, err := s.Zones.Zone(ctx, tenantID)
		if err != nil {
			return nil, fmt.Errorf("the tenant's time zone: %w", err)
		}
		return z, nil
	}
	return shanghai, nil
}

var shanghai = func() *time.Location {
	z, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return z
}()

// isControl refuses what the input rules refuse: control characters other
// than the line breaks and tabs of a text.
func isControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
}
