package hazards

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

var (
	levels  = []domain.HazardLevel{domain.LevelGeneral, domain.LevelMajor}
	sources = []domain.HazardSource{domain.SourceInspection, domain.SourceSelfCheck, domain.SourceReport}
	states  = []domain.HazardState{domain.HazardReported, domain.HazardPlanSubmitted, domain.HazardRectifying,
		domain.HazardSubmitted, domain.HazardClosed}
	open = []domain.HazardState{domain.HazardReported, domain.HazardPlanSubmitted, domain.HazardRectifying, domain.HazardSubmitted}
)

// legal is one legal step as the lifecycle states it, written apart from the
// table under test: on a hazard of level in state, action ends in to
// (unchanged when empty), taken by who ("side:policy action"), provided
// when holds.
type legal struct {
	level  domain.HazardLevel
	state  domain.HazardState
	action domain.HazardAction
	to     domain.HazardState
	who    string
	when   func(facts) bool
}

func always(facts) bool { return true }

// legalSteps lists every legal step of both lifecycles.
func legalSteps() []legal {
	steps := []legal{
		{domain.LevelGeneral, domain.HazardReported, domain.HazardStartRectification, domain.HazardRectifying, "enterprise:rectify", always},
		{domain.LevelGeneral, domain.HazardRectifying, domain.HazardSubmit, domain.HazardSubmitted, "enterprise:rectify", always},
		{domain.LevelGeneral, domain.HazardSubmitted, domain.HazardReject, domain.HazardRectifying, "government:verify", always},
		{domain.LevelGeneral, domain.HazardSubmitted, domain.HazardClose, domain.HazardClosed, "government:verify", always},
		{domain.LevelGeneral, domain.HazardReported, domain.HazardCloseOnSpot, domain.HazardClosed, "government:verify", always},
		{domain.LevelMajor, domain.HazardReported, domain.HazardSubmitPlan, domain.HazardPlanSubmitted, "enterprise:rectify", always},
		{domain.LevelMajor, domain.HazardPlanSubmitted, domain.HazardApprovePlan, domain.HazardRectifying, "government:decide_major", always},
		{domain.LevelMajor, domain.HazardRectifying, domain.HazardSubmit, domain.HazardSubmitted, "enterprise:rectify", always},
		{domain.LevelMajor, domain.HazardSubmitted, domain.HazardReject, domain.HazardRectifying, "government:decide_major", always},
		{domain.LevelMajor, domain.HazardSubmitted, domain.HazardClose, domain.HazardClosed, "government:decide_major", always},
	}
	decides := map[domain.HazardLevel]string{domain.LevelGeneral: "government:verify", domain.LevelMajor: "government:decide_major"}
	isPending := func(f facts) bool { return f.extensionPending }
	notPending := func(f facts) bool { return !f.extensionPending }
	isSupervised := func(f facts) bool { return f.supervised }
	notSupervised := func(f facts) bool { return !f.supervised }
	for _, lv := range levels {
		for _, st := range open {
			steps = append(steps,
				legal{lv, st, domain.HazardRequestExtension, "", "enterprise:rectify", notPending},
				legal{lv, st, domain.HazardApproveExtension, "", decides[lv], isPending},
				legal{lv, st, domain.HazardRejectExtension, "", decides[lv], isPending},
				legal{lv, st, domain.HazardSupervise, "", "government:supervise", notSupervised})
		}
		for _, st := range states {
			steps = append(steps, legal{lv, st, domain.HazardLiftSupervision, "", "government:supervise", isSupervised})
		}
	}
	return steps
}

func expect(f facts, a domain.HazardAction) (legal, bool) {
	for _, l := range legalSteps() {
		if l.level == f.level && l.state == f.state && l.action == a && l.when(f) {
			// A GENERAL hazard the enterprise found itself may be closed by
			// its own heads too.
			if f.level == domain.LevelGeneral && f.source == domain.SourceSelfCheck &&
				(a == domain.HazardClose || a == domain.HazardCloseOnSpot) {
				l.who += ", enterprise:close_own"
			}
			return l, true
		}
	}
	return legal{}, false
}

func describe(ps []permit) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		side := "enterprise"
		if p.side == governmentSide {
			side = "government"
		}
		out[i] = side + ":" + p.action
	}
	return strings.Join(out, ", ")
}

// TestNextStepCoversEveryStateAndAction runs every action (and one unknown)
// on every state of every kind of hazard: a legal step ends where the
// lifecycle says, under the posts it names; any other is BAD_USER_INPUT on
// "action" and changes nothing.
func TestNextStepCoversEveryStateAndAction(t *testing.T) {
	actions := []domain.HazardAction{"FLY"}
	for _, a := range domain.HazardAction("").Values() {
		actions = append(actions, domain.HazardAction(a))
	}
	for _, lv := range levels {
		for _, src := range sources {
			for _, st := range states {
				for _, pend := range []bool{false, true} {
					for _, sup := range []bool{false, true} {
						f := facts{state: st, level: lv, source: src, extensionPending: pend, supervised: sup}
						for _, a := range actions {
							name := fmt.Sprintf("%s %s hazard in %s (extension pending %t, supervised %t) takes %s", lv, src, st, pend, sup, a)
							t.Run(name, func(t *testing.T) { checkStep(t, f, a) })
						}
					}
				}
			}
		}
	}
}

func checkStep(t *testing.T, f facts, a domain.HazardAction) {
	got, err := nextStep(f, a)
	want, ok := expect(f, a)
	if !ok {
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != apperr.BadUserInput || e.Field != "action" {
			t.Fatalf("illegal step: got %+v, error %v; want BAD_USER_INPUT on action", got, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("legal step refused: %v", err)
	}
	if got.to != want.to {
		t.Errorf("ends in %q, want %q", got.to, want.to)
	}
	if who := describe(got.permits); who != want.who {
		t.Errorf("taken by %s, want %s", who, want.who)
	}
}

// TestIllegalStepsSayWhy keeps the messages clients see for refused steps.
func TestIllegalStepsSayWhy(t *testing.T) {
	general := facts{state: domain.HazardReported, level: domain.LevelGeneral, source: domain.SourceReport}
	major := facts{state: domain.HazardReported, level: domain.LevelMajor, source: domain.SourceReport}
	for _, tc := range []struct {
		name string
		f    facts
		a    domain.HazardAction
		want string
	}{
		{"a GENERAL hazard takes no plan", general, domain.HazardSubmitPlan, "SUBMIT_PLAN: a GENERAL hazard needs no plan: start rectification instead"},
		{"a MAJOR hazard is not closed on the spot", major, domain.HazardCloseOnSpot, "CLOSE_ON_SPOT: a MAJOR hazard cannot be closed on the spot"},
		{"a second extension request waits for the first", facts{state: domain.HazardRectifying, level: domain.LevelGeneral, extensionPending: true},
			domain.HazardRequestExtension, "REQUEST_EXTENSION: an extension request is already pending"},
		{"a step from the wrong state names the state", general, domain.HazardSubmit, "SUBMIT is not allowed for a GENERAL hazard in state REPORTED"},
		{"an unknown action is named", general, "FLY", `FLY: unknown action "FLY"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := nextStep(tc.f, tc.a)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Message != tc.want {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
