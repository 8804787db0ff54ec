package readiness

import (
	"context"

	"entgo.io/ent/dialect/sql"
	"fmt"
	"slices"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/dutyroster"
	"github.com/dutychain/dutychain/ent/dutyshift"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// ShiftInput is one shift of a roster.
type ShiftInput struct {
	StartsAt, EndsAt time.Time
	LeaderPostID     *int
	LeaderPhone      string
	StaffName        string
	StaffPhone       string
}

// RosterInput is a duty roster to record.
type RosterInput struct {
	UnitID            int
	Title             string
	KeyPeriod         *domain.DutyKeyPeriod
	PeriodStart       time.Time
	PeriodEnd         time.Time
	RequiresFullCover bool
	Shifts            []ShiftInput
}

// leaderRoles are the posts that lead a duty shift (带班领导): the unit's
// heads, its PRINCIPAL, or a DEPUTY (分管领导).
var leaderRoles = []domain.Role{domain.RolePartySecretary, domain.RoleGovernmentHead, domain.RolePrincipal, domain.RoleDeputy}

func (in *RosterInput) validate() error {
	var p checks
	p.text("title", &in.Title, MaxName, true)
	p.instant("periodStart", in.PeriodStart)
	p.instant("periodEnd", in.PeriodEnd)
	p.period(in.PeriodStart, in.PeriodEnd)
	p.shifts("shifts", in.Shifts)
	return p.Err()
}

// shifts checks the shifts given in field: at most MaxShifts, each ending
// after it starts, with a leader or a staff member on duty.
func (p *checks) shifts(field string, shifts []ShiftInput) {
	p.Check(len(shifts) > MaxShifts, field, "at most %d shifts", MaxShifts)
	for i := range shifts {
		sh := &shifts[i]
		at := fmt.Sprintf("%s[%d].", field, i)
		p.instant(at+"startsAt", sh.StartsAt)
		p.instant(at+"endsAt", sh.EndsAt)
		p.Check(!sh.EndsAt.After(sh.StartsAt), at+"endsAt", "a shift ends after it starts")
		p.text(at+"leaderPhone", &sh.LeaderPhone, MaxName, false)
		p.text(at+"staffName", &sh.StaffName, MaxName, false)
		p.text(at+"staffPhone", &sh.StaffPhone, MaxName, false)
		p.Check(sh.LeaderPostID == nil && sh.StaffName == "", at+"staffName", "a shift has a leader or a staff member on duty")
	}
}

// period checks that a roster's period ends after it starts and lasts at
// most MaxPeriodDay days.
func (p *checks) period(start, end time.Time) {
	if !p.Check(!end.After(start), "periodEnd", "the period ends after it starts") {
		p.Check(end.Sub(start) > MaxPeriodDay*24*time.Hour, "periodEnd", "a period lasts at most %d days", MaxPeriodDay)
	}
}

// CreateRoster records a duty roster of a unit where the caller holds a
// post that may, with its shifts, in one transaction. Each leader on duty
// holds a leading post at that unit, valid when the shift starts.
func (s *Service) CreateRoster(ctx context.Context, in RosterInput) (*ent.DutyRoster, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.DutyRoster, error) {
		u, err := kernel.Unit(ctx, c, in.UnitID, "unitID")
		if err != nil {
			return nil, err
		}
		if err := actFor(ctx, c, "duty_roster", "create", u, "unitID"); err != nil {
			return nil, err
		}
		leaders, err := loadLeaders(ctx, c, in.Shifts)
		if err != nil {
			return nil, err
		}
		r, err := c.DutyRoster.Create().SetUnitID(u.ID).SetTitle(in.Title).SetNillableKeyPeriod(in.KeyPeriod).
			SetPeriodStart(in.PeriodStart).SetPeriodEnd(in.PeriodEnd).SetRequiresFullCover(in.RequiresFullCover).Save(ctx)
		if err != nil {
			return nil, err
		}
		if err := WriteShifts(ctx, c, r, u, in.Shifts, leaders); err != nil {
			return nil, err
		}
		return c.DutyRoster.Get(ctx, r.ID)
	})
}

// loadLeaders loads the leaders' posts the shifts name, through the
// caller's scope, with their holders.
func loadLeaders(ctx context.Context, c *ent.Client, shifts []ShiftInput) (map[int]*ent.Post, error) {
	ids := []int{}
	for _, sh := range shifts {
		if sh.LeaderPostID != nil {
			ids = append(ids, *sh.LeaderPostID)
		}
	}
	out := map[int]*ent.Post{}
	if len(ids) == 0 {
		return out, nil
	}
	ps, err := c.Post.Query().Where(post.IDIn(ids...)).WithUser().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load leaders' posts: %w", err)
	}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, nil
}

