package hazards

import (
	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// factsOf are the facts of h that decide its legal steps.
func factsOf(h *ent.Hazard) facts {
	return facts{state: h.State, level: h.Level, source: h.Source,
		extensionPending: h.RequestedDeadline != nil, supervised: h.Supervised}
}

// decide is the whole decision on step a of hazard h (o its decision
// object, ord its orders) for viewer v: the step, if the state machine
// allows it, and the grant v takes it under, if one of v's posts may (nil
// for the system). Lifting a supervision needs a post at the unit that
// ordered it or above; nobody decides their own submission. Transition and
// Allowed both ask it.
func decide(v *authz.Viewer, h *ent.Hazard, o authz.Object, ord Orders, a domain.HazardAction) (step, *authz.Grant, error) {
	st, err := nextStep(factsOf(h), a)
	if err != nil {
		return step{}, nil, err
	}
	g, err := authorise(v, o, st.permits, a)
	if err != nil {
		return step{}, nil, err
	}
	if v.IsSystem() {
		return st, nil, nil
	}
	if a == domain.HazardLiftSupervision && ord.Supervisor != "" {
		if g, err = authorise(v.Only(atOrAbove(ord.Supervisor)), o, st.permits, a); err != nil {
			return step{}, nil, apperr.ForbiddenErr("lift this hazard's supervision: it was ordered by a unit above yours, and only a post at that unit or above it lifts it")
		}
	}
	if err := ownSubmission(v, h, a); err != nil {
		return step{}, nil, err
	}
	return st, g, nil
}

// Allowed lists the steps v may take on h now, o being h's decision object
// and ord its orders (both built by the caller from data loaded for a whole
// page): the actions for which Transition would pass every check but its
// input's.
func Allowed(v *authz.Viewer, h *ent.Hazard, o authz.Object, ord Orders) []domain.HazardAction {
	var out []domain.HazardAction
	for _, a := range domain.HazardAction("").Values() {
		if _, _, err := decide(v, h, o, ord, domain.HazardAction(a)); err == nil {
			out = append(out, domain.HazardAction(a))
		}
	}
	return out
}
