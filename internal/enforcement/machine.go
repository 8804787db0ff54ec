package enforcement

import (
	"slices"
	"time"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// transition is one row of the state table: step goes from one of from to to.
type transition struct {
	from []domain.EnforcementState
	to   domain.EnforcementState
}

// table is the lifecycle of an enforcement action: ISSUED → COMPLIED or
// OVERDUE → CLOSED. Every step is the issuing department's (authz.EnforcementAct).
var table = map[domain.EnforcementStep]transition{
	domain.StepComply:      {from: []domain.EnforcementState{domain.EnforcementIssued}, to: domain.EnforcementComplied},
	domain.StepMarkOverdue: {from: []domain.EnforcementState{domain.EnforcementIssued}, to: domain.EnforcementOverdue},
	domain.StepClose: {from: []domain.EnforcementState{domain.EnforcementComplied, domain.EnforcementOverdue},
		to: domain.EnforcementClosed},
}

// Next is the state step leads to from state, for an action with deadline
// (nil: none) at now. An action is found overdue only once its deadline
// has passed. An illegal step is BAD_USER_INPUT naming the field "action".
func Next(state domain.EnforcementState, step domain.EnforcementStep, deadline *time.Time, now time.Time) (domain.EnforcementState, error) {
	t, ok := table[step]
	if !ok {
		return "", apperr.Invalid("action", "unknown step "+string(step))
	}
	if !slices.Contains(t.from, state) {
		return "", apperr.Invalid("action", string(step)+" is not a step from "+string(state))
	}
	if step == domain.StepMarkOverdue && !PastDeadline(deadline, now) {
		return "", apperr.Invalid("action", "the action is not past its deadline: it cannot be overdue")
	}
	return t.to, nil
}

// PastDeadline reports whether an action with deadline (nil: none) is past
// it at now.
func PastDeadline(deadline *time.Time, now time.Time) bool {
	return deadline != nil && now.After(*deadline)
}

// Overdue reports whether an action in state with deadline is overdue at
// now: still ISSUED past its deadline, or found OVERDUE.
func Overdue(state domain.EnforcementState, deadline *time.Time, now time.Time) bool {
	return state == domain.EnforcementOverdue || (state == domain.EnforcementIssued && PastDeadline(deadline, now))
}
