package graph

import (
	"context"
	"errors"
	"time"

	"github.com/dutychain/dutychain/authz"

	"entgo.io/ent/dialect/sql"
	"github.com/vikstrous/dataloadgen"

	"github.com/dutychain/dutychain/ent"
	"github.com/dutychain/dutychain/ent/enterprise"
	"github.com/dutychain/dutychain/ent/hazardevent"
	"github.com/dutychain/dutychain/ent/post"
	"github.com/dutychain/dutychain/ent/unit"
	"github.com/dutychain/dutychain/internal/domain"
)

// hazardLoaders batch what a page of hazards asks for: the enterprise of the
// subject, its town, the last event, and the users and posts of events. A
// page costs one statement per kind whatever its size; the hazards resolver
// primes them so the count does not depend on goroutine timing.
type hazardLoaders struct {
	enterprises mappedLoader[int, *ent.Enterprise] // by ENTERPRISE unit id
	units       mappedLoader[int, *ent.Unit]
	lastEvents  mappedLoader[int, *ent.HazardEvent]   // by hazard id
	timelines   mappedLoader[int, []*ent.HazardEvent] // by hazard id, oldest first
	posts       mappedLoader[int, *ent.Post]
	fetchEnt    func(context.Context, []int) (map[int]*ent.Enterprise, error)
	fetchUnits  func(context.Context, []int) (map[int]*ent.Unit, error)
	fetchLast   func(context.Context, []int) (map[int]*ent.HazardEvent, error)
	fetchTimes  func(context.Context, []int) (map[int][]*ent.HazardEvent, error)
}

func newHazardLoaders(client *ent.Client) hazardLoaders {
	l := hazardLoaders{
		fetchEnt: func(ctx context.Context, unitIDs []int) (map[int]*ent.Enterprise, error) {
			es, err := client.Enterprise.Query().Where(enterprise.UnitIDIn(unitIDs...)).All(ctx)
			out := make(map[int]*ent.Enterprise, len(es))
			for _, e := range es {
				out[e.UnitID] = e
			}
			return out, err
		},
		fetchUnits: func(ctx context.Context, ids []int) (map[int]*ent.Unit, error) {
			us, err := client.Unit.Query().Where(unit.IDIn(ids...)).All(ctx)
			out := make(map[int]*ent.Unit, len(us))
			for _, u := range us {
				out[u.ID] = u
			}
			return out, err
		},
		fetchLast: func(ctx context.Context, hazardIDs []int) (map[int]*ent.HazardEvent, error) {
			// The newest event per hazard in one statement: no later event
			// of the same hazard exists (ids grow with time within a hazard).
			evs, err := client.HazardEvent.Query().Where(hazardevent.HazardIDIn(hazardIDs...), func(s *sql.Selector) {
				t := sql.Table(hazardevent.Table).As("later")
				s.Where(sql.NotExists(sql.Dialect(s.Dialect()).Select(t.C(hazardevent.FieldID)).From(t).Where(sql.And(
					sql.ColumnsEQ(t.C(hazardevent.FieldHazardID), s.C(hazardevent.FieldHazardID)),
					sql.ColumnsGT(t.C(hazardevent.FieldID), s.C(hazardevent.FieldID))))))
			}).All(ctx)
			out := make(map[int]*ent.HazardEvent, len(evs))
			for _, e := range evs {
				out[e.HazardID] = e
			}
			return out, err
		},
	}
	l.enterprises = newMappedLoader(l.fetchEnt)
	l.units = newMappedLoader(l.fetchUnits)
	l.lastEvents = newMappedLoader(l.fetchLast)
	l.fetchTimes = func(ctx context.Context, hazardIDs []int) (map[int][]*ent.HazardEvent, error) {
		evs, err := client.HazardEvent.Query().Where(hazardevent.HazardIDIn(hazardIDs...)).
			Order(ent.Asc(hazardevent.FieldAt), ent.Asc(hazardevent.FieldID)).All(ctx)
		out := make(map[int][]*ent.HazardEvent, len(hazardIDs))
		for _, e := range evs {
			out[e.HazardID] = append(out[e.HazardID], e)
		}
		return out, err
	}
	l.timelines = newMappedLoader(l.fetchTimes)
	l.posts = newMappedLoader(func(ctx context.Context, ids []int) (map[int]*ent.Post, error) {
		ps, err := client.Post.Query().Where(post.IDIn(ids...)).All(ctx)
		out := make(map[int]*ent.Post, len(ps))
		for _, p := range ps {
			out[p.ID] = p
		}
		return out, err
	})
	return l
}

