package hazards_test

// Assignments (交办) on the demo county, on SQLite and PostgreSQL: a
// government head assigns and reassigns, the assignee's posts see the
// hazard, and every refusal is coded and writes nothing.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/hazardassignment"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/hazards"
	"github.com/dutychain/dutychain/internal/seed"
)

// world is the seeded demo county with a way to act as its users.
type world struct {
	t     *testing.T
	d     *db.DB
	demo  *seed.Built
	store *authz.Store
	svc   *hazards.Service
}

func newWorld(t *testing.T, d *db.DB) *world {
	ctx := context.Background()
	demo, err := seed.Load(ctx, d.Client, seed.TenantDemo)
	if err != nil {
		t.Fatal(err)
	}
	if err := authz.EnsureTenant(ctx, d.Client, demo.TenantID); err != nil {
		t.Fatal(err)
	}
	store, err := authz.NewStore(ctx, d.Client, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, d: d, demo: demo, store: store, svc: &hazards.Service{Client: d.Client, Now: time.Now}}
}

// as is a context of the demo user.
func (w *world) as(user string) context.Context {
	w.t.Helper()
	v, err := authz.LoadViewer(context.Background(), w.d.Client, w.store.Current(), w.demo.Users[user], w.demo.TenantID, time.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return authz.NewContext(context.Background(), v)
}

// openHazardOf is the open hazard of the unit with code.
func (w *world) openHazardOf(code string) *ent.Hazard {
	w.t.Helper()
	h, err := w.d.Client.Hazard.Query().Where(hazard.SubjectID(w.demo.Units[code]), hazard.StateNEQ(domain.HazardClosed)).
		First(authz.SystemContext(context.Background()))
	if err != nil {
		w.t.Fatal(err)
	}
	return h
}

func (w *world) assignments() int {
	n, err := w.d.Client.HazardAssignment.Query().Count(authz.SystemContext(context.Background()))
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func codeOf(err error) apperr.Code {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestAssign(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		fruit := w.openHazardOf(seed.CodeFruit)
		bureau := w.demo.Units[seed.CodeDeptIndustryCommerce]
		xihe := w.demo.Units[seed.CodeTownXihe]
		soon := time.Now().UTC().AddDate(0, 0, 14)

		t.Run("a county head assigns to the supervising department, then reassigns to the town", func(t *testing.T) {
			h, err := w.svc.Assign(w.as("county.head"), hazards.AssignInput{HazardID: fruit.ID, AssigneeID: bureau, FollowUpOn: soon, Note: "限期督查"})
			if err != nil {
				t.Fatal(err)
			}
			if h.AssigneeID == nil || *h.AssigneeID != bureau || h.FollowUpOn == nil || h.State != fruit.State {
				t.Fatalf("assigned hazard %+v", h)
			}
			h, err = w.svc.Assign(w.as("county.head"), hazards.AssignInput{HazardID: fruit.ID, AssigneeID: xihe, FollowUpOn: soon.AddDate(0, 0, 7)})
			if err != nil {
				t.Fatal(err)
			}
			if *h.AssigneeID != xihe {
				t.Fatalf("reassigned to %d", *h.AssigneeID)
			}
			history, err := d.Client.HazardAssignment.Query().Where(hazardassignment.HazardID(fruit.ID)).
				Order(ent.Asc(hazardassignment.FieldID)).All(authz.SystemContext(context.Background()))
			if err != nil || len(history) != 2 || history[0].AssigneeID != bureau || history[1].AssigneeID != xihe ||
				history[0].AssignerID != w.demo.Units[seed.CodeCounty] {
				t.Fatalf("history %+v, %v", history, err)
			}
		})

		t.Run("the assignees' posts see the hazard", func(t *testing.T) {
			for _, user := range []string{"bureau.chief", "xihe.deputy"} {
				if _, err := d.Client.Hazard.Get(w.as(user), fruit.ID); err != nil {
					t.Errorf("%s does not see the assigned hazard: %v", user, err)
				}
			}
			got, err := hazards.Assignees(context.Background(), d.Client, fruit)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[int]bool{}
			for _, u := range got {
				ids[u.ID] = true
			}
			if len(got) != 2 || !ids[bureau] || !ids[xihe] {
				t.Errorf("assignees %v", ids)
			}
		})

		kiln := w.openHazardOf(seed.CodeCementKiln)
		refusals := []struct {
			name string
			user string
			in   hazards.AssignInput
			code apperr.Code
		}{
			{"the governed cannot assign their own hazard", "cement.principal",
				hazards.AssignInput{HazardID: kiln.ID, AssigneeID: bureau, FollowUpOn: soon}, apperr.Forbidden},
			{"an auditor assigns nothing", "auditor.county",
				hazards.AssignInput{HazardID: fruit.ID, AssigneeID: bureau, FollowUpOn: soon}, apperr.Forbidden},
			{"a hazard outside the caller's jurisdiction does not exist", "xihe.deputy",
				hazards.AssignInput{HazardID: kiln.ID, AssigneeID: xihe, FollowUpOn: soon}, apperr.NotFound},
			{"an assignee that would not see the hazard is refused", "county.head",
				hazards.AssignInput{HazardID: fruit.ID, AssigneeID: w.demo.Units[seed.CodeTownChengguan], FollowUpOn: soon}, apperr.BadUserInput},
			{"a follow-up date in the past is refused", "county.head",
				hazards.AssignInput{HazardID: fruit.ID, AssigneeID: bureau, FollowUpOn: time.Now().AddDate(0, 0, -3)}, apperr.BadUserInput},
			{"a follow-up date years ahead is refused", "county.head",
				hazards.AssignInput{HazardID: fruit.ID, AssigneeID: bureau, FollowUpOn: time.Now().AddDate(2, 0, 0)}, apperr.BadUserInput},
			{"an unknown assignee is not found", "county.head",
				hazards.AssignInput{HazardID: fruit.ID, AssigneeID: 1 << 40, FollowUpOn: soon}, apperr.NotFound},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				before := w.assignments()
				_, err := w.svc.Assign(w.as(r.user), r.in)
				if codeOf(err) != r.code {
					t.Fatalf("got %v, want %s", err, r.code)
				}
				if w.assignments() != before {
					t.Error("a refused assignment wrote a row")
				}
			})
		}

		t.Run("a closed hazard is not assigned", func(t *testing.T) {
			closed, err := d.Client.Hazard.Query().Where(hazard.StateEQ(domain.HazardClosed), hazard.ScopeEnterpriseIDNotNil()).
				First(authz.SystemContext(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.svc.Assign(w.as("county.head"), hazards.AssignInput{HazardID: closed.ID, AssigneeID: bureau, FollowUpOn: soon})
			if codeOf(err) != apperr.BadUserInput {
				t.Fatalf("got %v", err)
			}
		})
	})
}
