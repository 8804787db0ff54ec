package seed

import (
	"slices"
	"testing"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/letterevent"
	"github.com/dutychain/dutychain/ent/lettersignature"
	"github.com/dutychain/dutychain/ent/responsibilityletter"
	"github.com/dutychain/dutychain/internal/domain"
)

// checkLetters compares the seeded letters of a tenant with Letters: state,
// signatures, history, the live flag, and the scope columns (the signee's
// position and the issuer's path) the hooks stamped.
func checkLetters(t *testing.T, c *ent.Client, code string) {
	t.Helper()
	ctx := sys()
	b, byID := tenantUnits(t, c, code)
	got, err := c.ResponsibilityLetter.Query().Where(responsibilityletter.TenantID(b.TenantID)).
		WithSignatures(func(q *ent.LetterSignatureQuery) { q.Order(ent.Asc(lettersignature.FieldID)) }).
		WithEvents(func(q *ent.LetterEventQuery) { q.Order(ent.Asc(letterevent.FieldID)) }).
		Order(ent.Asc(responsibilityletter.FieldID)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan := Letters(code)
	if len(got) != len(plan) {
		t.Fatalf("%s: %d letters, plan has %d", code, len(got), len(plan))
	}
	live := map[[3]int]int{}
	for i, l := range got {
		p := plan[i]
		issuer, signee := byID[l.IssuerUnitID], byID[l.SigneeUnitID]
		if l.Year != p.Year || issuer.Code != p.Issuer || signee.Code != p.Signee || l.State != p.State {
			t.Errorf("%s letter %d: %d %s → %s %s, plan %d %s → %s %s", code, i, l.Year, issuer.Code, signee.Code, l.State, p.Year, p.Issuer, p.Signee, p.State)
			continue
		}
		if l.ScopePath != signee.ScopePath || l.IssuerScopePath == nil || *l.IssuerScopePath != issuer.ScopePath ||
			deref(l.ScopeSector) != deref(signee.ScopeSector) || deref(l.ScopeEnterpriseID) != deref(signee.ScopeEnterpriseID) {
			t.Errorf("%s letter %d: scope columns are not the signee's and the issuer's", code, i)
		}
		var roles []domain.Role
		for _, s := range l.Edges.Signatures {
			roles = append(roles, s.Role)
			if s.ScopePath != l.ScopePath || s.SignerName == "" {
				t.Errorf("%s letter %d: signature %+v", code, i, s)
			}
		}
		if !slices.Equal(roles, p.Signed) {
			t.Errorf("%s letter %d: signed by %v, plan %v", code, i, roles, p.Signed)
		}
		if (l.Live != nil && *l.Live) != p.Live() {
			t.Errorf("%s letter %d: live %v in state %s", code, i, l.Live, l.State)
		}
		if p.Live() {
			key := [3]int{l.Year, l.IssuerUnitID, l.SigneeUnitID}
			live[key]++
			if live[key] > 1 {
				t.Errorf("%s letter %d: second live letter for %v", code, i, key)
			}
		}
		if (l.State == domain.LetterSigned) != (l.SignedAt != nil) || (l.State != domain.LetterDraft) != (l.IssuedAt != nil) {
			t.Errorf("%s letter %d: %s with issuedAt %v signedAt %v", code, i, l.State, l.IssuedAt, l.SignedAt)
		}
		evs := l.Edges.Events
		if len(evs) == 0 || evs[0].Action != letterevent.ActionCREATED || evs[len(evs)-1].ToState != l.State {
			t.Errorf("%s letter %d: history does not end in %s", code, i, l.State)
		}
		if len(l.Targets) == 0 {
			t.Errorf("%s letter %d: no targets", code, i)
		}
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