// primeHazards loads, for a page of hazards, what the selection asks for in
// one statement per kind.
func (l *Loaders) primeHazards(ctx context.Context, hs []*ent.Hazard, want hazardWants) error {
	wantEnterprise, wantTown, wantLast := want.enterprise, want.town, want.lastEvent || want.actor
	if len(hs) == 0 {
		return nil
	}
	var entIDs, hzIDs []int
	for _, h := range hs {
		hzIDs = append(hzIDs, h.ID)
		if h.ScopeEnterpriseID != nil {
			entIDs = append(entIDs, *h.ScopeEnterpriseID)
		}
	}
	if wantEnterprise || wantTown {
		ents, err := l.hz.fetchEnt(ctx, entIDs)
		if err != nil {
			return err
		}
		var towns []int
		for _, id := range entIDs {
			if e, ok := ents[id]; ok {
				l.hz.enterprises.Prime(ctx, id, e)
				if e.TownID != nil {
					towns = append(towns, *e.TownID)
				}
			}
		}
		if wantTown && len(towns) > 0 {
			us, err := l.hz.fetchUnits(ctx, towns)
			if err != nil {
				return err
			}
			for id, u := range us {
				l.hz.units.Prime(ctx, id, u)
			}
		}
	}
	if want.timeline {
		byHazard, err := l.hz.fetchTimes(ctx, hzIDs)
		if err != nil {
			return err
		}
		for _, id := range hzIDs {
			l.hz.timelines.Prime(ctx, id, append([]*ent.HazardEvent{}, byHazard[id]...))
		}
	}
	var userIDs []int
	if want.reporter {
		for _, h := range hs {
			userIDs = append(userIDs, h.ReportedByID)
		}
	}
	if wantLast {
		evs, err := l.hz.fetchLast(ctx, hzIDs)
		if err != nil {
			return err
		}
		for id, e := range evs {
			l.hz.lastEvents.Prime(ctx, id, e)
			if want.actor {
				userIDs = append(userIDs, e.ActorID)
			}
		}
	}
	if len(userIDs) > 0 {
		// Reporters and last actors in one statement; those out of scope
		// are primed as null so that nothing asks again.
		us, err := l.fetchUsers(ctx, userIDs)
		if err != nil {
			return err
		}
		for _, id := range userIDs {
			l.users.Prime(ctx, id, us[id])
		}
	}
	return nil
}

// hazardWants says what a page of hazards asks for beyond its columns.
type hazardWants struct {
	enterprise, town, lastEvent, actor, reporter, timeline bool
}

// wantsOfHazardPage reads the selection of a hazards connection.
func wantsOfHazardPage(ctx context.Context) hazardWants {
	return hazardWants{
		enterprise: requested(ctx, "edges", "node", "enterprise"),
		town:       requested(ctx, "edges", "node", "town"),
		lastEvent:  requested(ctx, "edges", "node", "lastEvent"),
		actor:      requested(ctx, "edges", "node", "lastEvent", "actor"),
		reporter:   requested(ctx, "edges", "node", "reportedBy"),
		timeline:   requested(ctx, "edges", "node", "timeline"),
	}
}

// timeline loads a hazard's events, oldest first, batched with the other
// hazards of the page.
func (l *Loaders) timeline(ctx context.Context, hazardID int) ([]*ent.HazardEvent, error) {
	evs, err := l.hz.timelines.Load(ctx, hazardID)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return []*ent.HazardEvent{}, nil
	}
	return evs, err
}

// usersOrNil loads users by id, null for those outside the caller's scope.
func (l *Loaders) usersOrNil(ctx context.Context, ids []int) ([]*ent.User, error) {
	out := make([]*ent.User, len(ids))
	for i, id := range ids {
		u, err := l.loadUser(ctx, id)
		if err != nil {
			return nil, err
		}
		out[i] = u
	}
	return out, nil
}

func isOverdue(ctx context.Context, h *ent.Hazard) bool {
	now := time.Now()
	if v := authz.FromContext(ctx); v != nil && !v.Now.IsZero() {
		now = v.Now
	}
	return h.State != domain.HazardClosed && h.Deadline.Before(now)
}
