package education

import (
	"context"
	stdsql "database/sql"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/dutychain/dutychain/authz"
	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/publicity"
	"github.com/dutychain/dutychain/ent/publicityvisit"
	"github.com/dutychain/dutychain/internal/apperr"
	"github.com/dutychain/dutychain/internal/domain"
	"github.com/dutychain/dutychain/internal/kernel"
)

// SummaryInput names the organiser and the days of a publicity summary.
type SummaryInput struct {
	OrganiserUnitID int
	// IncludeBelow counts the activities of the units below the organiser.
	IncludeBelow bool
	// From and To are days, both counted.
	From, To time.Time
	Kinds    []domain.PublicityKind
}

// PublicitySummary counts the publicity of a unit over a period.
type PublicitySummary struct {
	Organiser          *ent.Unit
	Activities         int
	EnterprisesVisited int
	Materials          int
	Participants       int
}

// Summary answers publicitySummary with two SQL statements whatever the
// number of activities: the organiser, then the counts (the distinct
// enterprises visited that the caller reads, in a subquery), among the
// activities the caller reads.
func (s *Service) Summary(ctx context.Context, in SummaryInput) (*PublicitySummary, error) {
	v := authz.FromContext(ctx)
	if v == nil || v.IsSystem() || v.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "sign in first")
	}
	var p kernel.Problems
	checkDay(&p, "from", in.From)
	checkDay(&p, "to", in.To)
	p.Check(in.To.Before(in.From), "to", "the period ends before it starts")
	if err := p.Err(); err != nil {
		return nil, err
	}
	u, err := kernel.Unit(ctx, s.Client, in.OrganiserUnitID, "organiserUnitID")
	if err != nil {
		return nil, err
	}
	d := sql.Dialect(s.Dialect)
	activities := func(cols ...string) *sql.Selector {
		sel := d.Select(cols...).From(sql.Table(publicity.Table))
		v.Predicate("publicity", "read")(sel)
		if in.IncludeBelow {
			sel.Where(sql.HasPrefix(sel.C(publicity.FieldScopePath), u.ScopePath))
		} else {
			sel.Where(sql.EQ(sel.C(publicity.FieldOrganiserUnitID), u.ID))
		}
		sel.Where(sql.And(sql.GTE(sel.C(publicity.FieldHeldOn), day(in.From)), sql.LT(sel.C(publicity.FieldHeldOn), day(in.To).AddDate(0, 0, 1))))
		if len(in.Kinds) > 0 {
			kinds := make([]any, len(in.Kinds))
			for i, k := range in.Kinds {
				kinds[i] = string(k)
			}
			sel.Where(sql.In(sel.C(publicity.FieldKind), kinds...))
		}
		return sel
	}
	// A visit carries its activity's scope, not its enterprise's: the
	// enterprises counted are those the caller reads (totals do not count
	// what is outside its jurisdiction).
	visited := d.Select().From(sql.Table(publicityvisit.Table)).
		Where(sql.In(publicityvisit.FieldPublicityID, activities(publicity.FieldID)))
	ReadableEnterprise(ctx, publicityvisit.FieldEnterpriseUnitID)(visited)
	visited.AppendSelectExpr(sql.Raw("COUNT(DISTINCT " + publicityvisit.FieldEnterpriseUnitID + ")"))
	sel := activities().AppendSelectExprAs(sql.Raw("COUNT(*)"), "activities").
		AppendSelectExprAs(sql.Raw("SUM(materials)"), "materials").
		AppendSelectExprAs(sql.Raw("SUM(participants)"), "participants").
		AppendSelectExprAs(visited, "visited")
	out := &PublicitySummary{Organiser: u}
	err = s.scan(ctx, sel, func(rows *stdsql.Rows) error {
		var n, materials, participants, visited stdsql.NullInt64
		if err := rows.Scan(&n, &materials, &participants, &visited); err != nil {
			return err
		}
		out.Activities, out.Materials, out.Participants = int(n.Int64), int(materials.Int64), int(participants.Int64)
		out.EnterprisesVisited = int(visited.Int64)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// day is the start of t's day in UTC.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
