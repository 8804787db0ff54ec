package hazards

import (
	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
)

// factsOf are the facts of h that decide its legal steps.
func factsOf(h *ent.Hazard) facts {
	return facts{state: h.State, level: h.Level, source: h.Source,
		extensionPending: h.RequestedDeadline != nil, supervised: h.Supervised}
}

// decide is the whole decision on step a of hazard h (o its decision
// object) for viewer v: the step, if the state machine allows it, and the
// post v takes it under, if one of v's posts may. Transition and Allowed
// both ask it.
func decide(v *authz.Viewer, h *ent.Hazard, o authz.Object, a domain.HazardAction) (step, *int, error) {
	st, err := nextStep(factsOf(h), a)
	if err != nil {
		return step{}, nil, err
	}
	post, err := authorise(v, o, st.permits, a)
	if err != nil {
		return step{}, nil, err
	}
	return st, post, nil
}

// Allowed lists the steps v may take on h now, o being h's decision object
// (built by the caller from data loaded for a whole page): the actions for
// which Transition would pass every check but its input's.
func Allowed(v *authz.Viewer, h *ent.Hazard, o authz.Object) []domain.HazardAction {
	var out []domain.HazardAction
	for _, a := range domain.HazardAction("").Values() {
		if _, _, err := decide(v, h, o, domain.HazardAction(a)); err == nil {
			out = append(out, domain.HazardAction(a))
		}
	}
	return out
}
