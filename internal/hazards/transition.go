package hazards

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/predicate"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/files"
	"github.com/dutychain/dutychain/internal/kernel"
)

// TransitionInput is one step on a hazard.
type TransitionInput struct {
	Action   domain.HazardAction
	Note     string
	Plan     *domain.HazardPlan
	Deadline *time.Time
	// Attachments are the step's photos or documents (before/after), stored
	// with the event in the same transaction.
	Attachments []files.Upload
}

// MaxAttachments caps the files of one step.
const MaxAttachments = 10

// Transition takes one step on a hazard. Out of scope: NOT_FOUND; a step the
// state machine does not allow from the current state: BAD_USER_INPUT; a
// legal step the caller's posts may not take: FORBIDDEN; a step decided on a
// hazard that another step changed meanwhile: CONFLICT. Nothing is written
// unless every check passes; the hazard and its event commit together.
func (s *Service) Transition(ctx context.Context, id int, in TransitionInput) (*ent.Hazard, error) {
	v, err := kernel.Viewer(ctx)
	if err != nil {
		return nil, err
	}
	now := kernel.Now(s.Now)
	return kernel.Write(ctx, s.Client, func(c *ent.Client) (*ent.Hazard, error) {
		h, err := kernel.Load(ctx, c.Hazard.Get, id, "hazard", "id")
		if err != nil {
			return nil, err
		}
		ev, post, err := Step(ctx, c, v, h, in, now)
		if err != nil {
			return nil, err
		}
		if err := s.attach(ctx, c, ev, v, post, in.Attachments); err != nil {
			return nil, err
		}
		return c.Hazard.Get(ctx, id)
	})
}

// Step takes step in.Action on hazard h (as read in c's transaction) for
// viewer v, with every check of Transition but the attachments', and
// returns the step's event and the post it was taken under. Other services
// (a follow-up inspection closing what it re-checked) move hazards on
// through it, never around it.
func Step(ctx context.Context, c *ent.Client, v *authz.Viewer, h *ent.Hazard, in TransitionInput, now time.Time) (*ent.HazardEvent, *int, error) {
	o, err := objectOf(ctx, c, h)
	if err != nil {
		return nil, nil, err
	}
	ord, err := LoadOrders(ctx, c, h)
	if err != nil {
		return nil, nil, err
	}
	st, g, err := decide(v, h, o, ord, in.Action)
	if err != nil {
		return nil, nil, err
	}
	var post *int
	if g != nil {
		post = postOf(*g)
	}
	note := strings.TrimSpace(in.Note)
	upd, err := stepUpdate(c, h, st, in, note, now, v.UserID, g)
	if err != nil {
		return nil, nil, err
	}
	// The decision above is the write check: the hook's generic "update"
	// right is coarser than the step's own permission. The update holds
	// only while the hazard still has the facts the step was decided on: a
	// concurrent step that committed first makes this one a CONFLICT.
	sys := authz.SystemContext(ctx)
	err = kernel.Claim("hazard", func() (int, error) { return upd.Save(sys) }, func() (string, error) {
		cur, err := c.Hazard.Get(sys, h.ID)
		if err != nil {
			return "", err
		}
		return stateOf(cur), nil
	})
	if err != nil {
		return nil, nil, err
	}
	// The hazard as the step left it, for its event: only the state and
	// the scope columns are read from it.
	after := *h
	if st.to != "" {
		after.State = st.to
	}
	ev, err := addEvent(ctx, c, &after, in.Action, h.State, v.UserID, post, note, now)
	if err != nil {
		return nil, nil, err
	}
	return ev, post, nil
}

// decidedOn are the conditions of a step's update: h's id and the facts
// (factsOf), deadline and deciders (who ordered its supervision, who
// submitted what awaits a decision, who requested the extension) the step
// was decided on, as h was read.
func decidedOn(h *ent.Hazard) []predicate.Hazard {
	ps := []predicate.Hazard{hazard.ID(h.ID), hazard.StateEQ(h.State), hazard.Supervised(h.Supervised), hazard.DeadlineEQ(h.Deadline),
		intIs(h.SupervisorID, hazard.SupervisorIDIsNil, hazard.SupervisorID),
		intIs(h.SubmittedByID, hazard.SubmittedByIDIsNil, hazard.SubmittedByID),
		intIs(h.ExtensionRequestedByID, hazard.ExtensionRequestedByIDIsNil, hazard.ExtensionRequestedByID)}
	if h.RequestedDeadline == nil {
		return append(ps, hazard.RequestedDeadlineIsNil())
	}
	return append(ps, hazard.RequestedDeadlineEQ(*h.RequestedDeadline))
}

