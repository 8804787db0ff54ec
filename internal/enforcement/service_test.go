package enforcement_test

// The service on the demo county, on SQLite and PostgreSQL: bad input is
// refused with every problem at once before anything is read, an issued
// order's hazards are linked with its scope, and two steps at once on one
// action leave exactly one of them written.

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent/enforcementaction"
	"github.com/dutychain/dutychain/ent/enforcementhazard"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/enforcement"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb/demodb"
)

// as is a context of demo user in a tenant whose policy is current.
func as(t *testing.T, d *db.DB, user string) context.Context {
	t.Helper()
	ctx := context.Background()
	b, err := seed.Load(ctx, d.Client, seed.TenantDemo)
	if err != nil {
		t.Fatal(err)
	}
	if err := authz.EnsureTenant(ctx, d.Client, b.TenantID); err != nil {
		t.Fatal(err)
	}
	store, err := authz.NewStore(ctx, d.Client, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := authz.LoadViewer(ctx, d.Client, store.Current(), b.Users[user], b.TenantID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return authz.NewContext(ctx, v)
}

func problems(err error) int {
	var ps apperr.Problems
	if errors.As(err, &ps) {
		return len(ps)
	}
	return 1
}

func TestService(t *testing.T) {
	demodb.Each(t, func(t *testing.T, d *db.DB) {
		now := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
		svc := &enforcement.Service{Client: d.Client, Now: func() time.Time { return now }}
		ctx := as(t, d, "bureau.fuel")
		sys := authz.SystemContext(context.Background())
		seedOrder, err := d.Client.EnforcementAction.Query().Where(enforcementaction.DocumentNumber(seed.SeedOrderNumber)).Only(sys)
		if err != nil {
			t.Fatal(err)
		}
		links, err := d.Client.EnforcementHazard.Query().Where(enforcementhazard.EnforcementActionID(seedOrder.ID)).All(sys)
		if err != nil || len(links) != 1 {
			t.Fatalf("the seed order's hazard links: %v, %v", links, err)
		}

		t.Run("bad input is refused with every problem at once", func(t *testing.T) {
			zero := 0
			_, err := svc.Issue(ctx, enforcement.IssueInput{Kind: domain.AdministrativePenalty, Amount: &zero,
				IssuedOn: now.AddDate(0, 0, 1), HazardIDs: []int{7, 7}})
			if apperr.CodeOf(err) != apperr.BadUserInput || problems(err) != 6 {
				t.Fatalf("got %v (%d problems)", err, problems(err))
			}
		})

		in := enforcement.IssueInput{IssuerUnitID: seedOrder.IssuerUnitID, InspectionID: seedOrder.InspectionID,
			Kind: domain.RectificationOrder, DocumentNumber: "工信执改〔2024〕5号", IssuedOn: now.AddDate(0, 0, -30),
			Deadline: ptr(now.AddDate(0, 0, -1)), Findings: "复查不合格", HazardIDs: []int{links[0].HazardID}}
		a, err := svc.Issue(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the order carries the target's scope and the issuer's side, its hazard link the hazard's scope", func(t *testing.T) {
			l, err := d.Client.EnforcementHazard.Query().Where(enforcementhazard.EnforcementActionID(a.ID)).Only(sys)
			if err != nil {
				t.Fatal(err)
			}
			h, err := d.Client.Hazard.Get(sys, l.HazardID)
			if err != nil {
				t.Fatal(err)
			}
			if a.ScopePath != seedOrder.ScopePath || a.IssuerScopePath == nil {
				t.Fatalf("action %+v", a)
			}
			if l.TenantID != h.TenantID || l.ScopePath != h.ScopePath || !reflect.DeepEqual(l.ScopeSector, h.ScopeSector) ||
				!reflect.DeepEqual(l.ScopeEnterpriseID, h.ScopeEnterpriseID) || l.IssuerScopePath != nil || l.IssuerOnly {
				t.Fatalf("hazard %+v, link %+v", h, l)
			}
		})
		t.Run("the same number again in the year is refused", func(t *testing.T) {
			if _, err := svc.Issue(ctx, in); apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("of two steps at once exactly one is written", func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, step := range []domain.EnforcementStep{domain.StepComply, domain.StepMarkOverdue} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = svc.Transition(ctx, enforcement.TransitionInput{EnforcementActionID: a.ID, Step: step})
				}()
			}
			wg.Wait()
			failed := 0
			for _, err := range errs {
				if err != nil {
					failed++
					if c := apperr.CodeOf(err); c != apperr.Conflict && c != apperr.BadUserInput {
						t.Fatalf("the loser got %v", err)
					}
				}
			}
			cur, err := d.Client.EnforcementAction.Get(sys, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := domain.EnforcementComplied
			if errs[0] != nil {
				want = domain.EnforcementOverdue
			}
			if failed != 1 || cur.State != want {
				t.Fatalf("errors %v, state %s", errs, cur.State)
			}
		})
	})
}

func ptr(t time.Time) *time.Time { return &t }
