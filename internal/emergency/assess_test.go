package emergency_test

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/emergency"
)

func TestAssess(t *testing.T) {
	for _, c := range []struct {
		name    string
		drills  emergency.Drills
		status  domain.DrillComplianceStatus
		missing []domain.DrillRequirement
	}{
		{"an enterprise with every drill is compliant", emergency.Drills{PlanDrills: 1, OnSiteFirstHalf: 1, OnSiteSecondHalf: 2},
			domain.DrillCompliant, []domain.DrillRequirement{}},
		{"an enterprise without any drill has none", emergency.Drills{},
			domain.DrillNone, []domain.DrillRequirement{domain.RequireAnnualPlanDrill, domain.RequireOnSiteFirstHalf, domain.RequireOnSiteSecond}},
		{"an enterprise without a second-half on-site drill is behind", emergency.Drills{PlanDrills: 2, OnSiteFirstHalf: 3},
			domain.DrillBehind, []domain.DrillRequirement{domain.RequireOnSiteSecond}},
		{"an enterprise with on-site drills only is behind on the annual drill", emergency.Drills{OnSiteFirstHalf: 1, OnSiteSecondHalf: 1},
			domain.DrillBehind, []domain.DrillRequirement{domain.RequireAnnualPlanDrill}},
		{"two on-site drills in one half do not cover the other", emergency.Drills{PlanDrills: 1, OnSiteFirstHalf: 2},
			domain.DrillBehind, []domain.DrillRequirement{domain.RequireOnSiteSecond}},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, missing := emergency.Assess(c.drills)
			if status != c.status || !slices.Equal(missing, c.missing) {
				t.Errorf("Assess(%+v) = %s %v, want %s %v", c.drills, status, missing, c.status, c.missing)
			}
		})
	}
}

func TestAssessIsCompliantExactlyWhenNothingIsMissing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := emergency.Drills{PlanDrills: rapid.IntRange(0, 3).Draw(t, "plan"),
			OnSiteFirstHalf: rapid.IntRange(0, 3).Draw(t, "h1"), OnSiteSecondHalf: rapid.IntRange(0, 3).Draw(t, "h2")}
		status, missing := emergency.Assess(d)
		if (status == domain.DrillCompliant) != (len(missing) == 0) {
			t.Fatalf("%+v: %s with %v missing", d, status, missing)
		}
		if (status == domain.DrillNone) != (d.PlanDrills+d.OnSiteFirstHalf+d.OnSiteSecondHalf == 0) {
			t.Fatalf("%+v: %s", d, status)
		}
	})
}

func TestHalfYearsSplitTheYearAtTheFirstOfJuly(t *testing.T) {
	start, mid, end := emergency.HalfYears(2022)
	for _, c := range []struct {
		name string
		at   time.Time
		half int
	}{
		{"New Year's Day opens the first half", time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), 1},
		{"the last second of June is in the first half", time.Date(2022, 6, 30, 23, 59, 59, 0, time.UTC), 1},
		{"the first of July opens the second half", time.Date(2022, 7, 1, 0, 0, 0, 0, time.UTC), 2},
		{"New Year's Eve is in the second half", time.Date(2022, 12, 31, 23, 59, 59, 0, time.UTC), 2},
		{"the next New Year's Day is outside the year", time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"the last second of the previous year is outside it", time.Date(2021, 12, 31, 23, 59, 59, 0, time.UTC), 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			half := 0
			switch {
			case !c.at.Before(start) && c.at.Before(mid):
				half = 1
			case !c.at.Before(mid) && c.at.Before(end):
				half = 2
			}
			if half != c.half {
				t.Errorf("%s: half %d, want %d", c.at, half, c.half)
			}
		})
	}
}

func TestStatusOfAPlan(t *testing.T) {
	on := time.Date(2022, 12, 31, 0, 0, 0, 0, time.UTC)
	due := func(d time.Time) *time.Time { return &d }
	for _, c := range []struct {
		name  string
		state domain.EmergencyPlanState
		due   *time.Time
		want  domain.EmergencyPlanStatus
	}{
		{"a plan reviewed next year is current", domain.PlanEffective, due(on.AddDate(1, 0, 0)), domain.PlanStatusCurrent},
		{"a plan reviewed in 89 days is due", domain.PlanEffective, due(on.AddDate(0, 0, 89)), domain.PlanStatusReviewDue},
		{"a plan reviewed in 90 days is current", domain.PlanEffective, due(on.AddDate(0, 0, 90)), domain.PlanStatusCurrent},
		{"a plan reviewed today is due, not overdue", domain.PlanEffective, due(on), domain.PlanStatusReviewDue},
		{"a plan past its review is overdue", domain.PlanEffective, due(on.AddDate(0, 0, -1)), domain.PlanStatusOverdue},
		{"a superseded plan is superseded whatever its review", domain.PlanSuperseded, due(on.AddDate(0, 0, -1)), domain.PlanStatusSuperseded},
		{"a draft is a draft", domain.PlanDraft, nil, domain.PlanStatusDraft},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := planWith(c.state, c.due)
			if got := emergency.Status(p, on); got != c.want {
				t.Errorf("status %s, want %s", got, c.want)
			}
		})
	}
}