// intIs is the condition that a nillable column still holds v.
func intIs(v *int, isNil func() predicate.Hazard, eq func(int) predicate.Hazard) predicate.Hazard {
	if v == nil {
		return isNil()
	}
	return eq(*v)
}

// stateOf says what a hazard is now, for a CONFLICT.
func stateOf(h *ent.Hazard) string {
	out := string(h.State)
	if h.Supervised {
		out += ", under supervision"
	}
	if h.RequestedDeadline != nil {
		out += ", with an extension request pending"
	}
	return out
}

// stepUpdate checks the step's own input and builds the hazard's update,
// conditional on the facts the step was decided on (decidedOn).
func stepUpdate(c *ent.Client, h *ent.Hazard, st step, in TransitionInput, note string, now time.Time, actor int, g *authz.Grant) (*ent.HazardUpdate, error) {
	upd := c.Hazard.Update().Where(decidedOn(h)...)
	switch in.Action {
	case domain.HazardSubmit:
		upd.SetSubmittedByID(actor)
	case domain.HazardSubmitPlan:
		upd.SetSubmittedByID(actor)
		if err := checkPlan(in.Plan, now); err != nil {
			return nil, err
		}
		upd.SetPlan(in.Plan).SetResponsiblePerson(strings.TrimSpace(in.Plan.ResponsiblePerson))
		if in.Plan.Deadline.After(h.Deadline) {
			// The plan's deadline is the rectification deadline (限期).
			upd.SetDeadline(in.Plan.Deadline)
		}
	case domain.HazardReject, domain.HazardCloseOnSpot, domain.HazardRejectExtension:
		if note == "" {
			msg := "say why (the note is kept in the hazard's history)"
			if in.Action == domain.HazardCloseOnSpot {
				msg = "describe the on-the-spot fix: the note is the closure's evidence"
			}
			return nil, apperr.Invalid("note", msg)
		}
		if in.Action == domain.HazardRejectExtension {
			upd.ClearRequestedDeadline().ClearExtensionRequestedByID()
		}
	case domain.HazardRequestExtension:
		if in.Deadline == nil || !in.Deadline.After(h.Deadline) {
			return nil, apperr.Invalid("deadline", "request a deadline later than the current one")
		}
		if note == "" {
			return nil, apperr.Invalid("note", "give the reason for the extension")
		}
		upd.SetRequestedDeadline(*in.Deadline).SetExtensionRequestedByID(actor)
	case domain.HazardApproveExtension:
		upd.SetDeadline(*h.RequestedDeadline).ClearRequestedDeadline().ClearExtensionRequestedByID()
	case domain.HazardSupervise:
		// The unit of the post that orders it: only that unit or one above
		// it lifts it (a supervision the system orders is the tenant root's).
		upd.SetSupervised(true)
		if g != nil && g.UnitID != 0 {
			upd.SetSupervisorID(g.UnitID)
		} else {
			upd.ClearSupervisorID()
		}
	case domain.HazardLiftSupervision:
		upd.SetSupervised(false).ClearSupervisorID()
	}
	if st.to != "" {
		upd.SetState(st.to)
		if st.to == domain.HazardClosed {
			upd.SetClosedAt(now).ClearRequestedDeadline().ClearExtensionRequestedByID()
		}
	}
	return upd, nil
}

// keeps reports whether grant g is a post of side sd.
func (sd side) keeps(g authz.Grant) bool {
	if g.DirectoryOnly {
		return false
	}
	return g.UnitKind.IsGovernment() == (sd == governmentSide)
}

// authorise returns the grant (the post) under which the viewer may take the
// step (nil for the system), or FORBIDDEN naming who may.
func authorise(v *authz.Viewer, o authz.Object, permits []permit, a domain.HazardAction) (*authz.Grant, error) {
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
				return &g, nil
			}
			return &authz.Grant{}, nil
		}
	}
	who := make([]string, 0, len(permits))
	for _, p := range permits {
		who = append(who, p.side.String())
	}
	return nil, apperr.ForbiddenErr(fmt.Sprintf("%s this hazard (%s only)", actionWords(a), strings.Join(who, " or ")))
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

// attach stores the step's files, owned by its event and scoped like it, in
// the transition's transaction: a rejected file rolls the whole step back.
func (s *Service) attach(ctx context.Context, c *ent.Client, ev *ent.HazardEvent, v *authz.Viewer, post *int, ups []files.Upload) error {
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
	_, err := s.Files.Attach(ctx, c, files.Owner{
		ID: ev.ID, Tenant: ev.TenantID, Path: ev.ScopePath, Sector: ev.ScopeSector, EnterpriseID: ev.ScopeEnterpriseID,
	}, files.Uploader{Name: name, UserID: &uid, PostID: post}, ups...)
	return err
}
