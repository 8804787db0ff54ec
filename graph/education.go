package graph

import (
	"context"
	"errors"

	"github.com/vikstrous/dataloadgen"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/publicityvisit"
	"github.com/dutychain/dutychain/ent/trainee"
	"github.com/dutychain/dutychain/ent/training"
	"github.com/dutychain/dutychain/graph/model"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/education"
)

// educationLoaders batch the parts of trainings and publicity for a page.
type educationLoaders struct {
	// trainees of trainings, the ones the caller reads, by training id.
	trainees childLoader[*ent.Trainee]
	// visits of publicity activities, by activity id.
	visits childLoader[*ent.PublicityVisit]
	// attended loads trainings as the system: it serves Trainee.training
	// only, whose trainee the caller has read (an enterprise reads the
	// training through its trainees).
	attended mappedLoader[int, *ent.Training]
	// traineeCounts and visitCounts count, by record id, the trainees and
	// the visited enterprises the caller reads: one grouped statement per
	// page, asked only for the records whose stored count the caller is not
	// certain to read whole (education.TraineesReadAll, VisitedReadAll).
	traineeCounts, visitCounts mappedLoader[int, int]
}

func newEducationLoaders(client *ent.Client) educationLoaders {
	return educationLoaders{
		trainees: newChildLoader(func(ctx context.Context, ids []int) ([]*ent.Trainee, error) {
			return client.Trainee.Query().Where(trainee.TrainingIDIn(ids...)).
				Order(ent.Asc(trainee.FieldEnterpriseUnitID), ent.Asc(trainee.FieldPersonName), ent.Asc(trainee.FieldID)).All(ctx)
		}, func(t *ent.Trainee) int { return t.TrainingID }),
		visits: newChildLoader(func(ctx context.Context, ids []int) ([]*ent.PublicityVisit, error) {
			return client.PublicityVisit.Query().Where(publicityvisit.PublicityIDIn(ids...)).
				Order(ent.Asc(publicityvisit.FieldID)).All(ctx)
		}, func(v *ent.PublicityVisit) int { return v.PublicityID }),
		attended: newMappedLoader(func(ctx context.Context, ids []int) (map[int]*ent.Training, error) {
			ts, err := client.Training.Query().Where(training.IDIn(ids...)).All(authz.SystemContext(ctx))
			if err != nil {
				return nil, err
			}
			out := make(map[int]*ent.Training, len(ts))
			for _, t := range ts {
				out[t.ID] = t
			}
			return out, nil
		}),
		traineeCounts: newMappedLoader(func(ctx context.Context, ids []int) (map[int]int, error) {
			return zeroFilled(ids)(education.CountTrainees(ctx, client, ids))
		}),
		visitCounts: newMappedLoader(func(ctx context.Context, ids []int) (map[int]int, error) {
			return zeroFilled(ids)(education.CountVisited(ctx, client, ids))
		}),
	}
}

// zeroFilled gives every id of ids a count, 0 where counts has none (a
// record none of whose parts the caller reads).
func zeroFilled(ids []int) func(map[int]int, error) (map[int]int, error) {
	return func(counts map[int]int, err error) (map[int]int, error) {
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			counts[id] += 0
		}
		return counts, nil
	}
}

// traineeCount is how many trainees of t the caller reads: t's stored
// count when it certainly reads them all, else its readable trainees
// counted with those of the page. An enterprise reading a training through
// its own trainees (Trainee.training) counts only those.
func (r *Resolver) traineeCount(ctx context.Context, t *ent.Training) (int, error) {
	if education.TraineesReadAll(ctx, t) {
		return t.TraineeCount, nil
	}
	return loadersFrom(ctx, r.Client).edu.traineeCounts.Load(ctx, t.ID)
}

// enterpriseCount is how many enterprises visited by p the caller reads:
// p's stored count when it certainly reads them all, else the visits whose
// enterprise it reads, counted with those of the page.
func (r *Resolver) enterpriseCount(ctx context.Context, p *ent.Publicity) (int, error) {
	if education.VisitedReadAll(ctx, p) {
		return p.EnterpriseCount, nil
	}
	return loadersFrom(ctx, r.Client).edu.visitCounts.Load(ctx, p.ID)
}

// traineesOf converts the trainees of a training input.
func traineesOf(in []*model.TraineeInput) []education.TraineeInput {
	out := make([]education.TraineeInput, len(in))
	for i, t := range in {
		out[i] = education.TraineeInput{PersonName: t.PersonName, EnterpriseUnitID: t.EnterpriseUnitID,
			PostKind: t.PostKind, UserID: t.UserID, Assessment: derefOr(t.Assessment, "")}
	}
	return out
}

