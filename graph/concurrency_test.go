package graph_test

// The race harness of the concurrency tests (concurrency_races_test.go):
// entrants sent at once over HTTP, each with its own request id, and the
// checks every race shares — one winner, losers refused with CONFLICT or
// BAD_USER_INPUT, the audit log written by the winner's request only.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dutychain/dutychain/internal/apitest"
)

// racers is how many requests contend in each race.
const racers = 8

// entrant is one request of a race.
type entrant struct {
	token string
	query string
	vars  map[string]any
	// files, when set, make the request a multipart upload (variable path
	// → file).
	files map[string]apitest.File
}

// entrantsOf makes the entrants of a race: entrant i is newEntrant(i).
func entrantsOf(newEntrant func(i int) entrant) []entrant {
	out := make([]entrant, racers)
	for i := range out {
		out[i] = newEntrant(i)
	}
	return out
}

// outcome is what one entrant got back.
type outcome struct {
	requestID string
	res       *apitest.Response
}

func (o outcome) won() bool { return len(o.res.Errors) == 0 }

// raceTally counts races and their outcomes for the test's log.
type raceTally struct {
	races, winners, conflicts, refused atomic.Int64
}

func (rt *raceTally) String() string {
	return fmt.Sprintf("%d races of %d requests: %d winners, %d CONFLICT, %d BAD_USER_INPUT",
		rt.races.Load(), racers, rt.winners.Load(), rt.conflicts.Load(), rt.refused.Load())
}

var raceSeq atomic.Int64

// post sends an entrant's GraphQL document with a chosen request id. It reports
// failures as errors: it runs on goroutines other than the test's.
func post(s *apitest.Server, e entrant, requestID string) (*apitest.Response, error) {
	contentType, body := "application/json", []byte(nil)
	if e.files != nil {
		contentType, body = apitest.MultipartBody(e.query, e.vars, e.files)
	} else {
		var err error
		if body, err = json.Marshal(map[string]any{"query": e.query, "variables": e.vars}); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequest(http.MethodPost, s.HTTP.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("X-Request-ID", requestID)
	res, err := s.HTTP.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out apitest.Response
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("decode response (status %d): %w", res.StatusCode, err)
	}
	out.Status = res.StatusCode
	return &out, nil
}

// race sends every entrant at once, released together, and returns their
// outcomes in entrant order.
func race(t *testing.T, s *apitest.Server, entrants []entrant) []outcome {
	t.Helper()
	outs := make([]outcome, len(entrants))
	errs := make([]error, len(entrants))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, e := range entrants {
		outs[i].requestID = fmt.Sprintf("race-%d-%d", raceSeq.Add(1), i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			outs[i].res, errs[i] = post(s, e, outs[i].requestID)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "entrant %d", i)
	}
	return outs
}

// requireOneWinner asserts that exactly one entrant succeeded and every
// other was refused with CONFLICT or BAD_USER_INPUT (on SQLite, where
// writers queue, a loser decides on the winner's result and is refused by
// the state machine), and returns the winner's index.
func requireOneWinner(t *testing.T, tally *raceTally, outs []outcome) int {
	t.Helper()
	winners := requireWinners(t, tally, outs)
	require.Len(t, winners, 1, "exactly one winner")
	return winners[0]
}

// requireWinners asserts that at least one entrant succeeded and every
// other was refused with CONFLICT or BAD_USER_INPUT, and returns the
// winners' indexes.
func requireWinners(t *testing.T, tally *raceTally, outs []outcome) []int {
	t.Helper()
	var winners []int
	for i, o := range outs {
		if o.won() {
			winners = append(winners, i)
			continue
		}
		apitest.RequireNoLeak(t, o.res)
		code := o.res.Code()
		require.Contains(t, []string{"CONFLICT", "BAD_USER_INPUT"}, code, "entrant %d: %+v", i, o.res.Errors)
		if code == "CONFLICT" {
			tally.conflicts.Add(1)
		} else {
			tally.refused.Add(1)
		}
	}
	require.NotEmpty(t, winners, "nobody won: %+v", outs)
	tally.races.Add(1)
	tally.winners.Add(int64(len(winners)))
	return winners
}

// requireAuditOfWinners asserts that the audit log holds exactly want
// ("<entity_type> <OPERATION>" per event) under each winner's request id
// and nothing under a loser's.
func requireAuditOfWinners(t *testing.T, s *apitest.Server, outs []outcome, winners []int, want ...string) {
	t.Helper()
	sorted := slices.Clone(want)
	sort.Strings(sorted)
	for i, o := range outs {
		got := auditOfRequest(t, s, o.requestID)
		if slices.Contains(winners, i) {
			require.Equal(t, sorted, got, "the audit events of a winner (entrant %d)", i)
		} else {
			require.Empty(t, got, "a loser (entrant %d) left audit events", i)
		}
	}
}

// requireAuditOfWinner is requireAuditOfWinners of a race with one winner.
func requireAuditOfWinner(t *testing.T, s *apitest.Server, outs []outcome, winner int, want ...string) {
	t.Helper()
	requireAuditOfWinners(t, s, outs, []int{winner}, want...)
}

// auditOfRequest lists the audit events of request id, sorted.
func auditOfRequest(t *testing.T, s *apitest.Server, id string) []string {
	t.Helper()
	rows, err := s.DB.SQL.Query(`SELECT entity_type, operation FROM audit_events WHERE request_id = $1`, id)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, op string
		require.NoError(t, rows.Scan(&typ, &op))
		out = append(out, typ+" "+op)
	}
	require.NoError(t, rows.Err())
	sort.Strings(out)
	return out
}

// nodeOf reads fields of node id as token.
func nodeOf(t *testing.T, s *apitest.Server, token, id, fragment string, into any) {
	t.Helper()
	r := s.MustDo(token, `query($id: ID!) { node(id: $id) { `+fragment+` } }`, map[string]any{"id": id})
	var out struct{ Node json.RawMessage }
	r.Decode(t, &out)
	require.NoError(t, json.Unmarshal(out.Node, into))
}

// mustID runs a mutation and returns the id of its root field.
func mustID(t *testing.T, s *apitest.Server, token, query string, vars map[string]any, field string) string {
	t.Helper()
	r := s.MustDo(token, query, vars)
	var out struct{ ID string }
	decodeAt(t, r, field, &out)
	require.NotEmpty(t, out.ID, "%s returned no id", field)
	return out.ID
}
