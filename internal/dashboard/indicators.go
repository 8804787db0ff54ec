package dashboard

import (
	"context"
	"entgo.io/ent/dialect/sql"
	"fmt"
	"math"
	"time"

	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/education"
	"github.com/dutychain/dutychain/internal/emergency"
	"github.com/dutychain/dutychain/internal/letters"
	"github.com/dutychain/dutychain/internal/notices"
	"github.com/dutychain/dutychain/internal/staffing"
)

// Kind names a readiness indicator.
type Kind string

// The readiness indicators, in the order the dashboard lists them.
const (
	LettersSigned      Kind = "LETTERS_SIGNED"
	NoticeReceipts     Kind = "NOTICE_RECEIPTS"
	TrainingCoverage   Kind = "TRAINING_COVERAGE"
	CertificatesValid  Kind = "CERTIFICATES_VALID"
	CertifiedPositions Kind = "CERTIFIED_POSITIONS"
	DrillCompliance    Kind = "DRILL_COMPLIANCE"
	PlansCurrent       Kind = "PLANS_CURRENT"
	RosterGaps         Kind = "ROSTER_GAPS"
	OverdueHazards     Kind = "OVERDUE_HAZARDS"
	RiskPointsRed      Kind = "RISK_POINTS_RED"
	RiskPointsOrange   Kind = "RISK_POINTS_ORANGE"
	RiskPointsYellow   Kind = "RISK_POINTS_YELLOW"
	RiskPointsBlue     Kind = "RISK_POINTS_BLUE"
)

// Indicator is one readiness figure: Numerator of Denominator (nil for a
// plain count), and Source, the GraphQL view and the figures of it that
// produced the numbers, so that anybody can ask the view and compare.
type Indicator struct {
	Kind        Kind
	Numerator   int
	Denominator *int
	Source      string
}

// Percent is Numerator in percent of Denominator, rounded to one decimal;
// nil for a plain count or an empty denominator.
func (i Indicator) Percent() *float64 {
	if i.Denominator == nil || *i.Denominator == 0 {
		return nil
	}
	p := math.Round(float64(i.Numerator)*1000/float64(*i.Denominator)) / 10
	return &p
}

func ratio(k Kind, num, den int, source string) Indicator {
	return Indicator{Kind: k, Numerator: num, Denominator: &den, Source: source}
}

// indicators asks each view for its figures over the dashboard's unit and
// year (or period, for the rosters; or now, for certificates and overdue
// hazards), through the caller's scope as the view itself applies it.
func (s *Service) indicators(ctx context.Context, out *Dashboard, now time.Time) ([]Indicator, error) {
	var list []Indicator
	root := out.root.ID
	if out.Unit != nil {
		root = out.Unit.ID
	}
	cov, err := s.Letters.Coverage(ctx, letters.CoverageInput{Year: out.Year, RootID: root})
	if err != nil {
		return nil, err
	}
	list = append(list, ratio(LettersSigned, cov.Total.Signed, cov.Total.Total, "letterCoverage.summary: signed / total"))

	year := out.Year
	receipts, err := s.Notices.Coverage(ctx, notices.CoverageInput{Year: &year, TownID: out.townID})
	if err != nil {
		return nil, err
	}
	list = append(list, ratio(NoticeReceipts, receipts.Total.Received, receipts.Total.Total, "noticeCoverage.total: received / total"))

	training, err := s.Education.Coverage(ctx, education.CoverageInput{Year: out.Year, UnitID: out.withinID, TownID: out.townID})
	if err != nil {
		return nil, err
	}
	list = append(list, ratio(TrainingCoverage, training.Summary.Covered, training.Summary.Enterprises,
		"trainingCoverage(cadence: QUARTERLY).summary: covered / enterprises"))

	certs, err := s.Staffing.CertificateStatus(ctx, staffing.StatusInput{TownID: out.townID})
	if err != nil {
		return nil, err
	}
	c := certs.Summary
	unexpired := c.Valid + c.Expiring90 + c.Expiring30
	list = append(list,
		ratio(CertificatesValid, unexpired, unexpired+c.Expired,
			"certificateStatus.summary: (valid + expiring90 + expiring30) / (those + expired)"),
		ratio(CertifiedPositions, c.Held, c.Required, "certificateStatus.summary: held / required"))

	drills, err := s.drills(ctx, out)
	if err != nil {
		return nil, err
	}
	list = append(list, drills...)

	gaps, err := s.Readiness.RostersWithGaps(ctx, out.territory, out.From, out.To)
	if err != nil {
		return nil, err
	}
	list = append(list, Indicator{Kind: RosterGaps, Numerator: len(gaps), Source: "dutyRostersWithGaps(from, to).totalCount"})

	overdue, err := s.overdue(ctx, out, now)
	if err != nil {
		return nil, err
	}
	list = append(list, overdue)

	risk, err := s.Prevention.RiskMap(ctx, root)
	if err != nil {
		return nil, err
	}
	t := risk.Total
	list = append(list,
		ratio(RiskPointsRed, t.Red, t.Total, "riskMap.total: red / total"),
		ratio(RiskPointsOrange, t.Orange, t.Total, "riskMap.total: orange / total"),
		ratio(RiskPointsYellow, t.Yellow, t.Total, "riskMap.total: yellow / total"),
		ratio(RiskPointsBlue, t.Blue, t.Total, "riskMap.total: blue / total"))
	return list, nil
}

