package enforcement

import (
	"testing"
	"time"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

func TestEveryStateAndStep(t *testing.T) {
	now := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	past, future := now.AddDate(0, 0, -1), now.AddDate(0, 0, 1)
	type key struct {
		state domain.EnforcementState
		step  domain.EnforcementStep
	}
	legal := map[key]domain.EnforcementState{
		{domain.EnforcementIssued, domain.StepComply}:      domain.EnforcementComplied,
		{domain.EnforcementIssued, domain.StepMarkOverdue}: domain.EnforcementOverdue,
		{domain.EnforcementComplied, domain.StepClose}:     domain.EnforcementClosed,
		{domain.EnforcementOverdue, domain.StepClose}:      domain.EnforcementClosed,
	}
	for _, st := range domain.EnforcementState("").Values() {
		for _, sp := range domain.EnforcementStep("").Values() {
			k := key{domain.EnforcementState(st), domain.EnforcementStep(sp)}
			t.Run(st+" then "+sp+" past the deadline", func(t *testing.T) {
				to, err := Next(k.state, k.step, &past, now)
				want, ok := legal[k]
				if !ok {
					if apperr.CodeOf(err) != apperr.BadUserInput {
						t.Fatalf("got %q, %v; want BAD_USER_INPUT", to, err)
					}
					return
				}
				if err != nil || to != want {
					t.Fatalf("got %q, %v; want %q", to, err, want)
				}
			})
		}
	}
	t.Run("an action is found overdue only past its deadline", func(t *testing.T) {
		for _, d := range []*time.Time{nil, &future} {
			if _, err := Next(domain.EnforcementIssued, domain.StepMarkOverdue, d, now); apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("deadline %v: %v", d, err)
			}
		}
	})
	t.Run("the listed steps are the legal ones", func(t *testing.T) {
		got := Steps(domain.EnforcementIssued, &future, now)
		if len(got) != 1 || got[0] != domain.StepComply {
			t.Fatalf("before the deadline: %v", got)
		}
		if got := Steps(domain.EnforcementClosed, &past, now); len(got) != 0 {
			t.Fatalf("closed: %v", got)
		}
	})
	t.Run("overdue is ISSUED past the deadline or found OVERDUE", func(t *testing.T) {
		cases := []struct {
			state    domain.EnforcementState
			deadline *time.Time
			want     bool
		}{
			{domain.EnforcementIssued, &past, true}, {domain.EnforcementIssued, &future, false},
			{domain.EnforcementIssued, nil, false}, {domain.EnforcementOverdue, &future, true},
			{domain.EnforcementComplied, &past, false}, {domain.EnforcementClosed, &past, false},
		}
		for _, c := range cases {
			if got := Overdue(c.state, c.deadline, now); got != c.want {
				t.Fatalf("%s %v: got %v", c.state, c.deadline, got)
			}
		}
	})
}
