package bench

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/dutychain/dutychain/internal/gid"
)

// Level names the users the harness drives.
const (
	LevelCounty     = "county"
	LevelDeputy     = "deputy"
	LevelTown       = "town"
	LevelEnterprise = "enterprise"
)

// User is one benchmark user: a level and the username holding it.
type User struct {
	Level    string
	Username string
}

// DefaultUsers are the synthetic tenant's users of each level (county 1,
// town 1, enterprise 1), the same at every scale.
var DefaultUsers = []User{
	{LevelCounty, "c01.head"},
	{LevelDeputy, "c01.deputy.industry"},
	{LevelTown, "c01.t001.head"},
	{LevelEnterprise, "c01.e00001.principal"},
}

// scenario is one kind of request, as a GraphQL document for the API and as
// a call of the floor SQL for the two floors.
type scenario struct {
	name string
	// levels run it; empty means every level.
	levels []string
	// depth is the nesting depth and totals the totalCount fields: the API
	// may send at most depth + 1 + totals statements (the +1 loads the viewer).
	depth, totals int
	// mutation scenarios change data: skipped by read-only checks.
	mutation bool
	doc      string
	vars     func(u *benchUser, i int) map[string]any
	// floorPath is the handler floor's URL path and query.
	floorPath func(u *benchUser, i int) string
	// raw runs the floor SQL in this process.
	raw func(ctx context.Context, u *benchUser, i int) (any, int, error)
	// wantNull: the answer must be null (a refused cross-scope id).
	wantNull bool
}

// Nested page sizes of the nested scenario (the probe varies them).
const (
	nestedUnits   = 5
	nestedHazards = 10
)

func (s *scenario) runsFor(level string) bool {
	if len(s.levels) == 0 {
		return true
	}
	for _, l := range s.levels {
		if l == level {
			return true
		}
	}
	return false
}

func userQuery(u *benchUser, kv ...string) string {
	q := url.Values{"user": {u.Username}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q.Encode()
}

const listDoc = `query List($state: HazardState!) {
  hazards(first: 20, where: {state: $state}) {
    totalCount
    edges { node { id state level category deadline foundAt } }
  }
}`

const countDoc = `query Count { hazards { totalCount } }`

const dashboardDoc = `query Dashboard { hazardCounts { state level count } }`

// NestedDoc is the nested scenario: a page of enterprises, each with a page
// of its hazards and their events (also server.BenchmarkNestedQuery's).
const NestedDoc = `query Nested($units: Int!, $hazards: Int!) {
  units(first: $units, where: {kind: ENTERPRISE}) {
    edges { node {
      id name
      enterpriseHazards(first: $hazards) {
        totalCount
        edges { node { id state level events { action at } } }
      }
    } }
  }
}`

const nodeDoc = `query Node($id: ID!) { node(id: $id) { id } }`

const transitionDoc = `mutation Transition($id: ID!, $action: HazardAction!) {
  transitionHazard(input: {id: $id, action: $action}) { hazard { id supervised } }
}`

func scenarios() []*scenario {
	state := func(i int) string { return hazardStates[i%len(hazardStates)] }
	return []*scenario{
		{
			name: "list", depth: 1, totals: 1, doc: listDoc,
			vars:      func(_ *benchUser, i int) map[string]any { return map[string]any{"state": state(i)} },
			floorPath: func(u *benchUser, i int) string { return "/list?" + userQuery(u, "state", state(i)) },
			raw: func(ctx context.Context, u *benchUser, i int) (any, int, error) {
				return u.floor.runList(ctx, state(i))
			},
		},
		{
			name: "dashboard", depth: 1, doc: dashboardDoc,
			vars:      func(*benchUser, int) map[string]any { return nil },
			floorPath: func(u *benchUser, _ int) string { return "/dashboard?" + userQuery(u) },
			raw: func(ctx context.Context, u *benchUser, _ int) (any, int, error) {
				return u.floor.runDashboard(ctx)
			},
		},
		{
			name: "count", depth: 1, totals: 1, doc: countDoc,
			vars:      func(*benchUser, int) map[string]any { return nil },
			floorPath: func(u *benchUser, _ int) string { return "/count?" + userQuery(u) },
			raw: func(ctx context.Context, u *benchUser, _ int) (any, int, error) {
				return u.floor.runCount(ctx)
			},
		},
		{
			name: "nested", depth: 3, totals: 1, doc: NestedDoc,
			vars: func(*benchUser, int) map[string]any {
				return map[string]any{"units": nestedUnits, "hazards": nestedHazards}
			},
			floorPath: func(u *benchUser, _ int) string {
				return "/nested?" + userQuery(u, "units", strconv.Itoa(nestedUnits), "hazards", strconv.Itoa(nestedHazards))
			},
			raw: func(ctx context.Context, u *benchUser, _ int) (any, int, error) {
				return u.floor.runNested(ctx, nestedUnits, nestedHazards)
			},
		},
		{
			name: "cross-scope", levels: []string{LevelTown, LevelEnterprise}, depth: 1, doc: nodeDoc, wantNull: true,
			vars: func(u *benchUser, _ int) map[string]any {
				return map[string]any{"id": gid.Encode(u.foreignHazard)}
			},
			floorPath: func(u *benchUser, _ int) string {
				return "/node?" + userQuery(u, "id", strconv.Itoa(u.foreignHazard))
			},
			raw: func(ctx context.Context, u *benchUser, _ int) (any, int, error) {
				return u.floor.runNode(ctx, u.foreignHazard)
			},
		},
		{
			name: "transition", levels: []string{LevelTown}, mutation: true, doc: transitionDoc,
			vars: func(u *benchUser, i int) map[string]any {
				h := u.own(i)
				action := "LIFT_SUPERVISION"
				if !h.supervised {
					action = "SUPERVISE"
				}
				return map[string]any{"id": gid.Encode(h.id), "action": action}
			},
			floorPath: func(u *benchUser, i int) string {
				h := u.own(i)
				return "/transition?" + userQuery(u, "id", strconv.Itoa(h.id), "supervise", strconv.FormatBool(!h.supervised))
			},
			raw: func(ctx context.Context, u *benchUser, i int) (any, int, error) {
				h := u.own(i)
				return u.floor.runTransition(ctx, h.id, !h.supervised, u.userID, u.postID)
			},
		},
	}
}

// ownHazard is a hazard one worker toggles supervision on; only that worker
// touches it, so its state is known without reading it.
type ownHazard struct {
	id         int
	supervised bool
}

// own returns worker i's hazard.
func (u *benchUser) own(i int) *ownHazard {
	if len(u.owned) == 0 {
		panic(fmt.Sprintf("bench: %s has no hazards to transition", u.Username))
	}
	return u.owned[i%len(u.owned)]
}