// WriteShifts writes the shifts of roster r of unit u (the seed writes the
// demo rosters with it), every leader checked against leaders: a leading
// post at u valid when the shift starts.
func WriteShifts(ctx context.Context, c *ent.Client, r *ent.DutyRoster, u *ent.Unit, shifts []ShiftInput, leaders map[int]*ent.Post) error {
	var p checks
	creates := make([]*ent.DutyShiftCreate, 0, len(shifts))
	for i, sh := range shifts {
		create := c.DutyShift.Create().SetTenantID(r.TenantID).SetRosterID(r.ID).SetStartsAt(sh.StartsAt).SetEndsAt(sh.EndsAt).
			SetStaffName(sh.StaffName).SetStaffPhone(sh.StaffPhone).
			SetScopePath(r.ScopePath).SetNillableScopeSector(r.ScopeSector).SetNillableScopeEnterpriseID(r.ScopeEnterpriseID)
		if sh.LeaderPostID != nil {
			field := fmt.Sprintf("shifts[%d].leaderPostID", i)
			lp := leaders[*sh.LeaderPostID]
			switch {
			case lp == nil:
				p.Add(kernel.NotFound(&ent.NotFoundError{}, "post", field))
				continue
			case lp.UnitID != u.ID || !slices.Contains(leaderRoles, lp.Role):
				p.Check(true, field, "the leader on duty holds a head, PRINCIPAL or DEPUTY post at %s", u.Name)
				continue
			case lp.ValidFrom.After(sh.StartsAt) || (lp.ValidTo != nil && !lp.ValidTo.After(sh.StartsAt)):
				p.Check(true, field, "the leader's post is valid when the shift starts")
				continue
			}
			name := ""
			if lp.Edges.User != nil {
				name = lp.Edges.User.DisplayName
			}
			create.SetLeaderPostID(lp.ID).SetLeaderName(name).SetLeaderPhone(sh.LeaderPhone)
		}
		creates = append(creates, create)
	}
	if err := p.Err(); err != nil {
		return err
	}
	if err := c.DutyShift.CreateBulk(creates...).Exec(authz.SystemContext(ctx)); err != nil {
		return fmt.Errorf("write shifts: %w", err)
	}
	return nil
}

// CoversOf are what shifts put on duty, for Gaps.
func CoversOf(shifts []*ent.DutyShift) []Cover {
	out := make([]Cover, len(shifts))
	for i, sh := range shifts {
		out[i] = Cover{Start: sh.StartsAt, End: sh.EndsAt, Leader: sh.LeaderPostID != nil, Staff: sh.StaffName != ""}
	}
	return out
}

// GapsOf are the gaps of roster r with shifts, in zone: none unless it
// requires 24-hour cover.
func GapsOf(r *ent.DutyRoster, shifts []*ent.DutyShift, zone *time.Location) []Gap {
	if !r.RequiresFullCover {
		return []Gap{}
	}
	gaps := Gaps(r.PeriodStart, r.PeriodEnd, CoversOf(shifts))
	for i := range gaps {
		gaps[i].Start, gaps[i].End = gaps[i].Start.In(zone), gaps[i].End.In(zone)
	}
	return gaps
}

// RostersWithGaps returns the ids of the rosters under path (Below),
// overlapping [from, to), requiring 24-hour cover and having a gap, in id
// order: one statement (WithGaps) whatever their number.
func (s *Service) RostersWithGaps(ctx context.Context, path string, from, to time.Time) ([]int, error) {
	ids, err := s.Client.DutyRoster.Query().Where(WithGaps(path, from, to)).Order(dutyroster.ByID()).IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("load rosters with gaps: %w", err)
	}
	return ids, nil
}

// WithGaps keeps the rosters under path, overlapping [from, to), that
// require 24-hour cover and have a gap (Gaps), decided in SQL: a gap
// begins where the cover of a leader or of a staff member ends, so a roster
// has one exactly when its period's start, or the end of one of its shifts
// inside the period, is not covered at once by a shift with a leader and a
// shift with a staff member. Only the roster's own shifts are read, by the
// (roster_id, starts_at) index.
func WithGaps(path string, from, to time.Time) predicate.DutyRoster {
	return dutyroster.And(dutyroster.RequiresFullCover(true), dutyroster.PeriodStartLT(to), dutyroster.PeriodEndGT(from),
		dutyroster.ScopePathHasPrefix(path), func(s *sql.Selector) {
			uncovered := func(at string) string {
				covered := func(who string) string {
					return fmt.Sprintf("EXISTS (SELECT 1 FROM %[1]s c WHERE c.%[2]s = %[3]s AND %[4]s AND c.%[5]s <= %[6]s AND c.%[7]s > %[6]s)",
						dutyshift.Table, dutyshift.RosterColumn, s.C(dutyroster.FieldID), who,
						dutyshift.FieldStartsAt, at, dutyshift.FieldEndsAt)
				}
				return fmt.Sprintf("(NOT %s OR NOT %s)", covered("c."+dutyshift.FieldLeaderPostID+" IS NOT NULL"),
					covered("c."+dutyshift.FieldStaffName+" <> ''"))
			}
			start, end := s.C(dutyroster.FieldPeriodStart), s.C(dutyroster.FieldPeriodEnd)
			s.Where(sql.ExprP(fmt.Sprintf("(%s OR EXISTS (SELECT 1 FROM %s b WHERE b.%s = %s AND b.%s >= %s AND b.%s < %s AND %s))",
				uncovered(start), dutyshift.Table, dutyshift.RosterColumn, s.C(dutyroster.FieldID),
				dutyshift.FieldEndsAt, start, dutyshift.FieldEndsAt, end, uncovered("b."+dutyshift.FieldEndsAt))))
		})
}
