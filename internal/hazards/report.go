package hazards

import (
	"context"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// NewHazard is what reportHazard (and an inspection's failed items) create.
type NewHazard struct {
	SubjectID         int
	InspectionID      *int
	CampaignID        *int
	Source            domain.HazardSource
	Level             domain.HazardLevel
	Category          string
	Location          string
	Description       string
	Requirement       string
	Deadline          time.Time
	ResponsiblePerson string
	RecurrenceOfID    *int
	// RiskPointID names the risk point the hazard came from: one of the
	// subject unit or of a unit within it.
	RiskPointID *int
}

// Validate checks the fields of n against the time now.
func (n NewHazard) Validate(now time.Time) error {
	var p kernel.Problems
	p.Check(hazard.LevelValidator(n.Level) != nil, "level", "unknown level %q", n.Level)
	if !p.Check(strings.TrimSpace(n.Category) == "", "category", "category must not be empty") {
		p.Check(len([]rune(n.Category)) > 100, "category", "category must be at most 100 characters")
	}
	p.Check(strings.TrimSpace(n.Description) == "", "description", "description must not be empty")
	p.Check(len([]rune(n.Location)) > 200, "location", "location must be at most 200 characters")
	p.Check(len([]rune(n.ResponsiblePerson)) > 100, "responsiblePerson", "responsiblePerson must be at most 100 characters")
	if !p.Check(n.Deadline.IsZero(), "deadline", "a deadline is required") {
		p.Check(!n.Deadline.After(now.Add(-24*time.Hour)), "deadline", "the deadline must not lie in the past")
	}
	return p.Err()
}

// ReportHazard records a hazard found by the enterprise itself (SELF_CHECK)
// or reported to the government (REPORT). Hazards found in inspections are
// recorded with the inspection (package inspections).
func (s *Service) ReportHazard(ctx context.Context, in NewHazard) (*ent.Hazard, error) {
	v, err := kernel.Viewer(ctx)
	if err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now)
	if err := checkReport(in, now); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Hazard, error) {
		return Report(ctx, c, v, in, now)
	})
}

// checkReport checks a reported hazard's source and fields.
func checkReport(in NewHazard, now time.Time) error {
	if in.Source == domain.SourceInspection {
		return kernel.Invalidf("source", "hazards found in an inspection are recorded with the inspection (recordInspection)")
	}
	if err := hazard.SourceValidator(in.Source); err != nil {
		return kernel.Invalidf("source", "unknown source %q", in.Source)
	}
	return in.Validate(now)
}

// Report records a reported hazard on c (the caller's transaction) as
// ReportHazard does: its source checked against the reporter's side, then
// Create. Other services (a drill's problems) report hazards through it.
func Report(ctx context.Context, c *ent.Client, v *authz.Viewer, in NewHazard, now time.Time) (*ent.Hazard, error) {
	if err := checkReport(in, now); err != nil {
		return nil, err
	}
	subject, err := kernel.Unit(ctx, c, in.SubjectID, "subjectID")
	if err != nil {
		return nil, err
	}
	o, err := authz.ObjectAt(ctx, c, "hazard", subject.TenantID, subject.ScopePath, subject.ScopeSector, subject.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	if err := authz.CheckHazardSource(ctx, o, string(in.Source)); err != nil {
		return nil, err
	}
	return Create(ctx, c, v, in, now)
}

// Create inserts a validated hazard through the scope hook (hazard:create at
// the subject unit) and records the REPORT event, on c (the caller's
// transaction).
func Create(ctx context.Context, c *ent.Client, v *authz.Viewer, in NewHazard, now time.Time) (*ent.Hazard, error) {
	subject, err := kernel.Unit(ctx, c, in.SubjectID, "subjectID")
	if err != nil {
		return nil, err
	}
	if in.RiskPointID != nil {
		rp, err := kernel.Load(ctx, c.RiskPoint.Get, *in.RiskPointID, "risk point", "riskPointID")
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(rp.ScopePath, subject.ScopePath) {
			return nil, kernel.Invalidf("riskPointID", "the risk point is not one of %s or of a unit within it", subject.Name)
		}
	}
	if in.RecurrenceOfID != nil {
		prev, err := kernel.Load(ctx, c.Hazard.Get, *in.RecurrenceOfID, "hazard", "recurrenceOfID")
		if err != nil {
			return nil, err
		}
		if prev.State != domain.HazardClosed {
			return nil, kernel.Invalidf("recurrenceOfID", "a hazard recurs only after it was closed; the earlier one is still %s", prev.State)
		}
	}
	h, err := c.Hazard.Create().
		SetSubjectID(in.SubjectID).SetNillableInspectionID(in.InspectionID).SetNillableCampaignID(in.CampaignID).
		SetSource(in.Source).SetLevel(in.Level).SetCategory(strings.TrimSpace(in.Category)).
		SetLocation(strings.TrimSpace(in.Location)).SetDescription(strings.TrimSpace(in.Description)).
		SetRequirement(strings.TrimSpace(in.Requirement)).SetFoundAt(now).SetDeadline(in.Deadline).
		SetResponsiblePerson(strings.TrimSpace(in.ResponsiblePerson)).SetNillableRecurrenceOfID(in.RecurrenceOfID).
		SetNillableRiskPointID(in.RiskPointID).
		SetReportedByID(v.UserID).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	var post *int
	if o, err := objectOf(ctx, c, h); err == nil {
		if g, ok := v.GrantFor(o, "create"); ok {
			post = &g.PostID
		}
	}
	if _, err := addEvent(ctx, c, h, domain.HazardReport, "", v.UserID, post, "", now); err != nil {
		return nil, err
	}
	return h, nil
}
