package kernel

import (
	"errors"
	"strings"
	"testing"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/apperr"
)

func TestClaim(t *testing.T) {
	boom := errors.New("connection reset")
	current := func() (string, error) { return "CLOSED", nil }
	for _, tc := range []struct {
		name     string
		write    func() (int, error)
		current  func() (string, error)
		wantCode apperr.Code
		wantText string
	}{
		{"one row changed is the winner's write", func() (int, error) { return 1, nil }, current, "", ""},
		{"no row changed is a CONFLICT naming the current state", func() (int, error) { return 0, nil }, current,
			apperr.Conflict, "the hazard changed: it is now CLOSED"},
		{"a record gone meanwhile is a CONFLICT too", func() (int, error) { return 0, nil },
			func() (string, error) { return "", &ent.NotFoundError{} }, apperr.Conflict, "it is now gone"},
		{"a failed write is passed on", func() (int, error) { return 0, boom }, current, apperr.Internal, "connection reset"},
		{"a failed reload is passed on", func() (int, error) { return 0, nil },
			func() (string, error) { return "", boom }, apperr.Internal, "connection reset"},
		{"more than one row changed is a fault", func() (int, error) { return 2, nil }, current, apperr.Internal, "changed 2 rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Claim("hazard", tc.write, tc.current)
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			if err == nil {
				t.Fatal("got success, want an error")
			}
			if got := apperr.CodeOf(err); got != tc.wantCode {
				t.Errorf("code %s, want %s", got, tc.wantCode)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not say %q", err, tc.wantText)
			}
		})
	}
}

func TestAffectedCountsAnUpdateOne(t *testing.T) {
	boom := errors.New("connection reset")
	for _, tc := range []struct {
		name string
		err  error
		want int
		fail bool
	}{
		{"a saved update changed its row", nil, 1, false},
		{"not found: the conditions no longer hold", &ent.NotFoundError{}, 0, false},
		{"another error is passed on", boom, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Affected(tc.err)
			if n != tc.want || (err != nil) != tc.fail {
				t.Errorf("got %d, %v", n, err)
			}
		})
	}
}