// trainingCoverageInput converts trainingCoverage's arguments.
func trainingCoverageInput(year int, cadence *domain.TrainingCadence, where *model.TrainingCoverageWhereInput,
	orderBy *model.TrainingCoverageOrder, first *int, after *ent.Cursor, last *int, before *ent.Cursor) education.CoverageInput {
	in := education.CoverageInput{Year: year, Cadence: derefOr(cadence, domain.CadenceQuarterly), First: derefOr(first, 50),
		After: coverageCursorValue(after), Last: last, Before: coverageCursorValue(before), Order: education.ByName}
	if orderBy != nil {
		in.Order = education.CoverageOrder(orderBy.Field)
	}
	if where != nil {
		in.UnitID, in.TownID, in.Sectors, in.Status = where.UnitID, where.TownID, where.Sectors, where.Status
	}
	return in
}

// trainingCoverageConnection converts a coverage page.
func trainingCoverageConnection(c *education.Coverage) *model.TrainingCoverageConnection {
	out := &model.TrainingCoverageConnection{TotalCount: c.TotalCount, Summary: &c.Summary,
		PageInfo: &ent.PageInfo{HasNextPage: c.HasNextPage, HasPreviousPage: c.HasPreviousPage}, Edges: []*model.TrainingCoverageEdge{}}
	if c.EndCursor != "" {
		out.PageInfo.StartCursor, out.PageInfo.EndCursor = coverageCursor(c.StartCursor), coverageCursor(c.EndCursor)
	}
	for i := range c.Rows {
		out.Edges = append(out.Edges, &model.TrainingCoverageEdge{Cursor: *coverageCursor(c.Rows[i].Cursor), Node: &c.Rows[i]})
	}
	return out
}

func (r *Resolver) trainingAllowed(ctx context.Context, t *ent.Training) ([]model.TrainingAction, error) {
	if signedIn(ctx) == nil {
		return []model.TrainingAction{}, nil
	}
	ld := loadersFrom(ctx, r.Client)
	o, err := ld.object(ctx, "training", t.TenantID, t.ScopePath, t.ScopeSector, t.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	u, err := t.Edges.Organiser, error(nil)
	if u == nil { // not loaded with the page
		if u, err = ld.loadUnit(ctx, t.OrganiserUnitID); err != nil {
			return nil, err
		}
	}
	// The trainees the caller reads: a training is changed only by one
	// who reads them all (education.MayChangeTraining).
	read, err := ld.edu.trainees.Load(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	may := func(action string) error {
		if u == nil {
			return errUnreadable
		}
		return education.MayChangeTraining(ctx, t, o, authz.PlaceOf(u), u.Name, action, len(read))
	}
	return when(decided(model.TrainingActionUpdate, may("update")), decided(model.TrainingActionDelete, may("delete")),
		decided(model.TrainingActionAttach, may("attach"))), nil
}

func (r *Resolver) publicityAllowed(ctx context.Context, p *ent.Publicity) ([]model.PublicityAction, error) {
	if signedIn(ctx) == nil {
		return []model.PublicityAction{}, nil
	}
	ld := loadersFrom(ctx, r.Client)
	o, err := ld.object(ctx, "publicity", p.TenantID, p.ScopePath, p.ScopeSector, p.ScopeEnterpriseID)
	if err != nil {
		return nil, err
	}
	u, err := p.Edges.Organiser, error(nil)
	if u == nil { // not loaded with the page
		if u, err = ld.loadUnit(ctx, p.OrganiserUnitID); err != nil {
			return nil, err
		}
	}
	// The visited enterprises the caller reads: an activity is changed
	// only by one who reads them all (education.MayChangePublicity).
	visits, err := ld.edu.visits.Load(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]int, len(visits))
	for i, v := range visits {
		ids[i] = v.EnterpriseUnitID
	}
	read, err := loadUnits(ctx, ld, ids)
	if err != nil {
		return nil, err
	}
	may := func(action string) error {
		if u == nil {
			return errUnreadable
		}
		return education.MayChangePublicity(ctx, p, o, authz.PlaceOf(u), u.Name, action, len(read))
	}
	return when(decided(model.PublicityActionUpdate, may("update")), decided(model.PublicityActionDelete, may("delete")),
		decided(model.PublicityActionAttach, may("attach"))), nil
}

// loadUnits loads units in one batch, leaving out those outside the
// caller's scope.
func loadUnits(ctx context.Context, l *Loaders, ids []int) ([]*ent.Unit, error) {
	us, err := l.units.LoadAll(ctx, ids)
	var each dataloadgen.ErrorSlice
	if errors.As(err, &each) {
		for _, e := range each {
			if e != nil && !errors.Is(e, dataloadgen.ErrNotFound) {
				return nil, e
			}
		}
	} else if err != nil {
		return nil, err
	}
	out := []*ent.Unit{}
	for _, u := range us {
		if u != nil {
			out = append(out, u)
		}
	}
	return out, nil
}
