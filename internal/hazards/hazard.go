package hazards

import (
	"context"
	"fmt"
	"github.com/dutychain/dutychain/internal/files"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/hazardevent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// NewHazard is what reportHazard (and an inspection's failed items) create.
type NewHazard struct {
	SubjectID         int
	InspectionID      *int
	CampaignID        *int
	Source            hazard.Source
	Level             hazard.Level
	Category          string
	Location          string
	Description       string
	Requirement       string
	Deadline          time.Time
	ResponsiblePerson string
	RecurrenceOfID    *int
}

func (n NewHazard) validate(now time.Time) error {
	switch {
	case hazard.LevelValidator(n.Level) != nil:
		return invalid("level", "unknown level %q", n.Level)
	case strings.TrimSpace(n.Category) == "":
		return invalid("category", "category must not be empty")
	case len([]rune(n.Category)) > 100:
		return invalid("category", "category must be at most 100 characters")
	case strings.TrimSpace(n.Description) == "":
		return invalid("description", "description must not be empty")
	case len([]rune(n.Location)) > 200:
		return invalid("location", "location must be at most 200 characters")
	case len([]rune(n.ResponsiblePerson)) > 100:
		return invalid("responsiblePerson", "responsiblePerson must be at most 100 characters")
	case n.Deadline.IsZero():
		return invalid("deadline", "a deadline is required")
	case !n.Deadline.After(now.Add(-24 * time.Hour)):
		return invalid("deadline", "the deadline must not lie in the past")
	}
	return nil
}

// ReportHazard records a hazard found by the enterprise itself (SELF_CHECK)
// or reported to the government (REPORT). Hazards found in inspections are
// recorded with the inspection (RecordInspection).
func (s *Service) ReportHazard(ctx context.Context, in NewHazard) (*ent.Hazard, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	if in.Source == hazard.SourceINSPECTION {
		return nil, invalid("source", "hazards found in an inspection are recorded with the inspection (recordInspection)")
	}
	if err := hazard.SourceValidator(in.Source); err != nil {
		return nil, invalid("source", "unknown source %q", in.Source)
	}
	now := s.now()
	if err := in.validate(now); err != nil {
		return nil, err
	}
	var out *ent.Hazard
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		h, err := s.createHazard(ctx, tx.Client(), v, in, now)
		out = h
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// createHazard inserts the hazard through the scope hook (hazard:create at
// the subject unit) and records the REPORT event.
func (s *Service) createHazard(ctx context.Context, c *ent.Client, v *authz.Viewer, in NewHazard, now time.Time) (*ent.Hazard, error) {
	if _, err := c.Unit.Get(ctx, in.SubjectID); err != nil {
		return nil, notFound(err, "unit", "subjectID")
	}
	if in.RecurrenceOfID != nil {
		prev, err := c.Hazard.Get(ctx, *in.RecurrenceOfID)
		if err != nil {
			return nil, notFound(err, "hazard", "recurrenceOfID")
		}
		if prev.State != hazard.StateCLOSED {
			return nil, invalid("recurrenceOfID", "a hazard recurs only after it was closed; the earlier one is still %s", prev.State)
		}
	}
	h, err := c.Hazard.Create().
		SetSubjectID(in.SubjectID).SetNillableInspectionID(in.InspectionID).SetNillableCampaignID(in.CampaignID).
		SetSource(in.Source).SetLevel(in.Level).SetCategory(strings.TrimSpace(in.Category)).
		SetLocation(strings.TrimSpace(in.Location)).SetDescription(strings.TrimSpace(in.Description)).
		SetRequirement(strings.TrimSpace(in.Requirement)).SetFoundAt(now).SetDeadline(in.Deadline).
		SetResponsiblePerson(strings.TrimSpace(in.ResponsiblePerson)).SetNillableRecurrenceOfID(in.RecurrenceOfID).
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
	if err := addEvent(ctx, c, h, hazardevent.ActionREPORT, "", v.UserID, post, "", now); err != nil {
		return nil, err
	}
	return h, nil
}

func objectOf(ctx context.Context, c *ent.Client, h *ent.Hazard) (authz.Object, error) {
	return authz.ObjectAt(ctx, c, "hazard", h.TenantID, h.ScopePath, h.ScopeSector, h.ScopeEnterpriseID)
}

// addEvent appends one event carrying the hazard's scope columns, so that
// events are visible exactly when their hazard is.
func addEvent(ctx context.Context, c *ent.Client, h *ent.Hazard, action hazardevent.Action, from hazard.State, actor int, post *int, note string, at time.Time) error {
	_, err := addEventReturning(ctx, c, h, action, from, actor, post, note, at)
	return err
}

// addEventReturning records a transition and returns the event, to which
// the step's photos are attached.
func addEventReturning(ctx context.Context, c *ent.Client, h *ent.Hazard, action hazardevent.Action, from hazard.State, actor int, post *int, note string, at time.Time) (*ent.HazardEvent, error) {
	ev, err := c.HazardEvent.Create().
		SetTenantID(h.TenantID).SetScopePath(h.ScopePath).SetNillableScopeSector(h.ScopeSector).
		SetNillableScopeEnterpriseID(h.ScopeEnterpriseID).
		SetHazardID(h.ID).SetAction(action).SetFromState(string(from)).SetToState(string(h.State)).
		SetActorID(actor).SetNillablePostID(post).SetNote(note).SetAt(at).
		Save(authz.SystemContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("record hazard event: %w", err)
	}
	return ev, nil
}

// Action is a hazard transition request.
type Action string

// Transition actions (GraphQL HazardAction).
const (
	SubmitPlan         Action = "SUBMIT_PLAN"
	ApprovePlan        Action = "APPROVE_PLAN"
	StartRectification Action = "START_RECTIFICATION"
	Submit             Action = "SUBMIT"
	Reject             Action = "REJECT"
	Close              Action = "CLOSE"
	CloseOnSpot        Action = "CLOSE_ON_SPOT"
	RequestExtension   Action = "REQUEST_EXTENSION"
	ApproveExtension   Action = "APPROVE_EXTENSION"
	RejectExtension    Action = "REJECT_EXTENSION"
	Supervise          Action = "SUPERVISE"
	LiftSupervision    Action = "LIFT_SUPERVISION"
)

// TransitionInput is one step on a hazard.
type TransitionInput struct {
	Action   Action
	Note     string
	Plan     *domain.HazardPlan
	Deadline *time.Time
	// Attachments are the step's photos or documents (before/after), stored
	// with the event in the same transaction.
	Attachments []files.Upload
}

// MaxAttachments caps the files of one step.
const MaxAttachments = 10

// side says whose posts may take a step: the enterprise's (主体责任) or the
// government's (监管责任).
type side int

const (
	enterpriseSide side = iota
	governmentSide
)

func (sd side) String() string {
	if sd == governmentSide {
		return "the government side"
	}
	return "the enterprise side"
}

func (sd side) keeps(g authz.Grant) bool {
	if g.DirectoryOnly {
		return false
	}
	return g.UnitKind.IsGovernment() == (sd == governmentSide)
}

// permit is one way a step may be authorised: a policy action on hazards,
// taken with the posts of one side.
type permit struct {
	side   side
	action string
}

// step is a legal transition: from which state it starts, where it ends
// (empty: the state does not change) and who may take it.
type step struct {
	from    []hazard.State
	to      hazard.State
	permits []permit
}

var (
	rectify     = permit{enterpriseSide, "rectify"}
	closeOwn    = permit{enterpriseSide, "close_own"}
	verify      = permit{governmentSide, "verify"}
	decideMajor = permit{governmentSide, "decide_major"}
	supervise   = permit{governmentSide, "supervise"}
)

var openStates = []hazard.State{hazard.StateREPORTED, hazard.StatePLAN_SUBMITTED, hazard.StateRECTIFYING, hazard.StateSUBMITTED}

// steps returns the legal step for action on h, or why there is none. These
// are the state machines of the brief exactly:
//
//	GENERAL: REPORTED → RECTIFYING → SUBMITTED → CLOSED; SUBMITTED → RECTIFYING
//	         (rejected); REPORTED → CLOSED (on-the-spot fix, with evidence)
//	MAJOR:   REPORTED → PLAN_SUBMITTED → RECTIFYING → SUBMITTED → CLOSED, every
//	         decision by a government principal (or the supervising
//	         department's); a rejected rectification goes back to RECTIFYING
//
// plus extensions and supervision, which do not change the state.
func stepFor(h *ent.Hazard, a Action) (step, error) {
	major := h.Level == hazard.LevelMAJOR
	govDecides := verify
	if major {
		govDecides = decideMajor
	}
	switch a {
	case SubmitPlan:
		if !major {
			return step{}, fmt.Errorf("a GENERAL hazard needs no plan: start rectification instead")
		}
		return step{[]hazard.State{hazard.StateREPORTED}, hazard.StatePLAN_SUBMITTED, []permit{rectify}}, nil
	case ApprovePlan:
		if !major {
			return step{}, fmt.Errorf("only a MAJOR hazard has a plan to approve")
		}
		return step{[]hazard.State{hazard.StatePLAN_SUBMITTED}, hazard.StateRECTIFYING, []permit{decideMajor}}, nil
	case StartRectification:
		if major {
			return step{}, fmt.Errorf("a MAJOR hazard is rectified under an approved plan: submit the plan first")
		}
		return step{[]hazard.State{hazard.StateREPORTED}, hazard.StateRECTIFYING, []permit{rectify}}, nil
	case Submit:
		return step{[]hazard.State{hazard.StateRECTIFYING}, hazard.StateSUBMITTED, []permit{rectify}}, nil
	case Reject:
		return step{[]hazard.State{hazard.StateSUBMITTED}, hazard.StateRECTIFYING, []permit{govDecides}}, nil
	case Close:
		if major {
			return step{[]hazard.State{hazard.StateSUBMITTED}, hazard.StateCLOSED, []permit{decideMajor}}, nil
		}
		return step{[]hazard.State{hazard.StateSUBMITTED}, hazard.StateCLOSED, closers(h)}, nil
	case CloseOnSpot:
		if major {
			return step{}, fmt.Errorf("a MAJOR hazard cannot be closed on the spot")
		}
		return step{[]hazard.State{hazard.StateREPORTED}, hazard.StateCLOSED, closers(h)}, nil
	case RequestExtension:
		if h.RequestedDeadline != nil {
			return step{}, fmt.Errorf("an extension request is already pending")
		}
		return step{openStates, "", []permit{rectify}}, nil
	case ApproveExtension, RejectExtension:
		if h.RequestedDeadline == nil {
			return step{}, fmt.Errorf("no extension request is pending")
		}
		return step{openStates, "", []permit{govDecides}}, nil
	case Supervise:
		if h.Supervised {
			return step{}, fmt.Errorf("the hazard is already under supervision")
		}
		return step{openStates, "", []permit{supervise}}, nil
	case LiftSupervision:
		if !h.Supervised {
			return step{}, fmt.Errorf("the hazard is not under supervision")
		}
		return step{append(openStates, hazard.StateCLOSED), "", []permit{supervise}}, nil
	}
	return step{}, fmt.Errorf("unknown action %q", a)
}

// closers: the government side verifies and closes a GENERAL hazard; one the
// enterprise found itself may also be closed by its own PRINCIPAL or
// SAFETY_OFFICER.
func closers(h *ent.Hazard) []permit {
	if h.Source == hazard.SourceSELF_CHECK {
		return []permit{verify, closeOwn}
	}
	return []permit{verify}
}

// Transition takes one step on a hazard. Out of scope: NOT_FOUND; a step the
// state machine does not allow from the current state: BAD_USER_INPUT; a
// legal step the caller's posts may not take: FORBIDDEN. Nothing is written
// unless every check passes; the hazard and its event commit together.
func (s *Service) Transition(ctx context.Context, id int, in TransitionInput) (*ent.Hazard, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out *ent.Hazard
	err = s.inTx(ctx, func(tx *ent.Tx) error {
		c := tx.Client()
		h, err := c.Hazard.Get(ctx, id)
		if err != nil {
			return notFound(err, "hazard", "id")
		}
		st, err := stepFor(h, in.Action)
		if err != nil {
			return apperr.Invalid("action", fmt.Sprintf("%s: %v", in.Action, err))
		}
		if !containsState(st.from, h.State) {
			return apperr.Invalid("action", fmt.Sprintf("%s is not allowed for a %s hazard in state %s", in.Action, h.Level, h.State))
		}
		o, err := objectOf(ctx, c, h)
		if err != nil {
			return err
		}
		post, err := authorise(ctx, v, o, st.permits, in.Action)
		if err != nil {
			return err
		}
		upd := c.Hazard.UpdateOneID(h.ID)
		note := strings.TrimSpace(in.Note)
		switch in.Action {
		case SubmitPlan:
			if err := checkPlan(in.Plan, now); err != nil {
				return err
			}
			upd.SetPlan(in.Plan).SetResponsiblePerson(strings.TrimSpace(in.Plan.ResponsiblePerson))
		case Reject, CloseOnSpot, RejectExtension:
			if note == "" {
				field := "note"
				msg := "say why (the note is kept in the hazard's history)"
				if in.Action == CloseOnSpot {
					msg = "describe the on-the-spot fix: the note is the closure's evidence"
				}
				return apperr.Invalid(field, msg)
			}
		case RequestExtension:
			if in.Deadline == nil || !in.Deadline.After(h.Deadline) {
				return apperr.Invalid("deadline", "request a deadline later than the current one")
			}
			if note == "" {
				return apperr.Invalid("note", "give the reason for the extension")
			}
			upd.SetRequestedDeadline(*in.Deadline)
		case ApproveExtension:
			upd.SetDeadline(*h.RequestedDeadline).ClearRequestedDeadline()
		case Supervise:
			upd.SetSupervised(true)
		case LiftSupervision:
			upd.SetSupervised(false)
		}
		if in.Action == RejectExtension {
			upd.ClearRequestedDeadline()
		}
		if in.Action == SubmitPlan && in.Plan.Deadline.After(h.Deadline) {
			// The plan's deadline is the rectification deadline (限期).
			upd.SetDeadline(in.Plan.Deadline)
		}
		if st.to != "" {
			upd.SetState(st.to)
			if st.to == hazard.StateCLOSED {
				upd.SetClosedAt(now).ClearRequestedDeadline()
			}
		}
		// The decision above is the write check: the hook's generic
		// "update" right is coarser than the step's own permission.
		h2, err := upd.Save(authz.SystemContext(ctx))
		if err != nil {
			return err
		}
		ev, err := addEventReturning(ctx, c, h2, hazardevent.Action(in.Action), h.State, v.UserID, post, note, now)
		if err != nil {
			return err
		}
		if err := s.attach(ctx, c, h2, ev, v, post, in.Attachments); err != nil {
			return err
		}
		out, err = c.Hazard.Get(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

func containsState(xs []hazard.State, s hazard.State) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// authorise returns the post under which the viewer may take the step, or
// FORBIDDEN naming who may.
func authorise(ctx context.Context, v *authz.Viewer, o authz.Object, permits []permit, a Action) (*int, error) {
	if v.IsSystem() {
		return nil, nil
	}
	for _, p := range permits {
		sv := v.Only(p.side.keeps)
		ok, err := v.Policy.Decide(sv, o, p.action)
		if err != nil {
			return nil, apperr.Wrap(apperr.Internal, "internal error", err)
		}
		if ok {
			if g, found := sv.GrantFor(o, p.action); found {
				return &g.PostID, nil
			}
			return nil, nil
		}
	}
	who := make([]string, 0, len(permits))
	for _, p := range permits {
		who = append(who, p.side.String())
	}
	return nil, apperr.ForbiddenErr(fmt.Sprintf("%s this hazard (%s only)", strings.ToLower(strings.ReplaceAll(string(a), "_", " ")), strings.Join(who, " or ")))
}

func checkPlan(p *domain.HazardPlan, now time.Time) error {
	if p == nil {
		return apperr.Invalid("plan", "a MAJOR hazard's plan is required: measures, funds, responsible person, deadline and emergency measures (五到位)")
	}
	for _, f := range []struct{ name, v string }{
		{"plan.measures", p.Measures}, {"plan.funds", p.Funds},
		{"plan.responsiblePerson", p.ResponsiblePerson}, {"plan.emergencyMeasures", p.EmergencyMeasures},
	} {
		if strings.TrimSpace(f.v) == "" {
			return apperr.Invalid(f.name, f.name+" must not be empty (五到位)")
		}
	}
	if !p.Deadline.After(now) {
		return apperr.Invalid("plan.deadline", "the plan's deadline must lie in the future")
	}
	p.Deadline = p.Deadline.UTC()
	return nil
}

// attach stores the step's files with the event, scoped like the hazard, in
// the transition's transaction: a rejected file rolls the whole step back.
func (s *Service) attach(ctx context.Context, c *ent.Client, h *ent.Hazard, ev *ent.HazardEvent, v *authz.Viewer, post *int, ups []files.Upload) error {
	if len(ups) == 0 {
		return nil
	}
	if len(ups) > MaxAttachments {
		return apperr.Invalid("attachments", fmt.Sprintf("a step takes at most %d files", MaxAttachments))
	}
	if s.Files == nil {
		return apperr.Invalid("attachments", "this server does not store files")
	}
	uid := v.UserID
	name := v.Username
	if u, err := c.User.Get(authz.SystemContext(ctx), uid); err == nil {
		name = u.DisplayName // as letters record their uploaders
	}
	for _, up := range ups {
		if _, err := s.Files.Attach(ctx, c, files.Owner{
			Tenant: h.TenantID, Path: h.ScopePath, Sector: h.ScopeSector, EnterpriseID: h.ScopeEnterpriseID,
			Link: func(fc *ent.FileCreate) { fc.SetHazardEventID(ev.ID) },
		}, up, "", files.Uploader{Name: name, UserID: &uid, PostID: post}); err != nil {
			return err
		}
	}
	return nil
}
