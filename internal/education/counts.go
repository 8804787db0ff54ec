package education

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/publicityvisit"
	"github.com/dutychain/dutychain/ent/trainee"
	"github.com/dutychain/dutychain/ent/unit"
)

// The totals of a training (traineeCount) and of a publicity activity
// (enterpriseCount) are stored counts of all their parts, but a caller is
// told only the parts it reads: out-of-scope trainees and enterprises do not
// exist for it, and totals do not count them (docs/AUTHZ.md, "Totals of
// parts"). A page of records costs at most one statement (TraineesRead, and
// the graph's loaders over CountTrainees and CountVisited), none when the
// caller certainly reads every part (TraineesReadAll, VisitedReadAll).

// TraineesReadAll reports whether the caller reads every trainee of t, so
// that t.TraineeCount is its total: it holds a post with no sectors at the
// organiser or above it (the trainees carry the organiser's path as their
// issuer path, and the issuer side reads them whatever their enterprise).
func TraineesReadAll(ctx context.Context, t *ent.Training) bool {
	return authz.FromContext(ctx).ReadsAllUnder("training", t.ScopePath)
}

// TraineesRead counts the trainees of each training of ts the caller reads:
// the stored count where TraineesReadAll, else the trainees counted through
// the caller's scope, one grouped statement for all of them.
func TraineesRead(ctx context.Context, client *ent.Client, ts []*ent.Training) (map[int]int, error) {
	out := make(map[int]int, len(ts))
	var rest []int
	for _, t := range ts {
		if TraineesReadAll(ctx, t) {
			out[t.ID] = t.TraineeCount
		} else {
			out[t.ID], rest = 0, append(rest, t.ID)
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	n, err := CountTrainees(ctx, client, rest)
	for id, c := range n {
		out[id] = c
	}
	return out, err
}

// CountTrainees counts, by training id, the trainees of the trainings ids
// the caller reads (through the read filter), in one statement; a training
// none of whose trainees the caller reads is absent.
func CountTrainees(ctx context.Context, client *ent.Client, ids []int) (map[int]int, error) {
	var rows []struct {
		TrainingID int `json:"training_id"`
		Count      int `json:"count"`
	}
	if err := client.Trainee.Query().Where(trainee.TrainingIDIn(ids...)).
		GroupBy(trainee.FieldTrainingID).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[int]int, len(rows))
	for _, r := range rows {
		out[r.TrainingID] = r.Count
	}
	return out, nil
}

// VisitedReadAll reports whether the caller reads every enterprise p
// visited, so that p.EnterpriseCount is its total. A visit carries its
// activity's scope, not its enterprise's, and an enterprise visited may
// since have moved or lost its supervising department: only a post with no
// sectors at the tenant root, which reads every unit of the tenant, is
// certain to read them all.
func VisitedReadAll(ctx context.Context, p *ent.Publicity) bool {
	return authz.FromContext(ctx).ReadsAllUnder("unit", authz.TenantRootPath(p.ScopePath))
}

// CountVisited counts, by activity id, the visits of the activities ids
// whose enterprise the caller reads, in one statement; an activity none of
// whose enterprises the caller reads is absent.
func CountVisited(ctx context.Context, client *ent.Client, ids []int) (map[int]int, error) {
	var rows []struct {
		PublicityID int `json:"publicity_id"`
		Count       int `json:"count"`
	}
	if err := client.PublicityVisit.Query().Where(publicityvisit.PublicityIDIn(ids...), ReadableEnterprise(ctx, publicityvisit.FieldEnterpriseUnitID)).
		GroupBy(publicityvisit.FieldPublicityID).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[int]int, len(rows))
	for _, r := range rows {
		out[r.PublicityID] = r.Count
	}
	return out, nil
}

// ReadableEnterprise keeps the rows whose column col names a unit the
// caller reads: col IN (SELECT id FROM units WHERE <the caller's unit read
// filter>). Nobody in the context reads none.
func ReadableEnterprise(ctx context.Context, col string) func(*sql.Selector) {
	v := authz.FromContext(ctx)
	return func(s *sql.Selector) {
		if v == nil {
			s.Where(sql.False())
			return
		}
		units := sql.Select(unit.FieldID).From(sql.Table(unit.Table))
		if !v.IsSystem() {
			v.Predicate("unit", "read")(units)
		}
		s.Where(sql.In(s.C(col), units))
	}
}
