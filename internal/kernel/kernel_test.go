package kernel

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/privacy"
	"github.com/dutychain/dutychain/internal/apperr"
)

func TestNowIsUTC(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	fixed := time.Date(2024, 6, 1, 6, 0, 0, 0, cst)
	for _, tc := range []struct {
		name  string
		clock func() time.Time
	}{
		{"a fixed clock is read in UTC", func() time.Time { return fixed }},
		{"no clock is the wall clock in UTC", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Now(tc.clock)
			if got.Location() != time.UTC {
				t.Errorf("location %v, want UTC", got.Location())
			}
			if tc.clock != nil && !got.Equal(fixed) {
				t.Errorf("got %v, want %v", got, fixed)
			}
		})
	}
}

func TestLoadMapsAMissToNotFound(t *testing.T) {
	boom := errors.New("connection reset")
	for _, tc := range []struct {
		name      string
		err       error
		wantCode  apperr.Code
		wantField string
	}{
		{"an absent or out-of-scope record is NOT_FOUND on its field", &ent.NotFoundError{}, apperr.NotFound, "unitID"},
		{"a privacy deny is NOT_FOUND too", fmt.Errorf("unit: %w", privacy.Deny), apperr.NotFound, "unitID"},
		{"any other failure is passed on", boom, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			get := func(context.Context, int) (*ent.Unit, error) { return nil, tc.err }
			_, err := Load(context.Background(), get, 7, "unit", "unitID")
			var e *apperr.Error
			switch {
			case tc.wantCode == "":
				if !errors.Is(err, boom) || errors.As(err, &e) {
					t.Errorf("error %v, want the cause wrapped", err)
				}
			case !errors.As(err, &e) || e.Code != tc.wantCode || e.Field != tc.wantField || e.Message != "unit not found":
				t.Errorf("error %#v, want %s on %s", err, tc.wantCode, tc.wantField)
			}
		})
	}
}

func TestViewerRequiresASignedInCaller(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want apperr.Code
	}{
		{"nobody signed in is UNAUTHENTICATED", context.Background(), apperr.Unauthenticated},
		{"the system passes", authz.SystemContext(context.Background()), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Viewer(tc.ctx)
			if (err == nil) != (tc.want == "") || err != nil && apperr.CodeOf(err) != tc.want {
				t.Errorf("error %v, want code %q", err, tc.want)
			}
		})
	}
}
