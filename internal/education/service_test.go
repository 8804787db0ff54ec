package education_test

// The education service on every available database, on one demo county
// each: the training coverage agrees with the seed's gaps and costs a fixed
// number of statements whatever the number of trainees; the publicity
// summary adds up to the seed's counts; refused writes write nothing.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/trainee"
	"github.com/dutychain/dutychain/ent/training"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/db"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/education"
	"github.com/dutychain/dutychain/internal/seed"
	"github.com/dutychain/dutychain/internal/testdb"
)

// countingClient is a client on d whose statements n counts.
func countingClient(d *db.DB, n *atomic.Int64) *ent.Client {
	drv := dialect.DebugWithContext(entsql.OpenDB(d.Dialect, d.SQL), func(_ context.Context, args ...any) {
		s := fmt.Sprint(args...)
		if strings.HasPrefix(s, "driver.Query") || strings.HasPrefix(s, "driver.Exec") || strings.HasPrefix(s, "Tx(") {
			n.Add(1)
		}
	})
	return ent.NewClient(ent.Driver(drv))
}

// demo seeds d and returns a function signing in a demo user.
func demo(t *testing.T, d *db.DB) (*seed.Built, func(username string) context.Context) {
	ctx := context.Background()
	if _, err := seed.Demo(ctx, d.Client); err != nil {
		t.Fatal(err)
	}
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
	return b, func(username string) context.Context {
		v, err := authz.LoadViewer(ctx, d.Client, store.Current(), b.Users[username], b.TenantID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return authz.NewContext(ctx, v)
	}
}

// addTrainees trains count more people of every enterprise in July 2022
// (the third quarter: no gap closes), as the system, in one training.
func addTrainees(t *testing.T, client *ent.Client, b *seed.Built, count int) {
	ctx := authz.SystemContext(context.Background())
	var ins []education.TraineeInput
	for code, id := range b.Units {
		if strings.HasPrefix(code, "ENT-") || strings.HasPrefix(code, "FUEL-") {
			for i := range count {
				ins = append(ins, education.TraineeInput{PersonName: fmt.Sprintf("学员%d", i), EnterpriseUnitID: id,
					PostKind: domain.TraineeEmployee})
			}
		}
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := tx.Client()
	tr, err := c.Training.Create().SetTenantID(b.TenantID).SetOrganiserUnitID(b.Units[seed.CodeDeptIndustryCommerce]).
		SetHeldOn(time.Date(2022, time.July, 1, 0, 0, 0, 0, time.UTC)).SetYear(2022).SetTopic("批量培训").SetHours(2).
		SetAssessed(false).SetTraineeCount(len(ins)).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := education.WriteTrainees(ctx, c, tr, ins); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestEducationService(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		b, as := demo(t, d)
		var n atomic.Int64
		svc := &education.Service{Client: countingClient(d, &n), Dialect: d.Dialect,
			Now: func() time.Time { return time.Date(2023, time.May, 20, 0, 0, 0, 0, time.UTC) }}
		head := as("county.head")
		coverage := func(ctx context.Context, in education.CoverageInput) (*education.Coverage, int64) {
			t.Helper()
			n.Store(0)
			cov, err := svc.Coverage(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			return cov, n.Load()
		}
		gap := domain.CoverageGap

		t.Run("the 2022 gaps are the seed's, every other enterprise covered every quarter", func(t *testing.T) {
			cov, _ := coverage(head, education.CoverageInput{Year: 2022, Status: &gap, First: 100})
			var codes []string
			for _, r := range cov.Rows {
				codes = append(codes, r.Enterprise.Code)
				if len(r.Missing) == 0 || r.Status != domain.CoverageGap {
					t.Errorf("%s is a gap without missing quarters: %+v", r.Enterprise.Code, r)
				}
			}
			slices.Sort(codes)
			want := slices.Sorted(slices.Values(seed.TrainingGaps2022))
			if !slices.Equal(codes, want) {
				t.Errorf("gaps %v, want %v", codes, want)
			}
			all, _ := coverage(head, education.CoverageInput{Year: 2022, First: 0})
			if all.Summary.Gaps != len(want) || all.Summary.Covered != all.Summary.Enterprises-len(want) {
				t.Errorf("summary %+v, want %d gaps", all.Summary, len(want))
			}
		})
		t.Run("the biotech plant missed the second half-year", func(t *testing.T) {
			bio := b.Units[seed.CodeBio]
			cov, _ := coverage(head, education.CoverageInput{Year: 2022, UnitID: &bio, First: 10})
			if len(cov.Rows) != 1 || !slices.Equal(cov.Rows[0].Quarters, []int{1, 2}) || !slices.Equal(cov.Rows[0].Missing, []int{3, 4}) {
				t.Fatalf("rows %+v", cov.Rows)
			}
			r := cov.Rows[0]
			if r.Trainees != 3 || r.Hours != 12 || r.Trainings != 2 {
				t.Errorf("trainees %d hours %d trainings %d, want 3, 12, 2", r.Trainees, r.Hours, r.Trainings)
			}
		})
		t.Run("2023 counts only the months before May, monthly", func(t *testing.T) {
			cov, _ := coverage(head, education.CoverageInput{Year: 2023, Cadence: domain.CadenceMonthly, First: 500})
			for _, r := range cov.Rows {
				if r.Status != domain.CoverageGap || slices.ContainsFunc(r.Missing, func(m int) bool { return m > 4 }) {
					t.Fatalf("%s: %+v", r.Enterprise.Code, r)
				}
			}
		})
		t.Run("a town head counts its own town's enterprises only", func(t *testing.T) {
			cov, _ := coverage(as("chengguan.head"), education.CoverageInput{Year: 2022, First: 500})
			for _, r := range cov.Rows {
				if !strings.HasPrefix(r.Enterprise.ScopePath, "/") || r.Enterprise.ParentID == nil || *r.Enterprise.ParentID != b.Units[seed.CodeTownChengguan] {
					t.Errorf("%s is not of 城关镇", r.Enterprise.Name)
				}
			}
			if len(cov.Rows) == 0 || len(cov.Rows) != cov.TotalCount {
				t.Errorf("%d rows of %d", len(cov.Rows), cov.TotalCount)
			}
		})

		t.Run("the statements do not grow with the trainees", func(t *testing.T) {
			small, before := coverage(head, education.CoverageInput{Year: 2022, First: 20})
			addTrainees(t, d.Client, b, 20)
			large, after := coverage(head, education.CoverageInput{Year: 2022, First: 20})
			t.Logf("%s: %d statements for %d trainees, %d for %d", testdb.Name(d.Dialect), before, small.Summary.Trainees, after, large.Summary.Trainees)
			if before != after || after != 3 {
				t.Errorf("statements %d → %d, want 3", before, after)
			}
			if large.Summary.Gaps != len(seed.TrainingGaps2022) || large.Summary.Trainees != small.Summary.Trainees+20*large.Summary.Enterprises || !large.HasNextPage {
				t.Errorf("after the July training: %+v, more %t", large.Summary, large.HasNextPage)
			}
			next, _ := coverage(head, education.CoverageInput{Year: 2022, First: 20, After: large.EndCursor})
			if len(next.Rows) != 20 || next.Rows[0].Enterprise.ID == large.Rows[0].Enterprise.ID || !next.HasPreviousPage {
				t.Errorf("the second page repeats the first")
			}
			last := 5
			tail, _ := coverage(head, education.CoverageInput{Year: 2022, Last: &last})
			if len(tail.Rows) != 5 || tail.HasNextPage || tail.Rows[4].Cursor != education.CursorAt(large.TotalCount) {
				t.Errorf("the last page: %d rows, more %t", len(tail.Rows), tail.HasNextPage)
			}
		})

		t.Run("the bureau's 2022 publicity adds up to the seed's counts", func(t *testing.T) {
			n.Store(0)
			sum, err := svc.Summary(as("bureau.chief"), education.SummaryInput{OrganiserUnitID: b.Units[seed.CodeDeptIndustryCommerce],
				From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2022, 12, 31, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if sum.EnterprisesVisited != seed.PublicityVisited2022 || sum.Materials != seed.PublicityMaterials2022 || sum.Activities != 6 {
				t.Errorf("summary %+v, want %d enterprises and %d copies", sum, seed.PublicityVisited2022, seed.PublicityMaterials2022)
			}
			if n.Load() != 2 {
				t.Errorf("%d statements, want 2", n.Load())
			}
			county, err := svc.Summary(head, education.SummaryInput{OrganiserUnitID: b.Units[seed.CodeCounty], IncludeBelow: true,
				From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2022, 12, 31, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if county.Activities != 8 || county.Materials != seed.PublicityMaterials2022+210 || county.EnterprisesVisited != seed.PublicityVisited2022 {
				t.Errorf("the county's summary with the units below %+v", county)
			}
		})

		t.Run("a trainee of an enterprise out of the organiser's sight writes nothing", func(t *testing.T) {
			sys := authz.SystemContext(context.Background())
			before, err := d.Client.Trainee.Query().Count(sys)
			if err != nil {
				t.Fatal(err)
			}
			in := education.TrainingInput{OrganiserUnitID: b.Units[seed.CodeTownChengguan], HeldOn: time.Date(2023, 5, 8, 0, 0, 0, 0, time.UTC),
				Topic: "培训", Hours: 2, Trainees: []education.TraineeInput{
					{PersonName: "甲", EnterpriseUnitID: b.Units[seed.CodeHotel], PostKind: domain.TraineeEmployee},
					{PersonName: "乙", EnterpriseUnitID: b.Units[seed.CodePaper], PostKind: domain.TraineeEmployee}}}
			_, err = svc.RecordTraining(as("chengguan.head"), in)
			if apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("got %v, want NOT_FOUND", err)
			}
			after, _ := d.Client.Trainee.Query().Count(sys)
			trainings, _ := d.Client.Training.Query().Where(training.Topic("培训")).Count(sys)
			if after != before || trainings != 0 {
				t.Errorf("trainees %d → %d, %d trainings written", before, after, trainings)
			}
		})
		t.Run("an update replaces the trainees, a delete removes them", func(t *testing.T) {
			ctx := as("cement.principal")
			cement := b.Units[seed.CodeCement]
			in := education.TrainingInput{OrganiserUnitID: cement, HeldOn: time.Date(2023, 5, 8, 0, 0, 0, 0, time.UTC),
				Topic: "班组安全培训", Hours: 2, Assessed: true, Trainees: []education.TraineeInput{
					{PersonName: "甲", EnterpriseUnitID: cement, PostKind: domain.TraineeEmployee, Assessment: domain.AssessmentPassed}}}
			tr, err := svc.RecordTraining(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			in.Trainees = append(in.Trainees, education.TraineeInput{PersonName: "乙", EnterpriseUnitID: cement,
				PostKind: domain.TraineeEmployee, Assessment: domain.AssessmentFailed})
			if _, err := svc.UpdateTraining(ctx, tr.ID, in); err != nil {
				t.Fatal(err)
			}
			sys := authz.SystemContext(context.Background())
			if k, _ := d.Client.Trainee.Query().Where(trainee.TrainingID(tr.ID)).Count(sys); k != 2 {
				t.Errorf("%d trainees after the update, want 2", k)
			}
			if err := svc.DeleteTraining(ctx, tr.ID); err != nil {
				t.Fatal(err)
			}
			if k, _ := d.Client.Trainee.Query().Where(trainee.TrainingID(tr.ID)).Count(sys); k != 0 {
				t.Errorf("%d trainees after the delete", k)
			}
		})
	})
}
