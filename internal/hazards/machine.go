package hazards

import (
	"fmt"
	"slices"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

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

// permit is one way a step may be authorised: a policy action on hazards,
// taken with the posts of one side.
type permit struct {
	side   side
	action string
}

var (
	rectify     = permit{enterpriseSide, "rectify"}
	closeOwn    = permit{enterpriseSide, "close_own"}
	verify      = permit{governmentSide, "verify"}
	decideMajor = permit{governmentSide, "decide_major"}
	supervise   = permit{governmentSide, "supervise"}
)

// facts are what decides the legal steps of a hazard.
type facts struct {
	state            domain.HazardState
	level            domain.HazardLevel
	source           domain.HazardSource
	extensionPending bool
	supervised       bool
}

// step is a legal transition: where it ends (empty: the state does not
// change) and who may take it.
type step struct {
	to      domain.HazardState
	permits []permit
}

// rule is one row of the table: action on a hazard of level (any level when
// empty) goes from one of from to to, taken under one of permits.
type rule struct {
	level   domain.HazardLevel
	action  domain.HazardAction
	from    []domain.HazardState
	to      domain.HazardState
	permits []permit
	// ownFinding: a hazard the enterprise found itself (SELF_CHECK) may
	// also be closed by its own PRINCIPAL or SAFETY_OFFICER.
	ownFinding bool
	// refused says why the action never applies to a hazard of this level.
	refused string
	// guard says why the action does not apply to this hazard now ("" when
	// it does); checked before the state.
	guard func(facts) string
}

var (
	openStates = []domain.HazardState{domain.HazardReported, domain.HazardPlanSubmitted, domain.HazardRectifying, domain.HazardSubmitted}
	anyState   = append(slices.Clone(openStates), domain.HazardClosed)
)

func from(s ...domain.HazardState) []domain.HazardState { return s }
func by(p ...permit) []permit                           { return p }

func pending(f facts) bool          { return f.extensionPending }
func underSupervision(f facts) bool { return f.supervised }

func not(holds func(facts) bool) func(facts) bool { return func(f facts) bool { return !holds(f) } }

// refuseIf is a guard refusing with why when holds.
func refuseIf(holds func(facts) bool, why string) func(facts) string {
	return func(f facts) string {
		if holds(f) {
			return why
		}
		return ""
	}
}

var (
	noPendingExtension = refuseIf(pending, "an extension request is already pending")
	pendingExtension   = refuseIf(not(pending), "no extension request is pending")
	notSupervised      = refuseIf(underSupervision, "the hazard is already under supervision")
	supervised         = refuseIf(not(underSupervision), "the hazard is not under supervision")
)

const (
	general = domain.LevelGeneral
	major   = domain.LevelMajor
)

// rules are the state machines of the hazards exactly:
//
//	GENERAL: REPORTED → RECTIFYING → SUBMITTED → CLOSED; SUBMITTED → RECTIFYING
//	         (rejected); REPORTED → CLOSED (on-the-spot fix, with evidence)
//	MAJOR:   REPORTED → PLAN_SUBMITTED → RECTIFYING → SUBMITTED → CLOSED, every
//	         decision by a government principal (or the supervising
//	         department's); a rejected rectification goes back to RECTIFYING
//
// plus extensions and supervision, which do not change the state. The
// government verifies a GENERAL hazard's steps and decides a MAJOR one's.
var rules = []rule{
	{level: general, action: domain.HazardSubmitPlan, refused: "a GENERAL hazard needs no plan: start rectification instead"},
	{level: major, action: domain.HazardSubmitPlan, from: from(domain.HazardReported), to: domain.HazardPlanSubmitted, permits: by(rectify)},
	{level: general, action: domain.HazardApprovePlan, refused: "only a MAJOR hazard has a plan to approve"},
	{level: major, action: domain.HazardApprovePlan, from: from(domain.HazardPlanSubmitted), to: domain.HazardRectifying, permits: by(decideMajor)},
	{level: general, action: domain.HazardStartRectification, from: from(domain.HazardReported), to: domain.HazardRectifying, permits: by(rectify)},
	{level: major, action: domain.HazardStartRectification, refused: "a MAJOR hazard is rectified under an approved plan: submit the plan first"},
	{action: domain.HazardSubmit, from: from(domain.HazardRectifying), to: domain.HazardSubmitted, permits: by(rectify)},
	{level: general, action: domain.HazardReject, from: from(domain.HazardSubmitted), to: domain.HazardRectifying, permits: by(verify)},
	{level: major, action: domain.HazardReject, from: from(domain.HazardSubmitted), to: domain.HazardRectifying, permits: by(decideMajor)},
	{level: general, action: domain.HazardClose, from: from(domain.HazardSubmitted), to: domain.HazardClosed, permits: by(verify), ownFinding: true},
	{level: major, action: domain.HazardClose, from: from(domain.HazardSubmitted), to: domain.HazardClosed, permits: by(decideMajor)},
	{level: general, action: domain.HazardCloseOnSpot, from: from(domain.HazardReported), to: domain.HazardClosed, permits: by(verify), ownFinding: true},
	{level: major, action: domain.HazardCloseOnSpot, refused: "a MAJOR hazard cannot be closed on the spot"},
	{action: domain.HazardRequestExtension, from: openStates, permits: by(rectify), guard: noPendingExtension},
	{level: general, action: domain.HazardApproveExtension, from: openStates, permits: by(verify), guard: pendingExtension},
	{level: major, action: domain.HazardApproveExtension, from: openStates, permits: by(decideMajor), guard: pendingExtension},
	{level: general, action: domain.HazardRejectExtension, from: openStates, permits: by(verify), guard: pendingExtension},
	{level: major, action: domain.HazardRejectExtension, from: openStates, permits: by(decideMajor), guard: pendingExtension},
	{action: domain.HazardSupervise, from: openStates, permits: by(supervise), guard: notSupervised},
	{action: domain.HazardLiftSupervision, from: anyState, permits: by(supervise), guard: supervised},
	{action: domain.HazardAssign, refused: "assign with assignHazard, naming the assignee and the follow-up date"},
	{action: domain.HazardFollowUp, refused: "follow up with followUpHazard, naming the inspectors and the outcome"},
}

// ruleFor finds the row of action for a hazard of level.
func ruleFor(level domain.HazardLevel, a domain.HazardAction) (rule, bool) {
	i := slices.IndexFunc(rules, func(r rule) bool { return r.action == a && (r.level == "" || r.level == level) })
	if i < 0 {
		return rule{}, false
	}
	return rules[i], true
}

// nextStep returns the step action takes on a hazard with facts f, or
// BAD_USER_INPUT on "action" saying why the step is not legal.
func nextStep(f facts, a domain.HazardAction) (step, error) {
	r, ok := ruleFor(f.level, a)
	why := ""
	switch {
	case !ok:
		why = fmt.Sprintf("unknown action %q", a)
	case r.refused != "":
		why = r.refused
	case r.guard != nil:
		why = r.guard(f)
	}
	if why != "" {
		return step{}, apperr.Invalid("action", fmt.Sprintf("%s: %s", a, why))
	}
	if !slices.Contains(r.from, f.state) {
		return step{}, apperr.Invalid("action", fmt.Sprintf("%s is not allowed for a %s hazard in state %s", a, f.level, f.state))
	}
	permits := slices.Clone(r.permits)
	if r.ownFinding && f.source == domain.SourceSelfCheck {
		permits = append(permits, closeOwn)
	}
	return step{to: r.to, permits: permits}, nil
}
