package inspections_test

// Follow-up inspections (事后督查) on the demo county, on SQLite and
// PostgreSQL: the outcome per hazard is recorded, a rectified SUBMITTED
// hazard is closed through the hazard state machine, and every refusal is
// coded and writes nothing.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/followupcheck"
	"github.com/dutychain/dutychain/ent/hazard"
	"github.com/dutychain/dutychain/ent/inspection"
	"github.com/dutychain/dutychain/internal/apitest"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/hazards"
	"github.com/dutychain/dutychain/internal/inspections"
	"github.com/dutychain/dutychain/internal/seed"
)

var sys = authz.SystemContext(context.Background())

// world is the seeded demo county with a way to act as its users.
type world struct {
	t     *testing.T
	d     *db.DB
	demo  *seed.Built
	store *authz.Store
	svc   *inspections.Service
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
	return &world{t: t, d: d, demo: demo, store: store, svc: &inspections.Service{Client: d.Client, Now: time.Now}}
}

func (w *world) as(user string) context.Context {
	w.t.Helper()
	v, err := authz.LoadViewer(context.Background(), w.d.Client, w.store.Current(), w.demo.Users[user], w.demo.TenantID, time.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return authz.NewContext(context.Background(), v)
}

func (w *world) openHazardOf(code string) *ent.Hazard {
	w.t.Helper()
	h, err := w.d.Client.Hazard.Query().Where(hazard.SubjectID(w.demo.Units[code]), hazard.StateNEQ(domain.HazardClosed)).First(sys)
	if err != nil {
		w.t.Fatal(err)
	}
	return h
}

// rows counts inspections and follow-up checks.
func (w *world) rows() [2]int {
	i, err := w.d.Client.Inspection.Query().Count(sys)
	if err != nil {
		w.t.Fatal(err)
	}
	f, err := w.d.Client.FollowUpCheck.Query().Count(sys)
	if err != nil {
		w.t.Fatal(err)
	}
	return [2]int{i, f}
}

// followUp is a FOLLOW_UP inspection of target by the bureau's team.
func (w *world) followUp(target string, typ inspection.Type, fs ...inspections.FollowUp) inspections.InspectionInput {
	bureau, tgt := w.demo.Units[seed.CodeDeptIndustryCommerce], w.demo.Units[target]
	return inspections.InspectionInput{Type: &typ, InspectingUnitID: &bureau, TargetID: &tgt,
		InspectorIDs: []int{w.demo.Users["bureau.inspector1"], w.demo.Users["bureau.inspector2"]},
		InspectedOn:  time.Now().UTC().Add(-time.Hour), Conclusion: "事后督查", FollowUps: fs}
}

func codeOf(err error) apperr.Code {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestFollowUpInspections(t *testing.T) {
	apitest.Demo.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		market := w.openHazardOf(seed.CodeSupermarket)
		fruit := w.openHazardOf(seed.CodeFruit)
		// The supermarket submits its rectification (the system stands in
		// for its enterprise side).
		hz := &hazards.Service{Client: d.Client, Now: time.Now}
		if _, err := hz.Transition(sys, market.ID, hazards.TransitionInput{Action: domain.HazardSubmit, Note: "整改完成"}); err != nil {
			t.Fatal(err)
		}

		t.Run("a rectified SUBMITTED hazard is closed by the follow-up", func(t *testing.T) {
			rec, err := w.svc.RecordInspection(w.as("bureau.chief"), w.followUp(seed.CodeSupermarket, inspection.TypeFOLLOW_UP,
				inspections.FollowUp{HazardID: market.ID, Outcome: domain.FollowUpRectified, Note: "货架已移除"}))
			if err != nil {
				t.Fatal(err)
			}
			h, err := d.Client.Hazard.Get(sys, market.ID)
			if err != nil || h.State != domain.HazardClosed || h.ClosedAt == nil {
				t.Fatalf("hazard after the follow-up %+v, %v", h, err)
			}
			checks, err := d.Client.FollowUpCheck.Query().Where(followupcheck.InspectionID(rec.ID)).All(sys)
			if err != nil || len(checks) != 1 || checks[0].StateBefore != "SUBMITTED" || checks[0].StateAfter != "CLOSED" ||
				checks[0].Outcome != domain.FollowUpRectified || checks[0].ScopePath != rec.ScopePath {
				t.Fatalf("checks %+v, %v", checks, err)
			}
		})

		t.Run("a partly rectified hazard is recorded and stays where it is", func(t *testing.T) {
			_, err := w.svc.RecordInspection(w.as("bureau.chief"), w.followUp(seed.CodeFruit, inspection.TypeFOLLOW_UP,
				inspections.FollowUp{HazardID: fruit.ID, Outcome: domain.FollowUpPartly}))
			if err != nil {
				t.Fatal(err)
			}
			h, err := d.Client.Hazard.Get(sys, fruit.ID)
			if err != nil || h.State != fruit.State {
				t.Fatalf("hazard %+v, %v", h, err)
			}
		})

		refusals := []struct {
			name  string
			user  string
			in    inspections.InspectionInput
			code  apperr.Code
			field string
		}{
			{"a hazard of another enterprise is refused", "bureau.chief", w.followUp(seed.CodeSupermarket, inspection.TypeFOLLOW_UP,
				inspections.FollowUp{HazardID: fruit.ID, Outcome: domain.FollowUpRectified}), apperr.BadUserInput, "followUps[0].hazardID"},
			{"a closed hazard is refused", "bureau.chief", w.followUp(seed.CodeSupermarket, inspection.TypeFOLLOW_UP,
				inspections.FollowUp{HazardID: market.ID, Outcome: domain.FollowUpRectified}), apperr.BadUserInput, "followUps[0].hazardID"},
			{"a follow-up naming no hazard is refused", "bureau.chief", w.followUp(seed.CodeFruit, inspection.TypeFOLLOW_UP),
				apperr.BadUserInput, "followUps"},
			{"another type naming hazards is refused", "bureau.chief", w.followUp(seed.CodeFruit, inspection.TypeSPECIAL,
				inspections.FollowUp{HazardID: fruit.ID, Outcome: domain.FollowUpPartly}), apperr.BadUserInput, "followUps"},
			{"a hazard named twice is refused", "bureau.chief", w.followUp(seed.CodeFruit, inspection.TypeFOLLOW_UP,
				inspections.FollowUp{HazardID: fruit.ID, Outcome: domain.FollowUpPartly},
				inspections.FollowUp{HazardID: fruit.ID, Outcome: domain.FollowUpRectified}), apperr.BadUserInput, "followUps[1].hazardID"},
			{"an unknown outcome is refused", "bureau.chief", w.followUp(seed.CodeFruit, inspection.TypeFOLLOW_UP,
				inspections.FollowUp{HazardID: fruit.ID, Outcome: "DONE"}), apperr.BadUserInput, "followUps[0].outcome"},
			{"the inspected side records no follow-up", "cement.principal", w.followUp(seed.CodeFruit, inspection.TypeFOLLOW_UP,
				inspections.FollowUp{HazardID: fruit.ID, Outcome: domain.FollowUpPartly}), apperr.NotFound, ""},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				before := w.rows()
				_, err := w.svc.RecordInspection(w.as(r.user), r.in)
				var e *apperr.Error
				if codeOf(err) != r.code || (r.field != "" && (!errors.As(err, &e) || e.Field != r.field)) {
					t.Fatalf("got %v, want %s on %q", err, r.code, r.field)
				}
				if w.rows() != before {
					t.Error("a refused follow-up wrote rows")
				}
			})
		}
	})
}
