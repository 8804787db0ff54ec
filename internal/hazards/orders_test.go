package hazards

import (
	"context"
	"errors"
	"testing"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/internal/domain"
)

// An order's unit is placed without a statement when it lies on the
// hazard's own path, through the loader otherwise, and at the tenant root
// when it is not recorded or not found; a post is at or above it when its
// path is a prefix of the order's.
func TestOrdersArePlacedAndCompared(t *testing.T) {
	// County 1, town 5, enterprise 9 (the hazard's subject); department 7
	// under the county.
	id := func(n int) *int { return &n }
	load := func(_ context.Context, n int) (*ent.Unit, error) {
		switch n {
		case 7:
			return &ent.Unit{ID: 7, ScopePath: "/1/7/"}, nil
		case 66:
			return nil, errors.New("database gone")
		}
		return nil, nil
	}
	assigned := func(by *int) *ent.Hazard {
		return &ent.Hazard{ScopePath: "/1/5/9/", AssigneeID: id(5), AssignerID: by}
	}
	for _, c := range []struct {
		name string
		h    *ent.Hazard
		want Orders
		err  bool
	}{
		{"an unassigned, unsupervised hazard has no orders", &ent.Hazard{ScopePath: "/1/5/9/"}, Orders{}, false},
		{"the town's assignment is placed on the hazard's path", assigned(id(5)), Orders{Assigner: "/1/5/"}, false},
		{"the county's assignment is placed at the root", assigned(id(1)), Orders{Assigner: "/1/"}, false},
		{"a department's assignment is loaded", assigned(id(7)), Orders{Assigner: "/1/7/"}, false},
		{"an assignment of no recorded unit is the root's", assigned(nil), Orders{Assigner: "/1/"}, false},
		{"an assignment of a unit not found is the root's", assigned(id(42)), Orders{Assigner: "/1/"}, false},
		{"a failing load is an error", assigned(id(66)), Orders{}, true},
		{"the department's supervision is loaded", &ent.Hazard{ScopePath: "/1/5/9/", Supervised: true, SupervisorID: id(7)},
			Orders{Supervisor: "/1/7/"}, false},
		{"a supervisor kept after the lift binds nobody", &ent.Hazard{ScopePath: "/1/5/9/", SupervisorID: id(7)}, Orders{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := OrdersOf(context.Background(), c.h, load)
			if (err != nil) != c.err || got != c.want {
				t.Fatalf("OrdersOf = %+v, %v; want %+v (error %v)", got, err, c.want, c.err)
			}
		})
	}
	for _, c := range []struct {
		name, order, post string
		want              bool
	}{
		{"a post at the ordering unit", "/1/5/", "/1/5/", true},
		{"a post above it", "/1/5/", "/1/", true},
		{"a post below it", "/1/", "/1/5/", false},
		{"a post beside it", "/1/5/", "/1/7/", false},
		{"a post whose id is a prefix of the unit's", "/1/55/", "/1/5/", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := atOrAbove(c.order)(authz.Grant{Path: c.post}); got != c.want {
				t.Fatalf("atOrAbove(%s)(%s) = %v", c.order, c.post, got)
			}
		})
	}
}

// The decisions on a submission name their submitter; the others none.
func TestSubmissionsNameTheirSubmitter(t *testing.T) {
	x, y := 3, 4
	h := func(s domain.HazardState) *ent.Hazard {
		return &ent.Hazard{State: s, SubmittedByID: &x, ExtensionRequestedByID: &y}
	}
	for _, c := range []struct {
		h    *ent.Hazard
		a    domain.HazardAction
		want *int
	}{
		{h(domain.HazardSubmitted), domain.HazardClose, &x},
		{h(domain.HazardSubmitted), domain.HazardReject, &x},
		{h(domain.HazardPlanSubmitted), domain.HazardApprovePlan, &x},
		{h(domain.HazardRectifying), domain.HazardApproveExtension, &y},
		{h(domain.HazardRectifying), domain.HazardRejectExtension, &y},
		{h(domain.HazardReported), domain.HazardCloseOnSpot, nil},
		{h(domain.HazardRectifying), domain.HazardClose, nil},
		{h(domain.HazardRectifying), domain.HazardLiftSupervision, nil},
	} {
		if got := submitterOf(c.h, c.a); (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
			t.Errorf("%s of a %s hazard: submitter %v, want %v", c.a, c.h.State, got, c.want)
		}
	}
}
