package letters

import (
	"fmt"
	"slices"

	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
)

// rule is one row of the letter state machine: action is legal from the
// states from and leads to to (empty: the state does not change; a discarded
// letter is deleted). Policy is the casbin action that decides who may take
// it: the issuer side's heads, the signee side's for signing, and for
// attachments the issuer side or, once issued, the signee side.
type rule struct {
	from []domain.LetterState
	to   domain.LetterState
	// toWhenSigned is where a signature that completes the required ones
	// leads (SIGNED); to is where any other leads (PARTIALLY_SIGNED).
	toWhenSigned domain.LetterState
	policy       string
	// field is the input field an illegal step is reported on.
	field string
	// refusal says why the step is illegal, given the letter's state.
	refusal func(domain.LetterState) string
}

func refuse(format string) func(domain.LetterState) string {
	return func(s domain.LetterState) string { return fmt.Sprintf(format, s) }
}

var (
	issuedOrPartially = []domain.LetterState{domain.LetterIssued, domain.LetterPartiallySigned}
	onlyDraft         = []domain.LetterState{domain.LetterDraft}
)

// rules is the lifecycle of a responsibility letter:
//
//	DRAFT → ISSUED → (PARTIALLY_SIGNED) → SIGNED → ARCHIVED
//	ISSUED or PARTIALLY_SIGNED → REVOKED
//
// plus editing and discarding a DRAFT and attaching files until the letter
// is ARCHIVED or REVOKED.
var rules = map[domain.LetterAction]rule{
	domain.LetterEdit: {from: onlyDraft, policy: "update", field: "id",
		refusal: refuse("only a DRAFT can be edited; this letter is %s")},
	domain.LetterDiscard: {from: onlyDraft, policy: "update", field: "id",
		refusal: refuse("only a DRAFT can be discarded; this letter is %s (revoke an issued letter instead)")},
	domain.LetterIssue: {from: onlyDraft, to: domain.LetterIssued, policy: "issue", field: "id",
		refusal: refuse("only a DRAFT can be issued; this letter is %s")},
	domain.LetterSign: {from: issuedOrPartially, to: domain.LetterPartiallySigned, toWhenSigned: domain.LetterSigned,
		policy: "sign", field: "id", refusal: func(s domain.LetterState) string {
			if s == domain.LetterDraft {
				return "this letter is still a DRAFT: it must be issued before it is signed"
			}
			return fmt.Sprintf("a %s letter cannot be signed", s)
		}},
	domain.LetterRevoke: {from: issuedOrPartially, to: domain.LetterRevoked, policy: "revoke", field: "id",
		refusal: refuse("only an ISSUED or PARTIALLY_SIGNED letter can be revoked; this letter is %s")},
	domain.LetterArchive: {from: []domain.LetterState{domain.LetterSigned}, to: domain.LetterArchived, policy: "archive", field: "id",
		refusal: refuse("only a SIGNED letter can be archived; this letter is %s")},
	domain.LetterAttach: {from: []domain.LetterState{domain.LetterDraft, domain.LetterIssued, domain.LetterPartiallySigned, domain.LetterSigned},
		policy: "attach", field: "letterID", refusal: refuse("a %s letter takes no more attachments")},
}

// nextState returns the state action leads a letter in state to (state
// itself when the step does not change it), or BAD_USER_INPUT saying why the
// step is illegal. complete says whether a signature completes the required
// ones.
func nextState(state domain.LetterState, a domain.LetterAction, complete bool) (domain.LetterState, error) {
	r, ok := rules[a]
	if !ok {
		return "", apperr.Invalid("action", fmt.Sprintf("unknown letter action %q", a))
	}
	if !slices.Contains(r.from, state) {
		return "", apperr.Invalid(r.field, r.refusal(state))
	}
	switch {
	case complete && r.toWhenSigned != "":
		return r.toWhenSigned, nil
	case r.to != "":
		return r.to, nil
	}
	return state, nil
}

// policyOf is the casbin action that decides who may take a.
func policyOf(a domain.LetterAction) string { return rules[a].policy }
