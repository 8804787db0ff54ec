package letters

import (
	"errors"
	"fmt"
	"testing"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// letterStep is one legal step as the lifecycle states it, written apart
// from the table under test: action on a letter in from ends in to, or in
// toWhenComplete when the signature completes the required ones.
type letterStep struct {
	from           domain.LetterState
	action         domain.LetterAction
	to             domain.LetterState
	toWhenComplete domain.LetterState
}

var legalLetterSteps = []letterStep{
	{domain.LetterDraft, domain.LetterEdit, domain.LetterDraft, domain.LetterDraft},
	{domain.LetterDraft, domain.LetterDiscard, domain.LetterDraft, domain.LetterDraft},
	{domain.LetterDraft, domain.LetterIssue, domain.LetterIssued, domain.LetterIssued},
	{domain.LetterIssued, domain.LetterSign, domain.LetterPartiallySigned, domain.LetterSigned},
	{domain.LetterPartiallySigned, domain.LetterSign, domain.LetterPartiallySigned, domain.LetterSigned},
	{domain.LetterIssued, domain.LetterRevoke, domain.LetterRevoked, domain.LetterRevoked},
	{domain.LetterPartiallySigned, domain.LetterRevoke, domain.LetterRevoked, domain.LetterRevoked},
	{domain.LetterSigned, domain.LetterArchive, domain.LetterArchived, domain.LetterArchived},
	{domain.LetterDraft, domain.LetterAttach, domain.LetterDraft, domain.LetterDraft},
	{domain.LetterIssued, domain.LetterAttach, domain.LetterIssued, domain.LetterIssued},
	{domain.LetterPartiallySigned, domain.LetterAttach, domain.LetterPartiallySigned, domain.LetterPartiallySigned},
	{domain.LetterSigned, domain.LetterAttach, domain.LetterSigned, domain.LetterSigned},
}

// TestNextStateCoversEveryStateAndAction runs every action on a letter in
// every state, with and without a completing signature: a legal step ends
// where the lifecycle says; any other is BAD_USER_INPUT on the letter's id
// (letterID for attachments).
func TestNextStateCoversEveryStateAndAction(t *testing.T) {
	for _, s := range domain.LetterState("").Values() {
		from := domain.LetterState(s)
		for _, a := range domain.LetterAction("").Values() {
			action := domain.LetterAction(a)
			for _, complete := range []bool{false, true} {
				name := fmt.Sprintf("%s on a %s letter (signatures complete %t)", action, from, complete)
				t.Run(name, func(t *testing.T) { checkLetterStep(t, from, action, complete) })
			}
		}
	}
}

func checkLetterStep(t *testing.T, from domain.LetterState, action domain.LetterAction, complete bool) {
	got, err := nextState(from, action, complete)
	for _, st := range legalLetterSteps {
		if st.from != from || st.action != action {
			continue
		}
		want := st.to
		if complete {
			want = st.toWhenComplete
		}
		if err != nil || got != want {
			t.Fatalf("got %q, error %v; want %q", got, err, want)
		}
		return
	}
	field := "id"
	if action == domain.LetterAttach {
		field = "letterID"
	}
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.BadUserInput || e.Field != field {
		t.Fatalf("illegal step: got %q, error %v; want BAD_USER_INPUT on %s", got, err, field)
	}
}

// TestIllegalLetterStepsSayWhy keeps the messages clients see.
func TestIllegalLetterStepsSayWhy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		state  domain.LetterState
		action domain.LetterAction
		want   string
	}{
		{"a draft is issued before it is signed", domain.LetterDraft, domain.LetterSign, "this letter is still a DRAFT: it must be issued before it is signed"},
		{"a revoked letter is not signed", domain.LetterRevoked, domain.LetterSign, "a REVOKED letter cannot be signed"},
		{"an issued letter is revoked, not discarded", domain.LetterIssued, domain.LetterDiscard, "only a DRAFT can be discarded; this letter is ISSUED (revoke an issued letter instead)"},
		{"an archived letter takes no files", domain.LetterArchived, domain.LetterAttach, "a ARCHIVED letter takes no more attachments"},
		{"an unknown action is named", domain.LetterDraft, "FOLD", `unknown letter action "FOLD"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := nextState(tc.state, tc.action, false)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Message != tc.want {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