// drills asks drillCompliance three times for a total count: all
// enterprises, the COMPLIANT ones, those without a plan gap.
func (s *Service) drills(ctx context.Context, out *Dashboard) ([]Indicator, error) {
	t, err := s.Emergency.Totals(ctx, emergency.ComplianceInput{Year: out.Year, UnitID: out.withinID, TownID: out.townID})
	if err != nil {
		return nil, err
	}
	return []Indicator{
		ratio(DrillCompliance, t.Compliant, t.All, "drillCompliance(where: {statuses: [COMPLIANT]}).totalCount / drillCompliance.totalCount"),
		ratio(PlansCurrent, t.WithoutPlanGap, t.All, "drillCompliance(where: {planGap: false}).totalCount / drillCompliance.totalCount"),
	}, nil
}

// overdue counts the hazards past their deadline and not CLOSED now, of
// those not CLOSED, under the territory: the hazards list's overdue filter.
func (s *Service) overdue(ctx context.Context, out *Dashboard, now time.Time) (Indicator, error) {
	// The state is written as a literal, not a parameter, so that both
	// databases match the partial index of the hazards not CLOSED
	// (hazard_open_tenant_id_scope_path) and count from it alone.
	open := func(s *sql.Selector) {
		s.Where(sql.ExprP(fmt.Sprintf("%s <> '%s'", s.C(hazard.FieldState), domain.HazardClosed)))
	}
	q := s.Client.Hazard.Query().Where(open)
	if out.Unit != nil {
		q = q.Where(hazard.ScopePathHasPrefix(out.territory))
	}
	// Both numbers in one pass over the open hazards.
	var counts []struct {
		Open int `json:"open_hazards"`
		Late int `json:"late_hazards"`
	}
	err := q.Modify(func(sel *sql.Selector) {
		late := sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("COALESCE(SUM(CASE WHEN ").Ident(sel.C(hazard.FieldDeadline)).WriteString(" < ").Arg(now).
				WriteString(" THEN 1 ELSE 0 END), 0)")
		})
		sel.Select(sql.As(sql.Count("*"), "open_hazards")).AppendSelectExprAs(late, "late_hazards")
	}).Scan(ctx, &counts)
	if err != nil {
		return Indicator{}, fmt.Errorf("count open and overdue hazards: %w", err)
	}
	if len(counts) != 1 {
		return Indicator{}, fmt.Errorf("count open and overdue hazards: %d rows", len(counts))
	}
	return ratio(OverdueHazards, counts[0].Late, counts[0].Open, "hazards(where: {overdue: true}).totalCount / hazards(where: {stateNEQ: CLOSED}).totalCount"), nil
}
