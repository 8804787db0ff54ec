package organisation

import (
	"context"
	"fmt"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// MeetingInput is a meeting to record.
type MeetingInput struct {
	OrganiserUnitID  int
	GroupID          *int
	Kind             domain.MeetingKind
	Title            string
	HeldOn           time.Time
	Agenda           string
	SafetyOnAgenda   bool
	AttendingUnitIDs []int
	AttendeeCount    int
}

func (in *MeetingInput) validate() error {
	for _, err := range []error{
		clean("title", &in.Title, MaxName, true),
		clean("agenda", &in.Agenda, MaxText, false),
		checkDate("heldOn", in.HeldOn),
	} {
		if err != nil {
			return err
		}
	}
	if in.AttendeeCount < 0 || in.AttendeeCount > MaxAttendees {
		return kernel.Invalidf("attendeeCount", "must be between 0 and %d", MaxAttendees)
	}
	if len(in.AttendingUnitIDs) > MaxAttending {
		return kernel.Invalidf("attendingUnitIDs", "at most %d units", MaxAttending)
	}
	seen := map[int]bool{}
	for _, id := range in.AttendingUnitIDs {
		if seen[id] {
			return apperr.Invalid("attendingUnitIDs", "a unit is named twice")
		}
		seen[id] = true
	}
	return nil
}

// RecordMeeting records a meeting held by a unit where the caller holds a
// post that may; the attending units are units the caller reads, the group
// (if any) one of the organiser's.
func (s *Service) RecordMeeting(ctx context.Context, in MeetingInput) (*ent.Meeting, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Meeting, error) {
		u, err := kernel.Unit(ctx, c, in.OrganiserUnitID, "organiserUnitID")
		if err != nil {
			return nil, err
		}
		if _, err := actFor(ctx, c, "meeting", "create", u, "organiserUnitID"); err != nil {
			return nil, err
		}
		if in.GroupID != nil {
			g, err := kernel.Load(ctx, c.LeadershipGroup.Get, *in.GroupID, "leadership group", "groupID")
			if err != nil {
				return nil, err
			}
			if g.UnitID != u.ID {
				return nil, apperr.Invalid("groupID", "the group is not one of the organiser's")
			}
		}
		if len(in.AttendingUnitIDs) > 0 {
			n, err := c.Unit.Query().Where(unit.IDIn(in.AttendingUnitIDs...)).Count(ctx)
			if err != nil {
				return nil, fmt.Errorf("load attending units: %w", err)
			}
			if n != len(in.AttendingUnitIDs) {
				return nil, kernel.NotFound(&ent.NotFoundError{}, "unit", "attendingUnitIDs")
			}
		}
		m, err := c.Meeting.Create().SetOrganiserUnitID(u.ID).SetNillableGroupID(in.GroupID).SetKind(in.Kind).
			SetTitle(in.Title).SetHeldOn(in.HeldOn).SetAgenda(in.Agenda).SetSafetyOnAgenda(in.SafetyOnAgenda).
			SetAttendingUnitIds(append([]int{}, in.AttendingUnitIDs...)).SetAttendeeCount(in.AttendeeCount).Save(ctx)
		if err != nil {
			return nil, err
		}
		return c.Meeting.Get(ctx, m.ID)
	})
}

// AttachToMeeting stores an uploaded file (minutes, a sign-in sheet) and
// attaches it to a meeting, by a post at the organiser that may.
func (s *Service) AttachToMeeting(ctx context.Context, id int, up files.Upload, description string) (*ent.File, error) {
	if err := clean("description", &description, MaxText, false); err != nil {
		return nil, err
	}
	up.Description = description
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.File, error) {
		m, err := kernel.Load(ctx, c.Meeting.Get, id, "meeting", "meetingID")
		if err != nil {
			return nil, err
		}
		u, err := c.Unit.Get(authz.SystemContext(ctx), m.OrganiserUnitID)
		if err != nil {
			return nil, fmt.Errorf("load organiser: %w", err)
		}
		g, err := actFor(ctx, c, "meeting", "attach", u, "meetingID")
		if err != nil {
			return nil, err
		}
		by, err := uploader(ctx, c, g)
		if err != nil {
			return nil, err
		}
		fs, err := s.Files.Attach(ctx, c, files.Owner{ID: m.ID, Tenant: m.TenantID, Path: m.ScopePath,
			Sector: m.ScopeSector, EnterpriseID: m.ScopeEnterpriseID}, by, up)
		if err != nil {
			return nil, err
		}
		return c.File.Get(ctx, fs[0].ID)
	})
}
